/* SPDX-License-Identifier: Apache-2.0 */
/* bench_state: what the state costs per op (mav2/net/state.h), as mav2d will use it:
 * claim a lane, nonce check, journal the op, ledger link, window, renew, finish,
 * release. Prints one line per backend URL given: ops, microseconds and database round
 * trips per op. Usage: bench_state N URL... (a PostgreSQL password from
 * $STATE_PASSWORD_FILE). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mav2/core/account.h"
#include "mav2/core/error.h"
#include "mav2/core/userop.h"
#include "mav2/net/state.h"

#define CHAIN 31337

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int entry(const mav2_state_lane *lane, uint64_t seq, mav2_journal_entry *e)
{
    mav2_userop op;
    int ok;
    memset(e, 0, sizeof(*e));
    mav2_userop_init(&op);
    memcpy(op.sender, lane->account, 20);
    ok = mav2_nonce_full(&op.nonce, &lane->nonce_key, seq) &&
         mav2_userop_hash(&op, mav2_entry_point_v07, CHAIN, e->user_op_hash) &&
         mav2_userop_to_json(&op, &e->user_op);
    e->chain_id = CHAIN;
    memcpy(e->account, lane->account, 20);
    e->nonce_key = lane->nonce_key;
    e->nonce = op.nonce;
    memcpy(e->op_hash, e->user_op_hash, 32);
    mav2_userop_clear(&op);
    return ok;
}

static int one(mav2_state *st, const uint8_t acct[20], const mav2_u256 *keys, uint64_t i)
{
    mav2_state_lane lane;
    mav2_journal_entry e, p;
    mav2_u256 one, sum;
    uint64_t seq;
    uint8_t hash[32];
    char rec[64];
    int got = 0, v = 0, in = 0, ok;
    mav2_u256_from_u64(&one, 1);
    if (!mav2_state_lane_claim(st, acct, keys, 4, 60000, &lane, &got) || !got)
        return 0;
    ok = entry(&lane, i, &e) && mav2_state_nonce_check(st, &lane, CHAIN, &e.nonce, &p, &v) &&
         mav2_state_journal_put(st, &lane, &e);
    mav2_journal_entry_clear(&p);
    snprintf(rec, sizeof(rec), "{\"op\":%llu}", (unsigned long long)i);
    ok = ok && mav2_state_ledger_append(st, acct, rec, &seq, hash) &&
         mav2_state_window_add(st, acct, "value", 86400, &one, NULL, &in, &sum) &&
         mav2_state_lane_renew(st, &lane, 60000) &&
         mav2_state_journal_finish(st, CHAIN, acct, &lane.nonce_key, e.user_op_hash, NULL);
    mav2_journal_entry_clear(&e);
    return mav2_state_lane_release(st, &lane) && ok;
}

int main(int argc, char **argv)
{
    const char *pw = getenv("STATE_PASSWORD_FILE");
    uint8_t acct[20];
    mav2_u256 keys[4];
    int n = argc > 1 ? atoi(argv[1]) : 0;
    if (n < 1 || argc < 3) {
        fprintf(stderr, "usage: bench_state N URL...\n");
        return 2;
    }
    for (int k = 0; k < 4; k++)
        mav2_u256_from_u64(&keys[k], (uint64_t)k + 1);
    memset(acct, 0xbe, 20);
    for (int u = 2; u < argc; u++) {
        mav2_state *st;
        double t;
        int v;
        uint64_t trips;
        if (!mav2_state_open(argv[u], strncmp(argv[u], "postgres", 8) == 0 ? pw : NULL, &st) ||
            !mav2_state_init_db(st, &v)) {
            fprintf(stderr, "bench_state: %s\n", mav2_last_error());
            return 1;
        }
        acct[19] = (uint8_t)u;
        trips = mav2_state_round_trips(st);
        t = now_s();
        for (int i = 0; i < n; i++)
            if (!one(st, acct, keys, (uint64_t)i)) {
                fprintf(stderr, "bench_state: %s\n", mav2_last_error());
                return 1;
            }
        t = now_s() - t;
        printf("%-10s  ops %d  %8.0f us/op  %5.1f round trips/op\n", mav2_state_kind(st), n,
               t * 1e6 / n, (double)(mav2_state_round_trips(st) - trips) / n);
        mav2_state_close(st);
    }
    return 0;
}
