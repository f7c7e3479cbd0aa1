/* SPDX-License-Identifier: Apache-2.0 */
/* send.c: the send flow's entry points (send.h: mav2_send, mav2_send_replace,
 * mav2_send_urls) and its driver, a loop over the steps of the files below it:
 * prepare.c → submit.c → wait.c, and replace.c when replace_after_ms runs out. */
#include "config.h"

#include "mav2/send/send.h"

#include <string.h>

#include "mav2/core/account.h"
#include "mav2/core/error.h"
#include "mav2/send/send_int.h"
#include "mav2/core/userop.h"

/* The driver: sign → submit → wait; when replace_after_ms runs out first, one round
 * more: replace (raised fees) → submit → wait for the rest, then whichever op went in. */
int mav2_send_drive(mav2_send_ctx *c, mav2_userop *op)
{
    mav2_send_replacing rp;
    uint8_t sent[32];
    int ok, due = 0, replacing = 0;

    memset(&rp, 0, sizeof(rp));
    for (;;) {
        ok = mav2_send_sign_submit(c, op, sent) && mav2_send_await(c, sent, &due);
        if (replacing) {
            ok = mav2_send_replace_end(c, &rp, ok);
            break;
        }
        if (!due || !mav2_send_replace_due(c, op, sent, &rp, &ok))
            break;
        replacing = 1;
    }
    mav2_journal_entry_clear(&rp.old);
    return ok;
}

/* params.unsigned_only: the op with its stub signature and its hash, nothing sent. */
static int unsigned_result(mav2_send_ctx *c, mav2_userop *op)
{
    mav2_send_result *r = c->r;
    if (memcmp(c->ep, mav2_entry_point_v08, 20) == 0
            ? !mav2_userop_hash_v08(op, c->ep, c->chain_id, r->user_op_hash)
            : !mav2_userop_hash(op, c->ep, c->chain_id, r->user_op_hash))
        return 0;
    free(r->user_op);
    r->user_op = NULL;
    if (!mav2_userop_to_json_string(op, &r->user_op))
        return 0;
    r->have_hash = 1;
    r->nonce = op->nonce;
    r->outcome = MAV2_SEND_UNSIGNED;
    return 1;
}

int mav2_send_with(mav2_rpc *node, mav2_rpc *bundler, const mav2_send_params *p,
                   const mav2_send_known *k, mav2_send_result *r)
{
    mav2_send_ctx c;
    mav2_send_params rest;
    mav2_userop op;
    int ok = 0, prepared;

    mav2_userop_init(&op);
    if (!mav2_send_begin(&c, node, bundler, p, r))
        goto out;
    c.known = k;
    prepared = mav2_send_prepare(&c);
    c.known = NULL; /* a later prepare (a busy lane, a replacement) reads everything */
    if (!prepared)
        goto out;
    r->outcome = MAV2_SEND_INVALID;
    c.intent = mav2_send_intent(p, c.ep);
    if (c.journal && !p->unsigned_only && !mav2_send_lane_free(&c, &rest, &ok))
        goto out;
    mav2_send_progress(p, MAV2_STAGE_PREPARED, NULL);
    if (!mav2_send_build_op(&c, &op))
        goto out;
    ok = p->unsigned_only ? mav2_send_check_max_cost(&c, &op) && unsigned_result(&c, &op)
                          : mav2_send_drive(&c, &op);
out:
    mav2_userop_clear(&op);
    return mav2_send_finish(&c, r, ok);
}

int mav2_send(mav2_rpc *node, mav2_rpc *bundler, const mav2_send_params *p, mav2_send_result *r)
{
    return mav2_send_with(node, bundler, p, NULL, r);
}

int mav2_send_replace(mav2_rpc *node, mav2_rpc *bundler, const mav2_send_params *p,
                      mav2_send_result *r)
{
    mav2_send_ctx c;
    mav2_userop op;
    mav2_journal_entry je;
    int ok = 0;

    mav2_userop_init(&op);
    memset(&je, 0, sizeof(je));
    if (!mav2_send_begin(&c, node, bundler, p, r))
        goto out;
    if (!c.journal) {
        mav2_error_set("replace: needs the journal (the op to replace is read from it)");
        goto out;
    }
    if (!mav2_send_prepare(&c))
        goto out;
    r->outcome = MAV2_SEND_INVALID;
    if (!mav2_send_replace_load(&c, &je, &op, &ok))
        goto out;
    mav2_send_progress(p, MAV2_STAGE_PREPARED, NULL);
    r->replaced = 1;
    ok = mav2_send_drive(&c, &op);
    if (!ok && r->outcome == MAV2_SEND_REJECTED)
        ok = mav2_send_replace_refused(&c, &je);
out:
    mav2_userop_clear(&op);
    mav2_journal_entry_clear(&je);
    return mav2_send_finish(&c, r, ok);
}

int mav2_send_urls(const char *rpc_url, const char *bundler_url, const mav2_rpc_options *opt,
                   const mav2_send_params *p, mav2_send_result *r)
{
    mav2_rpc *node, *bundler;
    int ok;
    if (r != NULL) {
        memset(r, 0, sizeof(*r));
        r->outcome = MAV2_SEND_INVALID;
    }
    if (!mav2_rpc_options_check(opt))
        return mav2_send_finish(&(mav2_send_ctx){0}, r, 0);
    node = mav2_rpc_new(rpc_url, opt);
    if (node == NULL) {
        mav2_error_set("send: bad RPC URL (want http:// or https://)");
        return mav2_send_finish(&(mav2_send_ctx){0}, r, 0);
    }
    bundler = node;
    if (bundler_url != NULL && strcmp(bundler_url, rpc_url) != 0 &&
        (bundler = mav2_rpc_new(bundler_url, opt)) == NULL) {
        mav2_rpc_free(node);
        mav2_error_set("send: bad bundler URL (want http:// or https://)");
        return mav2_send_finish(&(mav2_send_ctx){0}, r, 0);
    }
    ok = mav2_send(node, bundler, p, r);
    if (bundler != node)
        mav2_rpc_free(bundler);
    mav2_rpc_free(node);
    return ok;
}
