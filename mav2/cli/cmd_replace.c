/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_replace.c: `mav2 replace` (drop-and-replace of a journaled op through
 * mav2_send_replace) and the sponsorship options of `mav2 send` (replace.h). */
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
#include "mav2/cli/guard_cli.h"
#include "mav2/cli/replace.h"
#include "mav2/keys/signer.h"

const char mav2_help_replace[] =
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
    "OPTIONS\n"
    "    --rpc-url URL, --bundler-url URL, --timeout SECONDS, --poll MS, --json\n"
    "                         as for mav2 send\n"
    "    --key URI|FILE       the session key that signed the op\n"
    "    --pin-source FILE    PIN (first line) when the URI has none\n"
    "    --account, --entity-id, --global, --nonce-key  select the op by its "
    "lane\n" MAV2_CLI_SPONSOR_HELP MAV2_CLI_COST_HELP "    --help               this text\n"
    "\n"
    "OUTPUT\n"
    "    The replacement's userOpHash first, then as mav2 send: transactionHash,\n"
    "    blockNumber, success, actualGasCost (--json: one object, \"replaced\" true).\n"
    "\n"
    "EXIT STATUS\n"
    "    as mav2 send (1 also when nothing is journaled for HASH)\n";

int mav2_cli_sponsor_opt(const mav2_cli_cmd *cmd, mav2_send_params *p, int c, const char *arg)
{
    char *end;
    long v;
    switch (c) {
    case 0x300:
        if (!mav2_cli_url_ok(cmd, "--paymaster-url", arg))
            return 2;
        p->paymaster_url = arg;
        return 1;
    case 0x301: {
        struct json_object *o = json_tokener_parse(arg);
        int is_obj = o != NULL && json_object_is_type(o, json_type_object);
        json_object_put(o);
        if (!is_obj)
            return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "--paymaster-context: not a JSON object"), 2;
        p->paymaster_context = arg;
        return 1;
    }
    case 0x302:
        p->gas_policy_id = arg;
        return 1;
    case 0x303:
        errno = 0;
        v = strtol(arg, &end, 10);
        if (*arg < '0' || *arg > '9' || *end != '\0' || errno != 0 || v <= 0 || v > 86400)
            return mav2_cli_fail(cmd, MAV2_EXIT_USAGE,
                                 "--replace-after: \"%s\" is not a number 1 .. 86400", arg),
                   2;
        p->replace_after_ms = v * 1000;
        return 1;
    default:
        return 0;
    }
}

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
    int ok;
    if (r->outcome == MAV2_SEND_INCLUDED && r->message[0] != '\0')
        fprintf(stderr, "mav2 replace: note: %s\n", r->message);
    mh_hex_encode(r->user_op_hash, 32, hash, sizeof(hash), 1);
    mav2_u256_to_dec(&r->actual_gas_cost, cost);
    if (ui->json) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "userOpHash", json_object_new_string(hash));
        json_object_object_add(o, "transactionHash", json_object_new_string(r->tx_hash));
        json_object_object_add(o, "blockNumber", json_object_new_int64((int64_t)r->block_number));
        json_object_object_add(o, "success",
                               json_object_new_boolean(r->outcome == MAV2_SEND_INCLUDED));
        json_object_object_add(o, "actualGasCost", json_object_new_string(cost));
        json_object_object_add(o, "replaced", json_object_new_boolean(r->replaced));
        json_object_object_add(o, "httpRequests", json_object_new_int64((int64_t)r->http_requests));
        ok = mav2_cli_print(ui->cmd, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
        json_object_put(o);
        return ok;
    }
    if (!ui->hash_printed)
        printf("%s\n", hash);
    if (printf("transactionHash %s\nblockNumber %llu\nsuccess %s\nactualGasCost %s\n",
               r->tx_hash[0] ? r->tx_hash : "?", (unsigned long long)r->block_number,
               r->outcome == MAV2_SEND_INCLUDED ? "true" : "false", cost) < 0 ||
        fflush(stdout) == EOF)
        return mav2_cli_fail(ui->cmd, MAV2_EXIT_INTERNAL, "cannot write the output");
    return MAV2_EXIT_OK;
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
    memcpy(p->account, e.account, 20);
    mav2_nonce_key_parts(&e.nonce_key, &p->lane, &p->entity_id, &p->nonce_options);
    mav2_journal_entry_clear(&e);
    return MAV2_EXIT_OK;
}

int mav2_cmd_replace(const mav2_cli_cmd *self, int argc, char **argv)
{
    static const struct option opts[] = {MAV2_CLI_NET_OPTS,
                                         {"key", required_argument, NULL, 'k'},
                                         {"pin-source", required_argument, NULL, 'p'},
                                         MAV2_CLI_LANE_OPTS,
                                         MAV2_CLI_SPONSOR_OPTS,
                                         MAV2_CLI_COST_OPTS,
                                         {NULL, 0, NULL, 0}};
    const char *arg, *hash_s = NULL, *key_s = NULL, *pin = NULL;
    mav2_cli_lane lane = {NULL, NULL, NULL, 0};
    replace_ui ui = {self, {NULL, 0}, 0, 0};
    mav2_cli_net net;
    mav2_cli_parser ps;
    mav2_send_params p;
    mav2_send_result r;
    mav2_rpc *node = NULL, *bundler = NULL;
    uint8_t hash[32];
    uint64_t chain = 0;
    EVP_PKEY *pkey = NULL;
    mav2_cli_guard guard;
    int c, h, ok, rc = MAV2_EXIT_USAGE;

    memset(&guard, 0, sizeof(guard));
    if (argc > 1 && argv[1][0] != '-') {
        hash_s = argv[1];
        argc--;
        argv++;
    }
    mav2_cli_net_init(&net);
    mav2_send_params_init(&p);
    mav2_cli_parser_init(&ps, self, opts, argc, argv);
    while ((c = mav2_cli_next(&ps, &arg)) != -1) {
        if ((h = mav2_cli_net_opt(self, &net, c, arg)) != 0 ||
            (h = mav2_cli_sponsor_opt(self, &p, c, arg)) != 0 ||
            (h = mav2_cli_bounds_opt(self, &p, c, arg)) != 0 ||
            (h = mav2_cli_lane_opt(&lane, c, arg)) != 0) {
            if (h == 2)
                return MAV2_EXIT_USAGE;
            continue;
        }
        switch (c) {
        case 'k':
            key_s = arg;
            break;
        case 'p':
            pin = arg;
            break;
        case 'h':
            return MAV2_EXIT_OK;
        default:
            return MAV2_EXIT_USAGE;
        }
    }
    ui.json = net.json;
    if (!mav2_cli_apply_settings(self, &net, hash_s == NULL ? &lane : NULL, &key_s, &pin))
        return MAV2_EXIT_USAGE;
    if (key_s == NULL || net.rpc_url == NULL || (hash_s == NULL && lane.account == NULL))
        return mav2_cli_fail(self, MAV2_EXIT_USAGE,
                             "give the userOpHash (or --account and --entity-id), --rpc-url and "
                             "--key");
    if (hash_s != NULL && !mh_hex_decode_exact(hash_s, hash, 32, NULL))
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "the userOpHash must be 32 bytes of 0x-hex");
    if (hash_s == NULL) {
        if (lane.entity == NULL)
            return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--account needs --entity-id");
        if (!mav2_cli_lane_params(self, &lane, &p))
            return MAV2_EXIT_USAGE;
    }
    p.wait_timeout_ms = net.timeout_s * 1000;
    if (net.poll_ms >= 0) {
        p.poll_initial_ms = net.poll_ms > 0 ? net.poll_ms : 1;
        if (p.poll_max_ms < p.poll_initial_ms)
            p.poll_max_ms = p.poll_initial_ms;
    }
    if ((pkey = mav2_cli_load_key(self, key_s, pin, 1)) == NULL)
        return MAV2_EXIT_KEY;
    ui.signing.signer = mav2_signer_new(pkey);
    if (ui.signing.signer == NULL || !mav2_cli_guard_setup(self, &guard, &p, pkey)) {
        rc = ui.signing.signer == NULL ? mav2_cli_fail_lib(self, MAV2_EXIT_KEY, "--key")
                                       : MAV2_EXIT_USAGE;
        goto out;
    }
    if (!mav2_cli_net_open(self, &net, &node, &bundler))
        goto out;
    if (hash_s != NULL && ((rc = mav2_cli_chain_of(self, node, &chain)) != MAV2_EXIT_OK ||
                           (rc = lane_of_hash(self, chain, hash, &p)) != MAV2_EXIT_OK))
        goto out;
    p.sign = mav2_cli_sign_cb;
    p.sign_ctx = &ui.signing;
    p.progress = progress_cb;
    p.progress_ctx = &ui;
    ok = mav2_send_replace(node, bundler, &p, &r);
    mav2_cli_guard_done(self, &guard, &p, &r);
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
    mav2_cli_guard_done(self, &guard, &p, NULL);
    mav2_cli_net_close(node, bundler);
    mav2_signer_free(ui.signing.signer);
    EVP_PKEY_free(pkey);
    return rc;
}
