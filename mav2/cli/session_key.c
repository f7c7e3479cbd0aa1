/* SPDX-License-Identifier: Apache-2.0 */
/* session_key.c: `mav2 session-key`: the group of the session-key subcommands, one
 * file each (session_key_*.c). */
#include "config.h"

#include "mav2/cli/grant_cli.h"
#include "mav2/cli/owner.h"
#include "mav2/cli/session_keys.h"

static const mav2_cli_sub session_cmds[] = {
    {"install", mav2_cmd_session_install, "the owner installs a session key on the account", NULL},
    {"revoke", mav2_cmd_session_revoke, "the owner uninstalls a session key (and its hooks)", NULL},
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

int mav2_cmd_session_key(const mav2_cli_cmd *self, int argc, char **argv)
{
    return mav2_cli_dispatch(self, session_cmds, sizeof(session_cmds) / sizeof(session_cmds[0]),
                             argc, argv);
}
