/* SPDX-License-Identifier: Apache-2.0 */
/* session_key_revoke.c: `mav2 session-key revoke`: the owner signs a user op calling
 * uninstallValidation on the account itself, for the session key and its hooks. */
#include "config.h"

#include <string.h>

#include "mav2/cli/online.h"
#include "mav2/cli/owner.h"

/* What the command line says. */
typedef struct {
    owner_args owner;
} revoke_opts;

static const mav2_cli_opt revoke_table[] = {
    MAV2_OPT_GROUP_(mav2_cli_owner_group, revoke_opts, owner),
    MAV2_OPT_GROUP_(mav2_cli_deploy_group, revoke_opts, owner), MAV2_OPT_END_};

const mav2_cli_page mav2_page_session_revoke = {
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
    "OPTIONS\n",
    revoke_table,
    "\n"
    "OUTPUT / EXIT STATUS\n"
    "    As mav2 send (userOpHash first, then the receipt).\n"
    "\n"
    "EXAMPLES\n"
    "    mav2 session-key revoke --rpc-url $RPC --account 0xAcc... --owner-key owner.pem \\\n"
    "      --entity-id 1\n"};

int mav2_cmd_session_revoke(const mav2_cli_cmd *self0, int argc, char **argv)
{
    mav2_cli_cmd cmd = *self0;
    const mav2_cli_cmd *self = &cmd;
    revoke_opts o;
    owner_args *a = &o.owner;
    owner_op op;
    mav2_buf cd = MAV2_BUF_INIT;
    int rc;

    cmd.page = &mav2_page_session_revoke;
    memset(&o, 0, sizeof(o));
    mav2_cli_net_init(&a->net);
    if ((rc = mav2_cli_opts_parse(self, &o, argc, argv)) != MAV2_CLI_PARSED)
        return rc;
    owner_op_init(&op);
    if ((rc = owner_open_installed(self, a, &op)) == MAV2_EXIT_OK) {
        if (owner_revoke_calldata(&op.vd, a->entity, &cd))
            rc = owner_op_send(self, a, &op, &cd);
        else
            rc = mav2_cli_fail_lib(self, MAV2_EXIT_INTERNAL, NULL);
    }
    owner_op_clear(&op);
    mav2_buf_free(&cd);
    return rc;
}
