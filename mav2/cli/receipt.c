/* SPDX-License-Identifier: Apache-2.0 */
/* receipt.c: `mav2 receipt`: wait for a user op's receipt, by its hash or the op
 * journaled for an account's lane. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "common/hex.h"
#include "mav2/cli/online.h"
#include "mav2/cli/online_opts.h"
#include "mav2/core/account.h"
#include "mav2/net/journal.h"

/* The journal entry of the op mav2 receipt awaits into e: the lane's (lane != NULL:
 * required; its hash into hash) or the one of hash, if any (*found). Exit code. */
static int receipt_entry(const mav2_cli_cmd *self, char *dir, size_t cap, uint64_t chain,
                         const mav2_send_params *lane, const mav2_u256 *key, uint8_t hash[32],
                         mav2_journal_entry *e, int *found)
{
    if (!mav2_journal_default_dir(dir, cap))
        return lane != NULL ? mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, NULL) : MAV2_EXIT_OK;
    if (!(lane != NULL ? mav2_journal_get(dir, chain, lane->account, key, e, found)
                       : mav2_journal_find(dir, chain, hash, e, found)))
        return mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, NULL);
    if (lane == NULL)
        return MAV2_EXIT_OK;
    if (!*found)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE,
                             "no pending user op in the journal for this account and key");
    memcpy(hash, e->user_op_hash, 32);
    fprintf(stderr, "mav2 %s: the journal has a pending user op for this account and key\n",
            self->name);
    return MAV2_EXIT_OK;
}

/* What the command line says. */
typedef struct {
    mav2_cli_net net;
    mav2_cli_lane lane;
    const char *hash;
} receipt_opts;

static const mav2_cli_opt receipt_table[] = {
    MAV2_OPT_GROUP_(mav2_cli_net_group, receipt_opts, net),
    MAV2_OPT_STR("hash", "HASH", receipt_opts, hash, NULL), /* also the first argument */
    {"account", "ADDR", MAV2_OPT_STRING, offsetof(receipt_opts, lane.account), NULL,
     "select the journaled op", "--account, --entity-id, --global, --nonce-key", NULL, 0},
    MAV2_OPT_STR("entity-id", "N", receipt_opts, lane.entity, NULL),
    MAV2_OPT_FLAG_("global", receipt_opts, lane.global, NULL),
    MAV2_OPT_STR("nonce-key", "K", receipt_opts, lane.lane, NULL),
    MAV2_OPT_END_};

const mav2_cli_page mav2_page_receipt = {

    "NAME\n"
    "    mav2 receipt - wait for the receipt of a user operation\n"
    "\n"
    "SYNOPSIS\n"
    "    mav2 receipt HASH --rpc-url URL [--bundler-url URL] [--timeout S] [--json]\n"
    "    mav2 receipt --account ADDR --entity-id N [--global] [--nonce-key K]\n"
    "                 --rpc-url URL [--bundler-url URL] [--timeout S] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    Polls eth_getUserOperationReceipt for HASH (--rpc-url is asked for the chain\n"
    "    id). Without HASH, the op pending in the send journal for that account and\n"
    "    nonce key is awaited (what mav2 send would resume). Either way its journal\n"
    "    entry, if any, is dropped once the op is included (or reverted). --json:\n"
    "    \"nonce\" is the receipt's, \"resumed\" true when the op is journaled.\n"
    "\n"
    "OPTIONS\n",
    receipt_table, "\n" MAV2_CLI_SEND_OUTPUT_HELP};

/* The command line into o, hash (given) or lp and key (the journaled op's). Exit code,
 * MAV2_CLI_PARSED to go on. */
static int receipt_args(const mav2_cli_cmd *self, receipt_opts *o, int argc, char **argv,
                        uint8_t hash[32], mav2_send_params *lp, mav2_u256 *key)
{
    const char *first;
    int rc;

    if ((rc = mav2_cli_opts_parse_first(self, o, &first, argc, argv)) != MAV2_CLI_PARSED)
        return rc;
    if (o->hash == NULL)
        o->hash = first;
    if (!mav2_cli_apply_settings(self, &o->net, o->hash == NULL ? &o->lane : NULL, NULL, NULL))
        return MAV2_EXIT_USAGE;
    if (o->hash == NULL && o->lane.account == NULL)
        return mav2_cli_fail(
            self, MAV2_EXIT_USAGE,
            "give the userOpHash, or --account and --entity-id for the journaled op");
    if ((rc = mav2_cli_op_select(self, o->hash, &o->lane, hash, lp)) != MAV2_EXIT_OK)
        return rc;
    if (o->hash == NULL && !mav2_nonce_key(key, &lp->lane, lp->entity_id, lp->nonce_options))
        return mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, "--nonce-key");
    return MAV2_CLI_PARSED;
}

int mav2_cmd_receipt(const mav2_cli_cmd *self, int argc, char **argv)
{
    receipt_opts o;
    uint8_t hash[32];
    int rc, found = 0;
    mav2_send_params lp; /* the lane of the journaled op */
    mav2_rpc *node = NULL, *bundler = NULL;
    mav2_u256 key;
    uint64_t chain = 0;
    char dir[4096];
    mav2_cli_journaled j = {dir, 0, lp.account, &key};
    mav2_journal_entry e;

    memset(&o, 0, sizeof(o));
    memset(&e, 0, sizeof(e));
    mav2_cli_net_init(&o.net);
    mav2_send_params_init(&lp);
    if ((rc = receipt_args(self, &o, argc, argv, hash, &lp, &key)) != MAV2_CLI_PARSED)
        return rc;
    if ((rc = mav2_cli_net_open(self, &o.net, &node, &bundler)) != MAV2_EXIT_OK)
        return rc;
    if ((rc = mav2_cli_chain_of(self, node, &chain)) != MAV2_EXIT_OK) {
        if (mav2_rpc_last_error(node)->status == MAV2_RPC_E_DEADLINE)
            rc = MAV2_EXIT_TIMEOUT; /* --timeout ran out: the op may still be pending */
        goto out;
    }
    if ((rc = receipt_entry(self, dir, sizeof(dir), chain, o.hash == NULL ? &lp : NULL, &key, hash,
                            &e, &found)) != MAV2_EXIT_OK)
        goto out;
    if (found) { /* its entry goes once the op is final */
        memcpy(lp.account, e.account, MAV2_ADDRESS_LEN);
        key = e.nonce_key;
    }
    j.chain = chain;
    rc = mav2_cli_await(self, &o.net, bundler, hash, found ? &j : NULL);
out:
    mav2_journal_entry_clear(&e);
    mav2_cli_net_close(node, bundler);
    return rc;
}
