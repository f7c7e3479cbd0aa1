/* SPDX-License-Identifier: Apache-2.0 */
/* sign_message.c: `mav2 sign-message`: an ERC-1271 signature of the account made by a
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

/* What the command line says. */
typedef struct {
    const char *account, *key, *entity, *chain, *msg, *msg_hex, *hash, *url, *pin;
    int json;
} msg_opts;

static const mav2_cli_opt msg_table[] = {
    MAV2_OPT_STR_REQ("account", "ADDR", msg_opts, account, "the modular account"),
    MAV2_OPT_STR_REQ("key", "URI|FILE", msg_opts, key,
                     "the session key (or the owner's key for entity 0)"),
    MAV2_OPT_STR_REQ("entity-id", "N", msg_opts, entity,
                     "the validation entity the key is installed at"),
    MAV2_OPT_STR("chain-id", "C", msg_opts, chain, "chain id, decimal or 0x-hex"),
    MAV2_OPT_STR("message", "TEXT", msg_opts, msg, "the message (its bytes as given)"),
    MAV2_OPT_STR("message-hex", "HEX", msg_opts, msg_hex, "the message as hex bytes"),
    MAV2_OPT_STR("hash", "HASH", msg_opts, hash, "a 32-byte hash, signed without EIP-191"),
    MAV2_OPT_STR("rpc-url", "URL", msg_opts, url, "node: check with isValidSignature"),
    MAV2_OPT_STR("pin-source", "FILE", msg_opts, pin, "PIN or PEM passphrase, first line of FILE"),
    MAV2_OPT_FLAG_("json", msg_opts, json,
                   "{\"signature\", \"hash\", \"replaySafeHash\", \"entityId\",\n"
                   "\"chainId\", \"checked\"}"),
    MAV2_OPT_END_};

const mav2_cli_page mav2_page_sign_message = {
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
    "OPTIONS\n",
    msg_table,
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
    "      --entity-id 1 --message hello --rpc-url $RPC\n"};

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
static int check_on_chain(const mav2_cli_cmd *self, mav2_rpc *node,
                          const uint8_t account[MAV2_ADDRESS_LEN], const uint8_t hash[32],
                          const uint8_t sig[MAV2_1271_SIG_LEN])
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

/* The command line into o, checked: account, entity and chain id (0: the node's)
 * parsed. Exit code, MAV2_CLI_PARSED to go on. */
static int msg_args(const mav2_cli_cmd *self, msg_opts *o, int argc, char **argv,
                    uint8_t account[MAV2_ADDRESS_LEN], uint32_t *entity, uint64_t *chain)
{
    int rc;

    memset(o, 0, sizeof(*o));
    if ((rc = mav2_cli_opts_parse(self, o, argc, argv)) != MAV2_CLI_PARSED)
        return rc;
    if ((o->msg != NULL) + (o->msg_hex != NULL) + (o->hash != NULL) != 1)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE,
                             "give exactly one of --message, --message-hex, --hash");
    if (o->chain == NULL && o->url == NULL)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--chain-id (or --rpc-url) is required");
    if (!mav2_cli_address(self, "--account", o->account, account) ||
        !mav2_cli_u32(self, "--entity-id", o->entity, entity) ||
        (o->chain != NULL && !mav2_cli_chain_id(self, o->chain, chain)))
        return MAV2_EXIT_USAGE;
    return MAV2_CLI_PARSED;
}

/* The hash signed: --hash, or the EIP-191 hash of --message-hex or --message. Exit code. */
static int msg_hash(const mav2_cli_cmd *self, const msg_opts *o, uint8_t hash[32])
{
    const char *why = NULL;
    uint8_t *m = NULL;
    size_t n = 0;

    if (o->hash != NULL) {
        if (!mh_hex_decode_exact(o->hash, hash, 32, &why))
            return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--hash: not 32 bytes of hex (%s)",
                                 why != NULL ? why : "bad hex");
    } else if (o->msg_hex != NULL) {
        if (!mh_hex_decode_alloc(o->msg_hex, &m, &n, &why) || n > MAX_MESSAGE) {
            free(m);
            return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--message-hex: not hex (%s)",
                                 why != NULL ? why : "too long");
        }
        eip191_message_hash(m, n, hash);
        free(m);
    } else {
        eip191_message_hash((const uint8_t *)o->msg, strlen(o->msg), hash);
    }
    return MAV2_EXIT_OK;
}

/* With --rpc-url: the node into *node and its chain id into *chain (checked against
 * --chain-id when given). Exit code. */
static int msg_node(const mav2_cli_cmd *self, const msg_opts *o, mav2_rpc **node, uint64_t *chain)
{
    uint64_t node_chain = 0;
    int rc;

    if (o->url == NULL)
        return MAV2_EXIT_OK;
    if ((*node = mav2_cli_rpc_new(self, "--rpc-url", o->url, NULL)) == NULL)
        return MAV2_EXIT_USAGE;
    if ((rc = node_chain_id(self, *node, &node_chain)) != MAV2_EXIT_OK)
        return rc;
    if (*chain != 0 && *chain != node_chain)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--chain-id %llu but the node is on chain %llu",
                             (unsigned long long)*chain, (unsigned long long)node_chain);
    *chain = node_chain;
    return MAV2_EXIT_OK;
}

/* The signature and the hashes printed (checked: isValidSignature said yes). */
static int msg_print(const mav2_cli_cmd *self, int json, const uint8_t sig[MAV2_1271_SIG_LEN],
                     const uint8_t hash[32], const uint8_t rsh[32], uint32_t entity, uint64_t chain,
                     int checked)
{
    char sig_hex[2 * MAV2_1271_SIG_LEN + 3], hash_hex[67], rsh_hex[67];
    mav2_cli_result r;

    mh_hex_encode(sig, MAV2_1271_SIG_LEN, sig_hex, sizeof(sig_hex), 1);
    mh_hex_encode(hash, 32, hash_hex, sizeof(hash_hex), 1);
    mh_hex_encode(rsh, 32, rsh_hex, sizeof(rsh_hex), 1);
    mav2_cli_result_init(&r, json);
    mav2_cli_result_str(&r, "signature", "", sig_hex);
    mav2_cli_result_str(&r, "hash", "hash", hash_hex);
    mav2_cli_result_str(&r, "replaySafeHash", "replaySafeHash", rsh_hex);
    mav2_cli_result_int(&r, "entityId", NULL, entity);
    mav2_cli_result_int(&r, "chainId", NULL, (int64_t)chain);
    mav2_cli_result_bool(&r, "checked", NULL, checked);
    if (checked)
        mav2_cli_result_line(&r, "isValidSignature 0x1626ba7e");
    return mav2_cli_result_print(self, &r);
}

int mav2_cmd_sign_message(const mav2_cli_cmd *self, int argc, char **argv)
{
    msg_opts o;
    uint8_t account[MAV2_ADDRESS_LEN], hash[32], rsh[32], sig65[MAV2_SIG65_LEN];
    uint8_t sig[MAV2_1271_SIG_LEN];
    uint32_t entity = 0;
    uint64_t chain = 0;
    mav2_rpc *node = NULL;
    mav2_signer *signer = NULL;
    mav2_cli_guard lg;
    int rc;

    if ((rc = msg_args(self, &o, argc, argv, account, &entity, &chain)) != MAV2_CLI_PARSED)
        return rc;
    if ((rc = msg_hash(self, &o, hash)) != MAV2_EXIT_OK ||
        (rc = msg_node(self, &o, &node, &chain)) != MAV2_EXIT_OK)
        goto out;
    if (!mav2_replay_safe_hash(hash, chain, account, entity, NULL, rsh)) {
        rc = mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, NULL);
        goto out;
    }
    if ((rc = mav2_cli_ledger_signer(self, o.key, o.pin, &lg, &signer)) != MAV2_EXIT_OK)
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
    rc = msg_print(self, o.json, sig, hash, rsh, entity, chain, node != NULL);
out:
    mav2_signer_free(signer);
    mav2_rpc_free(node);
    return rc;
}
