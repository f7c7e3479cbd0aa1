/* SPDX-License-Identifier: Apache-2.0 */
/* test-send-poll.c: the first receipt poll waits for the chain's block time (send.h,
 * poll_initial_ms 0: a preset's block_ms), not a fixed short interval. The mock bundler
 * (sendmock.h) never has the receipt; the wait is cut by wait_timeout_ms, so the number
 * of polls made tells whether the first one waited for the block time, however fast or
 * slow the machine. */
#include "sendmock.h"
#include "mav2/core/settings.h"
#include "mav2/send/send.h"
#include "tap.h"

#include <string.h>

/* Receipt polls made for one op on the mock's chain (sepolia) within timeout_ms. */
static int polls_within(long poll_ms, long timeout_ms, mav2_send_outcome *outcome)
{
    mock m;
    th_server *s;
    mav2_rpc *rpc;
    mav2_send_params p;
    mav2_send_result r;
    int polls;
    mock_init(&m, flow);
    m.receipt_nulls = -1;
    s = th_start(mock_handler, &m);
    rpc = client(s);
    params_for_flow(&p);
    p.poll_initial_ms = poll_ms;
    p.wait_timeout_ms = timeout_ms;
    p.no_journal = 1;
    /* the result agrees with r.success, else no outcome at all */
    *outcome = mav2_send(rpc, rpc, &p, &r) == r.success ? r.outcome : (mav2_send_outcome)-1;
    polls = count_calls(&m, "eth_getUserOperationReceipt");
    mav2_send_result_clear(&r);
    mav2_rpc_free(rpc);
    th_stop(s);
    mock_free(&m);
    return polls;
}

int main(void)
{
    json_object *v = sm_setup(0);
    const mav2_chain *sep = mav2_chain_by_id(CHAIN_ID);
    mav2_send_outcome o;
    int n;

    tap_ok(sep != NULL && sep->block_ms == 12000, "the sepolia preset knows its 12 s blocks");
    n = polls_within(0, 1500, &o);
    tap_ok(o == MAV2_SEND_TIMEOUT && n == 1,
           "default on a 12 s chain: no poll before the wait ends, then one look (%d polls)", n);
    n = polls_within(5, 1500, &o);
    tap_ok(o == MAV2_SEND_TIMEOUT && n > 1, "--poll 5 still polls early and often (%d polls)", n);
    sm_cleanup(v);
    return tap_done();
}
