/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_userop.c: user operations offline: hash, sign (the air-gapped path). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "common/hex.h"
#include "mav2/core/account.h"
#include "mav2/core/address.h"
#include "mav2/cli/cli.h"
#include "mav2/cli/guard_cli.h"
#include "mav2/core/error.h"
#include "mav2/keys/signer.h"
#include "mav2/core/userop.h"
#include "mav2/core/userop_json.h"

#define USEROP_MAX (4u << 20)

const char mav2_help_hash[] =
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
    "OPTIONS\n"
    "    --userop FILE|-      the user operation (- reads stdin)\n"
    "    --chain-id N         chain id, decimal or 0x-hex\n"
    "    --entry-point ADDR   default 0x0000000071727De22E5E9d8BAf0edAc6f37da032 (v0.7)\n"
    "    --json               {\"userOpHash\": ..., \"entryPoint\": ..., \"chainId\": N}\n"
    "    --help               this text\n"
    "\n"
    "EXIT STATUS\n"
    "    0 ok, 1 usage error or bad input\n"
    "\n"
    "EXAMPLES\n"
    "    mav2 hash --userop op.json --chain-id 11155111\n";

const char mav2_help_sign[] =
    "NAME\n"
    "    mav2 sign - sign a user operation with a session key, offline\n"
    "\n"
    "SYNOPSIS\n"
    "    mav2 sign --userop FILE|- --key URI|FILE --chain-id N [--entry-point ADDR]\n"
    "              [--pin-source FILE] [--signature-only | --json]\n"
    "\n"
    "DESCRIPTION\n"
    "    Computes the op's v0.7 userOpHash (see mav2 hash), signs the EIP-191\n"
    "    personal-message hash of it with the key (low s, v = 27/28, checked by\n"
    "    public-key recovery before it is printed) and prints the op with its\n"
    "    signature field set to the 67-byte MAv2 session-key signature\n"
    "    0xFF || 0x00 || r || s || v, as one line of JSON ready for\n"
    "    eth_sendUserOperation. The nonce must already carry the nonce key of the\n"
    "    validation that will check the signature (see mav2 nonce-key).\n"
    "    Nothing goes to the network: this is the air-gapped signing path\n"
    "    (build and hash online, sign here, send the output elsewhere).\n"
    "\n"
    "OPTIONS\n"
    "    --userop FILE|-      the user operation (- reads stdin); its signature is\n"
    "                         replaced\n"
    "    --key URI|FILE       the session key (see KEYS in mav2 --help)\n"
    "    --chain-id N         chain id, decimal or 0x-hex\n"
    "    --entry-point ADDR   default 0x0000000071727De22E5E9d8BAf0edAc6f37da032 (v0.7)\n"
    "    --pin-source FILE    PIN or PEM passphrase, first line of FILE (prefer a\n"
    "                         pin-source in the URI or the provider configuration)\n"
    "    --signature-only     print only the 67-byte signature (0x-hex)\n"
    "    --json               {\"userOp\": {...}, \"userOpHash\": ..., \"signature\": ...,\n"
    "                         \"signer\": \"0x...\"}\n"
    "    --help               this text\n"
    "\n" MAV2_CLI_LEDGER_HELP "\n"
    "EXIT STATUS\n"
    "    0 ok, 1 usage error or bad input, 2 key or token error (see mav2 --help),\n"
    "    6 the audit ledger\n"
    "\n"
    "EXAMPLES\n"
    "    mav2 sign --userop op.json --chain-id 1 \\\n"
    "        --key 'pkcs11:token=hsm;object=sk1?pin-source=file:/run/secrets/pin'\n";

typedef struct {
    const char *userop, *chain, *entry_point, *key, *pin;
    int json, sig_only;
} userop_args;

static int parse_args(const mav2_cli_cmd *self, int argc, char **argv, int signing, userop_args *a)
{
    static const struct option hash_opts[] = {{"userop", required_argument, NULL, 'u'},
                                              {"chain-id", required_argument, NULL, 'c'},
                                              {"entry-point", required_argument, NULL, 'e'},
                                              {"json", no_argument, NULL, 'j'},
                                              {NULL, 0, NULL, 0}};
    static const struct option sign_opts[] = {{"userop", required_argument, NULL, 'u'},
                                              {"chain-id", required_argument, NULL, 'c'},
                                              {"entry-point", required_argument, NULL, 'e'},
                                              {"key", required_argument, NULL, 'k'},
                                              {"pin-source", required_argument, NULL, 'p'},
                                              {"signature-only", no_argument, NULL, 's'},
                                              {"json", no_argument, NULL, 'j'},
                                              {NULL, 0, NULL, 0}};
    mav2_cli_parser p;
    const char *arg;
    int c;

    memset(a, 0, sizeof(*a));
    mav2_cli_parser_init(&p, self, signing ? sign_opts : hash_opts, argc, argv);
    while ((c = mav2_cli_next(&p, &arg)) != -1) {
        switch (c) {
        case 'u':
            a->userop = arg;
            break;
        case 'c':
            a->chain = arg;
            break;
        case 'e':
            a->entry_point = arg;
            break;
        case 'k':
            a->key = arg;
            break;
        case 'p':
            a->pin = arg;
            break;
        case 's':
            a->sig_only = 1;
            break;
        case 'j':
            a->json = 1;
            break;
        case 'h':
            return 'h';
        default:
            return '?';
        }
    }
    if (a->userop == NULL)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--userop is required"), '?';
    if (a->chain == NULL)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--chain-id is required"), '?';
    if (signing && a->key == NULL)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--key is required"), '?';
    if (a->sig_only && a->json)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE,
                             "--signature-only and --json exclude each other"),
               '?';
    return 0;
}

/* Reads, parses and hashes the op named by a. Returns 0 or an exit code. */
static int load_and_hash(const mav2_cli_cmd *self, const userop_args *a, mav2_userop *op,
                         uint8_t entry_point[20], uint64_t *chain_id, uint8_t hash[32])
{
    char *text;
    int ok;

    mav2_userop_init(op);
    if (!mav2_cli_chain_id(self, a->chain, chain_id))
        return MAV2_EXIT_USAGE;
    if (a->entry_point == NULL)
        memcpy(entry_point, mav2_entry_point_v07, 20);
    else if (!mav2_cli_address(self, "--entry-point", a->entry_point, entry_point))
        return MAV2_EXIT_USAGE;
    text = mav2_cli_read_input(self, "--userop", a->userop, USEROP_MAX, NULL);
    if (text == NULL)
        return MAV2_EXIT_USAGE;
    ok = mav2_userop_from_json_string(op, text);
    free(text);
    if (!ok)
        return mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, "--userop");
    if (!mav2_userop_hash(op, entry_point, *chain_id, hash))
        return mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, "--userop");
    return 0;
}

int mav2_cmd_hash(const mav2_cli_cmd *self, int argc, char **argv)
{
    userop_args a;
    mav2_userop op;
    uint8_t ep[20], hash[32];
    uint64_t chain_id;
    char hex[67], ep_s[MAV2_ADDRESS_STR_MAX];
    int rc;

    rc = parse_args(self, argc, argv, 0, &a);
    if (rc != 0)
        return rc == 'h' ? MAV2_EXIT_OK : MAV2_EXIT_USAGE;
    rc = load_and_hash(self, &a, &op, ep, &chain_id, hash);
    mav2_userop_clear(&op);
    if (rc != 0)
        return rc;
    mh_hex_encode(hash, 32, hex, sizeof(hex), 1);
    if (!a.json)
        return mav2_cli_print(self, hex);
    {
        json_object *o = json_object_new_object();
        mav2_address_format(ep, ep_s);
        json_object_object_add(o, "userOpHash", json_object_new_string(hex));
        json_object_object_add(o, "entryPoint", json_object_new_string(ep_s));
        json_object_object_add(o, "chainId", json_object_new_int64((int64_t)chain_id));
        rc = mav2_cli_print(self, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
        json_object_put(o);
    }
    return rc;
}

int mav2_cmd_sign(const mav2_cli_cmd *self, int argc, char **argv)
{
    userop_args a;
    mav2_userop op;
    uint8_t ep[20], hash[32], sig[MAV2_USEROP_SIG_LEN];
    uint64_t chain_id;
    char sig_hex[2 * MAV2_USEROP_SIG_LEN + 3], hash_hex[67];
    mav2_signer *signer = NULL;
    mav2_cli_guard lg;
    json_object *opj = NULL, *o = NULL;
    int rc;

    rc = parse_args(self, argc, argv, 1, &a);
    if (rc != 0)
        return rc == 'h' ? MAV2_EXIT_OK : MAV2_EXIT_USAGE;
    rc = load_and_hash(self, &a, &op, ep, &chain_id, hash);
    if (rc != 0)
        goto done;
    if ((rc = mav2_cli_ledger_signer(self, a.key, a.pin, &lg, &signer)) != MAV2_EXIT_OK)
        goto done;
    if (!mav2_signer_sign_userop(signer, hash, sig)) {
        rc = mav2_cli_fail_lib(self, MAV2_EXIT_KEY, "--key");
        goto done;
    }
    if ((rc = mav2_cli_ledger_op(self, &lg, chain_id, &op, hash)) != MAV2_EXIT_OK)
        goto done;
    mh_hex_encode(sig, sizeof(sig), sig_hex, sizeof(sig_hex), 1);
    if (a.sig_only) {
        rc = mav2_cli_print(self, sig_hex);
        goto done;
    }
    if (!mav2_buf_set(&op.signature, sig, sizeof(sig)) || !mav2_userop_to_json(&op, &opj)) {
        rc = mav2_cli_fail_lib(self, MAV2_EXIT_INTERNAL, NULL);
        goto done;
    }
    if (a.json) {
        mh_hex_encode(hash, 32, hash_hex, sizeof(hash_hex), 1);
        o = json_object_new_object();
        json_object_object_add(o, "userOp", opj);
        opj = NULL;
        json_object_object_add(o, "userOpHash", json_object_new_string(hash_hex));
        json_object_object_add(o, "signature", json_object_new_string(sig_hex));
        json_object_object_add(o, "signer",
                               json_object_new_string(mav2_signer_address_str(signer)));
    }
    rc = mav2_cli_print(
        self, json_object_to_json_string_ext(o != NULL ? o : opj, JSON_C_TO_STRING_PLAIN));
done:
    json_object_put(o);
    json_object_put(opj);
    mav2_signer_free(signer);
    mav2_userop_clear(&op);
    return rc;
}
