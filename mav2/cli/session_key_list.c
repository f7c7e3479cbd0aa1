/* SPDX-License-Identifier: Apache-2.0 */
/* session_key_list.c: `mav2 session-key list` (the account's session keys as the
 * chain tells them: events, getValidationData, signers). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "common/hex.h"
#include "mav2/core/account.h"
#include "mav2/core/address.h"
#include "mav2/cli/online.h"
#include "mav2/cli/session_keys.h"
#include "mav2/core/error.h"
#include "mav2/keys/key.h"
#include "mav2/net/logs.h"
#include "mav2/net/session_keys.h"
#include "mav2/net/session_limits.h"
#include "mav2/keys/signer.h"

/* What the command line says. */
typedef struct {
    const char *url, *account_s, *from_s;
    int json;
} list_args;

static const mav2_cli_opt list_table[] = {
    MAV2_OPT_STR_REQ("rpc-url", "URL", list_args, url, NULL),
    MAV2_OPT_STR_REQ("account", "ADDR", list_args, account_s, NULL),
    MAV2_OPT_STR("from-block", "N", list_args, from_s, NULL),
    MAV2_OPT_FLAG_("json", list_args, json, NULL), MAV2_OPT_END_};

/* Written whole: its options are in the SYNOPSIS and DESCRIPTION. */
const mav2_cli_page mav2_page_session_list = {
    "NAME\n"
    "    mav2 session-key list - the session keys installed on an account\n"
    "\n"
    "SYNOPSIS\n"
    "    mav2 session-key list --rpc-url URL --account ADDR [--from-block N] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    Reads the account's ValidationInstalled / ValidationUninstalled events\n"
    "    (eth_getLogs from block N, default the block the account was deployed in,\n"
    "    found by binary search on eth_getCode; pages halve while the provider\n"
    "    refuses their range),\n"
    "    then, for every validation still installed, getValidationData (flags,\n"
    "    hooks, selectors) and SingleSignerValidationModule.signers(entity,\n"
    "    account). The owner (entity 0) is not a session key and is not listed.\n"
    "    Then what each key's permission hooks allow and what is left, each read\n"
    "    at the hook's own entity (N, or N + 0x7fffffff for the gas limit and the\n"
    "    ERC-20 limits): NativeTokenLimitModule.limits, AllowlistModule\n"
    "    .erc20SpendLimits, TimeRangeModule.timeRanges, PaymasterGuardModule\n"
    "    .paymasters, in one JSON-RPC batch per key; the allowlist's targets,\n"
    "    selectors and tokens from the AllowlistModule's events for the account\n"
    "    (eth_getLogs from block N too), replayed in order.\n"
    "\n"
    "OUTPUT\n"
    "    Per key: \"entity N\", then indented lines \"module ADDR [NAME]\",\n"
    "    \"signer ADDR\", \"global yes|no\", \"user-op yes|no\", \"erc-1271 yes|no\",\n"
    "    \"selectors SEL,...\", \"selector-names NAME,...\" (execute, executeBatch,\n"
    "    executeUserOp, the account's functions, ERC-20 transfer/approve/\n"
    "    transferFrom; others as hex), \"validation-hooks MODULE:ENTITY,...\",\n"
    "    \"execution-hooks MODULE:ENTITY:pre|post|pre+post,...\" (\"-\" when empty;\n"
    "    known modules by name); then, for the hooks the key has:\n"
    "      native-limit-left WEI         ETH value still spendable\n"
    "      gas-limit-left WEI            gas still spendable\n"
    "      erc20-limit-left TOKEN UNITS  one line per token (base units)\n"
    "      allow TARGET SEL,...          one line per allowlisted target; TARGET\n"
    "                                    any-contract for the address(0) entry,\n"
    "                                    SELs by name, or any-function\n"
    "      valid-after SECONDS ISO-8601  e.g. 1767225600 2026-01-01T00:00:00Z\n"
    "      valid-until SECONDS ISO-8601  or \"valid-until none\" (no end)\n"
    "      paymaster-guard ADDR          the only paymaster its ops may use\n"
    "    \"none\" when the account has no session key.\n"
    "    --json: {\"account\": ..., \"sessionKeys\": [{\"entityId\", \"module\",\n"
    "    \"moduleName\", \"signer\", \"flags\", \"global\", \"userOp\", \"signature\",\n"
    "    \"selectors\", \"selectorNames\", \"validationHooks\", \"executionHooks\",\n"
    "    \"nativeLimitLeft\", \"gasLimitLeft\" (decimal wei strings),\n"
    "    \"erc20LimitsLeft\" ([{\"token\", \"left\"}]), \"allowlist\" ([{\"target\",\n"
    "    \"anyTarget\", \"hasSelectorAllowlist\", \"selectors\", \"selectorNames\",\n"
    "    \"hasErc20SpendLimit\"}]), \"timeRange\" ({\"validAfter\", \"validAfterUtc\",\n"
    "    \"validUntil\", \"validUntilUtc\" (null: no end)}), \"paymasterGuard\"}]};\n"
    "    each of the last six null when the key has no such hook; hooks as\n"
    "    {\"module\", \"moduleName\", \"entityId\", \"flags\"}.\n"
    "\n"
    "EXIT STATUS\n"
    "    0 ok, 1 usage error, 3 the node refused a call, 5 network error\n",
    list_table, NULL};

static uint32_t cfg_entity(const uint8_t cfg[25])
{
    return (uint32_t)cfg[20] << 24 | (uint32_t)cfg[21] << 16 | (uint32_t)cfg[22] << 8 | cfg[23];
}

static const char *exec_kind(uint8_t flags)
{
    int pre = (flags & MAV2_HOOK_PRE) != 0, post = (flags & MAV2_HOOK_POST) != 0;
    return pre && post ? "pre+post" : pre ? "pre" : post ? "post" : "none";
}

static json_object *hooks_json(const uint8_t (*h)[25], size_t n)
{
    json_object *a = json_object_new_array();

    for (size_t i = 0; a != NULL && i < n; i++) {
        json_object *o = json_object_new_object();
        char addr[MAV2_ADDRESS_STR_MAX];
        const char *name = mav2_module_name(h[i]);
        mav2_address_format(h[i], addr);
        json_object_object_add(o, "module", json_object_new_string(addr));
        json_object_object_add(o, "moduleName", name ? json_object_new_string(name) : NULL);
        json_object_object_add(o, "entityId", json_object_new_int64(cfg_entity(h[i])));
        json_object_object_add(o, "flags", json_object_new_int(h[i][24]));
        json_object_array_add(a, o);
    }
    return a;
}

static json_object *sel_names_json(const uint8_t (*sels)[4], size_t n)
{
    json_object *a = json_object_new_array();
    char hex[11];

    for (size_t i = 0; a != NULL && i < n; i++) {
        const char *name = mav2_selector_name(sels[i]);
        mh_hex_encode(sels[i], 4, hex, sizeof(hex), 1);
        json_object_array_add(a, json_object_new_string(name != NULL ? name : hex));
    }
    return a;
}

static json_object *sels_json(const uint8_t (*sels)[4], size_t n)
{
    json_object *a = json_object_new_array();
    char hex[11];

    for (size_t i = 0; a != NULL && i < n; i++) {
        mh_hex_encode(sels[i], 4, hex, sizeof(hex), 1);
        json_object_array_add(a, json_object_new_string(hex));
    }
    return a;
}

static json_object *u256_json(const mav2_u256 *v)
{
    char d[MAV2_U256_DEC_MAX];
    mav2_u256_to_dec(v, d);
    return json_object_new_string(d);
}

static json_object *allowlist_json(const mav2_session_limits *l)
{
    json_object *a = json_object_new_array();

    for (size_t i = 0; a != NULL && i < l->n_targets; i++) {
        const mav2_allowlist_target *t = &l->targets[i];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "target", mav2_cli_json_address(t->target));
        json_object_object_add(o, "anyTarget",
                               json_object_new_boolean(mav2_address_is_zero(t->target)));
        json_object_object_add(o, "hasSelectorAllowlist",
                               json_object_new_boolean(t->has_selector_allowlist));
        json_object_object_add(o, "selectors",
                               sels_json((const uint8_t(*)[4])t->selectors,
                                         t->has_selector_allowlist ? t->n_selectors : 0));
        json_object_object_add(o, "selectorNames",
                               sel_names_json((const uint8_t(*)[4])t->selectors,
                                              t->has_selector_allowlist ? t->n_selectors : 0));
        json_object_object_add(o, "hasErc20SpendLimit",
                               json_object_new_boolean(t->has_erc20_spend_limit));
        json_object_array_add(a, o);
    }
    return a;
}

/* validUntil 2^48 - 1 (TimeRangeModule v2.0.0) or 0 (earlier): no end. */
static int no_end(const mav2_session_limits *l)
{
    return l->valid_until == MAV2_TIME_RANGE_NO_END || l->valid_until == 0;
}

static json_object *time_json(const mav2_session_limits *l)
{
    json_object *o = json_object_new_object();
    char iso[MAV2_ISO_TIME_MAX];

    json_object_object_add(o, "validAfter", json_object_new_int64((int64_t)l->valid_after));
    json_object_object_add(o, "validAfterUtc",
                           mav2_iso_time(l->valid_after, iso) ? json_object_new_string(iso) : NULL);
    json_object_object_add(o, "validUntil", json_object_new_int64((int64_t)l->valid_until));
    json_object_object_add(
        o, "validUntilUtc",
        !no_end(l) && mav2_iso_time(l->valid_until, iso) ? json_object_new_string(iso) : NULL);
    return o;
}

/* What the hooks allow and what is left; null for a hook the key does not have. */
static void limits_json(json_object *o, const mav2_session_limits *l)
{
    json_object *e = NULL;

    json_object_object_add(o, "nativeLimitLeft", l->has_native ? u256_json(&l->native_left) : NULL);
    json_object_object_add(o, "gasLimitLeft", l->has_gas ? u256_json(&l->gas_left) : NULL);
    if (l->has_erc20)
        e = json_object_new_array();
    for (size_t i = 0; e != NULL && i < l->n_erc20; i++) {
        json_object *t = json_object_new_object();
        json_object_object_add(t, "token", mav2_cli_json_address(l->erc20[i].token));
        json_object_object_add(t, "left", u256_json(&l->erc20[i].left));
        json_object_array_add(e, t);
    }
    json_object_object_add(o, "erc20LimitsLeft", e);
    json_object_object_add(o, "allowlist", l->has_allowlist ? allowlist_json(l) : NULL);
    json_object_object_add(o, "timeRange", l->has_time ? time_json(l) : NULL);
    json_object_object_add(o, "paymasterGuard",
                           l->has_paymaster ? mav2_cli_json_address(l->paymaster) : NULL);
}

static json_object *key_json(const mav2_session_key_info *k, const mav2_session_limits *l)
{
    json_object *o = json_object_new_object(), *sels = json_object_new_array();
    char addr[MAV2_ADDRESS_STR_MAX], sel[11];
    const char *name = mav2_module_name(k->module);

    mav2_address_format(k->module, addr);
    json_object_object_add(o, "entityId", json_object_new_int64(k->entity_id));
    json_object_object_add(o, "module", json_object_new_string(addr));
    json_object_object_add(o, "moduleName", name ? json_object_new_string(name) : NULL);
    if (k->single_signer) {
        mav2_address_format(k->signer, addr);
        json_object_object_add(o, "signer", json_object_new_string(addr));
    } else {
        json_object_object_add(o, "signer", NULL);
    }
    json_object_object_add(o, "flags", json_object_new_int(k->vd.flags));
    json_object_object_add(o, "global", json_object_new_boolean(k->vd.flags & MAV2_VAL_GLOBAL));
    json_object_object_add(o, "userOp", json_object_new_boolean(k->vd.flags & MAV2_VAL_USEROP));
    json_object_object_add(o, "signature",
                           json_object_new_boolean(k->vd.flags & MAV2_VAL_SIGNATURE));
    for (size_t i = 0; i < k->vd.n_selectors; i++) {
        mh_hex_encode(k->vd.selectors[i], 4, sel, sizeof(sel), 1);
        json_object_array_add(sels, json_object_new_string(sel));
    }
    json_object_object_add(o, "selectors", sels);
    json_object_object_add(o, "selectorNames",
                           sel_names_json((const uint8_t(*)[4])k->vd.selectors, k->vd.n_selectors));
    json_object_object_add(
        o, "validationHooks",
        hooks_json((const uint8_t(*)[25])k->vd.validation_hooks, k->vd.n_validation_hooks));
    json_object_object_add(
        o, "executionHooks",
        hooks_json((const uint8_t(*)[25])k->vd.execution_hooks, k->vd.n_execution_hooks));
    limits_json(o, l);
    return o;
}

/* Appends fmt to the text output (grown as needed). */
__attribute__((format(printf, 2, 3))) static int out_add(mav2_buf *b, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    return n >= 0 && mav2_buf_append(b, line, strlen(line));
}

static void module_text(const uint8_t m[MAV2_ADDRESS_LEN], char *out, size_t cap)
{
    const char *name = mav2_module_name(m);
    if (name != NULL) {
        snprintf(out, cap, "%s", name);
        return;
    }
    mav2_address_format(m, out);
}

static int hooks_text(mav2_buf *b, const char *what, const uint8_t (*h)[25], size_t n, int exec)
{
    char m[MAV2_ADDRESS_STR_MAX + 32];
    int ok = out_add(b, "  %s ", what);

    if (n == 0)
        ok = ok && out_add(b, "-");
    for (size_t i = 0; ok && i < n; i++) {
        module_text(h[i], m, sizeof(m));
        ok = out_add(b, "%s%s:%lu%s%s", i ? "," : "", m, (unsigned long)cfg_entity(h[i]),
                     exec ? ":" : "", exec ? exec_kind(h[i][24]) : "");
    }
    return ok && out_add(b, "\n");
}

/* Selectors comma-separated, by name where known ("-" when none). */
static int sels_text(mav2_buf *b, const uint8_t (*sels)[4], size_t n)
{
    char hex[11];
    int ok = n > 0 || out_add(b, "-");

    for (size_t i = 0; ok && i < n; i++) {
        const char *name = mav2_selector_name(sels[i]);
        mh_hex_encode(sels[i], 4, hex, sizeof(hex), 1);
        ok = out_add(b, "%s%s", i ? "," : "", name != NULL ? name : hex);
    }
    return ok;
}

static int allow_text(mav2_buf *b, const mav2_session_limits *l)
{
    char a[MAV2_ADDRESS_STR_MAX];
    int ok = l->n_targets > 0 || out_add(b, "  allow -\n");

    for (size_t i = 0; ok && i < l->n_targets; i++) {
        const mav2_allowlist_target *t = &l->targets[i];
        mav2_address_format(t->target, a);
        ok = out_add(b, "  allow %s ", mav2_address_is_zero(t->target) ? "any-contract" : a);
        if (t->has_selector_allowlist)
            ok = ok && sels_text(b, (const uint8_t(*)[4])t->selectors, t->n_selectors);
        else
            ok = ok && out_add(b, "any-function");
        ok = ok && out_add(b, "\n");
    }
    return ok;
}

static int time_text(mav2_buf *b, const char *what, uint64_t t, int no_end)
{
    char iso[MAV2_ISO_TIME_MAX];

    if (no_end)
        return out_add(b, "  %s none\n", what);
    if (!mav2_iso_time(t, iso))
        snprintf(iso, sizeof(iso), "-");
    return out_add(b, "  %s %llu %s\n", what, (unsigned long long)t, iso);
}

/* The lines of the hooks the key has: what they allow and what is left. */
static int limits_text(mav2_buf *b, const mav2_session_limits *l)
{
    char d[MAV2_U256_DEC_MAX], a[MAV2_ADDRESS_STR_MAX];
    int ok = 1;

    if (l->has_native) {
        mav2_u256_to_dec(&l->native_left, d);
        ok = out_add(b, "  native-limit-left %s\n", d);
    }
    if (ok && l->has_gas) {
        mav2_u256_to_dec(&l->gas_left, d);
        ok = out_add(b, "  gas-limit-left %s\n", d);
    }
    if (ok && l->has_erc20 && l->n_erc20 == 0)
        ok = out_add(b, "  erc20-limit-left -\n");
    for (size_t i = 0; ok && i < l->n_erc20; i++) {
        mav2_u256_to_dec(&l->erc20[i].left, d);
        mav2_address_format(l->erc20[i].token, a);
        ok = out_add(b, "  erc20-limit-left %s %s\n", a, d);
    }
    if (ok && l->has_allowlist)
        ok = allow_text(b, l);
    if (ok && l->has_time)
        ok = time_text(b, "valid-after", l->valid_after, 0) &&
             time_text(b, "valid-until", l->valid_until, no_end(l));
    if (ok && l->has_paymaster) {
        mav2_address_format(l->paymaster, a);
        ok = out_add(b, "  paymaster-guard %s\n", a);
    }
    return ok;
}

static int key_text(mav2_buf *b, const mav2_session_key_info *k, const mav2_session_limits *l)
{
    char addr[MAV2_ADDRESS_STR_MAX], sel[11];
    const char *name = mav2_module_name(k->module);
    int ok;

    mav2_address_format(k->module, addr);
    ok = out_add(b, "entity %lu\n  module %s%s%s\n", (unsigned long)k->entity_id, addr,
                 name ? " " : "", name ? name : "");
    if (k->single_signer) {
        mav2_address_format(k->signer, addr);
        ok = ok && out_add(b, "  signer %s\n", addr);
    }
    ok = ok && out_add(b, "  global %s\n  user-op %s\n  erc-1271 %s\n  selectors ",
                       k->vd.flags & MAV2_VAL_GLOBAL ? "yes" : "no",
                       k->vd.flags & MAV2_VAL_USEROP ? "yes" : "no",
                       k->vd.flags & MAV2_VAL_SIGNATURE ? "yes" : "no");
    if (k->vd.n_selectors == 0)
        ok = ok && out_add(b, "-");
    for (size_t i = 0; ok && i < k->vd.n_selectors; i++) {
        mh_hex_encode(k->vd.selectors[i], 4, sel, sizeof(sel), 1);
        ok = out_add(b, "%s%s", i ? "," : "", sel);
    }
    ok = ok && out_add(b, "\n  selector-names ") &&
         sels_text(b, (const uint8_t(*)[4])k->vd.selectors, k->vd.n_selectors) && out_add(b, "\n");
    ok = ok && hooks_text(b, "validation-hooks", (const uint8_t(*)[25])k->vd.validation_hooks,
                          k->vd.n_validation_hooks, 0);
    return ok &&
           hooks_text(b, "execution-hooks", (const uint8_t(*)[25])k->vd.execution_hooks,
                      k->vd.n_execution_hooks, 1) &&
           limits_text(b, l);
}

/* The hooks of every listed key (*lims: l->n entries, also after a failure). */
static int read_limits(mav2_rpc *node, const uint8_t account[MAV2_ADDRESS_LEN], uint64_t from,
                       const mav2_session_list *l, mav2_session_limits **lims)
{
    int ok = 1;

    *lims = calloc(l->n > 0 ? l->n : 1, sizeof(**lims));
    if (*lims == NULL)
        return mav2_error_set("out of memory");
    for (size_t i = 0; i < l->n; i++)
        mav2_session_limits_init(&(*lims)[i]);
    for (size_t i = 0; ok && i < l->n; i++) {
        ok = mav2_session_limits_read(node, account, &l->keys[i].vd, from, &(*lims)[i]);
        if (!ok)
            mav2_error_prefix("entity %lu", (unsigned long)l->keys[i].entity_id);
    }
    return ok;
}

static void free_limits(mav2_session_limits *lims, size_t n)
{
    for (size_t i = 0; lims != NULL && i < n; i++)
        mav2_session_limits_free(&lims[i]);
    free(lims);
}

static int print_json(const mav2_cli_cmd *self, const uint8_t account[MAV2_ADDRESS_LEN],
                      const mav2_session_list *l, const mav2_session_limits *lims)
{
    json_object *o = json_object_new_object(), *a = json_object_new_array();
    int rc;

    json_object_object_add(o, "account", mav2_cli_json_address(account));
    for (size_t i = 0; i < l->n; i++)
        json_object_array_add(a, key_json(&l->keys[i], &lims[i]));
    json_object_object_add(o, "sessionKeys", a);
    rc = mav2_cli_print(self, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    return rc;
}

static int print_text(const mav2_cli_cmd *self, const mav2_session_list *l,
                      const mav2_session_limits *lims)
{
    mav2_buf b = MAV2_BUF_INIT;
    int rc, ok = l->n == 0 ? out_add(&b, "none\n") : 1;

    for (size_t i = 0; ok && i < l->n; i++)
        ok = key_text(&b, &l->keys[i], &lims[i]);
    ok = ok && b.len > 0 && mav2_buf_append(&b, "", 1);
    if (ok) {
        b.data[b.len - 2] = '\0'; /* mav2_cli_print adds the last newline */
        rc = mav2_cli_print(self, (const char *)b.data);
    } else {
        rc = mav2_cli_fail(self, MAV2_EXIT_INTERNAL, "out of memory");
    }
    mav2_buf_free(&b);
    return rc;
}

/* The command line into o, account and from (0 if not given). Exit code,
 * MAV2_CLI_PARSED to go on. */
static int list_parse(const mav2_cli_cmd *self, list_args *o, int argc, char **argv,
                      uint8_t account[MAV2_ADDRESS_LEN], unsigned long long *from)
{
    char *end;
    int rc;

    memset(o, 0, sizeof(*o));
    *from = 0;
    if ((rc = mav2_cli_opts_parse(self, o, argc, argv)) != MAV2_CLI_PARSED)
        return rc;
    if (!mav2_cli_address(self, "--account", o->account_s, account))
        return MAV2_EXIT_USAGE;
    if (o->from_s == NULL)
        return MAV2_CLI_PARSED;
    errno = 0;
    *from = strtoull(o->from_s, &end, 0);
    if (*o->from_s < '0' || *o->from_s > '9' || *end != '\0' || errno != 0)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--from-block: \"%s\" is not a number",
                             o->from_s);
    return MAV2_CLI_PARSED;
}

int mav2_cmd_session_list(const mav2_cli_cmd *self0, int argc, char **argv)
{
    mav2_cli_cmd cmd = *self0;
    const mav2_cli_cmd *self = &cmd;
    list_args o;
    unsigned long long from = 0;
    int deployed = 1;
    uint8_t account[MAV2_ADDRESS_LEN];
    int rc, ok;
    mav2_session_list l;
    mav2_session_limits *lims = NULL;
    mav2_rpc *node;

    cmd.page = &mav2_page_session_list;
    if ((rc = list_parse(self, &o, argc, argv, account, &from)) != MAV2_CLI_PARSED)
        return rc;
    node = mav2_cli_rpc_new(self, "--rpc-url", o.url, NULL);
    if (node == NULL)
        return MAV2_EXIT_USAGE;
    ok = 1;
    if (o.from_s == NULL) { /* logs start where the account was deployed (hosted providers */
        uint64_t b = 0;     /* cap eth_getLogs ranges: no scan from genesis) */
        ok = mav2_deploy_block(node, account, &b, &deployed);
        from = b;
    }
    memset(&l, 0, sizeof(l));
    if (ok && deployed)
        ok = mav2_session_list_keys(node, account, from, &l) &&
             read_limits(node, account, from, &l, &lims);
    if (!ok) {
        const mav2_rpc_error *e = mav2_rpc_last_error(node);
        rc = mav2_cli_fail_lib(
            self, e->status == MAV2_RPC_OK ? MAV2_EXIT_NETWORK : mav2_cli_rpc_exit(e), NULL);
        free_limits(lims, l.n);
        mav2_session_list_free(&l);
        mav2_rpc_free(node);
        return rc;
    }
    mav2_rpc_free(node);
    rc = o.json ? print_json(self, account, &l, lims) : print_text(self, &l, lims);
    free_limits(lims, l.n);
    mav2_session_list_free(&l);
    return rc;
}
