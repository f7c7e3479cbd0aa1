/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_build.c: offline builders: calldata, nonce-key. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "common/hex.h"
#include "mav2/core/abi.h"
#include "mav2/core/account.h"
#include "mav2/core/address.h"
#include "mav2/cli/cli.h"
#include "mav2/core/error.h"
#include "mav2/core/u256.h"

#define MAX_CALLS 256

const char mav2_help_calldata[] =
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
    "OPTIONS\n"
    "    --call TO[,VALUE[,DATA]]  a call (repeat for a batch, at most 256)\n"
    "    --batch        executeBatch even for a single call\n"
    "    --exec-hooks   put executeUserOp (0x8dd7712f) in front: needed when the\n"
    "                   signing validation has execution hooks (permission modules)\n"
    "    --account ADDR the account sending: a single call to the account itself\n"
    "                   with value 0 is then sent as its data, unwrapped (what the\n"
    "                   reference client does)\n"
    "    --json         {\"callData\": \"0x...\", \"calls\": N} (N 0 for a SIGNATURE)\n"
    "    --help         this text\n"
    "\n"
    "EXIT STATUS\n"
    "    0 ok, 1 usage error or bad input (the message names the call and field)\n"
    "\n"
    "EXAMPLES\n"
    "    mav2 calldata --call 0x3333333333333333333333333333333333333333,1ether\n"
    "    mav2 calldata --call 0xA0b8...eB48,0,0xa9059cbb... --call 0x3333...3333,100gwei\n";

const char mav2_help_nonce_key[] =
    "NAME\n"
    "    mav2 nonce-key - the 192-bit nonce key that selects a MAv2 validation\n"
    "\n"
    "SYNOPSIS\n"
    "    mav2 nonce-key --entity-id N [--global] [--deferred] [--nonce-key K]\n"
    "                   [--sequence S] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    key192 = K << 40 | entityId << 8 | options, where options has 0x01 for a\n"
    "    global validation and 0x02 for a deferred action. The user op's nonce is\n"
    "    key192 << 64 | sequence, the sequence coming from EntryPoint.getNonce(\n"
    "    sender, key192). A session key installed as global at entity 1 uses key\n"
    "    0x101; the semi-modular account's owner is entity 0, key 0x1.\n"
    "    Prints key192 as a minimal 0x-hex quantity.\n"
    "\n"
    "OPTIONS\n"
    "    --entity-id N   the validation's entity id, 0 .. 4294967295 (decimal or 0x-hex)\n"
    "    --global        the validation is installed as global (option 0x01)\n"
    "    --deferred      deferred action (option 0x02; never for a normal send)\n"
    "    --nonce-key K   the 152-bit user nonce key (an independent nonce lane;\n"
    "                    default 0)\n"
    "    --sequence S    also print the full nonce key192 << 64 | S (S < 2^64)\n"
    "    --json          {\"nonceKey\": \"0x...\", \"nonceKeyUint192\": \"0x<48 digits>\",\n"
    "                    \"nonce\": \"0x...\" (with --sequence)}\n"
    "    --help          this text\n"
    "\n"
    "EXIT STATUS\n"
    "    0 ok, 1 usage error or bad input\n"
    "\n"
    "EXAMPLES\n"
    "    mav2 nonce-key --entity-id 1 --global            # 0x101\n"
    "    mav2 nonce-key --entity-id 1 --global --sequence 5 --json\n";

static int print_hex_result(const mav2_cli_cmd *self, const uint8_t *b, size_t n, int json,
                            const char *key, size_t calls)
{
    size_t sz = mh_hex_encoded_size(n, 1);
    char *hex = malloc(sz);
    int rc;

    if (hex == NULL)
        return mav2_cli_fail(self, MAV2_EXIT_INTERNAL, "out of memory");
    mh_hex_encode(b, n, hex, sz, 1);
    if (json) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, key, json_object_new_string(hex));
        json_object_object_add(o, "calls", json_object_new_int64((int64_t)calls));
        rc = mav2_cli_print(self, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
        json_object_put(o);
    } else {
        rc = mav2_cli_print(self, hex);
    }
    free(hex);
    return rc;
}

const char mav2_help_decode[] =
    "NAME\n"
    "    mav2 decode - the arguments of a function call, from its call data\n"
    "\n"
    "SYNOPSIS\n"
    "    mav2 decode 'SIGNATURE' 0xCALLDATA [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    The other way of mav2 calldata 'SIGNATURE' ARG...: checks that the data\n"
    "    starts with the signature's selector and prints each argument on its own\n"
    "    line in the syntax mav2 calldata takes (addresses EIP-55, numbers in\n"
    "    decimal, bytes in 0x-hex, strings quoted, [a,b] arrays, (a,b) tuples), so\n"
    "    the output fed back to mav2 calldata gives the same data. Values no encoder\n"
    "    writes (dirty upper bits, a bool not 0/1) and offsets outside the data are\n"
    "    refused. Offline.\n"
    "\n"
    "OPTIONS\n"
    "    --json         {\"function\": SIGNATURE, \"args\": [\"...\", ...]}\n"
    "\n"
    "EXIT STATUS\n"
    "    0 ok, 1 bad signature or data\n"
    "\n"
    "EXAMPLES\n"
    "    mav2 decode 'transfer(address,uint256)' 0xa9059cbb000...\n";

int mav2_cmd_decode(const mav2_cli_cmd *self, int argc, char **argv)
{
    mav2_buf text = MAV2_BUF_INIT;
    char **items = NULL;
    size_t n = 0, len = 0, count = 0;
    uint8_t *data = NULL;
    const char *why = NULL;
    int json = argc == 4 && strcmp(argv[3], "--json") == 0, rc = MAV2_EXIT_USAGE;
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(self->help, stdout);
        return MAV2_EXIT_OK;
    }
    if (argc != 3 + json)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "want 'SIGNATURE' 0xCALLDATA [--json]");
    if (!mh_hex_decode_alloc(argv[2], &data, &len, &why))
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "call data: %s", why);
    if (!mav2_abi_decode_call(argv[1], data, len, &text, &count) ||
        !mav2_abi_split_args((const char *)text.data, text.len, &items, &n)) {
        rc = mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, NULL);
        goto out;
    }
    if (json) {
        json_object *o = json_object_new_object(), *a = json_object_new_array();
        for (size_t i = 0; i < n; i++)
            json_object_array_add(a, json_object_new_string(items[i]));
        json_object_object_add(o, "function", json_object_new_string(argv[1]));
        json_object_object_add(o, "args", a);
        rc = mav2_cli_print(self, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
        json_object_put(o);
    } else {
        rc = MAV2_EXIT_OK;
        for (size_t i = 0; rc == MAV2_EXIT_OK && i < n; i++)
            rc = mav2_cli_print(self, items[i]);
    }
out:
    for (size_t i = 0; i < n; i++)
        free(items[i]);
    free(items);
    free(data);
    mav2_buf_free(&text);
    return rc;
}

/* mav2 calldata 'SIG' ARG... : the function call itself, as cast calldata. */
static int calldata_of_signature(const mav2_cli_cmd *self, int argc, char **argv)
{
    mav2_buf out = MAV2_BUF_INIT;
    int rc, json = argc > 1 && strcmp(argv[argc - 1], "--json") == 0;
    if (!mav2_abi_encode_call(argv[0], (const char *const *)argv + 1, (size_t)(argc - 1 - json),
                              &out)) {
        mav2_buf_free(&out);
        return mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, NULL);
    }
    rc = print_hex_result(self, out.data, out.len, json, "callData", 0);
    mav2_buf_free(&out);
    return rc;
}

int mav2_cmd_calldata(const mav2_cli_cmd *self, int argc, char **argv)
{
    static const struct option opts[] = {
        {"call", required_argument, NULL, 'c'}, {"exec-hooks", no_argument, NULL, 'x'},
        {"batch", no_argument, NULL, 'b'},      {"account", required_argument, NULL, 'a'},
        {"json", no_argument, NULL, 'j'},       {NULL, 0, NULL, 0}};
    const char *specs[MAX_CALLS], *account_s = NULL, *arg;
    mav2_call calls[MAX_CALLS];
    uint8_t *datas[MAX_CALLS], account[20];
    size_t n = 0, parsed = 0;
    int json = 0, exec_hooks = 0, batch = 0, c, rc = MAV2_EXIT_USAGE, ok;
    mav2_cli_parser p;
    mav2_buf out = MAV2_BUF_INIT;

    if (argc >= 2 && argv[1][0] != '-')
        return calldata_of_signature(self, argc - 1, argv + 1);
    mav2_cli_parser_init(&p, self, opts, argc, argv);
    while ((c = mav2_cli_next(&p, &arg)) != -1) {
        switch (c) {
        case 'c':
            if (n == MAX_CALLS)
                return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--call: at most %d calls", MAX_CALLS);
            specs[n++] = arg;
            break;
        case 'x':
            exec_hooks = 1;
            break;
        case 'b':
            batch = 1;
            break;
        case 'a':
            account_s = arg;
            break;
        case 'j':
            json = 1;
            break;
        case 'h':
            return MAV2_EXIT_OK;
        default:
            return MAV2_EXIT_USAGE;
        }
    }
    if (n == 0)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "at least one --call is required");
    if (account_s != NULL && !mav2_cli_address(self, "--account", account_s, account))
        return MAV2_EXIT_USAGE;
    for (; parsed < n; parsed++)
        if (!mav2_cli_parse_call(self, specs[parsed], parsed + 1, &calls[parsed], &datas[parsed]))
            goto done;
    if (account_s != NULL && !batch)
        ok = mav2_calldata_for_calls(account, calls, n, exec_hooks, &out);
    else if (n == 1 && !batch)
        ok = mav2_calldata_execute(&calls[0], &out);
    else
        ok = mav2_calldata_execute_batch(calls, n, &out);
    if (ok && exec_hooks && (account_s == NULL || batch)) {
        mav2_buf wrapped = MAV2_BUF_INIT;
        ok = mav2_calldata_exec_user_op(out.data, out.len, &wrapped);
        mav2_buf_free(&out);
        out = wrapped;
    }
    if (!ok) {
        rc = mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, "--call");
        goto done;
    }
    rc = print_hex_result(self, out.data, out.len, json, "callData", n);
done:
    for (size_t i = 0; i < parsed; i++)
        free(datas[i]);
    mav2_buf_free(&out);
    return rc;
}

int mav2_cmd_nonce_key(const mav2_cli_cmd *self, int argc, char **argv)
{
    static const struct option opts[] = {{"entity-id", required_argument, NULL, 'e'},
                                         {"global", no_argument, NULL, 'g'},
                                         {"deferred", no_argument, NULL, 'd'},
                                         {"nonce-key", required_argument, NULL, 'k'},
                                         {"sequence", required_argument, NULL, 's'},
                                         {"json", no_argument, NULL, 'j'},
                                         {NULL, 0, NULL, 0}};
    const char *entity_s = NULL, *lane_s = NULL, *seq_s = NULL, *arg;
    uint8_t options = 0, be[32];
    uint32_t entity = 0;
    uint64_t seq = 0;
    int json = 0, c, rc;
    mav2_u256 lane, key, nonce, seq_v;
    char key_hex[MAV2_U256_HEX_MAX], key192[2 * 24 + 3], nonce_hex[MAV2_U256_HEX_MAX];
    mav2_cli_parser p;

    mav2_u256_from_u64(&lane, 0);
    mav2_cli_parser_init(&p, self, opts, argc, argv);
    while ((c = mav2_cli_next(&p, &arg)) != -1) {
        switch (c) {
        case 'e':
            entity_s = arg;
            break;
        case 'g':
            options |= MAV2_NONCE_GLOBAL;
            break;
        case 'd':
            options |= MAV2_NONCE_DEFERRED;
            break;
        case 'k':
            lane_s = arg;
            break;
        case 's':
            seq_s = arg;
            break;
        case 'j':
            json = 1;
            break;
        case 'h':
            return MAV2_EXIT_OK;
        default:
            return MAV2_EXIT_USAGE;
        }
    }
    if (entity_s == NULL)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--entity-id is required");
    if (!mav2_cli_u32(self, "--entity-id", entity_s, &entity))
        return MAV2_EXIT_USAGE;
    if (lane_s != NULL && !mav2_u256_parse(&lane, lane_s))
        return mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, "--nonce-key");
    if (seq_s != NULL && (!mav2_u256_parse(&seq_v, seq_s) || !mav2_u256_to_u64(&seq_v, &seq)))
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--sequence: \"%s\" is not a number below 2^64",
                             seq_s);
    if (!mav2_nonce_key(&key, &lane, entity, options))
        return mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, "--nonce-key");
    mav2_u256_to_hex(&key, key_hex);
    if (seq_s != NULL && !mav2_nonce_full(&nonce, &key, seq))
        return mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, "--sequence");
    if (!json) {
        if (seq_s == NULL)
            return mav2_cli_print(self, key_hex);
        mav2_u256_to_hex(&nonce, nonce_hex);
        rc = mav2_cli_print(self, key_hex);
        return rc != 0 ? rc : mav2_cli_print(self, nonce_hex);
    }
    {
        json_object *o = json_object_new_object();
        mav2_u256_to_be32(&key, be);
        mh_hex_encode(be + 8, 24, key192, sizeof(key192), 1);
        json_object_object_add(o, "nonceKey", json_object_new_string(key_hex));
        json_object_object_add(o, "nonceKeyUint192", json_object_new_string(key192));
        json_object_object_add(o, "entityId", json_object_new_int64(entity));
        json_object_object_add(o, "global", json_object_new_boolean(options & MAV2_NONCE_GLOBAL));
        if (seq_s != NULL) {
            mav2_u256_to_hex(&nonce, nonce_hex);
            json_object_object_add(o, "nonce", json_object_new_string(nonce_hex));
        }
        rc = mav2_cli_print(self, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
        json_object_put(o);
    }
    return rc;
}
