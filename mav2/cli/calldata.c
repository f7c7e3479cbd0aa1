/* SPDX-License-Identifier: Apache-2.0 */
/* calldata.c: `mav2 calldata`: the account's execute / executeBatch call data for
 * --call options, or a function's call data from its signature and arguments. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "mav2/cli/cli.h"
#include "mav2/cli/output.h"
#include "mav2/core/abi.h"
#include "mav2/core/account.h"
#include "mav2/core/address.h"
#include "mav2/core/error.h"

/* What the command line says. */
typedef struct {
    mav2_cli_calls calls;
    const char *account;
    int batch, exec_hooks, json;
} calldata_opts;

static const mav2_cli_opt calldata_table[] = {
    MAV2_OPT_SET("call", "TO[,VALUE[,DATA]]", calldata_opts, calls, mav2_cli_set_call,
                 "a call (repeat for a batch, at most 256)"),
    MAV2_OPT_FLAG_("batch", calldata_opts, batch, "executeBatch even for a single call"),
    MAV2_OPT_FLAG_("exec-hooks", calldata_opts, exec_hooks,
                   "put executeUserOp (0x8dd7712f) in front: needed when the\n"
                   "signing validation has execution hooks (permission modules)"),
    MAV2_OPT_STR("account", "ADDR", calldata_opts, account,
                 "the account sending: a single call to the account itself\n"
                 "with value 0 is then sent as its data, unwrapped (what the\n"
                 "reference client does)"),
    MAV2_OPT_FLAG_("json", calldata_opts, json,
                   "{\"callData\": \"0x...\", \"calls\": N} (N 0 for a SIGNATURE)"),
    MAV2_OPT_END_AT(19)};

const mav2_cli_page mav2_page_calldata = {
    "NAME\n"
    "    mav2 calldata - build the account call data for one or more calls\n"
    "\n"
    "SYNOPSIS\n"
    "    mav2 calldata --call TO[,VALUE[,DATA]] [--call ...] [--batch]\n"
    "                  [--exec-hooks] [--account ADDR] [--json]\n"
    "    mav2 calldata 'SIGNATURE' [ARG...] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    One --call gives execute(address,uint256,bytes) (0xb61d27f6); several give\n"
    "    executeBatch((address,uint256,bytes)[]) (0x34fcd5be), in the order given.\n"
    "    The result is the callData field of a user operation for the account.\n"
    "\n"
    "    TO is a 20-byte address (EIP-55 checksum checked on mixed case). VALUE is\n"
    "    an amount in wei: plain decimal (1000), 0x-hex wei, or a number with a unit\n"
    "    wei, gwei or ether, fractions allowed (1ether, 0.5ether, 100gwei). Empty or\n"
    "    missing VALUE is 0. DATA is 0x-hex call data for TO (default empty), or a\n"
    "    function signature and its arguments, as cast takes them:\n"
    "      --call 0xToken...,0,'transfer(address,uint256)',0xabc...,1000000\n"
    "    Amounts also take kwei, mwei, szabo, finney, an exponent (1e18, 1e-3ether)\n"
    "    and a space before the unit; anything that is not a whole number of wei is\n"
    "    refused.\n"
    "\n"
    "    With a SIGNATURE first (a name and its parameter types) mav2 calldata prints\n"
    "    that function's call data, as cast calldata does: the selector of the\n"
    "    canonical signature, then the ARGs ABI-encoded. Types: address, bool,\n"
    "    uint8..uint256, int8..int256, bytes1..bytes32, bytes, string, tuples (T,U),\n"
    "    arrays T[] and T[k], nested. ARGs: numbers in decimal, 0x-hex or with a\n"
    "    unit, negative for intN; 0x-hex bytes; true/false; [a,b] arrays; (a,b)\n"
    "    tuples; strings as they are or \"quoted, with \\\" escapes\".\n"
    "\n"
    "OPTIONS\n",
    calldata_table,
    "\n"
    "EXIT STATUS\n"
    "    0 ok, 1 usage error or bad input (the message names the call and field)\n"
    "\n"
    "EXAMPLES\n"
    "    mav2 calldata --call 0x3333333333333333333333333333333333333333,1ether\n"
    "    mav2 calldata --call 0xA0b8...eB48,0,0xa9059cbb... --call 0x3333...3333,100gwei\n"};

/* The call data b (n bytes) printed: 0x-hex, or with json {"callData", "calls"}. */
static int print_calldata(const mav2_cli_cmd *self, const uint8_t *b, size_t n, int json,
                          size_t calls)
{
    size_t sz = mh_hex_encoded_size(n, 1);
    char *hex = malloc(sz);
    mav2_cli_result r;

    if (hex == NULL)
        return mav2_cli_fail(self, MAV2_EXIT_INTERNAL, "out of memory");
    mh_hex_encode(b, n, hex, sz, 1);
    mav2_cli_result_init(&r, json);
    mav2_cli_result_str(&r, "callData", "", hex);
    mav2_cli_result_int(&r, "calls", NULL, (int64_t)calls);
    free(hex);
    return mav2_cli_result_print(self, &r);
}

/* mav2 calldata 'SIG' ARG... [--json]: the function call itself, as cast calldata. */
static int calldata_of_signature(const mav2_cli_cmd *self, int argc, char **argv)
{
    mav2_buf out = MAV2_BUF_INIT;
    int rc, json = argc > 1 && strcmp(argv[argc - 1], "--json") == 0;
    if (!mav2_abi_encode_call(argv[0], (const char *const *)argv + 1, (size_t)(argc - 1 - json),
                              &out)) {
        mav2_buf_free(&out);
        return mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, NULL);
    }
    rc = print_calldata(self, out.data, out.len, json, 0);
    mav2_buf_free(&out);
    return rc;
}

/* The call data of the n calls as o asks: execute, executeBatch or (o->account) as the
 * send flow makes it, with executeUserOp in front for o->exec_hooks. 1/0. */
static int calldata_build(const calldata_opts *o, const uint8_t account[MAV2_ADDRESS_LEN],
                          const mav2_call *calls, size_t n, mav2_buf *out)
{
    mav2_buf wrapped = MAV2_BUF_INIT;
    int ok;

    if (o->account != NULL && !o->batch)
        return mav2_calldata_for_calls(account, calls, n, o->exec_hooks, out);
    if (n == 1 && !o->batch)
        ok = mav2_calldata_execute(&calls[0], out);
    else
        ok = mav2_calldata_execute_batch(calls, n, out);
    if (!ok || !o->exec_hooks)
        return ok;
    ok = mav2_calldata_exec_user_op(out->data, out->len, &wrapped);
    mav2_buf_free(out);
    *out = wrapped;
    return ok;
}

int mav2_cmd_calldata(const mav2_cli_cmd *self, int argc, char **argv)
{
    calldata_opts o;
    mav2_call calls[MAV2_CLI_MAX_CALLS];
    uint8_t *datas[MAV2_CLI_MAX_CALLS], account[MAV2_ADDRESS_LEN];
    size_t parsed = 0;
    int rc;
    mav2_buf out = MAV2_BUF_INIT;

    if (argc >= 2 && argv[1][0] != '-')
        return calldata_of_signature(self, argc - 1, argv + 1);
    memset(&o, 0, sizeof(o));
    if ((rc = mav2_cli_opts_parse(self, &o, argc, argv)) != MAV2_CLI_PARSED)
        return rc;
    if (o.calls.n == 0)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "at least one --call is required");
    if (o.account != NULL && !mav2_cli_address(self, "--account", o.account, account))
        return MAV2_EXIT_USAGE;
    rc = MAV2_EXIT_USAGE;
    for (; parsed < o.calls.n; parsed++)
        if (!mav2_cli_parse_call(self, o.calls.v[parsed], parsed + 1, &calls[parsed],
                                 &datas[parsed]))
            goto done;
    if (!calldata_build(&o, account, calls, o.calls.n, &out))
        rc = mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, "--call");
    else
        rc = print_calldata(self, out.data, out.len, o.json, o.calls.n);
done:
    for (size_t i = 0; i < parsed; i++)
        free(datas[i]);
    mav2_buf_free(&out);
    return rc;
}
