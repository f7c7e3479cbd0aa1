/* SPDX-License-Identifier: Apache-2.0 */
/* replace.c: `mav2 replace` (drop-and-replace of a journaled op through
 * mav2_send_replace; replace.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "common/hex.h"
#include "mav2/core/account.h"
#include "mav2/core/error.h"
#include "mav2/net/journal.h"
#include "mav2/cli/online.h"
#include "mav2/cli/online_opts.h"
#include "mav2/cli/guard_cli.h"
#include "mav2/cli/replace.h"
#include "mav2/keys/signer.h"

/* What the command line says. */
typedef struct {
    mav2_cli_net net;
    mav2_cli_lane lane;
    const char *hash, *key, *pin;
    mav2_send_params p;
} replace_opts;

static const mav2_cli_opt replace_table[] = {
    MAV2_OPT_GROUP_AS(mav2_cli_net_group, replace_opts, net,
                      "--rpc-url URL, --bundler-url URL, --timeout SECONDS, --poll MS, --json",
                      "\nas for mav2 send"),
    MAV2_OPT_STR("key", "URI|FILE", replace_opts, key, "the session key that signed the op"),
    MAV2_OPT_STR("pin-source", "FILE", replace_opts, pin, "PIN (first line) when the URI has none"),
    {"account", "ADDR", MAV2_OPT_STRING, offsetof(replace_opts, lane.account), NULL,
     "select the op by its lane", "--account, --entity-id, --global, --nonce-key", NULL, 0},
    MAV2_OPT_STR("entity-id", "N", replace_opts, lane.entity, NULL),
    MAV2_OPT_FLAG_("global", replace_opts, lane.global, NULL),
    MAV2_OPT_STR("nonce-key", "K", replace_opts, lane.lane, NULL),
    MAV2_OPT_GROUP_(mav2_cli_sponsor_group, replace_opts, p),
    MAV2_OPT_GROUP_(mav2_cli_cost_group, replace_opts, p),
    MAV2_OPT_END_};

const mav2_cli_page mav2_page_replace = {
    "NAME\n"
    "    mav2 replace - replace a pending user op with a higher-fee one (same nonce)\n"
    "\n"
    "SYNOPSIS\n"
    "    mav2 replace HASH --rpc-url URL [--bundler-url URL] --key URI|FILE\n"
    "                 [--pin-source FILE] [--paymaster-url URL [--paymaster-context JSON] |\n"
    "                 --gas-policy-id ID] [--timeout SECONDS] [--poll MS] [--json]\n"
    "                 [--max-cost AMOUNT] [--max-priority-fee AMOUNT]\n"
    "    mav2 replace --account ADDR --entity-id N [--global] [--nonce-key K] ...\n"
    "\n"
    "DESCRIPTION\n"
    "    Drop-and-replace: the op journaled by mav2 send (found by its userOpHash, or\n"
    "    by account and nonce key) is signed again with the same nonce, call data and\n"
    "    gas limits and both fees raised to max(fresh estimate, 1.1 x old), journaled\n"
    "    in its place (so the lane never has two live ops of ours), sent, and awaited.\n"
    "    If the nonce was already used on chain, nothing is signed: the old op's\n"
    "    outcome is reported. A sponsored op needs its --paymaster-url or\n"
    "    --gas-policy-id again (the paymaster's data covers the fees).\n"
    "\n"
    "OPTIONS\n",
    replace_table,
    "\n"
    "OUTPUT\n"
    "    The replacement's userOpHash first, then as mav2 send: transactionHash,\n"
    "    blockNumber, success, actualGasCost (--json: one object, \"replaced\" true).\n"
    "\n"
    "EXIT STATUS\n"
    "    as mav2 send (1 also when nothing is journaled for HASH)\n"};

/* ---- mav2 replace ------------------------------------------------------------------ */

typedef struct {
    const mav2_cli_cmd *cmd;
    mav2_cli_signing signing;
    int json, hash_printed;
} replace_ui;

static void progress_cb(void *ctx, mav2_send_stage st, const char *detail)
{
    replace_ui *ui = ctx;
    if (st == MAV2_STAGE_SENT && detail != NULL && strncmp(detail, "0x", 2) == 0) {
        if (!ui->json && !ui->hash_printed) {
            printf("%s\n", detail);
            fflush(stdout);
            ui->hash_printed = 1;
        }
        fprintf(stderr, "mav2 %s: replacement %s accepted by the bundler\n", ui->cmd->name, detail);
    } else if (st == MAV2_STAGE_RESUMED) {
        fprintf(stderr, "mav2 %s: the nonce of %s is already used: nothing to replace\n",
                ui->cmd->name, detail);
    }
}

static int print_result(replace_ui *ui, const mav2_send_result *r)
{
    char hash[67], cost[MAV2_U256_DEC_MAX];
    mav2_cli_result out;

    if (r->outcome == MAV2_SEND_INCLUDED && r->message[0] != '\0')
        fprintf(stderr, "mav2 replace: note: %s\n", r->message);
    mh_hex_encode(r->user_op_hash, 32, hash, sizeof(hash), 1);
    mav2_u256_to_dec(&r->actual_gas_cost, cost);
    mav2_cli_result_init(&out, ui->json);
    mav2_cli_result_str(&out, "userOpHash", ui->hash_printed ? NULL : "", hash);
    mav2_cli_result_str(&out, "transactionHash", NULL, r->tx_hash);
    mav2_cli_result_line(&out, "transactionHash %s", r->tx_hash[0] ? r->tx_hash : "?");
    mav2_cli_result_int(&out, "blockNumber", "blockNumber", (int64_t)r->block_number);
    mav2_cli_result_bool(&out, "success", "success", r->outcome == MAV2_SEND_INCLUDED);
    mav2_cli_result_str(&out, "actualGasCost", "actualGasCost", cost);
    mav2_cli_result_bool(&out, "replaced", NULL, r->replaced);
    mav2_cli_result_int(&out, "httpRequests", NULL, (int64_t)r->http_requests);
    return mav2_cli_result_print(ui->cmd, &out);
}

/* The journaled op's lane for HASH into p. */
static int lane_of_hash(const mav2_cli_cmd *cmd, uint64_t chain, const uint8_t hash[32],
                        mav2_send_params *p)
{
    mav2_journal_entry e;
    int found = 0;
    if (!mav2_journal_find(p->state_dir, chain, hash, &e, &found))
        return mav2_cli_fail_lib(cmd, MAV2_EXIT_USAGE, NULL); /* refused or damaged */
    if (!found)
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE,
                             "no pending op with this userOpHash in the journal (mav2 replace "
                             "replaces ops sent by mav2 send with this state directory)");
    memcpy(p->account, e.account, MAV2_ADDRESS_LEN);
    mav2_nonce_key_parts(&e.nonce_key, &p->lane, &p->entity_id, &p->nonce_options);
    mav2_journal_entry_clear(&e);
    return MAV2_EXIT_OK;
}

/* The command line into o, the op's hash or lane, the waiting into o->p. Exit code,
 * MAV2_CLI_PARSED to go on. */
static int replace_args(const mav2_cli_cmd *self, replace_opts *o, int argc, char **argv,
                        uint8_t hash[32])
{
    mav2_send_params *p = &o->p;
    int rc;

    if ((rc = mav2_cli_opts_parse_first(self, o, &o->hash, argc, argv)) != MAV2_CLI_PARSED)
        return rc;
    if (!mav2_cli_apply_settings(self, &o->net, o->hash == NULL ? &o->lane : NULL, &o->key,
                                 &o->pin))
        return MAV2_EXIT_USAGE;
    if (o->key == NULL || o->net.rpc_url == NULL || (o->hash == NULL && o->lane.account == NULL))
        return mav2_cli_fail(self, MAV2_EXIT_USAGE,
                             "give the userOpHash (or --account and --entity-id), --rpc-url and "
                             "--key");
    if ((rc = mav2_cli_op_select(self, o->hash, &o->lane, hash, p)) != MAV2_EXIT_OK)
        return rc;
    p->wait_timeout_ms = o->net.timeout_s * 1000;
    if (o->net.poll_ms >= 0) {
        p->poll_initial_ms = o->net.poll_ms > 0 ? o->net.poll_ms : 1;
        if (p->poll_max_ms < p->poll_initial_ms)
            p->poll_max_ms = p->poll_initial_ms;
    }
    return MAV2_CLI_PARSED;
}

int mav2_cmd_replace(const mav2_cli_cmd *self, int argc, char **argv)
{
    replace_opts o;
    replace_ui ui = {self, {NULL, 0}, 0, 0};
    mav2_send_params *p = &o.p;
    mav2_send_result r;
    mav2_rpc *node = NULL, *bundler = NULL;
    uint8_t hash[32];
    uint64_t chain = 0;
    EVP_PKEY *pkey = NULL;
    mav2_cli_guard guard;
    int ok, rc;

    memset(&guard, 0, sizeof(guard));
    memset(&o, 0, sizeof(o));
    mav2_cli_net_init(&o.net);
    mav2_send_params_init(p);
    if ((rc = replace_args(self, &o, argc, argv, hash)) != MAV2_CLI_PARSED)
        return rc;
    ui.json = o.net.json;
    if ((pkey = mav2_cli_load_key(self, o.key, o.pin, 1)) == NULL)
        return MAV2_EXIT_KEY;
    ui.signing.signer = mav2_signer_new(pkey);
    if (ui.signing.signer == NULL || !mav2_cli_guard_setup(self, &guard, p, pkey)) {
        rc = ui.signing.signer == NULL ? mav2_cli_fail_lib(self, MAV2_EXIT_KEY, "--key")
                                       : MAV2_EXIT_USAGE;
        goto out;
    }
    if ((rc = mav2_cli_net_open(self, &o.net, &node, &bundler)) != MAV2_EXIT_OK)
        goto out;
    if (o.hash != NULL && ((rc = mav2_cli_chain_of(self, node, &chain)) != MAV2_EXIT_OK ||
                           (rc = lane_of_hash(self, chain, hash, p)) != MAV2_EXIT_OK))
        goto out;
    p->sign = mav2_cli_sign_cb;
    p->sign_ctx = &ui.signing;
    p->progress = progress_cb;
    p->progress_ctx = &ui;
    ok = mav2_send_replace(node, bundler, p, &r);
    mav2_cli_guard_done(self, &guard, p, &r);
    if (ok && r.outcome == MAV2_SEND_INCLUDED) {
        rc = print_result(&ui, &r);
    } else {
        if (r.outcome == MAV2_SEND_REVERTED)
            print_result(&ui, &r);
        rc = r.outcome == MAV2_SEND_SUBMITTED
                 ? MAV2_EXIT_OK
                 : mav2_cli_fail(self, mav2_cli_outcome_exit(r.outcome, ui.signing.failed), "%s",
                                 r.message);
    }
    mav2_send_result_clear(&r);
out:
    mav2_cli_guard_done(self, &guard, p, NULL);
    mav2_cli_net_close(node, bundler);
    mav2_signer_free(ui.signing.signer);
    EVP_PKEY_free(pkey);
    return rc;
}
