/* SPDX-License-Identifier: Apache-2.0 */
/* test-send-known: the send flow given what its caller already knows (known.h) against
 * the mock node and bundler (sendmock.h): nothing known is read again, and a known
 * nonce is not trusted while the lane's journal holds an op (the op is judged on the
 * chain's nonce: a pending op known as included is resumed, not called superseded). */
#include "config.h"

#include <string.h>

#include "mav2/core/account.h"
#include "mav2/core/error.h"
#include "mav2/send/known.h"
#include "sendmock.h"
#include "tap.h"
#include "vectors.h"

#define GET_NONCE "0x35567e1a"

int main(void)
{
    json_object *v = sm_setup(0);
    mock m;
    th_server *s;
    mav2_rpc *rpc;
    mav2_send_params p;
    mav2_send_result r;
    mav2_send_known k;
    mav2_u256 one, next;
    int ok;

    mock_init(&m, flow);
    m.receipt_nulls = -1; /* never included */
    s = th_start(mock_handler, &m);
    rpc = client(s);
    params_for_flow(&p);

    memset(&k, 0, sizeof(k));
    ok = mav2_send_known_read(rpc, rpc, &p, &k);
    tap_ok(ok && k.chain_id == CHAIN_ID && k.deployed && k.have_fees && k.have_validation &&
               !k.have_nonce,
           "known_read: chain, code, fees, validation in one request %s", mav2_last_error());
    tap_ok(th_requests(s) == 1 && count_eth_calls(&m, GET_NONCE) == 0 &&
               count_eth_calls(&m, "0x70a08231") == 0,
           "neither the nonce nor the deposit asked (%d requests, %d getNonce, %d deposit)",
           th_requests(s), count_eth_calls(&m, GET_NONCE), count_eth_calls(&m, "0x70a08231"));

    /* op A sent and not awaited: journaled, pending on nonce 3 */
    p.wait_timeout_ms = -1;
    ok = mav2_send(rpc, rpc, &p, &r);
    tap_ok(ok && r.outcome == MAV2_SEND_SUBMITTED && journal_has(&p, NULL) == 1,
           "op A sent and journaled %s", r.message);
    mav2_u256_from_u64(&one, 1);
    mav2_u256_add(&next, &r.nonce, &one);
    mav2_send_result_clear(&r);

    /* a caller that wrongly believes A included: its next nonce A's + 1 */
    k.have_nonce = 1;
    k.nonce = next;
    mock_reset_calls(&m);
    signer.calls = 0;
    p.wait_timeout_ms = 0;
    ok = mav2_send_with(rpc, rpc, &p, &k, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_TIMEOUT && r.resumed,
           "the journaled op A is resumed (still pending), not called superseded: %s", r.message);
    tap_ok(journal_has(&p, NULL) == 1, "A's journal entry stays");
    tap_ok(signer.calls == 0 && count_calls(&m, "eth_sendUserOperation") == 0,
           "nothing signed or sent");
    tap_ok(count_eth_calls(&m, GET_NONCE) == 1, "the nonce was read from the chain");
    tap_ok(count_calls(&m, "eth_getBlockByNumber") == 1,
           "the journaled op seen, the flow read everything afresh");
    mav2_send_result_clear(&r);

    mav2_send_known_clear(&k);
    mav2_rpc_free(rpc);
    th_stop(s);
    mock_free(&m);
    sm_cleanup(v);
    return tap_done();
}
