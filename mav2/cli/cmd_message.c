/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_message.c: `mav2 sign-message`: an ERC-1271 signature of the account made by a
 * session key (entity != 0) or the semi-modular owner (entity 0), optionally checked
 * with the account's isValidSignature. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "common/hex.h"
#include "common/keccak.h"
#include "mav2/core/abi.h"
#include "mav2/core/account.h"
#include "mav2/core/address.h"
#include "mav2/cli/guard_cli.h"
#include "mav2/cli/online.h"
#include "mav2/cli/session_keys.h"
#include "mav2/core/error.h"
#include "mav2/keys/signer.h"
#include "mav2/core/u256.h"

#define MAX_MESSAGE (1u << 20)

static const uint8_t erc1271_magic[4] = {0x16, 0x26, 0xba, 0x7e};

const char mav2_help_sign_message[] =
    "NAME\n"
    "    mav2 sign-message - sign a message as the account (ERC-1271)\n"
    "\n"
    "SYNOPSIS\n"
    "    mav2 sign-message --account ADDR --key URI|FILE --entity-id N\n"
    "        (--chain-id C | --rpc-url URL)\n"
    "        (--message TEXT | --message-hex HEX | --hash HASH)\n"
    "        [--rpc-url URL] [--pin-source FILE] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    The hash is the EIP-191 personal-message hash of the message\n"
    "    (keccak256(\"\\x19Ethereum Signed Message:\\n\" || len || message), as the\n"
    "    reference client's signMessage does), or --hash as given (32 bytes).\n"
    "    The key signs the account's ReplaySafeHash of it (EIP-712; entity 0: the\n"
    "    semi-modular owner, domain (chainId, account); else domain (chainId,\n"
    "    SingleSignerValidationModule, salt = account)) and the signature is\n"
    "    0x00 || uint32 entityId || 0xFF || 0x00 || r || s || v (72 bytes).\n"
    "    With --rpc-url the account's isValidSignature(hash, signature) is called\n"
    "    (eth_call) and a refusal is an error; the chain id then defaults to the\n"
    "    node's (a different --chain-id is refused).\n"
    "\n"
    "OPTIONS\n"
    "    --account ADDR       the modular account\n"
    "    --key URI|FILE       the session key (or the owner's key for entity 0)\n"
    "    --entity-id N        the validation entity the key is installed at\n"
    "    --chain-id C         chain id, decimal or 0x-hex\n"
    "    --message TEXT       the message (its bytes as given)\n"
    "    --message-hex HEX    the message as hex bytes\n"
    "    --hash HASH          a 32-byte hash, signed without EIP-191\n"
    "    --rpc-url URL        node: check with isValidSignature\n"
    "    --pin-source FILE    PIN or PEM passphrase, first line of FILE\n"
    "    --json               {\"signature\", \"hash\", \"replaySafeHash\", \"entityId\",\n"
    "                         \"chainId\", \"checked\"}\n"
    "\n"
    "OUTPUT\n"
    "    The signature (0x...), then \"hash 0x...\", \"replaySafeHash 0x...\" and,\n"
    "    with --rpc-url, \"isValidSignature 0x1626ba7e\".\n"
    "\n" MAV2_CLI_LEDGER_HELP "\n"
    "EXIT STATUS\n"
    "    0 ok, 1 usage error, 2 key error, 3 the account refused the signature\n"
    "    (or the node the call), 5 network error, 6 the audit ledger\n"
    "\n"
    "EXAMPLES\n"
    "    mav2 sign-message --account 0xAcc... --key 'pkcs11:token=hsm;object=sk1' \\\n"
    "      --entity-id 1 --message hello --rpc-url $RPC\n";

/* keccak256("\x19Ethereum Signed Message:\n" || decimal len || msg) */
static void eip191_message_hash(const uint8_t *msg, size_t len, uint8_t out[32])
{
    char prefix[64];
    mh_keccak256_ctx c;
    int n = snprintf(prefix, sizeof(prefix),
                     "\x19"
                     "Ethereum Signed Message:\n%zu",
                     len);

    mh_keccak256_init(&c);
    mh_keccak256_update(&c, prefix, (size_t)n);
    mh_keccak256_update(&c, msg, len);
    mh_keccak256_final(&c, out);
}

/* eth_chainId of the node (not 0) into *out; returns an exit code. */
static int node_chain_id(const mav2_cli_cmd *self, mav2_rpc *node, uint64_t *out)
{
    int rc = mav2_cli_chain_of(self, node, out);
    if (rc == MAV2_EXIT_OK && *out == 0)
        rc = mav2_cli_fail(self, MAV2_EXIT_NETWORK, "eth_chainId: the answer is not a chain id");
    return rc;
}

/* Why an isValidSignature eth_call reverted, from the revert data in the error. */
static const char *revert_reason(const mav2_rpc_error *e)
{
    const char *d = e->data != NULL ? e->data : "";

    if (strstr(d, "07391694") != NULL || strstr(e->message, "07391694") != NULL)
        return "the validation at this entity is not installed for ERC-1271 signatures "
               "(SignatureValidationInvalid)";
    if (strstr(d, "cf7b49f6") != NULL || strstr(e->message, "cf7b49f6") != NULL)
        return "no validation at this entity (ValidationFunctionMissing)";
    return NULL;
}

/* isValidSignature(hash, sig) on the account must return the ERC-1271 magic value. */
static int check_on_chain(const mav2_cli_cmd *self, mav2_rpc *node, const uint8_t account[20],
                          const uint8_t hash[32], const uint8_t sig[MAV2_1271_SIG_LEN])
{
    mav2_buf q = MAV2_BUF_INIT, ans = MAV2_BUF_INIT;
    mav2_abi *e = mav2_abi_new();
    json_object *params, *res = NULL;
    char got[11] = "";
    const char *r;
    const uint8_t *out;
    size_t n;
    int ok, rc = MAV2_EXIT_OK;

    if (e == NULL)
        return mav2_cli_fail(self, MAV2_EXIT_INTERNAL, "out of memory");
    mav2_abi_word(e, hash);
    mav2_abi_bytes(e, sig, MAV2_1271_SIG_LEN);
    if (!mav2_abi_finish_call(e, erc1271_magic, &q))
        return mav2_cli_fail_lib(self, MAV2_EXIT_INTERNAL, NULL);
    params = mav2_eth_call_params(account, q.data, q.len, NULL);
    mav2_buf_free(&q);
    if (params == NULL)
        return mav2_cli_fail(self, MAV2_EXIT_INTERNAL, "out of memory");
    ok = mav2_rpc_call(node, "eth_call", params, &res);
    json_object_put(params);
    if (!ok) {
        const mav2_rpc_error *er = mav2_rpc_last_error(node);
        if (er->status == MAV2_RPC_E_RPC && (r = revert_reason(er)) != NULL)
            return mav2_cli_fail(self, MAV2_EXIT_REJECTED, "the account refused the signature: %s",
                                 r);
        return mav2_cli_fail(self, mav2_cli_rpc_exit(er), "isValidSignature: %s", er->message);
    }
    ok = mav2_eth_call_answer(res, &ans, "isValidSignature");
    json_object_put(res);
    if (!ok)
        return mav2_cli_fail(self, MAV2_EXIT_NETWORK, "isValidSignature: the answer is not hex");
    out = ans.data;
    n = ans.len;
    if (n < 32 || memcmp(out, erc1271_magic, 4) != 0) {
        if (n >= 32) {
            mh_hex_encode(out, 4, got, sizeof(got), 1);
            rc = mav2_cli_fail(self, MAV2_EXIT_REJECTED,
                               "the account refused the signature: isValidSignature returned %s "
                               "(another signer at this entity, or another chain id?)",
                               got);
        } else {
            rc = mav2_cli_fail(self, MAV2_EXIT_REJECTED,
                               "the account refused the signature: isValidSignature returned %s",
                               n == 0 ? "nothing (is the account deployed?)" : "a short answer");
        }
    }
    mav2_buf_free(&ans);
    return rc;
}

typedef struct {
    const char *account_s, *key, *entity_s, *chain_s, *msg, *msg_hex, *hash_s, *url, *pin;
    int json;
} msg_args;

static int parse_args(const mav2_cli_cmd *self, int argc, char **argv, msg_args *a)
{
    static const struct option opts[] = {{"account", required_argument, NULL, 'a'},
                                         {"key", required_argument, NULL, 'k'},
                                         {"entity-id", required_argument, NULL, 'e'},
                                         {"chain-id", required_argument, NULL, 'c'},
                                         {"message", required_argument, NULL, 'm'},
                                         {"message-hex", required_argument, NULL, 'x'},
                                         {"hash", required_argument, NULL, 'H'},
                                         {"rpc-url", required_argument, NULL, 'R'},
                                         {"pin-source", required_argument, NULL, 'p'},
                                         {"json", no_argument, NULL, 'j'},
                                         {NULL, 0, NULL, 0}};
    mav2_cli_parser p;
    const char *arg;
    int c;

    memset(a, 0, sizeof(*a));
    mav2_cli_parser_init(&p, self, opts, argc, argv);
    while ((c = mav2_cli_next(&p, &arg)) != -1) {
        const char **slot = c == 'a'   ? &a->account_s
                            : c == 'k' ? &a->key
                            : c == 'e' ? &a->entity_s
                            : c == 'c' ? &a->chain_s
                            : c == 'm' ? &a->msg
                            : c == 'x' ? &a->msg_hex
                            : c == 'H' ? &a->hash_s
                            : c == 'R' ? &a->url
                            : c == 'p' ? &a->pin
                                       : NULL;
        if (slot != NULL)
            *slot = arg;
        else if (c == 'j')
            a->json = 1;
        else
            return c == 'h' ? 'h' : '?';
    }
    return 0;
}

int mav2_cmd_sign_message(const mav2_cli_cmd *self, int argc, char **argv)
{
    msg_args a;
    uint8_t account[20], hash[32], rsh[32], sig65[MAV2_SIG65_LEN], sig[MAV2_1271_SIG_LEN];
    char sig_hex[2 * MAV2_1271_SIG_LEN + 3], hash_hex[67], rsh_hex[67];
    uint32_t entity = 0;
    uint64_t chain = 0, node_chain = 0;
    mav2_rpc *node = NULL;
    mav2_signer *signer = NULL;
    mav2_cli_guard lg;
    const char *why = NULL;
    int rc = parse_args(self, argc, argv, &a), inputs;

    if (rc != 0)
        return rc == 'h' ? MAV2_EXIT_OK : MAV2_EXIT_USAGE;
    if (!mav2_cli_require(self, "--account", a.account_s, "--key", a.key, "--entity-id", a.entity_s,
                          (const char *)NULL))
        return MAV2_EXIT_USAGE;
    inputs = (a.msg != NULL) + (a.msg_hex != NULL) + (a.hash_s != NULL);
    if (inputs != 1)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE,
                             "give exactly one of --message, --message-hex, --hash");
    if (a.chain_s == NULL && a.url == NULL)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--chain-id (or --rpc-url) is required");
    if (!mav2_cli_address(self, "--account", a.account_s, account) ||
        !mav2_cli_u32(self, "--entity-id", a.entity_s, &entity) ||
        (a.chain_s != NULL && !mav2_cli_chain_id(self, a.chain_s, &chain)))
        return MAV2_EXIT_USAGE;
    if (a.hash_s != NULL) {
        if (!mh_hex_decode_exact(a.hash_s, hash, 32, &why))
            return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--hash: not 32 bytes of hex (%s)",
                                 why != NULL ? why : "bad hex");
    } else if (a.msg_hex != NULL) {
        uint8_t *m = NULL;
        size_t n = 0;
        if (!mh_hex_decode_alloc(a.msg_hex, &m, &n, &why) || n > MAX_MESSAGE) {
            free(m);
            return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--message-hex: not hex (%s)",
                                 why != NULL ? why : "too long");
        }
        eip191_message_hash(m, n, hash);
        free(m);
    } else {
        eip191_message_hash((const uint8_t *)a.msg, strlen(a.msg), hash);
    }
    if (a.url != NULL) {
        node = mav2_cli_rpc_new(self, "--rpc-url", a.url, NULL);
        if (node == NULL)
            return MAV2_EXIT_USAGE;
        rc = node_chain_id(self, node, &node_chain);
        if (rc == MAV2_EXIT_OK && chain != 0 && chain != node_chain)
            rc = mav2_cli_fail(self, MAV2_EXIT_USAGE,
                               "--chain-id %llu but the node is on chain %llu",
                               (unsigned long long)chain, (unsigned long long)node_chain);
        if (rc != MAV2_EXIT_OK)
            goto out;
        chain = node_chain;
    }
    if (!mav2_replay_safe_hash(hash, chain, account, entity, NULL, rsh)) {
        rc = mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, NULL);
        goto out;
    }
    if ((rc = mav2_cli_ledger_signer(self, a.key, a.pin, &lg, &signer)) != MAV2_EXIT_OK)
        goto out;
    if (!mav2_signer_sign_digest(signer, rsh, sig65) || !mav2_1271_signature(entity, sig65, sig)) {
        rc = mav2_cli_fail_lib(self, MAV2_EXIT_KEY, "--key");
        goto out;
    }
    if ((rc = mav2_cli_ledger_message(self, &lg, chain, account, entity, hash, rsh)) !=
        MAV2_EXIT_OK)
        goto out;
    if (node != NULL && (rc = check_on_chain(self, node, account, hash, sig)) != MAV2_EXIT_OK)
        goto out;
    mh_hex_encode(sig, sizeof(sig), sig_hex, sizeof(sig_hex), 1);
    mh_hex_encode(hash, 32, hash_hex, sizeof(hash_hex), 1);
    mh_hex_encode(rsh, 32, rsh_hex, sizeof(rsh_hex), 1);
    if (a.json) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "signature", json_object_new_string(sig_hex));
        json_object_object_add(o, "hash", json_object_new_string(hash_hex));
        json_object_object_add(o, "replaySafeHash", json_object_new_string(rsh_hex));
        json_object_object_add(o, "entityId", json_object_new_int64(entity));
        json_object_object_add(o, "chainId", json_object_new_int64((int64_t)chain));
        json_object_object_add(o, "checked", json_object_new_boolean(node != NULL));
        rc = mav2_cli_print(self, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
        json_object_put(o);
    } else {
        char text[512];
        snprintf(text, sizeof(text), "%s\nhash %s\nreplaySafeHash %s%s", sig_hex, hash_hex, rsh_hex,
                 node != NULL ? "\nisValidSignature 0x1626ba7e" : "");
        rc = mav2_cli_print(self, text);
    }
out:
    mav2_signer_free(signer);
    mav2_rpc_free(node);
    return rc;
}
