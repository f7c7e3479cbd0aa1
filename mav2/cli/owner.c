/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_session.c: the owner side: `mav2 session-key install|revoke` (the owner signs
 * a user op calling installValidation / uninstallValidation on the account itself). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "common/hex.h"
#include "mav2/core/abi.h"
#include "mav2/core/account.h"
#include "mav2/core/address.h"
#include "mav2/cli/grant_cli.h"
#include "mav2/cli/online.h"
#include "mav2/cli/owner.h"
#include "mav2/cli/session_keys.h"
#include "mav2/core/error.h"
#include "mav2/keys/signer.h"
#include "mav2/core/u256.h"

#define MAX_PERMS 64
#define MAX_SELS  64

static int session_install(const mav2_cli_cmd *self, int argc, char **argv);
static int session_revoke(const mav2_cli_cmd *self, int argc, char **argv);

/* session-key subcommands (create and list to come) */
static const mav2_cli_sub session_cmds[] = {
    {"install", session_install, "the owner installs a session key on the account",
     mav2_help_session_install},
    {"revoke", session_revoke, "the owner uninstalls a session key (and its hooks)",
     mav2_help_session_revoke},
    {"create", mav2_cmd_session_create, "generate a session key on a PKCS#11 token", NULL},
    {"list", mav2_cmd_session_list, "the session keys installed on an account", NULL},
    {"update", mav2_cmd_session_update, "the owner changes a key's limits or time range", NULL},
    {"grant", mav2_cmd_session_grant, "the owner signs a session key's installation offline", NULL},
    {"decode-grant", mav2_cmd_session_decode_grant, "what a deferred grant holds, who signed it",
     NULL},
};

const char mav2_help_session_key[] =
    "NAME\n"
    "    mav2 session-key - manage the session keys of a modular account (owner side)\n"
    "\n"
    "SYNOPSIS\n"
    "    mav2 session-key create --token URI --label L [--id HEX] [--pin-source FILE]\n"
    "        [--json]\n"
    "    mav2 session-key install --rpc-url URL --account ADDR --owner-key URI|FILE\n"
    "        (--session-key URI|FILE | --session-address ADDR) --entity-id N\n"
    "        [--global] [RESTRICTIONS...] [...]\n"
    "    mav2 session-key list --rpc-url URL --account ADDR [--from-block N] [--json]\n"
    "    mav2 session-key update --rpc-url URL --account ADDR --owner-key URI|FILE\n"
    "        --entity-id N [--native-limit A] [--gas-limit A] [--erc20-limit TOKEN:A]...\n"
    "        [--valid-after T] [--valid-until T] [...]\n"
    "    mav2 session-key revoke --rpc-url URL --account ADDR --owner-key URI|FILE\n"
    "        --entity-id N [...]\n"
    "    mav2 session-key grant --chain-id N (--account ADDR | --factory-owner ADDR)\n"
    "        --owner-key URI|FILE --session-key URI|FILE --entity-id N\n"
    "        (--deadline T|+DURATION | --no-deadline) [RESTRICTIONS...]  (offline)\n"
    "    mav2 session-key decode-grant --grant FILE|HEX --chain-id N --account ADDR [--json]\n"
    "    mav2 session-key SUBCOMMAND --help\n"
    "\n"
    "DESCRIPTION\n"
    "    create: a key pair made on a PKCS#11 token. install: the owner installs it on\n"
    "    the account as a validation, with its restrictions. list: the keys installed\n"
    "    and what is left of their limits. update: the owner changes a key's limits or\n"
    "    time range. revoke: the owner uninstalls it. grant: the owner signs the\n"
    "    installation offline, for the key's first op to carry (mav2 send --grant);\n"
    "    decode-grant: what a grant holds. Each subcommand's --help gives its options.\n"
    "\n"
    "EXAMPLES\n"
    "    mav2 session-key create --token 'pkcs11:token=t' --label sk1\n"
    "    mav2 session-key install --rpc-url $RPC --account 0xAcc... --owner-key owner.pem \\\n"
    "      --session-key 'pkcs11:token=t;object=sk1' --entity-id 1 --global\n";

/* The options install and revoke share (update takes them too). */
#define OWNER_HELP                                                                                 \
    "    --rpc-url URL        the node (JSON-RPC); also the bundler unless --bundler-url\n"        \
    "    --bundler-url URL    the ERC-4337 bundler\n"                                              \
    "    --timeout S, --poll MS, --json, --profile NAME, --chain NAME\n"                           \
    "                         as in mav2 send\n"                                                   \
    "    --account ADDR       the modular account\n"                                               \
    "    --owner-key URI|FILE the owner's key: pkcs11: URI, file: URI or PEM path\n"               \
    "    --pin-source FILE    its PIN or passphrase (first line) when the URI has none\n"          \
    "    --entity-id N        the session key's validation entity id\n"                            \
    "    --owner-entity-id N  the owner's validation (default 0: the semi-modular\n"               \
    "                         account's owner)\n"                                                  \
    "    --factory-owner ADDR deploy the account in the same op if it has no code: the\n"          \
    "                         semi-modular account of this owner\n"                                \
    "    --salt S             its salt (default 0)\n"

const char mav2_help_session_install[] =
    "NAME\n"
    "    mav2 session-key install - the owner installs a session key on the account\n"
    "\n"
    "SYNOPSIS\n"
    "    mav2 session-key install --rpc-url URL [--bundler-url URL] --account ADDR\n"
    "        --owner-key URI|FILE (--session-key URI|FILE | --session-address ADDR)\n"
    "        --entity-id N [--global] [RESTRICTIONS...] [--owner-entity-id N]\n"
    "        [--replace] [--factory-owner ADDR [--salt S]] [--pin-source FILE]\n"
    "        [--allow-exportable-key] [--timeout S] [--poll MS] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    The owner signs a user op calling installValidation on the account itself:\n"
    "    SingleSignerValidationModule at --entity-id with the session key's address\n"
    "    as signer, plus the permission hooks the restrictions compile to (the\n"
    "    reference client's permission builder). An entity id already in use on the\n"
    "    account is refused unless --replace (then the old validation is uninstalled\n"
    "    in the same op). With --factory-owner the op also deploys the account.\n"
    "\n"
    "OPTIONS\n" OWNER_HELP
    "    --session-key URI|FILE  the session key (its address is installed)\n"
    "    --session-address ADDR  or just its address\n"
    "    --replace            uninstall the validation at --entity-id first\n"
    "    --help               this text\n"
    "\n"
    "SESSION KEY CHECK\n"
    "    Before anything is signed or sent, a token --session-key must hold its\n"
    "    private key in hardware: CKA_SENSITIVE and CKA_ALWAYS_SENSITIVE true,\n"
    "    CKA_EXTRACTABLE false, CKA_NEVER_EXTRACTABLE true, CKA_LOCAL true (made on\n"
    "    the token, as mav2 session-key create does; see mav2 key info). A key\n"
    "    failing one is refused with one line naming it (exit 1); an unknown one\n"
    "    (no login, so no private key seen) fails too.\n"
    "    --allow-exportable-key    install such a key anyway (a warning line)\n"
    "    A PEM file (software key) or a public key is accepted with one line on\n"
    "    stderr saying so; --session-address is not checked.\n"
    "\n"
    "RESTRICTIONS\n"
    "    --global                  root: a global validation (any account function\n"
    "                              open to global validations); the restrictions\n"
    "                              below still apply to it as hooks (limits, expiry)\n"
    "    --erc1271                 the key may also sign ERC-1271 messages (validation\n"
    "                              flag 0x02; mav2 sign-message --entity-id N)\n"
    "    --selector SEL            the account's own functions it may call (4-byte hex)\n"
    "    --allow TARGET[:SEL,...]  calls to TARGET (only those selectors); TARGET * =\n"
    "                              any contract (selectors then required)\n"
    "    --erc20-limit TOKEN:AMOUNT  transfer/approve of TOKEN up to AMOUNT base units\n"
    "    --native-limit AMOUNT     ETH value up to AMOUNT (units as in --call)\n"
    "    --gas-limit AMOUNT        gas spending up to AMOUNT wei\n"
    "    --valid-after T, --valid-until T  unix seconds (time range hook)\n"
    "    --paymaster-guard ADDR    only ops paid by this paymaster\n"
    "    Without --global the key may call exactly the --selector functions, plus\n"
    "    execute and executeBatch when --allow or --erc20-limit names targets; a key\n"
    "    that could call nothing (e.g. --native-limit alone) is refused, and so are\n"
    "    privileged account functions (installValidation, uninstallValidation,\n"
    "    installExecution, uninstallExecution, upgradeToAndCall, performCreate,\n"
    "    executeWithRuntimeValidation, updateFallbackSignerData) and entity ids 0 and\n"
    "    >= 0x7fffffff. A non-global key sends without --global. mav2 send wraps the\n"
    "    calls in executeUserOp when the key's validation has execution hooks\n"
    "    (--native-limit, --erc20-limit), and checks every call against the key's\n"
    "    allowlist before signing: MAv2's AllowlistModule does not look inside\n"
    "    executeUserOp, so the allowlist binds only a signer that checks it.\n"
    "\n"
    "OUTPUT / EXIT STATUS\n"
    "    As mav2 send (userOpHash first, then the receipt); 1 also for an entity id\n"
    "    already in use.\n"
    "\n"
    "EXAMPLES\n"
    "    mav2 session-key install --rpc-url $RPC --account 0xAcc... --owner-key owner.pem \\\n"
    "      --session-key 'pkcs11:token=t;object=sk1' --entity-id 1 --global\n";

const char mav2_help_session_revoke[] =
    "NAME\n"
    "    mav2 session-key revoke - the owner uninstalls a session key (and its hooks)\n"
    "\n"
    "SYNOPSIS\n"
    "    mav2 session-key revoke --rpc-url URL [--bundler-url URL] --account ADDR\n"
    "        --owner-key URI|FILE --entity-id N [--owner-entity-id N]\n"
    "        [--factory-owner ADDR [--salt S]] [--pin-source FILE] [--timeout S]\n"
    "        [--poll MS] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    The owner signs a user op calling uninstallValidation on the account itself\n"
    "    for the validation at --entity-id, its hooks included. An entity id not\n"
    "    installed is refused before anything is signed.\n"
    "\n"
    "OPTIONS\n" OWNER_HELP "    --help               this text\n"
    "\n"
    "OUTPUT / EXIT STATUS\n"
    "    As mav2 send (userOpHash first, then the receipt).\n"
    "\n"
    "EXAMPLES\n"
    "    mav2 session-key revoke --rpc-url $RPC --account 0xAcc... --owner-key owner.pem \\\n"
    "      --entity-id 1\n";

int mav2_cmd_session_key(const mav2_cli_cmd *self, int argc, char **argv)
{
    return mav2_cli_dispatch(self, session_cmds, sizeof(session_cmds) / sizeof(session_cmds[0]),
                             argc, argv);
}

/* ---- shared by install / revoke ---------------------------------------------------- */

/* Validation data of (SingleSignerValidationModule, entity) and its signer; *in_use
 * when either is set. deployed = 0: nothing installed. Returns an exit code. */
static int entity_state(const mav2_cli_cmd *self, mav2_rpc *node, const owner_args *a,
                        mav2_validation_data *vd, uint8_t signer[20], int *in_use)
{
    mav2_buf q = MAV2_BUF_INIT, res = MAV2_BUF_INIT;
    mav2_abi *e;
    uint8_t me[24];
    int rc;

    memset(vd, 0, sizeof(*vd));
    memset(signer, 0, 20);
    *in_use = 0;
    /* SingleSignerValidationModule.signers(entity, account) */
    e = mav2_abi_new();
    if (e == NULL)
        return mav2_cli_fail(self, MAV2_EXIT_INTERNAL, "out of memory");
    mav2_abi_u64(e, a->entity);
    mav2_abi_address(e, a->account);
    if (!mav2_abi_finish_call(e, (const uint8_t *)MAV2_SEL_SIGNERS, &q))
        return mav2_cli_fail_lib(self, MAV2_EXIT_INTERNAL, NULL);
    rc = mav2_cli_eth_call(self, node, mav2_addr_single_signer, q.data, q.len, &res);
    mav2_buf_free(&q);
    if (rc != MAV2_EXIT_OK)
        goto out;
    if (res.len >= 32 && !mav2_abi_decode_address(res.data, res.len, signer)) {
        rc = mav2_cli_fail_lib(self, MAV2_EXIT_NETWORK, "signers()");
        goto out;
    }
    mav2_buf_free(&res);
    /* account.getValidationData(module || entity) */
    e = mav2_abi_new();
    if (e == NULL) {
        rc = mav2_cli_fail(self, MAV2_EXIT_INTERNAL, "out of memory");
        goto out;
    }
    mav2_module_entity(mav2_addr_single_signer, a->entity, me);
    mav2_abi_bytesn(e, me, 24);
    if (!mav2_abi_finish_call(e, (const uint8_t *)MAV2_SEL_GET_VALIDATION_DATA, &q)) {
        rc = mav2_cli_fail_lib(self, MAV2_EXIT_INTERNAL, NULL);
        goto out;
    }
    rc = mav2_cli_eth_call(self, node, a->account, q.data, q.len, &res);
    if (rc != MAV2_EXIT_OK)
        goto out;
    if (!mav2_abi_decode_validation_data(res.data, res.len, vd)) {
        rc = mav2_cli_fail_lib(self, MAV2_EXIT_NETWORK, "getValidationData()");
        goto out;
    }
    *in_use = !mav2_address_is_zero(signer) || vd->flags != 0 || vd->n_selectors != 0 ||
              vd->n_validation_hooks != 0 || vd->n_execution_hooks != 0;
out:
    mav2_buf_free(&q);
    mav2_buf_free(&res);
    return rc;
}

/* uninstallValidation of the entity with one uninstall datum per hook, in the reverse
 * order of getValidationData (validation hooks, then execution hooks). */
static int revoke_calldata(const mav2_validation_data *vd, uint32_t entity, mav2_buf *out)
{
    size_t nv = vd->n_validation_hooks, total = nv + vd->n_execution_hooks;
    mav2_buf *hd = calloc(total > 0 ? total : 1, sizeof(*hd));
    uint8_t ud[32] = {0};
    int ok = hd != NULL;

    for (size_t k = 0; ok && k < total; k++) {
        size_t idx = total - 1 - k;
        const uint8_t *cfg = idx < nv ? vd->validation_hooks[idx] : vd->execution_hooks[idx - nv];
        mav2_abi *e = mav2_abi_new();
        uint32_t hid =
            (uint32_t)cfg[20] << 24 | (uint32_t)cfg[21] << 16 | (uint32_t)cfg[22] << 8 | cfg[23];
        if (e == NULL) {
            ok = 0;
            break;
        }
        mav2_abi_u64(e, hid);
        if (memcmp(cfg, mav2_addr_allowlist, 20) == 0) /* (uint32, AllowlistInput[]) */
            mav2_abi_array(e, mav2_abi_new());
        ok = mav2_abi_finish(e, &hd[k]);
    }
    ud[28] = (uint8_t)(entity >> 24);
    ud[29] = (uint8_t)(entity >> 16);
    ud[30] = (uint8_t)(entity >> 8);
    ud[31] = (uint8_t)entity;
    ok = ok && mav2_calldata_uninstall_validation(mav2_addr_single_signer, entity, ud, 32, hd,
                                                  total, out);
    for (size_t k = 0; hd != NULL && k < total; k++)
        mav2_buf_free(&hd[k]);
    free(hd);
    return ok ? 1 : mav2_error_set("cannot build uninstallValidation");
}

/* Common option checks and factory data; returns an exit code. */
int owner_prepare(const mav2_cli_cmd *self, owner_args *a, mav2_send_params *p, mav2_buf *fd)
{
    uint8_t owner[20], predicted[20];
    mav2_u256 salt;

    if (!mav2_cli_apply_settings(self, &a->net, NULL, NULL, NULL))
        return MAV2_EXIT_USAGE;
    if (a->account_s == NULL)
        a->account_s = mav2_cli_setting("account", NULL);
    if (!mav2_cli_require(self, "--rpc-url", a->net.rpc_url, "--account", a->account_s,
                          "--owner-key", a->owner_key, "--entity-id", a->entity_s,
                          (const char *)NULL))
        return MAV2_EXIT_USAGE;
    if (!mav2_cli_address(self, "--account", a->account_s, a->account) ||
        !mav2_cli_u32(self, "--entity-id", a->entity_s, &a->entity))
        return MAV2_EXIT_USAGE;
    a->owner_entity = 0;
    if (a->owner_entity_s != NULL &&
        !mav2_cli_u32(self, "--owner-entity-id", a->owner_entity_s, &a->owner_entity))
        return MAV2_EXIT_USAGE;
    if (a->entity == 0)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE,
                             "--entity-id 0 is the owner's validation, not a session key");
    if (a->entity == a->owner_entity)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE,
                             "--entity-id is the owner's own entity (--owner-entity-id)");
    if (a->salt_s != NULL && a->factory_owner_s == NULL)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--salt needs --factory-owner");
    mav2_send_params_init(p);
    memcpy(p->account, a->account, 20);
    p->entity_id = a->owner_entity;
    p->nonce_options = MAV2_NONCE_GLOBAL;
    if (a->factory_owner_s != NULL) {
        mav2_u256_from_u64(&salt, 0);
        if (!mav2_cli_address(self, "--factory-owner", a->factory_owner_s, owner))
            return MAV2_EXIT_USAGE;
        if (a->salt_s != NULL && !mav2_u256_parse(&salt, a->salt_s))
            return mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, "--salt");
        if (!mav2_sma_address(NULL, NULL, owner, &salt, predicted) ||
            !mav2_factory_data_sma(owner, &salt, fd))
            return mav2_cli_fail_lib(self, MAV2_EXIT_INTERNAL, NULL);
        if (memcmp(predicted, a->account, 20) != 0)
            return mav2_cli_fail(self, MAV2_EXIT_USAGE,
                                 "--account is not the account of --factory-owner with this salt");
        p->factory = mav2_addr_factory;
        p->factory_data = fd->data;
        p->factory_data_len = fd->len;
    }
    return MAV2_EXIT_OK;
}

/* Returns 1 if c was an owner option, 2 if its value was bad. */
int owner_opt(const mav2_cli_cmd *self, owner_args *a, int c, const char *arg)
{
    int h = mav2_cli_net_opt(self, &a->net, c, arg);

    if (h != 0)
        return h;
    switch (c) {
    case 'a':
        a->account_s = arg;
        return 1;
    case 'k':
        a->owner_key = arg;
        return 1;
    case 'p':
        a->pin = arg;
        return 1;
    case 'e':
        a->entity_s = arg;
        return 1;
    case 'E':
        a->owner_entity_s = arg;
        return 1;
    case 'o':
        a->factory_owner_s = arg;
        return 1;
    case 's':
        a->salt_s = arg;
        return 1;
    default:
        return 0;
    }
}

/* Loads the owner key, opens the clients, checks the entity; *vd, *in_use filled. */
int owner_connect(const mav2_cli_cmd *self, owner_args *a, EVP_PKEY **key, mav2_rpc **node,
                  mav2_rpc **bundler, mav2_validation_data *vd, int *in_use, int *deployed)
{
    uint8_t signer[20];
    int rc;

    memset(vd, 0, sizeof(*vd));
    *in_use = 0;
    if ((*key = mav2_cli_load_key(self, a->owner_key, a->pin, 1)) == NULL)
        return MAV2_EXIT_KEY;
    if ((rc = mav2_cli_net_open(self, &a->net, node, bundler)) != MAV2_EXIT_OK)
        return rc;
    if ((rc = mav2_cli_has_code(self, *node, a->account, deployed)) != MAV2_EXIT_OK)
        return rc;
    if (!*deployed)
        return MAV2_EXIT_OK;
    return entity_state(self, *node, a, vd, signer, in_use);
}

/* ---- install --------------------------------------------------------------------- */

static int parse_sel(const mav2_cli_cmd *self, const char *name, const char *s, uint8_t out[4])
{
    if (!mh_hex_decode_exact(s, out, 4, NULL))
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "%s: \"%s\" is not a 4-byte 0x-hex selector",
                             name, s),
               0;
    return 1;
}

static int session_install(const mav2_cli_cmd *self, int argc, char **argv)
{
    static const struct option opts[] = {OWNER_OPTS,
                                         {"session-key", required_argument, NULL, 'S'},
                                         {"session-address", required_argument, NULL, 'A'},
                                         {"global", no_argument, NULL, 'g'},
                                         {"selector", required_argument, NULL, 'l'},
                                         {"allow", required_argument, NULL, 'w'},
                                         {"erc20-limit", required_argument, NULL, '2'},
                                         {"native-limit", required_argument, NULL, 'v'},
                                         {"gas-limit", required_argument, NULL, 'G'},
                                         {"valid-after", required_argument, NULL, '<'},
                                         {"valid-until", required_argument, NULL, '>'},
                                         {"paymaster-guard", required_argument, NULL, 'm'},
                                         {"replace", no_argument, NULL, 'r'},
                                         {"erc1271", no_argument, NULL, '1'},
                                         {"allow-exportable-key", no_argument, NULL, 'X'},
                                         {NULL, 0, NULL, 0}};
    owner_args a;
    const char *arg, *skey_s = NULL, *saddr_s = NULL, *after_s = NULL, *until_s = NULL;
    mav2_permission perms[MAX_PERMS];
    uint8_t sels[MAX_SELS][4], session[20];
    size_t np = 0, ns = 0, n_acct = 0;
    int c, h, global = 0, replace = 0, erc1271 = 0, rc, in_use = 0, deployed = 0;
    int exportable = 0; /* --allow-exportable-key */
    mav2_cli_parser ps;
    mav2_send_params p;
    mav2_buf fd = MAV2_BUF_INIT, inst = MAV2_BUF_INIT, un = MAV2_BUF_INIT, cd = MAV2_BUF_INIT;
    mav2_session_install si;
    mav2_validation_data vd;
    mav2_rpc *node = NULL, *bundler = NULL;
    EVP_PKEY *key = NULL;
    uint8_t acct_sels[MAX_SELS][4];

    memset(&a, 0, sizeof(a));
    memset(&si, 0, sizeof(si));
    memset(&vd, 0, sizeof(vd));
    memset(perms, 0, sizeof(perms));
    mav2_cli_net_init(&a.net);
    mav2_cli_parser_init(&ps, self, opts, argc, argv);
    while ((c = mav2_cli_next(&ps, &arg)) != -1) {
        mav2_permission *pm = np < MAX_PERMS ? &perms[np] : NULL;
        if ((h = owner_opt(self, &a, c, arg)) != 0) {
            if (h == 2)
                return MAV2_EXIT_USAGE;
            continue;
        }
        if (pm == NULL && strchr("w2vGm", c) != NULL)
            return mav2_cli_fail(self, MAV2_EXIT_USAGE, "too many restrictions");
        switch (c) {
        case 'S':
            skey_s = arg;
            break;
        case 'A':
            saddr_s = arg;
            break;
        case 'g':
            global = 1;
            break;
        case 'r':
            replace = 1;
            break;
        case '1':
            erc1271 = 1;
            break;
        case 'X':
            exportable = 1;
            break;
        case '<':
            after_s = arg;
            break;
        case '>':
            until_s = arg;
            break;
        case 'l':
            if (n_acct == MAX_SELS)
                return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--selector: too many");
            if (!parse_sel(self, "--selector", arg, acct_sels[n_acct]))
                return MAV2_EXIT_USAGE;
            n_acct++;
            break;
        case 'w': {
            char target[64];
            const char *colon = strchr(arg, ':');
            size_t tl = colon != NULL ? (size_t)(colon - arg) : strlen(arg);
            snprintf(target, sizeof(target), "%.*s", (int)(tl < 63 ? tl : 63), arg);
            pm->type = MAV2_PERM_CONTRACT_ACCESS;
            if (strcmp(target, "*") != 0 && !mav2_cli_address(self, "--allow", target, pm->address))
                return MAV2_EXIT_USAGE;
            if (colon != NULL) {
                const char *s = colon + 1;
                size_t first = ns;
                while (*s != '\0') {
                    char one[16];
                    size_t l = strcspn(s, ",");
                    if (ns == MAX_SELS || l >= sizeof(one))
                        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--allow: bad selector list");
                    snprintf(one, sizeof(one), "%.*s", (int)l, s);
                    if (!parse_sel(self, "--allow", one, sels[ns]))
                        return MAV2_EXIT_USAGE;
                    ns++;
                    s += l + (s[l] == ',');
                }
                pm->functions = (const uint8_t(*)[4])sels[first];
                pm->n_functions = ns - first;
                pm->type = MAV2_PERM_FUNCTIONS_ON_CONTRACT;
            }
            if (strcmp(target, "*") == 0) {
                if (pm->n_functions == 0)
                    return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--allow *: give selectors");
                pm->type = MAV2_PERM_FUNCTIONS_ON_ALL_CONTRACTS;
            }
            np++;
            break;
        }
        case '2': {
            char token[64];
            const char *colon = strchr(arg, ':');
            if (colon == NULL || colon - arg >= 63)
                return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--erc20-limit: TOKEN:AMOUNT");
            snprintf(token, sizeof(token), "%.*s", (int)(colon - arg), arg);
            pm->type = MAV2_PERM_ERC20_TOKEN_TRANSFER;
            if (!mav2_cli_address(self, "--erc20-limit", token, pm->address))
                return MAV2_EXIT_USAGE;
            if (!mav2_u256_parse(&pm->amount, colon + 1))
                return mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, "--erc20-limit");
            np++;
            break;
        }
        case 'v':
        case 'G':
            pm->type = c == 'v' ? MAV2_PERM_NATIVE_TOKEN_TRANSFER : MAV2_PERM_GAS_LIMIT;
            if (!mav2_u256_parse_amount(&pm->amount, arg))
                return mav2_cli_fail_lib(self, MAV2_EXIT_USAGE,
                                         c == 'v' ? "--native-limit" : "--gas-limit");
            np++;
            break;
        case 'm':
            pm->type = MAV2_PERM_PAYMASTER_GUARD;
            if (!mav2_cli_address(self, "--paymaster-guard", arg, pm->address))
                return MAV2_EXIT_USAGE;
            np++;
            break;
        case 'h':
            return MAV2_EXIT_OK;
        default:
            return MAV2_EXIT_USAGE;
        }
    }
    if ((after_s != NULL || until_s != NULL) && np < MAX_PERMS) {
        mav2_u256 v;
        perms[np].type = MAV2_PERM_TIME_RANGE;
        perms[np].valid_after = 0;
        perms[np].valid_until = 0xffffffffffffULL;
        if ((after_s != NULL &&
             (!mav2_u256_parse(&v, after_s) || !mav2_u256_to_u64(&v, &perms[np].valid_after))) ||
            (until_s != NULL &&
             (!mav2_u256_parse(&v, until_s) || !mav2_u256_to_u64(&v, &perms[np].valid_until))))
            return mav2_cli_fail(self, MAV2_EXIT_USAGE,
                                 "--valid-after/--valid-until: unix seconds");
        np++;
    }
    if (n_acct > 0 && np < MAX_PERMS) {
        perms[np].type = MAV2_PERM_ACCOUNT_FUNCTIONS;
        perms[np].functions = (const uint8_t(*)[4])acct_sels;
        perms[np].n_functions = n_acct;
        np++;
    }
    if (global && np < MAX_PERMS)
        perms[np++].type = MAV2_PERM_ROOT;
    if (np == 0)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE,
                             "give --global (full access) or restrictions (see --help)");
    if ((skey_s == NULL) == (saddr_s == NULL))
        return mav2_cli_fail(self, MAV2_EXIT_USAGE,
                             "give one of --session-key and --session-address");
    if ((rc = owner_prepare(self, &a, &p, &fd)) != MAV2_EXIT_OK)
        goto out;
    if (saddr_s != NULL) {
        if (!mav2_cli_address(self, "--session-address", saddr_s, session)) {
            rc = MAV2_EXIT_USAGE;
            goto out;
        }
    } else {
        EVP_PKEY *sk = mav2_cli_load_key(self, skey_s, a.pin, 0);
        int ok;
        if (sk == NULL) {
            rc = MAV2_EXIT_KEY;
            goto out;
        }
        if ((rc = mav2_cli_check_session_key(self, sk, exportable)) != MAV2_EXIT_OK) {
            EVP_PKEY_free(sk);
            goto out;
        }
        ok = mav2_pkey_address(sk, session, NULL);
        EVP_PKEY_free(sk);
        if (!ok) {
            rc = mav2_cli_fail_lib(self, MAV2_EXIT_KEY, "--session-key");
            goto out;
        }
    }
    if (!mav2_session_install_build(&si, a.account, session, a.entity, perms, np)) {
        rc = mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, NULL);
        goto out;
    }
    if (erc1271) /* validationConfig = module || entityId || flags */
        si.validation_config[24] |= MAV2_VAL_SIGNATURE;
    if (!mav2_session_install_calldata(&si, &inst)) {
        rc = mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, NULL);
        goto out;
    }
    rc = owner_connect(self, &a, &key, &node, &bundler, &vd, &in_use, &deployed);
    if (rc != MAV2_EXIT_OK)
        goto out;
    if (in_use && !replace) {
        rc = mav2_cli_fail(self, MAV2_EXIT_USAGE,
                           "entity %u is already in use on the account: pick another "
                           "--entity-id or pass --replace",
                           a.entity);
        goto out;
    }
    if (in_use) { /* executeBatch(uninstall old, install new), both calls to the account */
        mav2_call calls[2];
        if (!revoke_calldata(&vd, a.entity, &un)) {
            rc = mav2_cli_fail_lib(self, MAV2_EXIT_INTERNAL, NULL);
            goto out;
        }
        memset(calls, 0, sizeof(calls));
        memcpy(calls[0].target, a.account, 20);
        memcpy(calls[1].target, a.account, 20);
        calls[0].data = un.data;
        calls[0].data_len = un.len;
        calls[1].data = inst.data;
        calls[1].data_len = inst.len;
        if (!mav2_calldata_execute_batch(calls, 2, &cd)) {
            rc = mav2_cli_fail_lib(self, MAV2_EXIT_INTERNAL, NULL);
            goto out;
        }
        p.call_data = cd.data;
        p.call_data_len = cd.len;
        fprintf(stderr, "mav2 %s: replacing the validation at entity %u\n", self->name, a.entity);
    } else {
        p.call_data = inst.data;
        p.call_data_len = inst.len;
    }
    if (si.has_allowlist)
        fprintf(stderr,
                "mav2 %s: note: the account's allowlist does not look inside executeUserOp, "
                "so it confines this key only in a signer that checks it (mav2 send does)\n",
                self->name);
    rc = mav2_cli_send_op(self, &a.net, node, bundler, &p, key);
out:
    mav2_validation_data_free(&vd);
    mav2_session_install_clear(&si);
    mav2_cli_net_close(node, bundler);
    EVP_PKEY_free(key);
    mav2_buf_free(&fd);
    mav2_buf_free(&inst);
    mav2_buf_free(&un);
    mav2_buf_free(&cd);
    return rc;
}

/* ---- revoke ---------------------------------------------------------------------- */

static int session_revoke(const mav2_cli_cmd *self, int argc, char **argv)
{
    static const struct option opts[] = {OWNER_OPTS, {NULL, 0, NULL, 0}};
    owner_args a;
    const char *arg;
    int c, h, rc, in_use = 0, deployed = 0;
    mav2_cli_parser ps;
    mav2_send_params p;
    mav2_buf fd = MAV2_BUF_INIT, cd = MAV2_BUF_INIT;
    mav2_validation_data vd;
    mav2_rpc *node = NULL, *bundler = NULL;
    EVP_PKEY *key = NULL;

    memset(&a, 0, sizeof(a));
    memset(&vd, 0, sizeof(vd));
    mav2_cli_net_init(&a.net);
    mav2_cli_parser_init(&ps, self, opts, argc, argv);
    while ((c = mav2_cli_next(&ps, &arg)) != -1) {
        if ((h = owner_opt(self, &a, c, arg)) != 0) {
            if (h == 2)
                return MAV2_EXIT_USAGE;
            continue;
        }
        return c == 'h' ? MAV2_EXIT_OK : MAV2_EXIT_USAGE;
    }
    if ((rc = owner_prepare(self, &a, &p, &fd)) != MAV2_EXIT_OK)
        goto out;
    rc = owner_connect(self, &a, &key, &node, &bundler, &vd, &in_use, &deployed);
    if (rc != MAV2_EXIT_OK)
        goto out;
    if (!in_use) {
        rc = mav2_cli_fail(self, MAV2_EXIT_USAGE, "entity %u is not installed on the account",
                           a.entity);
        goto out;
    }
    if (!revoke_calldata(&vd, a.entity, &cd)) {
        rc = mav2_cli_fail_lib(self, MAV2_EXIT_INTERNAL, NULL);
        goto out;
    }
    p.call_data = cd.data;
    p.call_data_len = cd.len;
    rc = mav2_cli_send_op(self, &a.net, node, bundler, &p, key);
out:
    mav2_validation_data_free(&vd);
    mav2_cli_net_close(node, bundler);
    EVP_PKEY_free(key);
    mav2_buf_free(&fd);
    mav2_buf_free(&cd);
    return rc;
}
