/* SPDX-License-Identifier: Apache-2.0 */
/* submit.c: the op signed, journaled and sent (eth_sendUserOperation), then awaited
 * once (send_int.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "common/hex.h"
#include "mav2/core/error.h"
#include "mav2/net/journal.h"
#include "mav2/send/bounds.h"
#include "mav2/send/send_int.h"

/* Step 4: eth_sendUserOperation. */
static int submit(mav2_send_ctx *c, const uint8_t hash[32], uint8_t sent_hash[32])
{
    json_object *params = mav2_send_op_params(json_tokener_parse(c->r->user_op), c->ep),
                *res = NULL;
    const mav2_rpc_error *e;
    int ok = mav2_rpc_call(c->bundler, "eth_sendUserOperation", params, &res);
    json_object_put(params);
    memcpy(sent_hash, hash, 32);
    if (ok) {
        char hex[67];
        if (!json_object_is_type(res, json_type_string) ||
            !mh_hex_decode_exact(json_object_get_string(res), sent_hash, 32, NULL)) {
            json_object_put(res);
            c->r->outcome = MAV2_SEND_NETWORK;
            return mav2_error_set("eth_sendUserOperation: the answer is not a 32-byte hash");
        }
        json_object_put(res);
        mh_hex_encode(sent_hash, 32, hex, sizeof(hex), 1);
        mav2_send_progress(c->p, MAV2_STAGE_SENT, hex);
        return 1;
    }
    e = mav2_rpc_last_error(c->bundler);
    /* a retried POST that had reached the bundler the first time */
    if (e->status == MAV2_RPC_E_RPC && (strstr(e->message, "already known") != NULL ||
                                        strstr(e->message, "Already known") != NULL)) {
        mav2_send_progress(c->p, MAV2_STAGE_SENT, "already known to the bundler");
        return 1;
    }
    mav2_send_call_failed(c->r, e, "eth_sendUserOperation", c->p->entity_id);
    if (c->r->outcome == MAV2_SEND_REJECTED && c->journal)
        mav2_send_jdrop(c, hash);
    else if (c->journal)
        mav2_error_prefix("the op may have reached the bundler; run again to resume waiting");
    return 0;
}

/* The bundler answered eth_sendUserOperation with sent, not our hash (ours_hex): its
 * hash computation is not ours (another entry point or chain). The op is sent: it is
 * awaited under the bundler's hash, journaled under it (e, lane still locked), and
 * reported in c->note (r->message). */
static void hash_differs(mav2_send_ctx *c, mav2_journal_entry *e, const char *ours_hex,
                         const uint8_t sent[32])
{
    char hex[67];
    int n;
    mh_hex_encode(sent, 32, hex, sizeof(hex), 1);
    n = snprintf(c->note, sizeof(c->note),
                 "the bundler's userOpHash %s differs from ours %s (another entry point or "
                 "chain?); awaited under the bundler's",
                 hex, ours_hex);
    if (c->journal) {
        memcpy(e->user_op_hash, sent, 32);
        if (!mav2_send_jput(c, e) && n > 0 && (size_t)n < sizeof(c->note))
            snprintf(c->note + n, sizeof(c->note) - (size_t)n, " (journal not updated)");
    }
}

/* The journal entry of op, signed as hash (send.h: resuming). */
static int journal_op(mav2_send_ctx *c, const mav2_userop *op, const uint8_t hash[32],
                      mav2_journal_entry *je)
{
    je->chain_id = c->chain_id;
    memcpy(je->account, c->p->account, 20);
    je->nonce_key = c->key;
    je->nonce = op->nonce;
    memcpy(je->user_op_hash, hash, 32);
    memcpy(je->op_hash, hash, 32);
    memcpy(je->entry_point, c->ep, 20);
    je->intent = json_object_get(c->intent);
    je->replaced = json_object_get(c->replaced);
    snprintf(je->bundler, sizeof(je->bundler), "%s", mav2_rpc_url_redacted(c->bundler));
    je->user_op = json_tokener_parse(c->r->user_op);
    if (je->user_op == NULL)
        return mav2_error_set("out of memory");
    if (!mav2_send_jput(c, je))
        return mav2_error_prefix("not sending (the journal protects against double sends)");
    return 1;
}

/* params.guard at stage st for op (hash its userOpHash): 1 to go on. */
static int call_guard(const mav2_send_ctx *c, mav2_guard_stage st, const mav2_userop *op,
                      const uint8_t hash[32])
{
    mav2_guard_event ev = {.chain_id = c->chain_id,
                           .account = c->p->account,
                           .entity_id = c->p->entity_id,
                           .nonce_key = &c->key,
                           .op = op,
                           .user_op_hash = hash};
    size_t n = c->replaced != NULL ? json_object_array_length(c->replaced) : 0;
    if (c->p->guard == NULL)
        return 1;
    if (n > 0)
        ev.replaces = json_object_get_string(json_object_array_get_idx(c->replaced, n - 1));
    if (!mav2_bounds_op_max_cost(op, &ev.max_cost))
        memset(&ev.max_cost, 0xff, sizeof(ev.max_cost));
    return c->p->guard(c->p->guard_ctx, st, &ev);
}

/* Signs op (gas and fees set) into r->user_op and its hash. */
static int sign(mav2_send_ctx *c, mav2_userop *op, uint8_t hash[32])
{
    const mav2_send_params *p = c->p;
    mav2_send_result *r = c->r;
    mav2_buf sig = MAV2_BUF_INIT, final = MAV2_BUF_INIT;
    char hex[67];
    int ok = 0;

    if (memcmp(c->ep, mav2_entry_point_v08, 20) == 0
            ? !mav2_userop_hash_v08(op, c->ep, c->chain_id, hash)
            : !mav2_userop_hash(op, c->ep, c->chain_id, hash))
        goto out;
    if (!call_guard(c, MAV2_GUARD_BEFORE_SIGN, op, hash))
        goto out;
    if (!mav2_buf_append(&sig, p->sig_prefix, p->sig_prefix_len) ||
        !p->sign(p->sign_ctx, hash, &final)) {
        mav2_error_prefix("signing the user op");
        goto out;
    }
    if (!mav2_buf_append(&sig, final.data, final.len))
        goto out;
    free(r->user_op);
    r->user_op = NULL;
    if (!mav2_buf_set(&op->signature, sig.data, sig.len) ||
        !mav2_userop_to_json_string(op, &r->user_op) || !call_guard(c, MAV2_GUARD_SIGNED, op, hash))
        goto out;
    memcpy(r->user_op_hash, hash, 32);
    r->have_hash = 1;
    r->nonce = op->nonce;
    mh_hex_encode(hash, 32, hex, sizeof(hex), 1);
    mav2_send_progress(p, MAV2_STAGE_SIGNED, hex);
    ok = 1;
out:
    mav2_buf_free(&sig);
    mav2_buf_free(&final);
    return ok;
}

int mav2_send_sign_submit(mav2_send_ctx *c, mav2_userop *op, uint8_t sent[32])
{
    mav2_journal_entry je;
    uint8_t hash[32];
    char hex[67];
    int ok = 0;

    memset(&je, 0, sizeof(je));
    c->r->outcome = MAV2_SEND_INVALID;
    if (!mav2_send_check_max_cost(c, op) || (c->journal && !mav2_send_jbefore_sign(c, op)) ||
        !sign(c, op, hash) ||
        (c->journal && !journal_op(c, op, hash, &je)))
        goto out;
    ok = submit(c, hash, sent);
    if (ok && memcmp(sent, hash, 32) != 0) {
        mh_hex_encode(hash, 32, hex, sizeof(hex), 1);
        hash_differs(c, &je, hex, sent);
    }
    mav2_send_unlock(c);
    if (ok)
        memcpy(c->r->user_op_hash, sent, 32);
out:
    mav2_journal_entry_clear(&je);
    return ok;
}

int mav2_send_await(mav2_send_ctx *c, const uint8_t sent[32], int *replace_due)
{
    const mav2_send_params *p = c->p;
    mav2_send_result *r = c->r;
    mav2_send_params first = *p;
    char hex[67];
    int ok;

    *replace_due = 0;
    if (p->wait_timeout_ms < 0) {
        r->outcome = MAV2_SEND_SUBMITTED;
        return 1;
    }
    if (p->replace_after_ms > 0 && p->replace_after_ms < p->wait_timeout_ms)
        first.wait_timeout_ms = p->replace_after_ms;
    first.poll_initial_ms = mav2_send_first_poll_ms(p, c->chain_id);
    ok = mav2_send_wait(c->bundler, sent, &first, r, 1);
    if (!ok && r->outcome == MAV2_SEND_TIMEOUT && first.wait_timeout_ms < p->wait_timeout_ms) {
        *replace_due = 1;
        return 0;
    }
    mh_hex_encode(sent, 32, hex, sizeof(hex), 1);
    if (c->journal && (r->outcome == MAV2_SEND_INCLUDED || r->outcome == MAV2_SEND_REVERTED))
        mav2_send_jdone(c, sent);
    else if (!ok && r->outcome == MAV2_SEND_NETWORK)
        mav2_error_prefix("user op %s was sent, but waiting for it failed%s", hex,
                          c->journal ? " (run again to resume)" : "");
    return ok;
}
