/* SPDX-License-Identifier: Apache-2.0 */
/* online.c: what the online subcommands share (online.h): node and bundler options
 * and clients, eth_call / eth_getCode / eth_chainId, one user op through the send flow
 * signed by a key, waiting for a receipt, printing it, send outcomes as exit codes. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "common/hex.h"
#include "mav2/core/account.h"
#include "mav2/core/address.h"
#include "mav2/cli/guard_cli.h"
#include "mav2/cli/online.h"
#include "mav2/cli/online_opts.h"
#include "mav2/core/error.h"
#include "mav2/net/journal.h"
#include "mav2/keys/signer.h"
#include "mav2/core/u256.h"

/* ---- network options, calls, exit codes ---------------------------------------------- */

void mav2_cli_net_init(mav2_cli_net *n)
{
    memset(n, 0, sizeof(*n));
    n->timeout_s = 120;
    n->start_ms = mav2_rpc_now_ms();
    n->poll_ms = -1;
}

static const char *unset_from(const char *given, const char *setting)
{
    return given != NULL ? given : mav2_cli_setting(setting, NULL);
}

int mav2_cli_apply_settings(const mav2_cli_cmd *cmd, mav2_cli_net *n, mav2_cli_lane *l,
                            const char **key, const char **pin)
{
    const char *g;
    if (!mav2_cli_settings_ready(cmd))
        return 0;
    n->rpc_url = unset_from(n->rpc_url, "rpc-url");
    n->bundler_url = unset_from(n->bundler_url, "bundler-url");
    if (l != NULL) {
        l->account = unset_from(l->account, "account");
        l->entity = unset_from(l->entity, "entity-id");
        if (!l->global && (g = mav2_cli_setting("global", NULL)) != NULL)
            l->global = strcmp(g, "true") == 0;
    }
    if (key != NULL)
        *key = unset_from(*key, "key");
    if (pin != NULL)
        *pin = unset_from(*pin, "pin-source");
    return 1;
}

int mav2_cli_lane_params(const mav2_cli_cmd *cmd, const mav2_cli_lane *l, mav2_send_params *p)
{
    if (!mav2_cli_address(cmd, "--account", l->account, p->account) ||
        !mav2_cli_u32(cmd, "--entity-id", l->entity, &p->entity_id))
        return 0;
    p->nonce_options = l->global ? MAV2_NONCE_GLOBAL : 0;
    if (l->lane != NULL && !mav2_u256_parse(&p->lane, l->lane))
        return mav2_cli_fail_lib(cmd, MAV2_EXIT_USAGE, "--nonce-key"), 0;
    return 1;
}

int mav2_cli_op_select(const mav2_cli_cmd *cmd, const char *hash_s, const mav2_cli_lane *l,
                       uint8_t hash[32], mav2_send_params *p)
{
    if (hash_s != NULL)
        return mh_hex_decode_exact(hash_s, hash, 32, NULL)
                   ? MAV2_EXIT_OK
                   : mav2_cli_fail(cmd, MAV2_EXIT_USAGE,
                                   "the userOpHash must be 32 bytes of 0x-hex");
    if (l->entity == NULL)
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "--account needs --entity-id");
    return mav2_cli_lane_params(cmd, l, p) ? MAV2_EXIT_OK : MAV2_EXIT_USAGE;
}

int mav2_cli_url_ok(const mav2_cli_cmd *cmd, const char *opt, const char *url)
{
    static int warned;
    char why[400];

    if (!mav2_rpc_url_check(url, why, sizeof(why)))
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "%s: %s", opt, why), 0;
    if (mav2_rpc_url_key_in_clear(url) && !warned) {
        mav2_rpc_redact_url(url, why, sizeof(why));
        fprintf(stderr,
                "mav2%s%s: warning: %s %s sends what looks like an API key over plain http: "
                "use https\n",
                cmd != NULL ? " " : "", cmd != NULL ? cmd->name : "", opt, why);
        warned = 1;
    }
    return 1;
}

mav2_rpc *mav2_cli_rpc_new(const mav2_cli_cmd *cmd, const char *opt, const char *url,
                           const mav2_rpc_options *o)
{
    mav2_rpc *rpc;

    if (!mav2_cli_url_ok(cmd, opt, url))
        return NULL;
    rpc = mav2_rpc_new(url, o);
    if (rpc == NULL)
        mav2_cli_fail(cmd, MAV2_EXIT_INTERNAL, "out of memory");
    return rpc;
}

int mav2_cli_net_open(const mav2_cli_cmd *cmd, const mav2_cli_net *n, mav2_rpc **node,
                      mav2_rpc **bundler)
{
    mav2_rpc_options o;
    *node = *bundler = NULL;
    if (n->rpc_url == NULL)
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "--rpc-url is required");
    mav2_rpc_options_init(&o);
    if (n->timeout_s > 0) /* --timeout bounds the whole command, retries included */
        o.deadline_ms = n->start_ms + (long long)n->timeout_s * 1000;
    /* both checked before either is used: a bad one is refused as bad input */
    if (!mav2_cli_url_ok(cmd, "--rpc-url", n->rpc_url) ||
        (n->bundler_url != NULL && !mav2_cli_url_ok(cmd, "--bundler-url", n->bundler_url)))
        return MAV2_EXIT_USAGE;
    *node = mav2_cli_rpc_new(cmd, "--rpc-url", n->rpc_url, &o);
    if (*node == NULL)
        return MAV2_EXIT_INTERNAL;
    if (n->bundler_url == NULL || strcmp(n->bundler_url, n->rpc_url) == 0) {
        *bundler = *node;
        return MAV2_EXIT_OK;
    }
    *bundler = mav2_cli_rpc_new(cmd, "--bundler-url", n->bundler_url, &o);
    if (*bundler == NULL) {
        mav2_rpc_free(*node);
        *node = NULL;
        return MAV2_EXIT_INTERNAL;
    }
    return MAV2_EXIT_OK;
}

void mav2_cli_net_close(mav2_rpc *node, mav2_rpc *bundler)
{
    if (bundler != node)
        mav2_rpc_free(bundler);
    mav2_rpc_free(node);
}

int mav2_cli_rpc_exit(const mav2_rpc_error *e)
{
    return e->status == MAV2_RPC_E_RPC ? MAV2_EXIT_REJECTED : MAV2_EXIT_NETWORK;
}

int mav2_cli_eth_call(const mav2_cli_cmd *cmd, mav2_rpc *node, const uint8_t to[MAV2_ADDRESS_LEN],
                      const uint8_t *data, size_t len, mav2_buf *out)
{
    char addr[MAV2_ADDRESS_STR_MAX];

    if (mav2_eth_call(node, to, data, len, out))
        return MAV2_EXIT_OK;
    mav2_address_format(to, addr);
    if (mav2_rpc_last_error(node)->status != MAV2_RPC_OK)
        return mav2_cli_fail(cmd, mav2_cli_rpc_exit(mav2_rpc_last_error(node)),
                             "eth_call to %s: %s", addr, mav2_rpc_last_error(node)->message);
    return mav2_cli_fail(cmd, MAV2_EXIT_NETWORK, "%s", mav2_last_error());
}

/* The exit code and message of a failed eth_* read of the library. */
static int eth_failed(const mav2_cli_cmd *cmd, mav2_rpc *node, const char *method)
{
    const mav2_rpc_error *e = mav2_rpc_last_error(node);
    if (e->status != MAV2_RPC_OK)
        return mav2_cli_fail(cmd, mav2_cli_rpc_exit(e), "%s: %s", method, e->message);
    return mav2_cli_fail(cmd, MAV2_EXIT_NETWORK, "%s", mav2_last_error());
}

int mav2_cli_has_code(const mav2_cli_cmd *cmd, mav2_rpc *node,
                      const uint8_t account[MAV2_ADDRESS_LEN], int *deployed)
{
    return mav2_eth_has_code(node, account, MAV2_ETH_LATEST, deployed)
               ? MAV2_EXIT_OK
               : eth_failed(cmd, node, "eth_getCode");
}

int mav2_cli_chain_of(const mav2_cli_cmd *cmd, mav2_rpc *node, uint64_t *chain)
{
    return mav2_eth_chain_id(node, chain) ? MAV2_EXIT_OK : eth_failed(cmd, node, "eth_chainId");
}

/* ---- sending ------------------------------------------------------------------------ */

typedef struct {
    const mav2_cli_cmd *cmd;
    const mav2_cli_net *net;
    mav2_cli_signing signing;
    int hash_printed;
    int waiting_shown;
    int tty;
} send_ui;

int mav2_cli_sign_cb(void *ctx, const uint8_t hash[32], mav2_buf *sig)
{
    mav2_cli_signing *sg = ctx;
    uint8_t s[MAV2_USEROP_SIG_LEN];

    if (!mav2_signer_sign_userop(sg->signer, hash, s)) {
        sg->failed = 1;
        return 0;
    }
    return mav2_buf_set(sig, s, sizeof(s));
}

static void print_hash_line(send_ui *ui, const char *hex)
{
    snprintf(mav2_cli_out.op_hash, sizeof(mav2_cli_out.op_hash), "%s", hex);
    if (ui->hash_printed || ui->net->json)
        return;
    ui->hash_printed = 1;
    printf("%s\n", hex);
    fflush(stdout);
}

static void progress_cb(void *ctx, mav2_send_stage st, const char *detail)
{
    send_ui *ui = ctx;
    const char *name = ui->cmd->name;

    if (mav2_cli_out.quiet) { /* only the result: the userOpHash line stays */
        if ((st == MAV2_STAGE_SENT || st == MAV2_STAGE_RESUMED) && detail != NULL &&
            strncmp(detail, "0x", 2) == 0)
            print_hash_line(ui, detail);
        return;
    }

    switch (st) {
    case MAV2_STAGE_SENT:
        if (detail != NULL && strncmp(detail, "0x", 2) == 0)
            print_hash_line(ui, detail);
        fprintf(stderr, "mav2 %s: user op %s accepted by the bundler\n", name,
                detail != NULL ? detail : "");
        break;
    case MAV2_STAGE_RESUMED:
        print_hash_line(ui, detail);
        fprintf(stderr,
                "mav2 %s: resuming the user op %s journaled by an earlier run (not signing a new "
                "one; --new to force)\n",
                name, detail);
        break;
    case MAV2_STAGE_BUSY:
        fprintf(stderr,
                "mav2 %s: the lane is busy: waiting for the pending user op %s (journaled by "
                "another send, for other calls) before sending this one\n",
                name, detail);
        break;
    case MAV2_STAGE_WAITING:
        if (ui->tty) {
            fprintf(stderr, "\rmav2 %s: waiting for inclusion (%s, timeout %ld s)...", name, detail,
                    ui->net->timeout_s);
            ui->waiting_shown = 1;
        } else if (!ui->waiting_shown) {
            fprintf(stderr, "mav2 %s: waiting for inclusion (timeout %ld s)...\n", name,
                    ui->net->timeout_s);
            ui->waiting_shown = 1;
        }
        break;
    case MAV2_STAGE_INCLUDED:
        if (ui->tty && ui->waiting_shown)
            fputc('\n', stderr);
        break;
    default:
        break;
    }
}

static const char *member_str(json_object *o, const char *k)
{
    json_object *v = NULL;
    if (o == NULL || !json_object_object_get_ex(o, k, &v) ||
        !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

/* Decimal of a 0x quantity member ("?" if absent or bad). */
static void member_dec(json_object *o, const char *k, char out[MAV2_U256_DEC_MAX])
{
    const char *s = member_str(o, k);
    mav2_u256 v;

    if (s == NULL || !mav2_u256_from_hex(&v, s)) {
        snprintf(out, MAV2_U256_DEC_MAX, "?");
        return;
    }
    mav2_u256_to_dec(&v, out);
}

/* Prints the receipt part of r (and the hash line if not yet printed). */
static int print_result(const mav2_cli_cmd *cmd, send_ui *ui, const mav2_send_result *r)
{
    json_object *rc = NULL, *inner = NULL, *succ = NULL;
    char hash[67], block[MAV2_U256_DEC_MAX], cost[MAV2_U256_DEC_MAX], used[MAV2_U256_DEC_MAX];
    char eth[MAV2_U256_DEC_MAX + 2], nonce[MAV2_U256_HEX_MAX];
    const char *tx = r->tx_hash[0] ? r->tx_hash : "?";
    int success;
    mav2_u256 c;
    mav2_cli_result out;

    if (r->outcome == MAV2_SEND_INCLUDED && r->message[0] != '\0')
        fprintf(stderr, "mav2 %s: note: %s\n", cmd->name, r->message);
    mh_hex_encode(r->user_op_hash, 32, hash, sizeof(hash), 1);
    rc = r->receipt != NULL ? json_tokener_parse(r->receipt) : NULL;
    if (rc != NULL)
        json_object_object_get_ex(rc, "receipt", &inner);
    success = rc != NULL && json_object_object_get_ex(rc, "success", &succ) &&
              json_object_get_boolean(succ);
    member_dec(inner, "blockNumber", block);
    member_dec(rc, "actualGasCost", cost);
    member_dec(rc, "actualGasUsed", used);
    json_object_put(rc);
    snprintf(eth, sizeof(eth), "?");
    if (mav2_u256_from_dec(&c, cost))
        mav2_u256_format_units(&c, 18, eth);
    mav2_u256_to_hex(&r->nonce, nonce);
    if (!ui->net->json)
        print_hash_line(ui, hash);
    mav2_cli_result_init(&out, ui->net->json);
    mav2_cli_result_str(&out, "userOpHash", NULL, hash);
    mav2_cli_result_str(&out, "transactionHash", "transactionHash", tx);
    mav2_cli_result_str(&out, "blockNumber", "blockNumber", block);
    mav2_cli_result_bool(&out, "success", "success", success);
    mav2_cli_result_str(&out, "actualGasCost", NULL, cost);
    mav2_cli_result_line(&out, "actualGasCost %s (%s ETH)", cost, eth);
    mav2_cli_result_str(&out, "actualGasUsed", NULL, used);
    mav2_cli_result_str(&out, "nonce", NULL, nonce);
    mav2_cli_result_bool(&out, "resumed", NULL, r->resumed);
    mav2_cli_result_int(&out, "httpRequests", NULL, (int64_t)r->http_requests);
    return mav2_cli_result_print(cmd, &out);
}

int mav2_cli_outcome_exit(mav2_send_outcome o, int sign_failed)
{
    switch (o) {
    case MAV2_SEND_INCLUDED:
    case MAV2_SEND_SUBMITTED:
        return MAV2_EXIT_OK;
    case MAV2_SEND_REVERTED:
    case MAV2_SEND_REJECTED:
        return MAV2_EXIT_REJECTED;
    case MAV2_SEND_TIMEOUT:
        return MAV2_EXIT_TIMEOUT;
    case MAV2_SEND_NETWORK:
        return MAV2_EXIT_NETWORK;
    default:
        return sign_failed ? MAV2_EXIT_KEY : MAV2_EXIT_USAGE;
    }
}

static void set_waiting(const mav2_cli_net *n, mav2_send_params *p)
{
    p->wait_timeout_ms = n->timeout_s * 1000;
    if (n->poll_ms >= 0) {
        p->poll_initial_ms = n->poll_ms > 0 ? n->poll_ms : 1;
        if (p->poll_max_ms < p->poll_initial_ms)
            p->poll_max_ms = p->poll_initial_ms;
    }
}

int mav2_cli_send_defaults(const mav2_cli_cmd *cmd, mav2_send_params *p)
{
    const char *src, *cap = mav2_cli_setting("max-cost", &src);
    if (p->chain_id == 0)
        p->chain_id = mav2_cli_settings_chain_id();
    if (cap != NULL && mav2_u256_is_zero(&p->max_cost_wei) &&
        !mav2_u256_parse_amount(&p->max_cost_wei, cap))
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "max-cost (%s): not an amount", src), 0;
    return 1;
}

int mav2_cli_send_op(const mav2_cli_cmd *cmd, const mav2_cli_net *n, mav2_rpc *node,
                     mav2_rpc *bundler, mav2_send_params *p, EVP_PKEY *key)
{
    send_ui ui = {cmd, n, {NULL, 0}, 0, 0, isatty(STDERR_FILENO)};
    mav2_send_result r;
    mav2_cli_guard guard;
    int rc, ok;

    ui.signing.signer = mav2_signer_new(key);
    if (ui.signing.signer == NULL)
        return mav2_cli_fail_lib(cmd, MAV2_EXIT_KEY, "--key");
    p->sign = mav2_cli_sign_cb;
    p->sign_ctx = &ui.signing;
    p->progress = progress_cb;
    p->progress_ctx = &ui;
    p->force_new = n->force_new;
    set_waiting(n, p);
    if (!mav2_cli_send_defaults(cmd, p))
        return MAV2_EXIT_USAGE;
    if (!mav2_cli_guard_setup(cmd, &guard, p, key)) {
        mav2_signer_free(ui.signing.signer);
        return MAV2_EXIT_USAGE;
    }
    ok = mav2_send(node, bundler, p, &r);
    mav2_cli_guard_done(cmd, &guard, p, &r);
    if (ok && r.outcome == MAV2_SEND_INCLUDED)
        rc = print_result(cmd, &ui, &r);
    else if (ok)
        rc = MAV2_EXIT_OK;
    else {
        if (r.outcome == MAV2_SEND_REVERTED)
            print_result(cmd, &ui, &r);
        rc = mav2_cli_outcome_exit(r.outcome, ui.signing.failed);
        if (rc == MAV2_EXIT_TIMEOUT && strstr(mav2_last_error(), "run again") == NULL)
            mav2_cli_fail(cmd, rc,
                          "%s: still pending and journaled: run the same command again "
                          "to resume waiting",
                          mav2_last_error());
        else
            mav2_cli_fail_lib(cmd, rc, NULL);
    }
    mav2_send_result_clear(&r);
    mav2_signer_free(ui.signing.signer);
    return rc;
}

int mav2_cli_await(const mav2_cli_cmd *cmd, const mav2_cli_net *n, mav2_rpc *bundler,
                   const uint8_t hash[32], const mav2_cli_journaled *j)
{
    send_ui ui = {cmd, n, {NULL, 0}, 0, 0, isatty(STDERR_FILENO)};
    mav2_send_params p;
    mav2_send_result r;
    char hex[67];
    int rc, ok;

    mh_hex_encode(hash, 32, hex, sizeof(hex), 1);
    print_hash_line(&ui, hex);
    mav2_send_params_init(&p);
    p.progress = progress_cb;
    p.progress_ctx = &ui;
    set_waiting(n, &p);
    ok = mav2_wait_receipt(bundler, hash, &p, &r);
    r.resumed = j != NULL; /* the journaled op awaited */
    if (ok) {
        rc = print_result(cmd, &ui, &r);
    } else {
        if (r.outcome == MAV2_SEND_REVERTED)
            print_result(cmd, &ui, &r);
        rc = mav2_cli_fail_lib(cmd, mav2_cli_outcome_exit(r.outcome, 0), NULL);
    }
    /* final: the journal entry (still this op's) goes */
    if (j != NULL && (r.outcome == MAV2_SEND_INCLUDED || r.outcome == MAV2_SEND_REVERTED) &&
        !mav2_journal_remove_op(j->dir, j->chain, j->account, j->key, hash))
        fprintf(stderr, "mav2 %s: warning: %s\n", cmd->name, mav2_last_error());
    mav2_send_result_clear(&r);
    return rc;
}
