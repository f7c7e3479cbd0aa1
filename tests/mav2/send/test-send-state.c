/* SPDX-License-Identifier: Apache-2.0 */
/* test-send-state.c: the send flow journaling through a state backend (send.h: state,
 * state_lane) against the mock node + bundler of sendmock.c: files in a temp dir, or
 * the PostgreSQL named by $MH_STATE_URL (test-send-state-pg.sh starts one; its
 * password file in $MH_STATE_PASSWORD_FILE). */
#include "sendmock.h"
#include "mav2/core/account.h"
#include "mav2/core/error.h"
#include "mav2/net/state.h"
#include "mav2/send/send.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WAIT_MS 120000 /* for an expired lease: generous, never a race */

static int pg;

static mav2_state *open_state(const char *owner)
{
    const char *url = getenv("MH_STATE_URL"), *pw = getenv("MH_STATE_PASSWORD_FILE");
    char files[600];
    mav2_state *st = NULL;
    int version;
    pg = url != NULL && *url != '\0';
    if (!pg) {
        snprintf(files, sizeof(files), "file:%s/shared", state_dir);
        url = files;
        pw = NULL;
    }
    if (!mav2_state_open(url, pw, &st) || !mav2_state_set_owner(st, owner) ||
        !mav2_state_init_db(st, &version)) {
        tap_diag("state: %s", mav2_last_error());
        mav2_state_close(st);
        return NULL;
    }
    return st;
}

static int claim(mav2_state *st, const mav2_send_params *p, int lease_ms, mav2_state_lane *lane)
{
    mav2_u256 key;
    int got = 0;
    mav2_nonce_key(&key, &p->lane, p->entity_id, p->nonce_options);
    return mav2_state_lane_claim(st, p->account, &key, 1, lease_ms, lane, &got) && got;
}

static int state_has(mav2_state *st, const mav2_send_params *p, uint8_t hash[32])
{
    mav2_journal_entry e;
    mav2_u256 key;
    int found = 0;
    mav2_nonce_key(&key, &p->lane, p->entity_id, p->nonce_options);
    if (!mav2_state_journal_get(st, CHAIN_ID, p->account, &key, &e, &found))
        return -1;
    if (found && hash != NULL)
        memcpy(hash, e.user_op_hash, 32);
    if (found)
        mav2_journal_entry_clear(&e);
    return found;
}

static void test_params(mock *m, mav2_rpc *rpc, mav2_state *st)
{
    mav2_send_params p;
    mav2_send_result r;
    mav2_state_lane lane;
    mock_reset_calls(m);
    params_for_flow(&p);
    p.state = st;
    tap_ok(!mav2_send(rpc, rpc, &p, &r) && r.outcome == MAV2_SEND_INVALID &&
               strstr(r.message, "state_lane") != NULL,
           "a state without a lane is refused: %s", r.message);
    mav2_send_result_clear(&r);
    mav2_u256_from_u64(&p.lane, 9);
    tap_ok(claim(st, &p, 60000, &lane), "lane 9 claimed");
    p.state_lane = &lane;
    mav2_u256_from_u64(&p.lane, 0);
    tap_ok(!mav2_send(rpc, rpc, &p, &r) && r.outcome == MAV2_SEND_INVALID &&
               strstr(r.message, "lane held") != NULL,
           "an op on another lane than the one held is refused: %s", r.message);
    mav2_send_result_clear(&r);
    p.no_journal = 1;
    mav2_u256_from_u64(&p.lane, 9);
    tap_ok(!mav2_send(rpc, rpc, &p, &r) && strstr(r.message, "no_journal") != NULL,
           "a state with no_journal is refused: %s", r.message);
    mav2_send_result_clear(&r);
    tap_ok(json_object_array_length(m->calls) == 0 && signer.calls == 0,
           "nothing asked, nothing signed for refused parameters");
    mav2_state_lane_release(st, &lane);
}

/* A pending op journaled in the state, then resumed from it (not from state_dir). */
static void test_journal(mock *m, mav2_rpc *rpc, mav2_state *st)
{
    mav2_send_params p;
    mav2_send_result r;
    mav2_state_lane lane;
    uint8_t first[32], held[32];
    m->receipt_nulls = -1;
    mock_reset_calls(m);
    params_for_flow(&p);
    tap_ok(claim(st, &p, 60000, &lane), "lane 0 claimed");
    p.state = st;
    p.state_lane = &lane;
    p.wait_timeout_ms = 40;
    tap_ok(!mav2_send(rpc, rpc, &p, &r) && r.outcome == MAV2_SEND_TIMEOUT && signer.calls == 1,
           "signed, sent, not included yet: %s", r.message);
    memcpy(first, r.user_op_hash, 32);
    mav2_send_result_clear(&r);
    tap_ok(state_has(st, &p, held) == 1 && memcmp(held, first, 32) == 0,
           "the op is journaled in the state");
    tap_ok(journal_has(&p, NULL) == 0, "not in the state directory's journal");

    mock_reset_calls(m);
    m->receipt_nulls = 1;
    params_for_flow(&p);
    p.state = st;
    p.state_lane = &lane;
    tap_ok(mav2_send(rpc, rpc, &p, &r) && r.resumed && memcmp(r.user_op_hash, first, 32) == 0,
           "rerun: the state's op resumed (%s)", r.message);
    tap_ok(signer.calls == 0 && count_calls(m, "eth_sendUserOperation") == 0,
           "rerun: nothing signed or sent again");
    tap_ok(state_has(st, &p, NULL) == 0, "the state's entry is finished once included");
    mav2_send_result_clear(&r);

    mock_reset_calls(m);
    m->receipt_nulls = 0;
    params_for_flow(&p);
    p.state = st;
    p.state_lane = &lane;
    tap_ok(mav2_send(rpc, rpc, &p, &r) && !r.resumed && signer.calls == 1 &&
               state_has(st, &p, NULL) == 0,
           "a new op on the free lane: signed, included, entry finished (%s)", r.message);
    mav2_send_result_clear(&r);
    mav2_state_lane_release(st, &lane);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* PostgreSQL: a lease that expired and was claimed by another holder signs nothing. */
static void test_lease_lost(mock *m, mav2_rpc *rpc, mav2_state *a)
{
    mav2_state *b = open_state("test-b");
    mav2_send_params p;
    mav2_send_result r;
    mav2_state_lane la, lb;
    long long until = now_ms() + WAIT_MS;
    int got = 0;
    mock_reset_calls(m);
    params_for_flow(&p);
    mav2_u256_from_u64(&p.lane, 3);
    tap_ok(b != NULL && claim(a, &p, 1, &la), "A claims lane 3 for 1 ms");
    while (b != NULL && !got && now_ms() < until) /* until the lease is seen expired */
        got = claim(b, &p, 60000, &lb);
    tap_ok(got, "B claims lane 3 once A's lease expired");
    p.state = a;
    p.state_lane = &la;
    tap_ok(!mav2_send(rpc, rpc, &p, &r) && strstr(r.message, "lease") != NULL,
           "A sends nothing on the lost lane: %s", r.message);
    tap_ok(signer.calls == 0 && count_calls(m, "eth_sendUserOperation") == 0,
           "A signed nothing, sent nothing");
    mav2_send_result_clear(&r);
    if (got)
        mav2_state_lane_release(b, &lb);
    mav2_state_close(b);
}

int main(void)
{
    json_object *v = sm_setup(0);
    mock m;
    th_server *s;
    mav2_rpc *rpc;
    mav2_state *st = open_state("test-a");
    mock_init(&m, flow);
    s = th_start(mock_handler, &m);
    rpc = client(s);
    tap_ok(st != NULL, "state opened (%s)", pg ? "postgresql" : "files");
    if (st != NULL) {
        test_params(&m, rpc, st);
        test_journal(&m, rpc, st);
        if (pg)
            test_lease_lost(&m, rpc, st);
        else
            tap_skip("a lost lease signs nothing", "leases expire with PostgreSQL only");
    }
    mav2_state_close(st);
    mav2_rpc_free(rpc);
    th_stop(s);
    mock_free(&m);
    sm_cleanup(v);
    return tap_done();
}
