/* SPDX-License-Identifier: Apache-2.0 */
/* hash.c: `mav2 hash`: the v0.7 userOpHash of a user operation (offline), and the
 * reading and hashing of a --userop file it shares with mav2 sign. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "mav2/cli/cli.h"
#include "mav2/cli/output.h"
#include "mav2/core/account.h"
#include "mav2/core/address.h"
#include "mav2/core/userop.h"
#include "mav2/core/userop_json.h"

#define USEROP_MAX (4u << 20)

/* What the command line says. */
typedef struct {
    mav2_cli_userop_in in;
    int json;
} hash_opts;

static const mav2_cli_opt hash_table[] = {
    MAV2_OPT_STR_REQ("userop", "FILE|-", hash_opts, in.userop,
                     "the user operation (- reads stdin)"),
    MAV2_OPT_STR_REQ("chain-id", "N", hash_opts, in.chain, "chain id, decimal or 0x-hex"),
    MAV2_OPT_STR("entry-point", "ADDR", hash_opts, in.entry_point,
                 "default 0x0000000071727De22E5E9d8BAf0edAc6f37da032 (v0.7)"),
    MAV2_OPT_FLAG_("json", hash_opts, json,
                   "{\"userOpHash\": ..., \"entryPoint\": ..., \"chainId\": N}"),
    MAV2_OPT_END_};

const mav2_cli_page mav2_page_hash = {
    "NAME\n"
    "    mav2 hash - the ERC-4337 v0.7 userOpHash of a user operation\n"
    "\n"
    "SYNOPSIS\n"
    "    mav2 hash --userop FILE|- --chain-id N [--entry-point ADDR] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    Reads one user operation in the JSON-RPC form eth_sendUserOperation takes\n"
    "    (sender, nonce, [factory, factoryData], callData, callGasLimit,\n"
    "    verificationGasLimit, preVerificationGas, maxFeePerGas,\n"
    "    maxPriorityFeePerGas, [paymaster, paymasterVerificationGasLimit,\n"
    "    paymasterPostOpGasLimit, paymasterData], signature) and prints\n"
    "    keccak256(abi.encode(keccak256(packed op), entryPoint, chainId)).\n"
    "    The signature field is not hashed and may be absent. Unknown fields,\n"
    "    malformed hex, wrong lengths and gas values over uint128 are refused with\n"
    "    a message naming the field.\n"
    "\n"
    "OPTIONS\n",
    hash_table,
    "\n"
    "EXIT STATUS\n"
    "    0 ok, 1 usage error or bad input\n"
    "\n"
    "EXAMPLES\n"
    "    mav2 hash --userop op.json --chain-id 11155111\n"};

int mav2_cli_userop_load(const mav2_cli_cmd *self, const mav2_cli_userop_in *in, mav2_cli_userop *u)
{
    char *text;
    int ok;

    mav2_userop_init(&u->op);
    if (!mav2_cli_chain_id(self, in->chain, &u->chain_id))
        return MAV2_EXIT_USAGE;
    if (in->entry_point == NULL)
        memcpy(u->entry_point, mav2_entry_point_v07, MAV2_ADDRESS_LEN);
    else if (!mav2_cli_address(self, "--entry-point", in->entry_point, u->entry_point))
        return MAV2_EXIT_USAGE;
    text = mav2_cli_read_input(self, "--userop", in->userop, USEROP_MAX, NULL);
    if (text == NULL)
        return MAV2_EXIT_USAGE;
    ok = mav2_userop_from_json_string(&u->op, text);
    free(text);
    if (!ok || !mav2_userop_hash(&u->op, u->entry_point, u->chain_id, u->hash))
        return mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, "--userop");
    return MAV2_EXIT_OK;
}

int mav2_cmd_hash(const mav2_cli_cmd *self, int argc, char **argv)
{
    hash_opts o;
    mav2_cli_userop u;
    char hex[67], ep[MAV2_ADDRESS_STR_MAX];
    mav2_cli_result r;
    int rc;

    memset(&o, 0, sizeof(o));
    if ((rc = mav2_cli_opts_parse(self, &o, argc, argv)) != MAV2_CLI_PARSED)
        return rc;
    rc = mav2_cli_userop_load(self, &o.in, &u);
    mav2_userop_clear(&u.op);
    if (rc != MAV2_EXIT_OK)
        return rc;
    mh_hex_encode(u.hash, 32, hex, sizeof(hex), 1);
    mav2_address_format(u.entry_point, ep);
    mav2_cli_result_init(&r, o.json);
    mav2_cli_result_str(&r, "userOpHash", "", hex);
    mav2_cli_result_str(&r, "entryPoint", NULL, ep);
    mav2_cli_result_int(&r, "chainId", NULL, (int64_t)u.chain_id);
    return mav2_cli_result_print(self, &r);
}
