/* SPDX-License-Identifier: Apache-2.0 */
/* wait.c: receipt polling of the send flow (mav2_send_wait, with backoff and jitter)
 * and mav2_wait_receipt (send.h). */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/hex.h"
#include "mav2/core/error.h"
#include "mav2/core/settings.h"
#include "mav2/send/send_int.h"

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (ms > 0 && nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* The next poll delay: delay x factor_x1000 / 1000, at most max_ms (when > 0) and
 * never past LONG_MAX (a large factor without a maximum). */
static long next_delay(long delay, long factor_x1000, long max_ms)
{
    long f = factor_x1000 > 0 ? factor_x1000 : 1000;
    long cap = max_ms > 0 ? max_ms : LONG_MAX;
    if (delay > LONG_MAX / f)
        return cap;
    delay = delay * f / 1000;
    return delay > cap ? cap : delay;
}

long mav2_send_first_poll_ms(const mav2_send_params *p, uint64_t chain_id)
{
    const mav2_chain *ch = mav2_chain_by_id(chain_id);
    if (p->poll_initial_ms > 0)
        return p->poll_initial_ms;
    return ch != NULL && ch->block_ms > 0 ? ch->block_ms : MAV2_SEND_POLL_FALLBACK_MS;
}

/* The receipt res (owned) of the op hash (hex) into r: INCLUDED, or REVERTED with the
 * reason; NETWORK when it is not a receipt of that op. */
static int take_receipt(json_object *res, const uint8_t hash[32], const char *hex,
                        const mav2_send_params *p, mav2_send_result *r)
{
    json_object *v;
    mav2_u256 q;
    uint8_t got[32];

    if (!json_object_is_type(res, json_type_object)) {
        json_object_put(res);
        r->outcome = MAV2_SEND_NETWORK;
        return mav2_error_set("eth_getUserOperationReceipt: not an object");
    }
    v = mav2_send_member(res, "userOpHash");
    if (v != NULL && (!json_object_is_type(v, json_type_string) ||
                      !mh_hex_decode_exact(json_object_get_string(v), got, 32, NULL) ||
                      memcmp(got, hash, 32) != 0)) {
        json_object_put(res);
        r->outcome = MAV2_SEND_NETWORK;
        return mav2_error_set("eth_getUserOperationReceipt: the receipt's userOpHash is not %s",
                              hex);
    }
    if (!mav2_send_keep_json(&r->receipt, res)) {
        json_object_put(res);
        r->outcome = MAV2_SEND_INVALID;
        return 0;
    }
    memcpy(r->user_op_hash, hash, 32);
    r->have_hash = 1;
    v = mav2_send_member(mav2_send_member(res, "receipt"), "transactionHash");
    if (v != NULL && json_object_is_type(v, json_type_string))
        snprintf(r->tx_hash, sizeof(r->tx_hash), "%s", json_object_get_string(v));
    if (mav2_send_quantity(mav2_send_member(mav2_send_member(res, "receipt"), "blockNumber"),
                           "blockNumber", &q))
        mav2_u256_to_u64(&q, &r->block_number);
    if (mav2_send_quantity(mav2_send_member(res, "actualGasCost"), "actualGasCost", &q))
        r->actual_gas_cost = q;
    mav2_error_clear();
    mav2_send_progress(p, MAV2_STAGE_INCLUDED, r->tx_hash);
    v = mav2_send_member(res, "success");
    if (v != NULL && json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v)) {
        r->outcome = MAV2_SEND_INCLUDED;
        json_object_put(res);
        return 1;
    }
    r->outcome = MAV2_SEND_REVERTED;
    v = mav2_send_member(res, "reason");
    mav2_error_set("user op %s was included in %s but its call reverted%s%s", hex, r->tx_hash,
                   v ? ": " : "", v ? json_object_get_string(v) : "");
    json_object_put(res);
    return 0;
}

int mav2_send_wait(mav2_rpc *bundler, const uint8_t hash[32], const mav2_send_params *p,
                   mav2_send_result *r, int sleep_first)
{
    long deadline = mav2_send_now_ms() + (p->wait_timeout_ms > 0 ? p->wait_timeout_ms : 0);
    long long rd = mav2_rpc_deadline(bundler); /* the client's deadline bounds the wait */
    long delay = p->poll_initial_ms > 0 ? p->poll_initial_ms : MAV2_SEND_POLL_FALLBACK_MS;
    unsigned int seed = (unsigned int)mav2_send_now_ms() ^ hash[0] << 8 ^ hash[1];
    char hex[67], note[32];
    mh_hex_encode(hash, 32, hex, sizeof(hex), 1);
    if (rd > 0 && rd < deadline)
        deadline = (long)rd;
    for (int i = 1;; i++) {
        json_object *params, *res = NULL;
        int ok;
        if (sleep_first || i > 1) {
            long left = deadline - mav2_send_now_ms();
            long d = delay / 2 + (long)(rand_r(&seed) % (unsigned long)(delay / 2 + 1));
            if (i > 1 && left <= 0) {
                r->outcome = MAV2_SEND_TIMEOUT;
                return mav2_error_set("user op %s not included after %ld ms: still pending "
                                      "(run again to keep waiting)",
                                      hex, p->wait_timeout_ms);
            }
            sleep_ms(d < left ? d : (left > 0 ? left : 0));
            delay = next_delay(delay, p->poll_factor_x1000, p->poll_max_ms);
        }
        snprintf(note, sizeof(note), "poll %d", i);
        mav2_send_progress(p, MAV2_STAGE_WAITING, note);
        params = json_object_new_array();
        json_object_array_add(params, json_object_new_string(hex));
        ok = mav2_rpc_call(bundler, "eth_getUserOperationReceipt", params, &res);
        json_object_put(params);
        if (!ok)
            return mav2_send_call_failed(r, mav2_rpc_last_error(bundler),
                                         "eth_getUserOperationReceipt", 0);
        if (res == NULL) {
            if (mav2_send_now_ms() >= deadline && (p->wait_timeout_ms <= 0)) {
                r->outcome = MAV2_SEND_TIMEOUT;
                return mav2_error_set("user op %s not included yet", hex);
            }
            continue;
        }
        return take_receipt(res, hash, hex, p, r);
    }
}

int mav2_wait_receipt(mav2_rpc *bundler, const uint8_t user_op_hash[32], const mav2_send_params *p,
                      mav2_send_result *r)
{
    mav2_send_params d;
    unsigned long before;
    int ok;
    if (r == NULL)
        return mav2_error_set("mav2_wait_receipt: no result");
    memset(r, 0, sizeof(*r));
    r->outcome = MAV2_SEND_INVALID;
    if (bundler == NULL || user_op_hash == NULL)
        return mav2_error_set("mav2_wait_receipt: no bundler or hash");
    if (p == NULL) {
        mav2_send_params_init(&d);
        p = &d;
    } else if (!mav2_send_params_check(p)) {
        return 0;
    }
    before = mav2_rpc_requests_sent(bundler);
    ok = mav2_send_wait(bundler, user_op_hash, p, r, 0);
    r->http_requests = mav2_rpc_requests_sent(bundler) - before;
    r->success = ok;
    if (!ok)
        snprintf(r->message, sizeof(r->message), "%s", mav2_last_error());
    if (r->receipt != NULL) {
        json_object *rc = json_tokener_parse(r->receipt);
        if (!mav2_send_quantity(mav2_send_member(rc, "nonce"), "receipt nonce", &r->nonce))
            mav2_u256_from_u64(&r->nonce, 0); /* a receipt without it: unknown */
        json_object_put(rc);
    }
    if (ok)
        mav2_error_clear();
    else
        mav2_error_set("%s", r->message); /* not the nonce's */
    return ok;
}

/* ---- seeing a journaled op through ------------------------------------------------ */
