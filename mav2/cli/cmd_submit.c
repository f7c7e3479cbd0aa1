/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_submit.c: the online halves of offline signing: `mav2 send --unsigned-out FILE`
 * (the op built and estimated, written unsigned) and `mav2 submit FILE` (an op signed
 * elsewhere, e.g. by `mav2 sign`, journaled, sent, awaited as `mav2 receipt` does). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "common/hex.h"
#include "mav2/core/account.h"
#include "mav2/core/address.h"
#include "mav2/cli/cli.h"
#include "mav2/cli/online.h"
#include "mav2/core/error.h"
#include "mav2/net/journal.h"
#include "mav2/core/userop.h"

#define USEROP_MAX (4u << 20)

const char mav2_help_submit[] =
    "NAME\n"
    "    mav2 submit - send a user operation signed elsewhere and wait for it\n"
    "\n"
    "SYNOPSIS\n"
    "    mav2 submit FILE|- --rpc-url URL [--bundler-url URL] [--entry-point ADDR]\n"
    "                [--chain-id N] [--timeout S] [--poll MS] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    FILE holds one signed user operation in the JSON-RPC form (what mav2 sign\n"
    "    prints for the op written by mav2 send --unsigned-out). Its userOpHash is\n"
    "    computed for the node's chain, the op is journaled like mav2 send's (so mav2\n"
    "    receipt --account ... and mav2 send resume it), sent with\n"
    "    eth_sendUserOperation, and its receipt awaited. Nothing is signed here.\n"
    "\n"
    "OPTIONS\n"
    "    --rpc-url URL        the node (chain id); also the bundler unless --bundler-url\n"
    "    --bundler-url URL    the ERC-4337 bundler\n"
    "    --entry-point ADDR   default 0x0000000071727De22E5E9d8BAf0edAc6f37da032 (v0.7)\n"
    "    --chain-id N         refuse a node on another chain\n"
    "    --timeout, --poll, --json  as mav2 send\n"
    "    --help               this text\n"
    "\n"
    "OUTPUT / EXIT STATUS\n"
    "    As mav2 send: the userOpHash first, then the receipt.\n"
    "\n"
    "EXAMPLES\n"
    "    mav2 send --rpc-url $RPC --account 0xAcc... --entity-id 1 --global \\\n"
    "      --call 0xd8dA...,1gwei --unsigned-out op.json\n"
    "    mav2 sign --userop op.json --chain-id 1 --key 'pkcs11:...' > signed.json\n"
    "    mav2 submit signed.json --rpc-url $RPC\n";

int mav2_cli_send_unsigned(const mav2_cli_cmd *cmd, const mav2_cli_net *n, mav2_rpc *node,
                           mav2_rpc *bundler, mav2_send_params *p, const char *path)
{
    mav2_send_result r;
    char hash[67], ep[MAV2_ADDRESS_STR_MAX];
    const char *text;
    uint64_t chain = 0;
    int rc;
    FILE *f;

    (void)n;
    p->unsigned_only = 1;
    p->no_journal = 1;
    p->sign = NULL;
    if (!mav2_cli_send_defaults(cmd, p))
        return MAV2_EXIT_USAGE;
    if (!mav2_send(node, bundler, p, &r)) {
        rc = r.outcome == MAV2_SEND_REJECTED  ? MAV2_EXIT_REJECTED
             : r.outcome == MAV2_SEND_NETWORK ? MAV2_EXIT_NETWORK
                                              : MAV2_EXIT_USAGE;
        mav2_cli_fail_lib(cmd, rc, NULL);
        goto out;
    }
    if ((rc = mav2_cli_chain_of(cmd, node, &chain)) != MAV2_EXIT_OK)
        goto out;
    text = r.user_op;
    f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
    if (f == NULL || fprintf(f, "%s\n", text) < 0 || (f != stdout ? fclose(f) : fflush(f)) != 0) {
        rc = mav2_cli_fail(cmd, MAV2_EXIT_INTERNAL, "--unsigned-out: cannot write %s", path);
        goto out;
    }
    mh_hex_encode(r.user_op_hash, 32, hash, sizeof(hash), 1);
    mav2_address_format(p->entry_point ? p->entry_point : mav2_entry_point_v07, ep);
    fprintf(stderr,
            "mav2 %s: unsigned op written to %s (nothing sent): chain id %llu, entry point "
            "%s, entity %u, userOpHash %s\n"
            "mav2 %s: sign it with mav2 sign --userop %s --chain-id %llu%s%s --key ..., then "
            "mav2 submit\n",
            cmd->name, path, (unsigned long long)chain, ep, p->entity_id, hash, cmd->name, path,
            (unsigned long long)chain, p->entry_point ? " --entry-point " : "",
            p->entry_point ? ep : "");
    if (strcmp(path, "-") != 0 &&
        (printf("userOpHash %s\nchainId %llu\nentryPoint %s\nentityId %u\n", hash,
                (unsigned long long)chain, ep, p->entity_id) < 0 ||
         fflush(stdout) == EOF))
        rc = mav2_cli_fail(cmd, MAV2_EXIT_INTERNAL, "cannot write the output");
out:
    mav2_send_result_clear(&r);
    return rc;
}

/* eth_sendUserOperation(op, ep); the bundler's hash must be ours. Exit code. */
static int send_op(const mav2_cli_cmd *cmd, mav2_rpc *bundler, json_object *op,
                   const uint8_t ep[20], uint32_t entity, const uint8_t hash[32])
{
    json_object *params = json_object_new_array(), *res = NULL;
    char eps[MAV2_ADDRESS_STR_MAX], why[512];
    uint8_t got[32];
    int ok;

    mav2_address_format(ep, eps);
    json_object_array_add(params, json_object_get(op));
    json_object_array_add(params, json_object_new_string(eps));
    ok = mav2_rpc_call(bundler, "eth_sendUserOperation", params, &res);
    json_object_put(params);
    if (!ok) {
        const mav2_rpc_error *e = mav2_rpc_last_error(bundler);
        if (e->status == MAV2_RPC_E_RPC && strstr(e->message, "lready known") != NULL)
            return MAV2_EXIT_OK;
        mav2_explain_error(e, entity, why, sizeof(why));
        return mav2_cli_fail(cmd, mav2_cli_rpc_exit(e), "eth_sendUserOperation: %s", why);
    }
    ok = json_object_is_type(res, json_type_string) &&
         mh_hex_decode_exact(json_object_get_string(res), got, 32, NULL);
    json_object_put(res);
    if (!ok)
        return mav2_cli_fail(cmd, MAV2_EXIT_NETWORK,
                             "eth_sendUserOperation: the answer is not a 32-byte hash");
    if (memcmp(got, hash, 32) != 0)
        return mav2_cli_fail(cmd, MAV2_EXIT_REJECTED,
                             "the bundler's userOpHash differs from ours (other entry point "
                             "or chain?)");
    return MAV2_EXIT_OK;
}

int mav2_cmd_submit(const mav2_cli_cmd *self, int argc, char **argv)
{
    static const struct option opts[] = {MAV2_CLI_NET_OPTS,
                                         {"entry-point", required_argument, NULL, 'e'},
                                         {"chain-id", required_argument, NULL, 'c'},
                                         {NULL, 0, NULL, 0}};
    const char *arg, *file = NULL, *ep_s = NULL, *chain_s = NULL;
    char *text = NULL, hex[67], dir[4096];
    uint8_t ep[20], hash[32], nb[32];
    uint64_t want = 0, chain = 0;
    uint32_t entity = 0;
    uint8_t options = 0;
    int c, h, rc = MAV2_EXIT_USAGE;
    mav2_cli_parser ps;
    mav2_cli_net net;
    mav2_userop op;
    json_object *obj = NULL;
    mav2_journal_entry je;
    mav2_rpc *node = NULL, *bundler = NULL;
    mav2_u256 key, lane;

    mav2_userop_init(&op);
    memset(&je, 0, sizeof(je));
    mav2_cli_net_init(&net);
    if (argc > 1 && argv[1][0] != '-') {
        file = argv[1];
        argc--;
        argv++;
    } else if (argc > 1 && strcmp(argv[1], "-") == 0) {
        file = "-";
        argc--;
        argv++;
    }
    mav2_cli_parser_init(&ps, self, opts, argc, argv);
    while ((c = mav2_cli_next(&ps, &arg)) != -1) {
        if ((h = mav2_cli_net_opt(self, &net, c, arg)) != 0) {
            if (h == 2)
                return MAV2_EXIT_USAGE;
            continue;
        }
        switch (c) {
        case 'e':
            ep_s = arg;
            break;
        case 'c':
            chain_s = arg;
            break;
        case 'h':
            return MAV2_EXIT_OK;
        default:
            return MAV2_EXIT_USAGE;
        }
    }
    if (!mav2_cli_apply_settings(self, &net, NULL, NULL, NULL))
        return MAV2_EXIT_USAGE;
    if (file == NULL || net.rpc_url == NULL)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "give the signed op FILE and --rpc-url");
    memcpy(ep, mav2_entry_point_v07, 20);
    if ((ep_s != NULL && !mav2_cli_address(self, "--entry-point", ep_s, ep)) ||
        (chain_s != NULL && !mav2_cli_chain_id(self, chain_s, &want)))
        return MAV2_EXIT_USAGE;
    if ((text = mav2_cli_read_input(self, "the user op", file, USEROP_MAX, NULL)) == NULL)
        return MAV2_EXIT_USAGE;
    if ((obj = json_tokener_parse(text)) == NULL || !mav2_userop_from_json(&op, obj)) {
        rc = obj == NULL ? mav2_cli_fail(self, MAV2_EXIT_USAGE, "%s: not JSON", file)
                         : mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, file);
        goto out;
    }
    /* key192 = nonce >> 64: entity and options for the error sentences and mav2 receipt */
    mav2_u256_to_be32(&op.nonce, nb);
    mav2_u256_from_be(&key, nb, 24);
    mav2_nonce_key_parts(&key, &lane, &entity, &options);
    if (!mav2_cli_net_open(self, &net, &node, &bundler))
        goto out;
    if ((rc = mav2_cli_chain_of(self, node, &chain)) != MAV2_EXIT_OK)
        goto out;
    if (want != 0 && want != chain) {
        rc = mav2_cli_fail(self, MAV2_EXIT_USAGE, "--chain-id %llu but the node is on chain %llu",
                           (unsigned long long)want, (unsigned long long)chain);
        goto out;
    }
    if (memcmp(ep, mav2_entry_point_v08, 20) == 0 ? !mav2_userop_hash_v08(&op, ep, chain, hash)
                                                  : !mav2_userop_hash(&op, ep, chain, hash)) {
        rc = mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, file);
        goto out;
    }
    /* journaled before it is sent, as mav2 send does */
    je.chain_id = chain;
    memcpy(je.account, op.sender, 20);
    je.nonce_key = key;
    je.nonce = op.nonce;
    memcpy(je.user_op_hash, hash, 32);
    memcpy(je.op_hash, hash, 32);
    memcpy(je.entry_point, ep, 20);
    snprintf(je.bundler, sizeof(je.bundler), "%s", mav2_rpc_url_redacted(bundler));
    je.user_op = json_object_get(obj);
    if (!mav2_journal_default_dir(dir, sizeof(dir)) || !mav2_journal_put(dir, &je)) {
        rc = mav2_cli_fail_lib(self, MAV2_EXIT_INTERNAL,
                               "not sending (the journal protects against double sends)");
        goto out;
    }
    if ((rc = send_op(self, bundler, obj, ep, entity, hash)) != MAV2_EXIT_OK) {
        if (rc == MAV2_EXIT_REJECTED) /* refused: it will never be included */
            mav2_journal_remove(dir, chain, op.sender, &key);
        goto out;
    }
    mh_hex_encode(hash, 32, hex, sizeof(hex), 1);
    fprintf(stderr, "mav2 %s: user op %s accepted by the bundler\n", self->name, hex);
    /* then what `mav2 receipt --account ...` does */
    fprintf(stderr, "mav2 %s: the journal has a pending user op for this account and key\n",
            self->name);
    {
        mav2_cli_journaled jr = {dir, chain, op.sender, &key};
        rc = mav2_cli_await(self, &net, bundler, hash, &jr);
    }
out:
    mav2_cli_net_close(node, bundler);
    mav2_journal_entry_clear(&je);
    json_object_put(obj);
    mav2_userop_clear(&op);
    free(text);
    return rc;
}
