/* SPDX-License-Identifier: Apache-2.0 */
/* session_key_grant.c: `mav2 session-key grant`: the owner signs a deferred grant
 * offline (grant.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "common/hex.h"
#include "mav2/core/abi.h"
#include "mav2/core/address.h"
#include "mav2/cli/grant_cli.h"
#include "mav2/cli/perm_opts.h"
#include "mav2/core/error.h"
#include "mav2/keys/signer.h"

/* What the command line says. */
typedef struct {
    const char *chain_s, *account_s, *fowner_s, *salt_s, *owner_key, *pin;
    const char *skey_s, *saddr_s, *entity_s, *lane_s, *deadline_s, *out_s;
    int no_deadline, json;
    mav2_cli_perms perms;
} grant_args;

static const mav2_cli_opt grant_table[] = {
    MAV2_OPT_STR("deadline", "T|+DURATION", grant_args, deadline_s,
                 "the grant's last valid second: unix seconds, or from\n"
                 "now: +N (seconds), +Nm, +Nh, +Nd"),
    MAV2_OPT_FLAG_("no-deadline", grant_args, no_deadline,
                   "a grant valid until used (said explicitly)"),
    MAV2_OPT_STR("session-key-address", "ADDR", grant_args, saddr_s,
                 "a key the owner cannot see (its provenance is\n"
                 "unchecked, said on stderr)"),
    MAV2_OPT_STR("out", "FILE", grant_args, out_s, "write the grant there instead of stdout"),
    MAV2_OPT_FLAG_("json", grant_args, json,
                   "{grant, account, chainId, entityId, nonce, deadline,\n"
                   "execHooks, owner, sessionKey, installCall}"),
    /* described in DESCRIPTION and by mav2 session-key install --help */
    MAV2_OPT_STR_REQ("chain-id", "N", grant_args, chain_s, NULL),
    MAV2_OPT_STR("account", "ADDR", grant_args, account_s, NULL),
    MAV2_OPT_STR("factory-owner", "ADDR", grant_args, fowner_s, NULL),
    MAV2_OPT_STR("salt", "S", grant_args, salt_s, NULL),
    MAV2_OPT_STR_REQ("owner-key", "URI|FILE", grant_args, owner_key, NULL),
    MAV2_OPT_STR("pin-source", "FILE", grant_args, pin, NULL),
    MAV2_OPT_STR("session-key", "URI|FILE", grant_args, skey_s, NULL),
    MAV2_OPT_STR("session-address", "ADDR", grant_args, saddr_s, NULL),
    MAV2_OPT_STR_REQ("entity-id", "N", grant_args, entity_s, NULL),
    MAV2_OPT_STR("nonce-key", "K", grant_args, lane_s, NULL),
    MAV2_OPT_GROUP_(mav2_cli_perm_group, grant_args, perms), MAV2_OPT_END_};

const mav2_cli_page mav2_page_session_grant = {
    "NAME\n"
    "    mav2 session-key grant - the owner signs a session key's installation offline\n"
    "\n"
    "SYNOPSIS\n"
    "    mav2 session-key grant --chain-id N (--account ADDR | --factory-owner ADDR\n"
    "        [--salt S]) --owner-key URI|FILE (--session-key URI|FILE |\n"
    "        --session-key-address ADDR) --entity-id N [--nonce-key K]\n"
    "        (--deadline T|+DURATION | --no-deadline) [--global] [RESTRICTIONS...]\n"
    "        [--pin-source FILE] [--out FILE] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    Makes a deferred grant (MAv2 v2.0.0): the owner (entity 0 of the semi-modular\n"
    "    account) signs the EIP-712 DeferredAction(nonce, deadline, installValidation)\n"
    "    for the session key's deferred nonce lane (sequence 0); the session key's first\n"
    "    op carries it (mav2 send --grant) and the account installs the key and runs\n"
    "    the op in one go, even before it is deployed. No network is used: chain id and\n"
    "    account come from the options (the account from --factory-owner and --salt\n"
    "    when it does not exist yet). The restrictions, and their refusals, are those\n"
    "    of mav2 session-key install. A deadline also becomes the key's TimeRangeModule\n"
    "    validUntil (as account kit does, its hook first), so the key expires with its\n"
    "    grant; a deadline already past is refused, and --valid-after / --valid-until\n"
    "    go with --no-deadline only.\n"
    "\n"
    "OPTIONS\n",
    grant_table,
    "\n"
    "OUTPUT\n"
    "    The grant as account kit's hex string (compileDeferred +\n"
    "    buildDeferredActionDigest; parseDeferredAction reads it).\n"
    "\n"
    "EXIT STATUS\n"
    "    0 written, 1 usage or bad input, 2 key or token error, 6 cannot write\n"};

/* Parses --deadline: unix seconds or +N[s|m|h|d] from now; refuses one already past. */
static int parse_deadline(const mav2_cli_cmd *cmd, const char *s, uint64_t *out)
{
    mav2_u256 v;
    uint64_t n, mul = 1, now = (uint64_t)time(NULL);
    char *end = NULL;
    if (s[0] == '+') {
        errno = 0;
        n = strtoull(s + 1, &end, 10);
        if (end == s + 1 || errno != 0 || (end[0] != '\0' && end[1] != '\0') ||
            strchr("smhd", end[0]) == NULL)
            return mav2_cli_fail(cmd, MAV2_EXIT_USAGE,
                                 "--deadline: \"%s\" is not +N, +Nm, +Nh or +Nd", s),
                   0;
        mul = end[0] == 'm' ? 60 : end[0] == 'h' ? 3600 : end[0] == 'd' ? 86400 : 1;
        if (n > MAV2_GRANT_DEADLINE_MAX / mul)
            return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "--deadline: too far"), 0;
        *out = now + n * mul;
    } else if (!mav2_u256_parse(&v, s) || !mav2_u256_to_u64(&v, out)) {
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "--deadline: \"%s\" is not unix seconds", s), 0;
    }
    if (*out == 0 || *out > MAV2_GRANT_DEADLINE_MAX)
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "--deadline: out of range (1 .. 2^48-1)"), 0;
    if (*out <= now)
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "--deadline %llu is already past",
                             (unsigned long long)*out),
               0;
    return 1;
}

/* The account: --account, or the semi-modular account of --factory-owner / --salt
 * (both given: they must agree). */
static int grant_account(const mav2_cli_cmd *cmd, const grant_args *a,
                         uint8_t account[MAV2_ADDRESS_LEN], uint8_t fowner[MAV2_ADDRESS_LEN],
                         int *have_fowner)
{
    uint8_t predicted[MAV2_ADDRESS_LEN];
    mav2_u256 salt;
    *have_fowner = 0;
    if (a->salt_s != NULL && a->fowner_s == NULL)
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "--salt needs --factory-owner"), 0;
    if (a->account_s != NULL && !mav2_cli_address(cmd, "--account", a->account_s, account))
        return 0;
    if (a->fowner_s == NULL)
        return 1;
    mav2_u256_from_u64(&salt, 0);
    if (!mav2_cli_address(cmd, "--factory-owner", a->fowner_s, fowner))
        return 0;
    if (a->salt_s != NULL && !mav2_u256_parse(&salt, a->salt_s))
        return mav2_cli_fail_lib(cmd, MAV2_EXIT_USAGE, "--salt"), 0;
    if (!mav2_sma_address(NULL, NULL, fowner, &salt, predicted))
        return mav2_cli_fail_lib(cmd, MAV2_EXIT_INTERNAL, NULL), 0;
    if (a->account_s != NULL && memcmp(predicted, account, 20) != 0)
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE,
                             "--account is not the account of --factory-owner with this salt"),
               0;
    memcpy(account, predicted, 20);
    *have_fowner = 1;
    return 1;
}

/* The session key's address: from the key (public half), or as given (said). Returns
 * an exit code. */
static int grant_session(const mav2_cli_cmd *cmd, const grant_args *a,
                         uint8_t session[MAV2_ADDRESS_LEN])
{
    EVP_PKEY *sk;
    int ok;
    if ((a->skey_s == NULL) == (a->saddr_s == NULL))
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE,
                             "give one of --session-key and --session-key-address");
    if (a->saddr_s != NULL) {
        if (!mav2_cli_address(cmd, "--session-key-address", a->saddr_s, session))
            return MAV2_EXIT_USAGE;
        fprintf(stderr,
                "mav2 %s: note: the session key is taken by its address; whether it is "
                "held in a token is not checked\n",
                cmd->name);
        return MAV2_EXIT_OK;
    }
    if ((sk = mav2_cli_load_key(cmd, a->skey_s, a->pin, 0)) == NULL)
        return MAV2_EXIT_KEY;
    ok = mav2_pkey_address(sk, session, NULL);
    EVP_PKEY_free(sk);
    return ok ? MAV2_EXIT_OK : mav2_cli_fail_lib(cmd, MAV2_EXIT_KEY, "--session-key");
}

static int write_out(const mav2_cli_cmd *cmd, const char *path, const char *text)
{
    FILE *f;
    if (path == NULL)
        return mav2_cli_print(cmd, text);
    if ((f = fopen(path, "w")) == NULL)
        return mav2_cli_fail(cmd, MAV2_EXIT_INTERNAL, "--out %s: %s", path, strerror(errno));
    if (fprintf(f, "%s\n", text) < 0 || fclose(f) != 0)
        return mav2_cli_fail(cmd, MAV2_EXIT_INTERNAL, "--out %s: cannot write", path);
    return MAV2_EXIT_OK;
}

/* The output: the hex string, or the JSON object with the decoded fields. */
static int grant_output(const mav2_cli_cmd *cmd, const grant_args *a, const mav2_grant *g,
                        uint64_t chain, const uint8_t account[MAV2_ADDRESS_LEN],
                        const uint8_t owner[MAV2_ADDRESS_LEN],
                        const uint8_t session[MAV2_ADDRESS_LEN])
{
    char *hex = NULL, dec[MAV2_U256_DEC_MAX];
    json_object *o;
    uint32_t entity;
    int rc;
    if (!mav2_grant_to_hex(g, &hex))
        return mav2_cli_fail_lib(cmd, MAV2_EXIT_INTERNAL, NULL);
    if (!a->json) {
        rc = write_out(cmd, a->out_s, hex);
        free(hex);
        return rc;
    }
    mav2_grant_nonce_parts(g, NULL, &entity, NULL, NULL);
    mav2_u256_to_dec(&g->nonce, dec);
    o = json_object_new_object();
    json_object_object_add(o, "grant", json_object_new_string(hex));
    json_object_object_add(o, "account", mav2_cli_json_address(account));
    json_object_object_add(o, "chainId", json_object_new_int64((int64_t)chain));
    json_object_object_add(o, "entityId", json_object_new_int64(entity));
    json_object_object_add(o, "nonce", json_object_new_string(dec));
    json_object_object_add(o, "deadline", json_object_new_int64((int64_t)g->deadline));
    json_object_object_add(o, "execHooks", json_object_new_boolean(g->exec_hooks));
    json_object_object_add(o, "owner", mav2_cli_json_address(owner));
    json_object_object_add(o, "sessionKey", mav2_cli_json_address(session));
    json_object_object_add(o, "installCall", mav2_cli_json_hex(g->call.data, g->call.len));
    rc = write_out(cmd, a->out_s, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    free(hex);
    return rc;
}

/* As account kit's compileDeferred: the deadline's TimeRangeModule hook (validUntil =
 * deadline, validAfter 0) comes first, before the permissions' hooks. */
static int deadline_hook(mav2_session_install *si, uint32_t entity, uint64_t deadline)
{
    mav2_hook h, *p;
    if (!mav2_hook_time_range(&h, entity, deadline, 0))
        return 0;
    if ((p = realloc(si->hooks, (si->n_hooks + 1) * sizeof(*p))) == NULL) {
        mav2_hook_clear(&h);
        return mav2_error_set("out of memory");
    }
    memmove(p + 1, p, si->n_hooks * sizeof(*p));
    p[0] = h;
    si->hooks = p;
    si->n_hooks++;
    return 1;
}

/* Compiles the permissions into the grant's call and nonce. */
static int grant_build(const mav2_cli_cmd *cmd, mav2_cli_perms *ps,
                       const uint8_t account[MAV2_ADDRESS_LEN],
                       const uint8_t session[MAV2_ADDRESS_LEN], uint32_t entity,
                       const mav2_u256 *lane, mav2_grant *g)
{
    mav2_session_install si;
    int ok;
    if (!mav2_session_install_build(&si, account, session, entity, ps->perms, ps->np))
        return mav2_cli_fail_lib(cmd, MAV2_EXIT_USAGE, NULL), 0;
    if (ps->erc1271)
        si.validation_config[24] |= MAV2_VAL_SIGNATURE;
    g->exec_hooks = si.has_exec_hooks;
    ok = (g->deadline == 0 || deadline_hook(&si, entity, g->deadline)) &&
         mav2_session_install_calldata(&si, &g->call) &&
         mav2_grant_nonce(&g->nonce, lane, entity, ps->global, 0);
    if (ok && si.has_allowlist)
        fprintf(stderr,
                "mav2 %s: note: the account's allowlist does not look inside executeUserOp, "
                "so it confines this key only in a signer that checks it (mav2 send does)\n",
                cmd->name);
    mav2_session_install_clear(&si);
    return ok || (mav2_cli_fail_lib(cmd, MAV2_EXIT_USAGE, NULL), 0);
}

/* What the options say, checked (offline): chain, entity, lane, deadline (into g),
 * the account (and the factory owner when given), the permissions finished. 1, or 0
 * after printing why not. */
static int grant_check(const mav2_cli_cmd *self, grant_args *a, uint64_t *chain, uint32_t *entity,
                       mav2_u256 *lane, mav2_grant *g, uint8_t account[MAV2_ADDRESS_LEN],
                       uint8_t fowner[MAV2_ADDRESS_LEN], int *have_fowner)
{
    if (a->account_s == NULL && a->fowner_s == NULL)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--account or --factory-owner is required"), 0;
    if ((a->deadline_s == NULL) == (a->no_deadline == 0))
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "give one of --deadline and --no-deadline"), 0;
    if (!mav2_cli_chain_id(self, a->chain_s, chain) ||
        !mav2_cli_u32(self, "--entity-id", a->entity_s, entity) ||
        (a->deadline_s != NULL && !parse_deadline(self, a->deadline_s, &g->deadline)) ||
        !grant_account(self, a, account, fowner, have_fowner))
        return 0;
    if (a->lane_s != NULL && !mav2_u256_parse(lane, a->lane_s))
        return mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, "--nonce-key"), 0;
    if (g->deadline != 0 && (a->perms.after_s != NULL || a->perms.until_s != NULL))
        return mav2_cli_fail(self, MAV2_EXIT_USAGE,
                             "--deadline is the key's validUntil too: --valid-after and "
                             "--valid-until go with --no-deadline"),
               0;
    return mav2_cli_perms_finish(self, &a->perms);
}

/* The owner signs g for the chain and account (and must be the factory owner when
 * given); the grant is printed or written. Exit code. */
static int grant_sign(const mav2_cli_cmd *self, const grant_args *a, mav2_grant *g, uint64_t chain,
                      const uint8_t account[MAV2_ADDRESS_LEN], const uint8_t *fowner,
                      const uint8_t session[MAV2_ADDRESS_LEN])
{
    mav2_signer *owner;
    int rc;

    if ((owner = mav2_cli_load_signer(self, a->owner_key, a->pin, 1)) == NULL)
        return MAV2_EXIT_KEY;
    if (fowner != NULL && memcmp(mav2_signer_address(owner), fowner, 20) != 0)
        rc = mav2_cli_fail(self, MAV2_EXIT_USAGE, "--owner-key is not --factory-owner (it is %s)",
                           mav2_signer_address_str(owner));
    else if (!mav2_grant_sign(owner, chain, account, g))
        rc = mav2_cli_fail_lib(self, MAV2_EXIT_KEY, NULL);
    else
        rc = grant_output(self, a, g, chain, account, mav2_signer_address(owner), session);
    mav2_signer_free(owner);
    return rc;
}

int mav2_cmd_session_grant(const mav2_cli_cmd *self0, int argc, char **argv)
{
    mav2_cli_cmd cmd = *self0;
    const mav2_cli_cmd *self = &cmd;
    grant_args *a = calloc(1, sizeof(*a));
    mav2_grant g;
    mav2_u256 lane;
    uint8_t account[MAV2_ADDRESS_LEN], fowner[MAV2_ADDRESS_LEN], session[MAV2_ADDRESS_LEN];
    uint64_t chain = 0;
    uint32_t entity = 0;
    int rc, have_fowner = 0;

    cmd.page = &mav2_page_session_grant;
    mav2_grant_init(&g);
    mav2_u256_from_u64(&lane, 0);
    if (a == NULL)
        return mav2_cli_fail(self, MAV2_EXIT_INTERNAL, "out of memory");
    mav2_cli_perms_init(&a->perms);
    if ((rc = mav2_cli_opts_parse(self, a, argc, argv)) != MAV2_CLI_PARSED)
        goto out;
    rc = MAV2_EXIT_USAGE;
    if (!grant_check(self, a, &chain, &entity, &lane, &g, account, fowner, &have_fowner))
        goto out;
    if ((rc = grant_session(self, a, session)) != MAV2_EXIT_OK)
        goto out;
    rc = MAV2_EXIT_USAGE;
    if (!grant_build(self, &a->perms, account, session, entity, &lane, &g))
        goto out;
    rc = grant_sign(self, a, &g, chain, account, have_fowner ? fowner : NULL, session);
out:
    mav2_grant_clear(&g);
    free(a);
    return rc;
}
