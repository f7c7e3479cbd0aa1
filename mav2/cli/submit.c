/* SPDX-License-Identifier: Apache-2.0 */
/* submit.c: `mav2 submit FILE`, the online half of offline signing after
 * `mav2 send --unsigned-out` (send.c): an op signed elsewhere, e.g. by `mav2 sign`,
 * journaled, sent, awaited as `mav2 receipt` does. */
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
#include "mav2/cli/online_opts.h"
#include "mav2/core/error.h"
#include "mav2/net/journal.h"
#include "mav2/core/userop.h"

#define USEROP_MAX (4u << 20)

/* What the command line says. */
typedef struct {
    mav2_cli_net net;
    const char *entry_point, *chain_id;
} submit_opts;

static const mav2_cli_opt submit_table[] = {
    MAV2_OPT_SET("rpc-url", "URL", submit_opts, net.rpc_url, mav2_cli_set_url,
                 "the node (chain id); also the bundler unless --bundler-url"),
    MAV2_OPT_SET("bundler-url", "URL", submit_opts, net.bundler_url, mav2_cli_set_url,
                 "the ERC-4337 bundler"),
    MAV2_OPT_STR("entry-point", "ADDR", submit_opts, entry_point,
                 "default 0x0000000071727De22E5E9d8BAf0edAc6f37da032 (v0.7)"),
    MAV2_OPT_STR("chain-id", "N", submit_opts, chain_id, "refuse a node on another chain"),
    {"timeout", "SECONDS", MAV2_OPT_SETTER, offsetof(submit_opts, net.timeout_s),
     mav2_cli_set_timeout, "as mav2 send", "--timeout, --poll, --json", NULL, 0},
    MAV2_OPT_SET("poll", "MS", submit_opts, net.poll_ms, mav2_cli_set_poll, NULL),
    MAV2_OPT_FLAG_("json", submit_opts, net.json, NULL),
    MAV2_OPT_SET("profile", "NAME", submit_opts, net, mav2_cli_set_profile, NULL),
    MAV2_OPT_SET("chain", "NAME", submit_opts, net, mav2_cli_set_chain, NULL),
    MAV2_OPT_END_};

const mav2_cli_page mav2_page_submit = {
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
    "    It takes its nonce lane as mav2 send does (waiting while another run holds\n"
    "    it) and is refused (exit 1) when the lane's journal holds another op: settle\n"
    "    that one first with mav2 receipt --account ... . The same op again is sent.\n"
    "\n"
    "OPTIONS\n",
    submit_table,
    "\n"
    "OUTPUT / EXIT STATUS\n"
    "    As mav2 send: the userOpHash first, then the receipt.\n"
    "\n"
    "EXAMPLES\n"
    "    mav2 send --rpc-url $RPC --account 0xAcc... --entity-id 1 --global \\\n"
    "      --call 0xd8dA...,1gwei --unsigned-out op.json\n"
    "    mav2 sign --userop op.json --chain-id 1 --key 'pkcs11:...' > signed.json\n"
    "    mav2 submit signed.json --rpc-url $RPC\n"};

/* eth_sendUserOperation(op, ep); the bundler's hash must be ours. Exit code. */
static int send_op(const mav2_cli_cmd *cmd, mav2_rpc *bundler, json_object *op,
                   const uint8_t ep[MAV2_ADDRESS_LEN], uint32_t entity, const uint8_t hash[32])
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

/* The command line into o and *file (FILE or "-" first). Exit code, MAV2_CLI_PARSED
 * to go on. */
static int submit_args(const mav2_cli_cmd *self, submit_opts *o, const char **file, int argc,
                       char **argv, uint8_t ep[MAV2_ADDRESS_LEN], uint64_t *want)
{
    int rc;

    if (argc > 1 && strcmp(argv[1], "-") == 0) {
        *file = "-";
        argc--;
        argv++;
        rc = mav2_cli_opts_parse(self, o, argc, argv);
    } else
        rc = mav2_cli_opts_parse_first(self, o, file, argc, argv);
    if (rc != MAV2_CLI_PARSED)
        return rc;
    if (!mav2_cli_apply_settings(self, &o->net, NULL, NULL, NULL))
        return MAV2_EXIT_USAGE;
    if (*file == NULL || o->net.rpc_url == NULL)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "give the signed op FILE and --rpc-url");
    memcpy(ep, mav2_entry_point_v07, MAV2_ADDRESS_LEN);
    if ((o->entry_point != NULL && !mav2_cli_address(self, "--entry-point", o->entry_point, ep)) ||
        (o->chain_id != NULL && !mav2_cli_chain_id(self, o->chain_id, want)))
        return MAV2_EXIT_USAGE;
    return MAV2_CLI_PARSED;
}

/* The signed op of file into op (and its JSON into *obj, *text); the nonce key and
 * its entity (for the error sentences and the journal). Exit code. */
static int submit_read(const mav2_cli_cmd *self, const char *file, char **text, json_object **obj,
                       mav2_userop *op, mav2_u256 *key, uint32_t *entity)
{
    uint8_t nb[32], options = 0;
    mav2_u256 lane;

    if ((*text = mav2_cli_read_input(self, "the user op", file, USEROP_MAX, NULL)) == NULL)
        return MAV2_EXIT_USAGE;
    if ((*obj = json_tokener_parse(*text)) == NULL || !mav2_userop_from_json(op, *obj))
        return *obj == NULL ? mav2_cli_fail(self, MAV2_EXIT_USAGE, "%s: not JSON", file)
                            : mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, file);
    /* key192 = nonce >> 64: entity and options for the error sentences and mav2 receipt */
    mav2_u256_to_be32(&op->nonce, nb);
    mav2_u256_from_be(key, nb, 24);
    mav2_nonce_key_parts(key, &lane, entity, &options);
    return MAV2_EXIT_OK;
}

/* Refuses when the lane's journal holds another op than hash (under the lane lock). */
static int submit_lane_free(const mav2_cli_cmd *self, const char *dir, uint64_t chain,
                            const mav2_userop *op, const mav2_u256 *key, const uint8_t hash[32])
{
    mav2_journal_entry old;
    int found = 0, same;
    char hex[67], acct[MAV2_ADDRESS_STR_MAX];

    if (!mav2_journal_get(dir, chain, op->sender, key, &old, &found))
        return mav2_cli_fail_lib(self, MAV2_EXIT_INTERNAL, "not sending");
    same = !found || memcmp(old.user_op_hash, hash, 32) == 0;
    if (found)
        mh_hex_encode(old.user_op_hash, 32, hex, sizeof(hex), 1);
    mav2_journal_entry_clear(&old);
    if (same)
        return MAV2_EXIT_OK;
    mav2_address_format(op->sender, acct);
    return mav2_cli_fail(self, MAV2_EXIT_USAGE,
                         "not sending: the journal holds user op %s on this nonce lane; settle it "
                         "first (mav2 receipt --account %s)",
                         hex, acct);
}

/* The op journaled before it is sent, as mav2 send does (dir its journal), under the
 * lane lock (*lock, held on return when the exit code is 0). Exit code. */
static int submit_journal(const mav2_cli_cmd *self, mav2_rpc *bundler, json_object *obj,
                          const mav2_userop *op, const mav2_u256 *key,
                          const uint8_t ep[MAV2_ADDRESS_LEN], uint64_t chain,
                          const uint8_t hash[32], char *dir, size_t cap, int *lock)
{
    mav2_journal_entry je;
    int ok, rc;

    *lock = -1;
    if (!mav2_journal_default_dir(dir, cap) || !mav2_journal_lock(dir, op->sender, key, lock))
        return mav2_cli_fail_lib(self, MAV2_EXIT_INTERNAL, "not sending");
    if ((rc = submit_lane_free(self, dir, chain, op, key, hash)) != MAV2_EXIT_OK) {
        mav2_journal_unlock(*lock);
        *lock = -1;
        return rc;
    }
    memset(&je, 0, sizeof(je));
    je.chain_id = chain;
    memcpy(je.account, op->sender, MAV2_ADDRESS_LEN);
    je.nonce_key = *key;
    je.nonce = op->nonce;
    memcpy(je.user_op_hash, hash, 32);
    memcpy(je.op_hash, hash, 32);
    memcpy(je.entry_point, ep, MAV2_ADDRESS_LEN);
    snprintf(je.bundler, sizeof(je.bundler), "%s", mav2_rpc_url_redacted(bundler));
    je.user_op = json_object_get(obj);
    ok = mav2_journal_put(dir, &je);
    mav2_journal_entry_clear(&je);
    if (ok)
        return MAV2_EXIT_OK;
    mav2_journal_unlock(*lock);
    *lock = -1;
    return mav2_cli_fail_lib(self, MAV2_EXIT_INTERNAL,
                             "not sending (the journal protects against double sends)");
}

/* The node's chain (checked against want, 0: any) and the op's userOpHash for it. */
static int submit_hash(const mav2_cli_cmd *self, mav2_rpc *node, const char *file,
                       const mav2_userop *op, const uint8_t ep[MAV2_ADDRESS_LEN], uint64_t want,
                       uint64_t *chain, uint8_t hash[32])
{
    int rc;

    if ((rc = mav2_cli_chain_of(self, node, chain)) != MAV2_EXIT_OK)
        return rc;
    if (want != 0 && want != *chain)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--chain-id %llu but the node is on chain %llu",
                             (unsigned long long)want, (unsigned long long)*chain);
    if (memcmp(ep, mav2_entry_point_v08, MAV2_ADDRESS_LEN) == 0
            ? !mav2_userop_hash_v08(op, ep, *chain, hash)
            : !mav2_userop_hash(op, ep, *chain, hash))
        return mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, file);
    return MAV2_EXIT_OK;
}

int mav2_cmd_submit(const mav2_cli_cmd *self, int argc, char **argv)
{
    const char *file = NULL;
    char *text = NULL, hex[67], dir[4096];
    uint8_t ep[MAV2_ADDRESS_LEN], hash[32];
    uint64_t want = 0, chain = 0;
    uint32_t entity = 0;
    int rc, lock = -1;
    submit_opts o;
    mav2_userop op;
    json_object *obj = NULL;
    mav2_rpc *node = NULL, *bundler = NULL;
    mav2_u256 key;

    mav2_userop_init(&op);
    memset(&o, 0, sizeof(o));
    mav2_cli_net_init(&o.net);
    if ((rc = submit_args(self, &o, &file, argc, argv, ep, &want)) != MAV2_CLI_PARSED)
        return rc;
    if ((rc = submit_read(self, file, &text, &obj, &op, &key, &entity)) != MAV2_EXIT_OK ||
        (rc = mav2_cli_net_open(self, &o.net, &node, &bundler)) != MAV2_EXIT_OK ||
        (rc = submit_hash(self, node, file, &op, ep, want, &chain, hash)) != MAV2_EXIT_OK ||
        (rc = submit_journal(self, bundler, obj, &op, &key, ep, chain, hash, dir, sizeof(dir),
                             &lock)) != MAV2_EXIT_OK)
        goto out;
    rc = send_op(self, bundler, obj, ep, entity, hash);
    if (rc == MAV2_EXIT_REJECTED) /* refused: it will never be included */
        mav2_journal_remove(dir, chain, op.sender, &key);
    mav2_journal_unlock(lock);
    if (rc != MAV2_EXIT_OK)
        goto out;
    mh_hex_encode(hash, 32, hex, sizeof(hex), 1);
    fprintf(stderr, "mav2 %s: user op %s accepted by the bundler\n", self->name, hex);
    /* then what `mav2 receipt --account ...` does */
    fprintf(stderr, "mav2 %s: the journal has a pending user op for this account and key\n",
            self->name);
    {
        mav2_cli_journaled jr = {dir, chain, op.sender, &key};
        rc = mav2_cli_await(self, &o.net, bundler, hash, &jr);
    }
out:
    mav2_cli_net_close(node, bundler);
    json_object_put(obj);
    mav2_userop_clear(&op);
    free(text);
    return rc;
}
