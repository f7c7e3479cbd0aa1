/* SPDX-License-Identifier: Apache-2.0 */
/* resume.c: seeing a journaled op through (send.h: resuming): the op's intent,
 * resuming it (re-sent when the bundler lost it, superseded when its nonce went to
 * another op), waiting for another intent's op on a busy lane. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "common/hex.h"
#include "common/keccak.h"
#include "mav2/core/account.h"
#include "mav2/core/error.h"
#include "mav2/send/erc20_gas.h"
#include "mav2/send/send_int.h"

static void add_hex(json_object *o, const char *k, const uint8_t *b, size_t n)
{
    size_t sz = mh_hex_encoded_size(n, 1);
    char *t = malloc(sz);
    if (t == NULL)
        return;
    mh_hex_encode(b, n, t, sz, 1);
    json_object_object_add(o, k, json_object_new_string(t));
    free(t);
}

/* keccak of the parts, each followed by a NUL: a secret-bearing setting (a paymaster
 * URL may hold an API key) compared without being stored */
static void add_digest(json_object *o, const char *k, const char *a, const char *b)
{
    mh_keccak256_ctx kc;
    uint8_t h[32];
    mh_keccak256_init(&kc);
    mh_keccak256_update(&kc, a, strlen(a) + 1);
    mh_keccak256_update(&kc, b, strlen(b) + 1);
    mh_keccak256_final(&kc, h);
    add_hex(o, k, h, 32);
}

json_object *mav2_send_intent(const mav2_send_params *p, const uint8_t ep[MAV2_ADDRESS_LEN])
{
    json_object *o = json_object_new_object();
    char n[32];
    add_hex(o, "entryPoint", ep, 20);
    add_hex(o, "callData", p->call_data, p->call_data_len);
    if (p->factory != NULL) {
        add_hex(o, "factory", p->factory, 20);
        add_hex(o, "factoryData", p->factory_data, p->factory_data_len);
    }
    if (p->paymaster_url != NULL)
        add_digest(o, "paymasterService", p->paymaster_url,
                   p->paymaster_context ? p->paymaster_context : "{}");
    if (p->gas_policy_id != NULL)
        add_digest(o, "gasPolicy", p->gas_policy_id, "");
    mav2_erc20_intent_add(o, p);
    json_object_object_add(o, "priorityMul",
                           json_object_new_string(p->priority_mul ? p->priority_mul : ""));
    json_object_object_add(o, "baseMul", json_object_new_string(p->base_mul ? p->base_mul : ""));
    json_object_object_add(o, "maxFeeMul",
                           json_object_new_string(p->max_fee_mul ? p->max_fee_mul : ""));
    json_object_object_add(o, "genericBaseMul",
                           json_object_new_string(p->generic_base_mul ? p->generic_base_mul : ""));
    json_object_object_add(o, "feeCapBaseMul",
                           json_object_new_string(p->fee_cap_base_mul ? p->fee_cap_base_mul : ""));
    snprintf(n, sizeof(n), "%llu", (unsigned long long)p->verification_gas_extra);
    json_object_object_add(o, "verificationGasExtra", json_object_new_string(n));
    if (p->sig_prefix != NULL) /* the op installs its key from the owner's deferred grant */
        add_hex(o, "deferredGrant", p->sig_prefix, p->sig_prefix_len);
    return o;
}

/* e was journaled for the intent c->intent. An entry without one (mav2 submit, older
 * versions): the same call data. */
int mav2_send_same_intent(const mav2_send_ctx *c, const mav2_journal_entry *e)
{
    json_object *cd;
    uint8_t *b = NULL;
    size_t n = 0;
    int same;
    if (e->intent != NULL)
        return c->intent != NULL && json_object_equal(e->intent, c->intent);
    cd = mav2_send_member(e->user_op, "callData");
    if (cd == NULL || !json_object_is_type(cd, json_type_string) ||
        !mh_hex_decode_alloc(json_object_get_string(cd), &b, &n, NULL))
        return 0;
    same = n == c->p->call_data_len && (n == 0 || memcmp(b, c->p->call_data, n) == 0);
    free(b);
    return same;
}

static const uint8_t *entry_ep(const mav2_journal_entry *e)
{
    static const uint8_t zero[MAV2_ADDRESS_LEN];
    return memcmp(e->entry_point, zero, 20) == 0 ? mav2_entry_point_v07 : e->entry_point;
}

/* The bundler's eth_getUserOperationByHash for e: *known 1 when it has the op (or cannot
 * tell: the method is missing), 0 when it answers null. 0 on a network failure. */
static int bundler_knows(mav2_send_ctx *c, const mav2_journal_entry *e, int *known)
{
    json_object *params = json_object_new_array(), *res = NULL;
    char hex[67];
    int ok;
    mh_hex_encode(e->user_op_hash, 32, hex, sizeof(hex), 1);
    json_object_array_add(params, json_object_new_string(hex));
    ok = mav2_rpc_call(c->bundler, "eth_getUserOperationByHash", params, &res);
    json_object_put(params);
    *known = 1;
    if (!ok)
        return mav2_rpc_last_error(c->bundler)->status == MAV2_RPC_E_RPC ||
               mav2_send_call_failed(c->r, mav2_rpc_last_error(c->bundler),
                                     "eth_getUserOperationByHash", c->p->entity_id);
    *known = res != NULL;
    json_object_put(res);
    return 1;
}

/* The journaled op e, signed and not yet included, is sent again when the bundler does
 * not know it (its first eth_sendUserOperation failed or the bundler dropped it): the
 * same bytes, so the same hash. The entry stays either way. */
static int deliver(mav2_send_ctx *c, const mav2_journal_entry *e, const char *hex)
{
    json_object *params, *res = NULL;
    const mav2_rpc_error *er;
    uint8_t got[32];
    char ep[43];
    int known, ok;
    if (!bundler_knows(c, e, &known))
        return 0;
    if (known)
        return 1;
    params = json_object_new_array();
    json_object_array_add(params, json_object_get(e->user_op));
    mh_hex_encode(entry_ep(e), 20, ep, sizeof(ep), 1);
    json_object_array_add(params, json_object_new_string(ep));
    ok = mav2_rpc_call(c->bundler, "eth_sendUserOperation", params, &res);
    json_object_put(params);
    if (ok) {
        ok = json_object_is_type(res, json_type_string) &&
             mh_hex_decode_exact(json_object_get_string(res), got, 32, NULL) &&
             (memcmp(got, e->user_op_hash, 32) == 0 || memcmp(got, e->op_hash, 32) == 0);
        json_object_put(res);
        if (!ok) {
            c->r->outcome = MAV2_SEND_NETWORK;
            return mav2_error_set("eth_sendUserOperation (sending the journaled user op %s "
                                  "again): the answer is not its hash",
                                  hex);
        }
        mav2_send_progress(c->p, MAV2_STAGE_SENT, hex);
        return 1;
    }
    er = mav2_rpc_last_error(c->bundler);
    if (er->status == MAV2_RPC_E_RPC && strstr(er->message, "lready known") != NULL)
        return 1;
    mav2_send_call_failed(c->r, er, "eth_sendUserOperation", c->p->entity_id);
    return mav2_error_prefix("sending the journaled user op %s again (replace it with mav2 "
                             "replace %s, or run again)",
                             hex, hex);
}

/* Its nonce went past e: e's receipt (included or reverted), else e can never be
 * included (another op took the nonce): superseded. The entry is cleared. */
static int settle_passed(mav2_send_ctx *c, const mav2_journal_entry *e, uint64_t seq)
{
    mav2_send_params once = *c->p;
    size_t n = e->replaced != NULL ? json_object_array_length(e->replaced) : 0;
    uint8_t h[32];
    int ok;
    once.wait_timeout_ms = 0;
    ok = mav2_send_wait(c->bundler, e->user_op_hash, &once, c->r, 0);
    /* a replaced op of the same intent may be the one that got in, newest first */
    for (size_t i = n; i-- > 0 && !ok && c->r->outcome == MAV2_SEND_TIMEOUT;)
        if (mh_hex_decode_exact(json_object_get_string(json_object_array_get_idx(e->replaced, i)),
                                h, 32, NULL))
            ok = mav2_send_wait(c->bundler, h, &once, c->r, 0);
    if (!ok && c->r->outcome == MAV2_SEND_TIMEOUT) {
        c->superseded = 1;
        c->r->outcome = MAV2_SEND_REJECTED;
        ok = mav2_error_set("superseded: this op can never be included: its nonce %llu was used "
                            "by another op (journal entry cleared)",
                            (unsigned long long)seq);
    }
    if (c->r->outcome == MAV2_SEND_INCLUDED || c->r->outcome == MAV2_SEND_REVERTED || c->superseded)
        mav2_send_jdone(c, e->user_op_hash);
    return ok;
}

/* After deliver(e) failed: 1 when the chain's nonce went past e's meanwhile (the
 * bundler did not know e because it was bundling it just then). The error stays. */
static int passed_meanwhile(mav2_send_ctx *c, const mav2_journal_entry *e, uint64_t seq_entry)
{
    char why[512];
    mav2_u256 key;
    uint64_t seq_chain;
    int passed;
    if (c->r->outcome == MAV2_SEND_NETWORK)
        return 0;
    snprintf(why, sizeof(why), "%s", mav2_last_error());
    mav2_nonce_split(&e->nonce, &key, NULL);
    passed = mav2_eth_nonce_seq(c->node, entry_ep(e), e->account, &key, &seq_chain) &&
             seq_chain > seq_entry;
    if (!passed)
        mav2_error_set("%s", why);
    return passed;
}

/* Sees the journaled op e through (the lane lock released): included, reverted or
 * superseded clear its entry; sent again first when the bundler lost it. */
static int settle(mav2_send_ctx *c, const mav2_journal_entry *e)
{
    uint64_t seq_chain, seq_entry;
    char hex[67];
    int ok;
    mav2_send_unlock(c); /* nothing is signed from here on */
    mav2_nonce_split(&c->onchain_nonce, NULL, &seq_chain);
    mav2_nonce_split(&e->nonce, NULL, &seq_entry);
    mh_hex_encode(e->user_op_hash, 32, hex, sizeof(hex), 1);
    if (seq_chain > seq_entry)
        return settle_passed(c, e, seq_entry);
    if (!deliver(c, e, hex))
        return passed_meanwhile(c, e, seq_entry) ? settle_passed(c, e, seq_entry) : 0;
    ok = mav2_send_wait(c->bundler, e->user_op_hash, c->p, c->r, 0);
    if (c->r->outcome == MAV2_SEND_INCLUDED || c->r->outcome == MAV2_SEND_REVERTED)
        mav2_send_jdone(c, e->user_op_hash);
    return ok;
}

int mav2_send_resume(mav2_send_ctx *c, mav2_journal_entry *e)
{
    uint64_t seq;
    char hex[67];
    int ok;
    c->r->resumed = 1;
    c->r->nonce = e->nonce;
    if (!mav2_send_keep_json(&c->r->user_op, e->user_op)) {
        c->r->outcome = MAV2_SEND_INVALID;
        return 0;
    }
    memcpy(c->r->user_op_hash, e->user_op_hash, 32);
    c->r->have_hash = 1;
    mh_hex_encode(e->user_op_hash, 32, hex, sizeof(hex), 1);
    mav2_send_progress(c->p, MAV2_STAGE_RESUMED, hex);
    ok = settle(c, e);
    mav2_nonce_split(&e->nonce, NULL, &seq);
    if (c->r->outcome == MAV2_SEND_TIMEOUT)
        mav2_error_set("the journaled user op %s (nonce %llu) is still pending: run again to "
                       "keep waiting, replace it with higher fees (mav2 replace %s), or force a "
                       "new op",
                       hex, (unsigned long long)seq, hex);
    return ok;
}

int mav2_send_await_busy(mav2_send_ctx *c, mav2_journal_entry *e)
{
    const mav2_send_params *saved = c->p;
    mav2_send_params quiet = *c->p; /* the other op's stages are not this op's */
    mav2_send_result *mine = c->r, other;
    uint64_t seq;
    char hex[67];
    int ok;
    memset(&other, 0, sizeof(other));
    mh_hex_encode(e->user_op_hash, 32, hex, sizeof(hex), 1);
    mav2_nonce_split(&e->nonce, NULL, &seq);
    mav2_send_progress(c->p, MAV2_STAGE_BUSY, hex);
    quiet.progress = NULL;
    c->p = &quiet;
    c->r = &other;
    c->superseded = 0;
    settle(c, e);
    c->p = saved;
    c->r = mine;
    mine->outcome = other.outcome;
    ok =
        other.outcome == MAV2_SEND_INCLUDED || other.outcome == MAV2_SEND_REVERTED || c->superseded;
    c->superseded = 0;
    if (!ok && other.outcome == MAV2_SEND_TIMEOUT)
        mav2_error_set("the lane is busy: user op %s (nonce %llu, another intent) is still "
                       "pending, this op was not sent; see it through (mav2 receipt %s) or "
                       "replace it (mav2 replace %s), then run again",
                       hex, (unsigned long long)seq, hex, hex);
    else if (!ok)
        mav2_error_prefix("waiting for the pending user op %s of another intent", hex);
    mav2_send_result_clear(&other);
    if (!ok)
        return 0;
    /* its nonce is used or freed: the lane again, a fresh nonce */
    mine->outcome = MAV2_SEND_INVALID;
    if (c->journal && !mav2_send_jlock(c))
        return 0;
    return mav2_send_prepare(c);
}

int mav2_send_lane_free(mav2_send_ctx *c, mav2_send_params *rest, int *ok)
{
    const mav2_send_params *p = c->p;
    uint8_t busy[32] = {0}; /* the hash of the other intent's op last waited for */
    mav2_journal_entry je;
    int found = 0, free_now = 0;

    *ok = 0;
    memset(&je, 0, sizeof(je));
    for (;;) {
        if (!mav2_send_jlane(c, &je, &found))
            break;
        if (found && c->nonce_cached) { /* the entry is judged by the chain's nonce */
            c->nonce_cached = 0;
            mav2_journal_entry_clear(&je);
            if (!mav2_send_prepare(c))
                break;
            continue;
        }
        if (!found || p->force_new) {
            free_now = 1;
            break;
        }
        if (mav2_send_same_intent(c, &je)) {
            *ok = mav2_send_resume(c, &je);
            break;
        }
        if (memcmp(je.user_op_hash, busy, 32) == 0) { /* settled, yet its entry stayed */
            mav2_error_set("journal: the entry of the settled user op could not be removed");
            break;
        }
        memcpy(busy, je.user_op_hash, 32);
        if (!mav2_send_await_busy(c, &je))
            break;
        mav2_journal_entry_clear(&je);
        if (p->wait_timeout_ms >= 0) { /* the rest of the wait is this op's */
            long left = p->wait_timeout_ms - (mav2_send_now_ms() - c->started_ms);
            *rest = *p;
            rest->wait_timeout_ms = left > 0 ? left : 0;
            c->p = rest;
        }
        c->r->outcome = MAV2_SEND_INVALID;
    }
    mav2_journal_entry_clear(&je);
    return free_now;
}
