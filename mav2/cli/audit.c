/* SPDX-License-Identifier: Apache-2.0 */
/* audit.c: `mav2 audit verify` and `mav2 audit show`, over the audit ledger
 * (mav2/send/ledger.h). */
#define _GNU_SOURCE /* strptime, timegm */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json-c/json.h>

#include "common/hex.h"
#include "mav2/cli/cli.h"
#include "mav2/cli/guard_cli.h"
#include "mav2/cli/settings.h"
#include "mav2/core/address.h"
#include "mav2/core/error.h"
#include "mav2/net/state.h"
#include "mav2/send/ledger.h"

const char mav2_help_audit[] =
    "NAME\n"
    "    mav2 audit - check and read the audit ledger of the signatures made\n"
    "\n"
    "SYNOPSIS\n"
    "    mav2 audit verify [FILE] [--profile NAME] [--json]\n"
    "    mav2 audit verify --state URL --account ADDR [--state-password-file F] [--json]\n"
    "    mav2 audit show [FILE] [--account ADDR] [--since TIME] [--profile NAME] [--json]\n"
    "    mav2 audit show --state URL --account ADDR [--state-password-file F]\n"
    "                    [--since TIME] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    Every user op signature an online command (send, session-key, account)\n"
    "    makes is appended to the ledger before the op is sent, as one JSON line:\n"
    "    seq, prev (the Keccak-256 of the previous line's bytes; zeros on line 1),\n"
    "    time (UTC), event, then chain, account, entity, nonceKey, nonce, calls\n"
    "    (to, value, data), userOpHash, sponsored, maxCost, tokenSerial and keyId\n"
    "    of the token key, verdict (allowed, or none without a policy). A refusal\n"
    "    by the policy is a \"refused\" line (rule, reason); the outcome of a sent\n"
    "    op (included, reverted, rejected, timeout, submitted) an \"outcome\" line\n"
    "    with its userOpHash. No PIN or secret is ever written. Appends are atomic\n"
    "    (O_APPEND under flock, fsync'd); the file is created mode 0600.\n"
    "    FILE: the profile's ledger = PATH, else STATE_DIR/ledger.jsonl (STATE_DIR:\n"
    "    $MAV2_STATE_DIR, else $XDG_STATE_HOME/mav2, else ~/.local/state/mav2);\n"
    "    ledger = off writes none.\n"
    "\n"
    "    verify  checks the chain line by line: prints \"ok LINES TIP\" (TIP: the\n"
    "            hash the next line will carry; keep it elsewhere to protect the\n"
    "            last line too), or the first broken line and why (exit 1).\n"
    "            --state: the chain of one account in mav2d's state (state =\n"
    "            postgresql://... of its [service]; several hosts append to one\n"
    "            chain), checked in place. The lines, the file's and the\n"
    "            state's, are one format (version 2); a version 1 state chain\n"
    "            (mav2d before it) is refused, naming its version.\n"
    "    show    prints the lines: TIME EVENT ACCOUNT CHAIN NONCE USEROPHASH and\n"
    "            the verdict, rule or outcome; --json: the lines themselves.\n"
    "            --state: the lines of the account's chain in mav2d's state, as\n"
    "            for a file.\n"
    "\n"
    "OPTIONS\n"
    "    --account ADDR       only lines about this account\n"
    "    --since TIME         only lines at or after TIME: seconds since the epoch,\n"
    "                         YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC), or an age\n"
    "                         N followed by s, m, h or d (24h: the last day)\n"
    "    --profile NAME       the profile naming the ledger\n"
    "    --json               JSON output\n"
    "\n"
    "POLICY\n"
    "    A profile may hold an off-chain policy, checked before the key signs (an\n"
    "    op outside it is refused, exit 1, with the rule named, nothing signed):\n"
    "    policy-allow = ADDR[:0xSELECTOR] ...  only calls to these targets (with a\n"
    "                         selector: only call data starting with it)\n"
    "    policy-max-value = AMOUNT             value per op (sum over its calls)\n"
    "    policy-value-cap = AMOUNT/PERIOD ...  value signed in any rolling PERIOD\n"
    "                         (N s|m|h|d, e.g. 1ether/24h)\n"
    "    policy-ops-per-minute = N             ops signed in any rolling minute\n"
    "    policy-max-cost = AMOUNT              the op's gas limits x maxFeePerGas,\n"
    "                         whoever pays\n"
    "    The windows are kept per chain, account and entity in STATE_DIR and survive\n"
    "    a restart; an op counts from the moment it is allowed (before signing).\n"
    "    The policy applies to every op signed with the profile, the owner's too.\n"
    "\n"
    "EXIT STATUS\n"
    "    0 ok, 1 bad usage or a broken ledger\n"
    "\n"
    "EXAMPLES\n"
    "    mav2 audit verify ~/.local/state/mav2/ledger.jsonl\n"
    "    mav2 audit show --account 0xAcc... --since 24h\n";

/* What the command line says. */
typedef struct {
    const char *account, *since, *profile, *state, *state_password_file;
    int json;
} audit_opts;

#define AUDIT_PROFILE                                                                              \
    MAV2_OPT_STR("profile", "NAME", audit_opts, profile, "the profile naming the ledger")

#define AUDIT_STATE                                                                                \
    MAV2_OPT_STR("state", "URL", audit_opts, state,                                                \
                 "the state's chain instead of a file: postgresql://...\n"                         \
                 "(mav2d's state = URL), or file:DIR")
#define AUDIT_STATE_PASSWORD                                                                       \
    MAV2_OPT_STR("state-password-file", "FILE", audit_opts, state_password_file,                   \
                 "the database password's file (else PGPASSWORD or\n"                              \
                 "~/.pgpass)")

static const mav2_cli_opt verify_table[] = {
    AUDIT_PROFILE,
    AUDIT_STATE,
    AUDIT_STATE_PASSWORD,
    MAV2_OPT_STR("account", "ADDR", audit_opts, account, "with --state: the account's chain"),
    MAV2_OPT_FLAG_("json", audit_opts, json,
                   "{\"ok\":true,\"lines\":N,\"tip\":...} or\n"
                   "{\"ok\":false,\"line\":N,\"error\":...}"),
    MAV2_OPT_END_};

static const mav2_cli_opt show_table[] = {
    MAV2_OPT_STR("account", "ADDR", audit_opts, account,
                 "only lines about this account; with --state: the\n"
                 "account's chain"),
    MAV2_OPT_STR("since", "TIME", audit_opts, since,
                 "only lines at or after TIME: seconds since the epoch,\n"
                 "YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC), or an age\n"
                 "N followed by s, m, h or d (24h: the last day)"),
    AUDIT_PROFILE,
    AUDIT_STATE,
    AUDIT_STATE_PASSWORD,
    MAV2_OPT_FLAG_("json", audit_opts, json, "the ledger lines themselves"),
    MAV2_OPT_END_};

static const mav2_cli_page page_verify = {
    "NAME\n"
    "    mav2 audit verify - check the audit ledger's hash chain\n"
    "\n"
    "SYNOPSIS\n"
    "    mav2 audit verify [FILE] [--profile NAME] [--json]\n"
    "    mav2 audit verify --state URL --account ADDR [--state-password-file F] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    Checks every line's seq and prev (the Keccak-256 of the line before) and\n"
    "    prints \"ok LINES TIP\" (TIP: the hash the next line will carry; keep it\n"
    "    elsewhere to protect the last line too), or the first broken line and why\n"
    "    (exit 1). FILE: the profile's ledger by default (mav2 audit --help).\n"
    "    --state: the account's chain in mav2d's state (PostgreSQL: every host's\n"
    "    lines in one chain), checked in place, in the same format.\n"
    "\n"
    "OPTIONS\n",
    verify_table,
    "\n"
    "EXIT STATUS\n"
    "    0 intact, 1 broken (or bad usage), 5 the state cannot be read\n"};

static const mav2_cli_page page_show = {
    "NAME\n"
    "    mav2 audit show - the lines of the audit ledger, filtered\n"
    "\n"
    "SYNOPSIS\n"
    "    mav2 audit show [FILE] [--account ADDR] [--since TIME] [--profile NAME] [--json]\n"
    "    mav2 audit show --state URL --account ADDR [--state-password-file F]\n"
    "                    [--since TIME] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    Prints TIME EVENT ACCOUNT CHAIN NONCE USEROPHASH and the verdict, rule or\n"
    "    outcome of each line (\"-\" for a field the line has not). FILE: the\n"
    "    profile's ledger by default (mav2 audit --help). --state: the lines of\n"
    "    the account's chain in mav2d's state, read in place, shown as those of a\n"
    "    file (mav2 audit verify --state checks them).\n"
    "\n"
    "OPTIONS\n",
    show_table,
    "\n"
    "EXIT STATUS\n"
    "    0 ok, 1 bad usage or a line that is not a ledger line, 5 the state cannot\n"
    "    be read\n"};

/* file, else the settings' ledger into buf. */
static const char *ledger_file(const mav2_cli_cmd *self, const audit_opts *a, const char *file,
                               char *buf, size_t cap)
{
    if (file != NULL)
        return file;
    mav2_cli_settings_request(a->profile, NULL);
    if (!mav2_cli_settings_ready(self) || !mav2_cli_ledger_path(self, NULL, buf, cap))
        return NULL;
    if (buf[0] == '\0')
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "the ledger is off (ledger = off)"), NULL;
    return buf;
}

/* The answer of verify on name: ok with lines and tip, else broken at bad. */
static int verify_report(const mav2_cli_cmd *self, const audit_opts *a, const char *name, int ok,
                         unsigned long long lines, unsigned long long bad, const char *tip)
{
    mav2_cli_result r;
    int rc;

    mav2_cli_result_init(&r, a->json);
    mav2_cli_result_bool(&r, "ok", NULL, ok);
    if (ok) {
        mav2_cli_result_int(&r, "lines", NULL, (int64_t)lines);
        mav2_cli_result_str(&r, "tip", NULL, tip);
        mav2_cli_result_line(&r, "ok %llu %s", lines, tip);
        return mav2_cli_result_print(self, &r);
    }
    mav2_cli_result_int(&r, "line", NULL, (int64_t)bad);
    mav2_cli_result_str(&r, "error", NULL, mav2_last_error());
    if (a->json && (rc = mav2_cli_result_print(self, &r)) != MAV2_EXIT_OK)
        return rc;
    mav2_cli_result_clear(&r);
    mav2_cli_out.json_done = 1; /* the object above says why */
    return mav2_cli_fail(self, MAV2_EXIT_USAGE, "%s: %s", name, mav2_last_error());
}

/* verify --state: the account's chain in the state, in place. */
static int verify_state(const mav2_cli_cmd *self, const audit_opts *a)
{
    uint8_t acct[MAV2_ADDRESS_LEN], tip[32];
    char name[64], hex[67];
    uint64_t links = 0, bad = 0;
    mav2_state *st = NULL;
    int ok;

    if (!mav2_cli_address(self, "--account", a->account, acct))
        return MAV2_EXIT_USAGE;
    ok = mav2_state_open(a->state, a->state_password_file, &st) &&
         mav2_state_ledger_verify(st, acct, &links, &bad, tip);
    mav2_state_close(st);
    if (!ok)
        return mav2_cli_fail(self, MAV2_EXIT_NETWORK, "state: %s", mav2_last_error());
    mh_hex_encode(tip, 32, hex, sizeof(hex), 1);
    snprintf(name, sizeof(name), "the chain of %s", a->account);
    return verify_report(self, a, name, bad == 0, links, bad, hex);
}

/* verify: the file, or (file NULL) the state's chain. */
static int verify(const mav2_cli_cmd *self, const audit_opts *a, const char *file)
{
    unsigned long long lines = 0, bad = 0;
    char tip[67];
    int ok;

    if (file == NULL)
        return verify_state(self, a);
    ok = mav2_ledger_verify(file, &lines, &bad, tip);
    return verify_report(self, a, file, ok, lines, bad, tip);
}

/* --since into seconds since the epoch. */
static int parse_since(const char *s, time_t now, long long *out)
{
    struct tm tm;
    char *end;
    long long n;
    memset(&tm, 0, sizeof(tm));
    if ((end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) != NULL && *end == '\0') {
        *out = (long long)timegm(&tm);
        return 1;
    }
    memset(&tm, 0, sizeof(tm));
    if ((end = strptime(s, "%Y-%m-%d", &tm)) != NULL && *end == '\0') {
        *out = (long long)timegm(&tm);
        return 1;
    }
    if (*s < '0' || *s > '9')
        return 0;
    n = strtoll(s, &end, 10);
    if (*end == '\0') {
        *out = n;
        return 1;
    }
    if (end[1] != '\0' || n > 100LL * 366 * 86400)
        return 0;
    switch (*end) {
    case 's':
        *out = (long long)now - n;
        return 1;
    case 'm':
        *out = (long long)now - n * 60;
        return 1;
    case 'h':
        *out = (long long)now - n * 3600;
        return 1;
    case 'd':
        *out = (long long)now - n * 86400;
        return 1;
    default:
        return 0;
    }
}

static const char *field(json_object *o, const char *k)
{
    json_object *v;
    if (!json_object_object_get_ex(o, k, &v))
        return "-";
    return json_object_get_string(v);
}

/* Whether line o passes the filters (account parsed into acct when given). */
static int wanted(json_object *o, const uint8_t *acct, long long since)
{
    uint8_t a[MAV2_ADDRESS_LEN];
    struct tm tm;
    char *end;
    memset(&tm, 0, sizeof(tm));
    if (acct != NULL &&
        (!mav2_address_parse(field(o, "account"), a) || memcmp(a, acct, MAV2_ADDRESS_LEN) != 0))
        return 0;
    end = strptime(field(o, "time"), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return end != NULL && *end == '\0' && (long long)timegm(&tm) >= since;
}

static int print_line(json_object *o, const char *raw, size_t len, int json)
{
    const char *ev = field(o, "event");
    const char *last = strcmp(ev, "sign") == 0      ? field(o, "verdict")
                       : strcmp(ev, "refused") == 0 ? field(o, "rule")
                                                    : field(o, "outcome");
    if (json)
        return printf("%.*s\n", (int)len, raw) > 0;
    return printf("%s %s %s %s %s %s %s\n", field(o, "time"), ev, field(o, "account"),
                  field(o, "chain"), field(o, "nonce"), field(o, "userOpHash"), last) > 0;
}

/* What show shows: its source's name (for errors), the filters, the output, the exit
 * code so far and the line number. */
typedef struct {
    const mav2_cli_cmd *self;
    const char *name;
    const uint8_t *acct;
    long long since;
    int json, rc;
    unsigned long long no;
} show_ctx;

/* The next line of c's source (len bytes, no newline), printed when wanted. 1 to go on. */
static int show_one(const char *line, size_t len, void *ctx)
{
    show_ctx *c = ctx;
    json_object *o = NULL;

    c->no++;
    if (!mav2_ledger_parse_line(line, len, &o, NULL))
        c->rc = mav2_cli_fail(c->self, MAV2_EXIT_USAGE, "%s: line %llu: %s", c->name, c->no,
                              mav2_last_error());
    else if (wanted(o, c->acct, c->since) && !print_line(o, line, len, c->json))
        c->rc = mav2_cli_fail(c->self, MAV2_EXIT_INTERNAL, "cannot write output");
    json_object_put(o);
    return c->rc == MAV2_EXIT_OK;
}

static int show_file(show_ctx *c, FILE *f)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;

    while (c->rc == MAV2_EXIT_OK && (n = getline(&line, &cap, f)) > 0) {
        if (line[n - 1] == '\n')
            line[--n] = '\0';
        show_one(line, (size_t)n, c);
    }
    free(line);
    return c->rc;
}

/* show --state: the lines of the account's chain, read in place. */
static int show_state(show_ctx *c, const audit_opts *a, const uint8_t acct[MAV2_ADDRESS_LEN])
{
    mav2_state *st = NULL;
    int ok = mav2_state_open(a->state, a->state_password_file, &st) &&
             mav2_state_ledger_each(st, acct, show_one, c);

    mav2_state_close(st);
    if (!ok && c->rc == MAV2_EXIT_OK)
        c->rc = mav2_cli_fail(c->self, MAV2_EXIT_NETWORK, "state: %s", mav2_last_error());
    return c->rc;
}

/* show: the lines of file, or (file NULL) of the state's chain. */
static int show(const mav2_cli_cmd *self, const audit_opts *a, const char *file)
{
    uint8_t acct[MAV2_ADDRESS_LEN];
    char name[64];
    show_ctx c = {self, file, NULL, 0, a->json, MAV2_EXIT_OK, 0};
    FILE *f = NULL;

    if (a->account != NULL && !mav2_cli_address(self, "--account", a->account, acct))
        return MAV2_EXIT_USAGE;
    if (a->since != NULL && !parse_since(a->since, time(NULL), &c.since))
        return mav2_cli_fail(self, MAV2_EXIT_USAGE,
                             "--since: \"%s\" is not seconds, YYYY-MM-DD[THH:MM:SSZ] or an "
                             "age (24h)",
                             a->since);
    if (file != NULL && (f = fopen(file, "re")) == NULL)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "cannot read %s", file);
    if (f != NULL) {
        c.acct = a->account != NULL ? acct : NULL;
        show_file(&c, f);
        fclose(f);
    } else {
        snprintf(name, sizeof(name), "the chain of %s", a->account);
        c.name = name;
        show_state(&c, a, acct);
    }
    if (a->json)
        mav2_cli_out.json_done = 1;
    if (c.rc == MAV2_EXIT_OK && fflush(stdout) != 0)
        c.rc = mav2_cli_fail(self, MAV2_EXIT_INTERNAL, "cannot write output");
    return c.rc;
}

/* The command line of audit verify or show into a and the ledger's path into buf
 * (*file). Exit code, MAV2_CLI_PARSED to go on. */
static int audit_args(const mav2_cli_cmd *self, audit_opts *a, int argc, char **argv, char *buf,
                      size_t cap, const char **file)
{
    const char *args[1];
    size_t n = 0;
    int rc;

    memset(a, 0, sizeof(*a));
    if ((rc = mav2_cli_opts_parse_args(self, a, args, 1, &n, argc, argv)) != MAV2_CLI_PARSED)
        return rc;
    mav2_cli_out.json = mav2_cli_out.json || a->json;
    a->json = mav2_cli_out.json;
    if (a->state != NULL) {
        *file = NULL;
        if (n > 0)
            return mav2_cli_fail(self, MAV2_EXIT_USAGE, "a FILE or --state, not both");
        if (a->account == NULL)
            return mav2_cli_fail(self, MAV2_EXIT_USAGE,
                                 "--state needs --account (a chain per account)");
        if (a->profile != NULL)
            return mav2_cli_fail(self, MAV2_EXIT_USAGE,
                                 "--profile names a ledger file, not a --state");
        return MAV2_CLI_PARSED;
    }
    if (a->state_password_file != NULL)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--state-password-file goes with --state");
    if ((*file = ledger_file(self, a, n > 0 ? args[0] : NULL, buf, cap)) == NULL)
        return MAV2_EXIT_USAGE;
    return MAV2_CLI_PARSED;
}

/* audit verify or show (page, run): its command line, then run. Exit code. */
static int audit_sub(const mav2_cli_cmd *self, const mav2_cli_page *page,
                     int (*run)(const mav2_cli_cmd *, const audit_opts *, const char *), int argc,
                     char **argv)
{
    mav2_cli_cmd me = *self;
    audit_opts a;
    char buf[4096];
    const char *file;
    int rc;

    me.name = "audit"; /* its errors name the group, as always */
    me.page = page;
    if ((rc = audit_args(&me, &a, argc, argv, buf, sizeof(buf), &file)) != MAV2_CLI_PARSED)
        return rc;
    return run(&me, &a, file);
}

static int audit_verify(const mav2_cli_cmd *self, int argc, char **argv)
{
    return audit_sub(self, &page_verify, verify, argc, argv);
}

static int audit_show(const mav2_cli_cmd *self, int argc, char **argv)
{
    return audit_sub(self, &page_show, show, argc, argv);
}

static const mav2_cli_sub audit_cmds[] = {
    {"verify", audit_verify, "check the ledger's hash chain", NULL},
    {"show", audit_show, "the ledger's lines, filtered", NULL},
};

int mav2_cmd_audit(const mav2_cli_cmd *self, int argc, char **argv)
{
    return mav2_cli_dispatch(self, audit_cmds, sizeof(audit_cmds) / sizeof(audit_cmds[0]), argc,
                             argv);
}
