/* SPDX-License-Identifier: Apache-2.0 */
/* session_key_install.c: `mav2 session-key install`: the owner signs a user op
 * calling installValidation on the account itself (and, with --replace,
 * uninstallValidation of the entity's old validation first, in the same op). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "mav2/core/account.h"
#include "mav2/cli/online.h"
#include "mav2/cli/owner.h"
#include "mav2/cli/perm_opts.h"
#include "mav2/keys/signer.h"

/* What the command line says. */
typedef struct {
    owner_args owner;
    mav2_cli_perms perms;
    const char *skey_s, *saddr_s;
    int replace, exportable;
} install_opts;

static const mav2_cli_opt install_table[] = {
    MAV2_OPT_GROUP_(mav2_cli_owner_group, install_opts, owner),
    MAV2_OPT_GROUP_(mav2_cli_deploy_group, install_opts, owner),
    MAV2_OPT_STR("session-key", "URI|FILE", install_opts, skey_s,
                 "the session key (its address is installed)"),
    MAV2_OPT_STR("session-address", "ADDR", install_opts, saddr_s, "or just its address"),
    MAV2_OPT_FLAG_("replace", install_opts, replace,
                   "uninstall the validation at --entity-id first"),
    MAV2_OPT_FLAG_("allow-exportable-key", install_opts, exportable, NULL), /* in the tail */
    MAV2_OPT_GROUP_(mav2_cli_perm_group, install_opts, perms),              /* RESTRICTIONS */
    MAV2_OPT_END_};

const mav2_cli_page mav2_page_session_install = {
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
    "OPTIONS\n",
    install_table,
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
    "      --session-key 'pkcs11:token=t;object=sk1' --entity-id 1 --global\n"};

/* The command line into o; exit code, MAV2_CLI_PARSED to go on. */
static int install_args(const mav2_cli_cmd *self, install_opts *o, int argc, char **argv)
{
    int rc;

    memset(o, 0, sizeof(*o));
    mav2_cli_net_init(&o->owner.net);
    mav2_cli_perms_init(&o->perms);
    if ((rc = mav2_cli_opts_parse(self, o, argc, argv)) != MAV2_CLI_PARSED)
        return rc;
    if (!mav2_cli_perms_finish(self, &o->perms))
        return MAV2_EXIT_USAGE;
    if ((o->skey_s == NULL) == (o->saddr_s == NULL))
        return mav2_cli_fail(self, MAV2_EXIT_USAGE,
                             "give one of --session-key and --session-address");
    return MAV2_CLI_PARSED;
}

/* The session key's address: --session-address, or --session-key's once it passes
 * the hardware check. Exit code. */
static int install_session(const mav2_cli_cmd *self, const install_opts *o,
                           uint8_t session[MAV2_ADDRESS_LEN])
{
    EVP_PKEY *sk;
    int ok, rc;

    if (o->saddr_s != NULL)
        return mav2_cli_address(self, "--session-address", o->saddr_s, session) ? MAV2_EXIT_OK
                                                                                : MAV2_EXIT_USAGE;
    if ((sk = mav2_cli_load_key(self, o->skey_s, o->owner.pin, 0)) == NULL)
        return MAV2_EXIT_KEY;
    if ((rc = mav2_cli_check_session_key(self, sk, o->exportable)) != MAV2_EXIT_OK) {
        EVP_PKEY_free(sk);
        return rc;
    }
    ok = mav2_pkey_address(sk, session, NULL);
    EVP_PKEY_free(sk);
    return ok ? MAV2_EXIT_OK : mav2_cli_fail_lib(self, MAV2_EXIT_KEY, "--session-key");
}

/* The installValidation call of the key at the entity into inst (si its parts). */
static int install_build(const mav2_cli_cmd *self, const install_opts *o,
                         const uint8_t session[MAV2_ADDRESS_LEN], mav2_session_install *si,
                         mav2_buf *inst)
{
    if (!mav2_session_install_build(si, o->owner.account, session, o->owner.entity, o->perms.perms,
                                    o->perms.np))
        return mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, NULL);
    if (o->perms.erc1271) /* validationConfig = module || entityId || flags */
        si->validation_config[24] |= MAV2_VAL_SIGNATURE;
    if (!mav2_session_install_calldata(si, inst))
        return mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, NULL);
    return MAV2_EXIT_OK;
}

/* The op's call data into cd: inst, or (the entity in use, --replace) executeBatch
 * of the old validation's uninstall (un) and inst, both calls to the account. */
static int install_call(const mav2_cli_cmd *self, const install_opts *o, const owner_op *op,
                        const mav2_buf *inst, mav2_buf *un, mav2_buf *cd)
{
    const owner_args *a = &o->owner;
    mav2_call calls[2];

    if (op->in_use && !o->replace)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE,
                             "entity %u is already in use on the account: pick another "
                             "--entity-id or pass --replace",
                             a->entity);
    if (!op->in_use)
        return mav2_buf_append(cd, inst->data, inst->len)
                   ? MAV2_EXIT_OK
                   : mav2_cli_fail(self, MAV2_EXIT_INTERNAL, "out of memory");
    if (!owner_revoke_calldata(&op->vd, a->entity, un))
        return mav2_cli_fail_lib(self, MAV2_EXIT_INTERNAL, NULL);
    memset(calls, 0, sizeof(calls));
    memcpy(calls[0].target, a->account, 20);
    memcpy(calls[1].target, a->account, 20);
    calls[0].data = un->data;
    calls[0].data_len = un->len;
    calls[1].data = inst->data;
    calls[1].data_len = inst->len;
    if (!mav2_calldata_execute_batch(calls, 2, cd))
        return mav2_cli_fail_lib(self, MAV2_EXIT_INTERNAL, NULL);
    fprintf(stderr, "mav2 %s: replacing the validation at entity %u\n", self->name, a->entity);
    return MAV2_EXIT_OK;
}

int mav2_cmd_session_install(const mav2_cli_cmd *self0, int argc, char **argv)
{
    mav2_cli_cmd cmd = *self0;
    const mav2_cli_cmd *self = &cmd;
    install_opts o;
    uint8_t session[MAV2_ADDRESS_LEN];
    int rc;
    owner_op op;
    mav2_buf inst = MAV2_BUF_INIT, un = MAV2_BUF_INIT, cd = MAV2_BUF_INIT;
    mav2_session_install si;

    cmd.page = &mav2_page_session_install;
    memset(&si, 0, sizeof(si));
    if ((rc = install_args(self, &o, argc, argv)) != MAV2_CLI_PARSED)
        return rc;
    owner_op_init(&op);
    if ((rc = owner_prepare(self, &o.owner, &op)) != MAV2_EXIT_OK ||
        (rc = install_session(self, &o, session)) != MAV2_EXIT_OK ||
        (rc = install_build(self, &o, session, &si, &inst)) != MAV2_EXIT_OK ||
        (rc = owner_connect(self, &o.owner, &op)) != MAV2_EXIT_OK ||
        (rc = install_call(self, &o, &op, &inst, &un, &cd)) != MAV2_EXIT_OK)
        goto out;
    if (si.has_allowlist)
        fprintf(stderr,
                "mav2 %s: note: the account's allowlist does not look inside executeUserOp, "
                "so it confines this key only in a signer that checks it (mav2 send does)\n",
                self->name);
    rc = owner_op_send(self, &o.owner, &op, &cd);
out:
    owner_op_clear(&op);
    mav2_session_install_clear(&si);
    mav2_buf_free(&inst);
    mav2_buf_free(&un);
    mav2_buf_free(&cd);
    return rc;
}
