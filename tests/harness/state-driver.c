/* SPDX-License-Identifier: Apache-2.0 */
/* state-driver: drives a state backend (mav2/net/state.h) for test-state-*.sh.
 *   state-driver URL init                          schema; prints "version N"
 *   state-driver URL unit                          the interface's checks (TAP)
 *   state-driver URL work NAME ACCT LANES OPS LEASE_MS [GATE_AT GATE_FILE]
 *       OPS ops NAME-0.. one lane each: claim, resume what the lane holds, journal,
 *       ledger link, window, finish, release; before op GATE_AT prints "gate" and waits
 *       for GATE_FILE to exist
 *   state-driver URL hang NAME ACCT LANES LEASE_MS  journals NAME-0 on a lane, prints
 *       "ready" and waits to be killed
 *   state-driver URL take NAME ACCT LANES           claims every lane and finishes what
 *       they hold ("resume ID")
 *   state-driver URL verify ACCT                    "links N bad B"
 *   state-driver URL window ACCT                    "ops N" (the "ops" window's sum)
 * The password file, if any, is named by $STATE_PASSWORD_FILE. Lines go to stdout,
 * flushed one by one. With $MH_HELD_DIR, work marks each lane it holds under a lock that
 * never expires (epoch 0: files) with a file made O_EXCL there while it holds it, and
 * prints "double KEY" when the file already exists: two holders of one lane at once. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/hex.h"
#include "common/keccak.h"
#include "mav2/core/account.h"
#include "mav2/core/error.h"
#include "mav2/core/userop.h"
#include "mav2/net/state.h"

#define CHAIN     31337
#define MAX_LANES 64
#define WAIT_MS   180000 /* for a lane or the database: generous, never a race */

#include "tap.h"

__attribute__((format(printf, 1, 2))) static void out(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    fflush(stdout);
}

static int die(const char *what)
{
    fprintf(stderr, "state-driver: %s: %s\n", what, mav2_last_error());
    return 1;
}

static void pause_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void lane_keys(mav2_u256 *keys, int n)
{
    for (int i = 0; i < n; i++)
        mav2_u256_from_u64(&keys[i], (uint64_t)i + 1);
}

/* An entry for op id on lane with sequence seq: a real user op that hashes right. */
static int make_entry(const mav2_state_lane *lane, const char *id, uint64_t seq,
                      mav2_journal_entry *e)
{
    mav2_userop op;
    int ok;
    memset(e, 0, sizeof(*e));
    mav2_userop_init(&op);
    memcpy(op.sender, lane->account, 20);
    ok = mav2_nonce_full(&op.nonce, &lane->nonce_key, seq) &&
         mav2_buf_set(&op.call_data, id, strlen(id)) &&
         mav2_userop_hash(&op, mav2_entry_point_v07, CHAIN, e->user_op_hash) &&
         mav2_userop_to_json(&op, &e->user_op);
    e->chain_id = CHAIN;
    memcpy(e->account, lane->account, 20);
    e->nonce_key = lane->nonce_key;
    e->nonce = op.nonce;
    memcpy(e->op_hash, e->user_op_hash, 32);
    snprintf(e->bundler, sizeof(e->bundler), "http://127.0.0.1:1");
    e->intent = json_object_new_object();
    json_object_object_add(e->intent, "id", json_object_new_string(id));
    mav2_userop_clear(&op);
    return ok;
}

static const char *entry_id(const mav2_journal_entry *e)
{
    json_object *v;
    return e->intent != NULL && json_object_object_get_ex(e->intent, "id", &v)
               ? json_object_get_string(v)
               : "?";
}

static int claim_wait(mav2_state *st, const uint8_t acct[20], const mav2_u256 *keys, int n,
                      int lease_ms, mav2_state_lane *lane)
{
    int64_t deadline = now_ms() + WAIT_MS;
    int got = 0;
    while (!got) {
        if (!mav2_state_lane_claim(st, acct, keys, (size_t)n, lease_ms, lane, &got))
            return 0;
        if (!got && now_ms() > deadline)
            return mav2_error_set("no lane came free in %d ms", WAIT_MS);
        if (!got)
            pause_ms(5);
    }
    return 1;
}

/* Finishes what the lane holds, as the next holder does: "resume ID" if it was ours to
 * finish. */
static int resume_lane(mav2_state *st, const mav2_state_lane *lane)
{
    mav2_journal_entry e;
    int found = 0, removed = 0, ok;
    ok = mav2_state_journal_get(st, CHAIN, lane->account, &lane->nonce_key, &e, &found);
    if (ok && found) {
        ok = mav2_state_journal_finish(st, CHAIN, lane->account, &lane->nonce_key, e.user_op_hash,
                                       &removed);
        if (ok && removed)
            out("resume %s", entry_id(&e));
    }
    mav2_journal_entry_clear(&e);
    return ok;
}

/* One op on a held lane; 0 when something failed, with *journaled saying whether the
 * op was put (then it is the next holder's to finish, never to be done again). */
static int one_op(mav2_state *st, const mav2_state_lane *lane, const char *id, uint64_t seq,
                  int lease_ms, int *journaled)
{
    mav2_journal_entry e;
    uint64_t link;
    uint8_t hash[32];
    char rec[128];
    mav2_u256 one, sum;
    int ok, within = 0, removed = 0;
    mav2_u256_from_u64(&one, 1);
    if (!make_entry(lane, id, seq, &e))
        return 0;
    ok = mav2_state_journal_put(st, lane, &e);
    *journaled = ok;
    if (ok)
        out("put %s", id);
    snprintf(rec, sizeof(rec), "{\"op\":\"%s\"}", id);
    ok = ok && mav2_state_ledger_append(st, lane->account, rec, &link, hash) &&
         (out("link %llu", (unsigned long long)link), 1) &&
         mav2_state_window_add(st, lane->account, "ops", 86400, &one, NULL, &within, &sum) &&
         mav2_state_lane_renew(st, lane, lease_ms) && (out("finishing %s", id), 1) &&
         mav2_state_journal_finish(st, CHAIN, lane->account, &lane->nonce_key, e.user_op_hash,
                                   &removed);
    if (ok && removed)
        out("done %s", id);
    mav2_journal_entry_clear(&e);
    return ok;
}

static int wait_file(const char *path)
{
    struct stat sb;
    while (stat(path, &sb) != 0)
        pause_ms(10);
    return 1;
}

/* With $MH_HELD_DIR and a lock that never expires: marks lane as held (see the top). */
static void held_mark(const mav2_state_lane *lane, char *path, size_t size)
{
    const char *dir = getenv("MH_HELD_DIR");
    unsigned long long key = (unsigned long long)lane->nonce_key.w[0];
    int fd;
    path[0] = '\0';
    if (dir == NULL || lane->epoch != 0)
        return;
    snprintf(path, size, "%s/held-%llu", dir, key);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd >= 0)
        close(fd);
    else if (errno == EEXIST) {
        out("double %llu", key);
        path[0] = '\0'; /* the other holder's mark */
    }
}

static int cmd_work(mav2_state *st, int argc, char **argv)
{
    uint8_t acct[20];
    mav2_u256 keys[MAX_LANES];
    int n = atoi(argv[2]), ops = atoi(argv[3]), lease = atoi(argv[4]);
    int gate = argc > 6 ? atoi(argv[5]) : -1;
    if (!mh_hex_decode_exact(argv[1], acct, 20, NULL) || n < 1 || n > MAX_LANES)
        return mav2_error_set("bad account or lane count");
    lane_keys(keys, n);
    for (int i = 0; i < ops; i++) {
        mav2_state_lane lane;
        char id[64];
        if (i == gate) {
            out("gate");
            wait_file(argv[6]);
        }
        snprintf(id, sizeof(id), "%s-%d", argv[0], i);
        if (!claim_wait(st, acct, keys, n, lease, &lane))
            return 0;
        out("claim %llu %lld", (unsigned long long)lane.nonce_key.w[0], (long long)lane.epoch);
        char held[512];
        held_mark(&lane, held, sizeof(held));
        int journaled = 0;
        if (!resume_lane(st, &lane) || !one_op(st, &lane, id, (uint64_t)i, lease, &journaled)) {
            fprintf(stderr, "state-driver: %s: %s\n", id, mav2_last_error());
            if (strstr(mav2_last_error(), "lease lost") == NULL)
                return 0;
            out("lost %s", id);
            if (!journaled)
                i--; /* do it again; a journaled op is the next holder's to finish */
        }
        if (held[0] != '\0')
            unlink(held);
        mav2_state_lane_release(st, &lane);
    }
    out("reconnects %llu", (unsigned long long)mav2_state_reconnects(st));
    return 1;
}

static int cmd_hang(mav2_state *st, char **argv)
{
    uint8_t acct[20];
    mav2_u256 keys[MAX_LANES];
    mav2_state_lane lane;
    mav2_journal_entry e;
    char id[64];
    int n = atoi(argv[2]), ok;
    if (!mh_hex_decode_exact(argv[1], acct, 20, NULL) || n < 1 || n > MAX_LANES)
        return mav2_error_set("bad account or lane count");
    lane_keys(keys, n);
    snprintf(id, sizeof(id), "%s-0", argv[0]);
    if (!claim_wait(st, acct, keys, n, atoi(argv[3]), &lane) || !make_entry(&lane, id, 0, &e))
        return 0;
    ok = mav2_state_journal_put(st, &lane, &e);
    mav2_journal_entry_clear(&e);
    if (!ok)
        return 0;
    out("put %s", id);
    out("ready");
    for (;;)
        pause();
}

static int cmd_take(mav2_state *st, char **argv)
{
    uint8_t acct[20];
    mav2_u256 keys[MAX_LANES];
    mav2_state_lane lanes[MAX_LANES];
    int n = atoi(argv[2]), ok = 1, i;
    if (!mh_hex_decode_exact(argv[1], acct, 20, NULL) || n < 1 || n > MAX_LANES)
        return mav2_error_set("bad account or lane count");
    lane_keys(keys, n);
    for (i = 0; ok && i < n; i++)
        ok = claim_wait(st, acct, keys, n, 60000, &lanes[i]) && resume_lane(st, &lanes[i]);
    out("took %d", ok ? n : i - 1);
    while (i-- > 0)
        mav2_state_lane_release(st, &lanes[i]);
    return ok;
}

static int cmd_verify(mav2_state *st, char **argv)
{
    uint8_t acct[20];
    uint64_t count, bad;
    if (!mh_hex_decode_exact(argv[0], acct, 20, NULL))
        return mav2_error_set("bad account");
    if (!mav2_state_ledger_verify(st, acct, &count, &bad, NULL))
        return 0;
    if (bad)
        fprintf(stderr, "state-driver: %s\n", mav2_last_error());
    out("links %llu bad %llu", (unsigned long long)count, (unsigned long long)bad);
    return 1;
}

static int cmd_window(mav2_state *st, char **argv)
{
    uint8_t acct[20];
    mav2_u256 sum;
    char dec[MAV2_U256_DEC_MAX];
    if (!mh_hex_decode_exact(argv[0], acct, 20, NULL))
        return mav2_error_set("bad account");
    if (!mav2_state_window_sum(st, acct, "ops", 86400, &sum))
        return 0;
    mav2_u256_to_dec(&sum, dec);
    out("ops %s", dec);
    return 1;
}

static int unit_open(const char *url, const char *pw, const char *owner, mav2_state **st)
{
    if (!mav2_state_open(url, pw, st) || !mav2_state_set_owner(*st, owner)) {
        tap_diag("open: %s", mav2_last_error());
        return 0;
    }
    mav2_state_set_wait(*st, WAIT_MS);
    return 1;
}

static void unit_lanes(mav2_state *a, mav2_state *b, const uint8_t acct[20], const mav2_u256 *keys)
{
    mav2_state_lane l1, l2, l3;
    int g1 = 0, g2 = 0, g3 = 1;
    tap_ok(mav2_state_lane_claim(a, acct, keys, 2, 60000, &l1, &g1) && g1 &&
               mav2_state_lane_claim(b, acct, keys, 2, 60000, &l2, &g2) && g2 &&
               mav2_u256_cmp(&l1.nonce_key, &l2.nonce_key) != 0,
           "two holders claim the two lanes, one each");
    tap_ok(mav2_state_lane_claim(a, acct, keys, 2, 60000, &l3, &g3) && !g3,
           "a third claim finds no free lane");
    tap_ok(mav2_state_lane_release(b, &l2) &&
               mav2_state_lane_claim(a, acct, keys, 2, 60000, &l3, &g3) && g3 &&
               mav2_u256_cmp(&l3.nonce_key, &l2.nonce_key) == 0,
           "a released lane is claimed again");
    tap_ok(mav2_state_lane_renew(a, &l1, 60000), "the holder renews its lease");
    tap_ok(!mav2_state_lane_renew(b, &l2, 60000) && strstr(mav2_last_error(), "lease lost"),
           "a released lane's lease does not renew (%s)", mav2_last_error());
    mav2_state_lane_release(a, &l1);
    mav2_state_lane_release(a, &l3);
}

static void unit_nonce(mav2_state *a, const uint8_t acct[20], const mav2_u256 *keys)
{
    mav2_state_lane l;
    mav2_journal_entry e, p;
    mav2_u256 n;
    int got = 0, v = 0, removed = 1, ok;
    uint8_t wrong[32] = {1};
    ok = mav2_state_lane_claim(a, acct, keys, 1, 60000, &l, &got) && got &&
         make_entry(&l, "unit-0", 7, &e);
    tap_ok(ok && mav2_state_nonce_check(a, &l, CHAIN, &e.nonce, &p, &v) && v == MAV2_STATE_SIGN,
           "nonce check: no journal row: sign");
    tap_ok(mav2_state_journal_put(a, &l, &e), "the held lane's op is journaled");
    tap_ok(mav2_state_nonce_check(a, &l, CHAIN, &e.nonce, &p, &v) && v == MAV2_STATE_RESUME &&
               memcmp(p.user_op_hash, e.user_op_hash, 32) == 0,
           "nonce check: the row's nonce is the chain's: resume that op");
    mav2_journal_entry_clear(&p);
    mav2_nonce_full(&n, &l.nonce_key, 8);
    tap_ok(mav2_state_nonce_check(a, &l, CHAIN, &n, &p, &v) && v == MAV2_STATE_SETTLE,
           "nonce check: the chain is past the row: settle it");
    mav2_journal_entry_clear(&p);
    mav2_nonce_full(&n, &l.nonce_key, 6);
    tap_ok(!mav2_state_nonce_check(a, &l, CHAIN, &n, &p, &v) && strstr(mav2_last_error(), "lags"),
           "nonce check: the chain behind the row is refused (%s)", mav2_last_error());
    tap_ok(mav2_state_journal_finish(a, CHAIN, acct, &l.nonce_key, wrong, &removed) && !removed,
           "finish with another op's hash removes nothing");
    tap_ok(mav2_state_journal_finish(a, CHAIN, acct, &l.nonce_key, e.user_op_hash, &removed) &&
               removed,
           "finish with the op's hash removes it");
    tap_ok(mav2_state_journal_finish(a, CHAIN, acct, &l.nonce_key, e.user_op_hash, &removed) &&
               !removed,
           "a second finish of the op removes nothing");
    tap_ok(mav2_state_nonce_check(a, &l, CHAIN, &e.nonce, &p, &v) && v == MAV2_STATE_SIGN,
           "nonce check after finish: sign");
    mav2_journal_entry_clear(&e);
    make_entry(&l, "unit-1", 1, &e);
    mav2_u256_from_u64(&e.nonce_key, 99);
    tap_ok(!mav2_state_journal_put(a, &l, &e), "an entry of another lane is refused (%s)",
           mav2_last_error());
    mav2_journal_entry_clear(&e);
    mav2_state_lane_release(a, &l);
}

/* A lease that expires (PostgreSQL) or a lock (files): the next holder, and the old
 * one fenced off. */
static void unit_fence(mav2_state *a, mav2_state *b, const uint8_t acct[20], const mav2_u256 *keys)
{
    mav2_state_lane la, lb;
    mav2_journal_entry e;
    int got = 0, pg = strcmp(mav2_state_kind(a), "postgresql") == 0;
    int64_t deadline = now_ms() + WAIT_MS;
    mav2_state_lane_claim(a, acct, keys, 1, 1, &la, &got);
    tap_ok(got, "a lane is claimed with a 1 ms lease");
    if (!pg) {
        tap_ok(mav2_state_lane_claim(b, acct, keys, 1, 1, &lb, &got) && !got,
               "files: another handle cannot take the held lane");
        mav2_state_lane_release(a, &la);
        return;
    }
    got = 0;
    while (!got && now_ms() < deadline && mav2_state_lane_claim(b, acct, keys, 1, 60000, &lb, &got))
        if (!got)
            pause_ms(2);
    tap_ok(got && lb.epoch > la.epoch,
           "after it expires another holder claims it (epoch %lld > %lld)", (long long)lb.epoch,
           (long long)la.epoch);
    make_entry(&la, "unit-fenced", 3, &e);
    tap_ok(!mav2_state_journal_put(a, &la, &e) && strstr(mav2_last_error(), "lease lost"),
           "the old holder cannot journal any more (%s)", mav2_last_error());
    tap_ok(!mav2_state_lane_renew(a, &la, 60000), "nor renew");
    {
        mav2_journal_entry p;
        int v = 0;
        tap_ok(!mav2_state_nonce_check(a, &la, CHAIN, &e.nonce, &p, &v),
               "nor pass the nonce check before signing");
        tap_ok(mav2_state_nonce_check(b, &lb, CHAIN, &e.nonce, &p, &v) && v == MAV2_STATE_SIGN,
               "the new holder passes it");
    }
    mav2_journal_entry_clear(&e);
    mav2_state_lane_release(a, &la);
    mav2_state_lane_release(b, &lb);
}

static void unit_windows(mav2_state *a, mav2_state *b, const uint8_t acct[20])
{
    mav2_u256 five, six, cap, sum;
    char d[MAV2_U256_DEC_MAX];
    int in = 0;
    mav2_u256_from_u64(&five, 5);
    mav2_u256_from_u64(&six, 6);
    mav2_u256_from_u64(&cap, 10);
    tap_ok(mav2_state_window_add(a, acct, "value", 3600, &five, &cap, &in, &sum) && in &&
               mav2_u256_cmp(&sum, &five) == 0,
           "window: 5 within a cap of 10");
    tap_ok(mav2_state_window_add(b, acct, "value", 3600, &six, &cap, &in, &sum) && !in &&
               mav2_u256_cmp(&sum, &five) == 0,
           "window: 6 more is refused through the other handle, the sum stays 5");
    tap_ok(mav2_state_window_add(b, acct, "value", 3600, &five, &cap, &in, &sum) && in,
           "window: 5 more reaches the cap");
    tap_ok(mav2_state_window_sum(a, acct, "value", 3600, &sum) &&
               (mav2_u256_to_dec(&sum, d), strcmp(d, "10") == 0),
           "window: both handles' amounts are summed (%s)", d);
    tap_ok(mav2_state_window_sum(a, acct, "other", 3600, &sum) && mav2_u256_is_zero(&sum),
           "window: another rule is apart");
    tap_ok(!mav2_state_window_add(a, acct, "Bad Rule", 60, &five, NULL, &in, &sum),
           "window: a bad rule name is refused (%s)", mav2_last_error());
}

/* keccak256 of the link line {"seq":N,"prev":"0x<prev>",<record after its {>, as
 * ledger_link.h says */
static void link_hash(const uint8_t prev[32], uint64_t seq, const char *record, uint8_t out[32])
{
    char line[256], hex[65];
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", prev[i]);
    snprintf(line, sizeof(line), "{\"seq\":%llu,\"prev\":\"0x%s\",%s", (unsigned long long)seq, hex,
             record + 1);
    mh_keccak256(line, strlen(line), out);
}

static void unit_ledger(mav2_state *a, mav2_state *b, const uint8_t acct[20])
{
    uint64_t s1 = 0, s2 = 0, s3 = 0, n = 0, bad = 1;
    uint8_t h1[32], h2[32], h3[32], want[32], zero[32] = {0}, tip[32];
    tap_ok(mav2_state_ledger_append(a, acct, "{\"n\":1}", &s1, h1) && s1 == 1 &&
               mav2_state_ledger_append(b, acct, "{\"n\":2}", &s2, h2) && s2 == 2,
           "ledger: links 1 and 2 through two handles");
    link_hash(zero, 1, "{\"n\":1}", want);
    tap_mem_eq(h1, want, 32,
               "ledger: link 1 hashes its line {\"seq\":1,\"prev\":\"0x00..\",\"n\":1}");
    link_hash(h1, 2, "{\"n\":2}", want);
    tap_mem_eq(h2, want, 32, "ledger: link 2 chains link 1's hash");
    tap_ok(mav2_state_ledger_append(b, acct, "{\"n\":1}", &s3, h3) && s3 == 1 &&
               memcmp(h3, h1, 32) == 0,
           "ledger: the same record again is link 1, not a new link");
    tap_ok(mav2_state_ledger_verify(a, acct, &n, &bad, tip) && n == 2 && bad == 0,
           "ledger: 2 links verify");
    tap_mem_eq(tip, h2, 32, "ledger: the tip is link 2's hash");
    tap_ok(!mav2_state_ledger_append(a, acct, "two\nlines", &s3, h3),
           "ledger: a record of two lines is refused (%s)", mav2_last_error());
    tap_ok(!mav2_state_ledger_append(a, acct, "{\"seq\":9,\"n\":3}", &s3, h3),
           "ledger: a record with a seq member is refused (%s)", mav2_last_error());
}

/* Call records: PostgreSQL keeps them for every host, files none. */
static void unit_calls(mav2_state *a, mav2_state *b)
{
    uint8_t id[32], other[32];
    char *text = NULL;
    int pg = strcmp(mav2_state_kind(a), "postgresql") == 0;
    memset(id, 0xc1, 32);
    memset(other, 0xc2, 32);
    if (!pg) {
        tap_ok(!mav2_state_call_put(a, id, "{}") && strstr(mav2_last_error(), "no call records"),
               "files: no call records (%s)", mav2_last_error());
        return;
    }
    tap_ok(mav2_state_call_put(a, id, "{\"status\":100}") && mav2_state_call_get(b, id, &text) &&
               text != NULL && strcmp(text, "{\"status\":100}") == 0,
           "a call record put by A is read by B");
    free(text);
    tap_ok(mav2_state_call_put(b, id, "{\"status\":200}") && mav2_state_call_get(a, id, &text) &&
               text != NULL && strcmp(text, "{\"status\":200}") == 0,
           "B replaces it, A reads the new one");
    free(text);
    tap_ok(mav2_state_call_get(a, other, &text) && text == NULL, "an unknown id has none");
    tap_ok(!mav2_state_call_put(a, id, ""), "an empty record is refused");
}

/* Several windows in one step (a policy's rules): PostgreSQL shares them between
 * handles, all or nothing; files keep none. */
static void unit_windows_take(mav2_state *a, mav2_state *b, const uint8_t acct[20])
{
    mav2_state_limit l[2] = {{"t.ops", 60, {{0}}, {{0}}}, {"t.value", 3600, {{0}}, {{0}}}};
    mav2_u256 sum;
    char d[MAV2_U256_DEC_MAX];
    int refused = 0;
    mav2_u256_from_u64(&l[0].amount, 1);
    mav2_u256_from_u64(&l[0].cap, 100);
    mav2_u256_from_u64(&l[1].cap, 10);
    if (strcmp(mav2_state_kind(a), "postgresql") != 0) {
        tap_ok(!mav2_state_windows_take(a, acct, l, 2, &refused, &sum),
               "windows: files keep no shared windows (%s)", mav2_last_error());
        return;
    }
    mav2_u256_from_u64(&l[1].amount, 6);
    tap_ok(mav2_state_windows_take(a, acct, l, 2, &refused, &sum) && refused == -1,
           "windows: A takes 6 of 10");
    mav2_u256_from_u64(&l[1].amount, 5);
    tap_ok(mav2_state_windows_take(b, acct, l, 2, &refused, &sum) && refused == 1 &&
               (mav2_u256_to_dec(&sum, d), strcmp(d, "11") == 0),
           "windows: B's 5 more is refused by the cap, A's 6 counted (%s)", d);
    tap_ok(mav2_state_window_sum(a, acct, "t.ops", 60, &sum) &&
               (mav2_u256_to_dec(&sum, d), strcmp(d, "1") == 0),
           "windows: the refused step added nothing to the other rule (ops %s)", d);
    mav2_u256_from_u64(&l[1].amount, 4);
    tap_ok(mav2_state_windows_take(b, acct, l, 2, &refused, &sum) && refused == -1,
           "windows: B's 4 fits: 10 of 10");
    mav2_u256_from_u64(&l[0].cap, 2);
    mav2_u256_from_u64(&l[1].amount, 0);
    tap_ok(mav2_state_windows_take(a, acct, l, 2, &refused, &sum) && refused == 0,
           "windows: a third op over an ops cap of 2 is refused by it");
}

static int state_unit(const char *url, const char *pw)
{
    uint8_t acct[20];
    mav2_u256 keys[2];
    mav2_state *a = NULL, *b = NULL;
    int v = 0;
    memset(acct, 0x11, 20);
    lane_keys(keys, 2);
    if (!unit_open(url, pw, "unit-a", &a) || !unit_open(url, pw, "unit-b", &b))
        tap_bail("cannot open the state");
    tap_ok(mav2_state_init_db(a, &v) && v == MAV2_STATE_SCHEMA && mav2_state_init_db(b, &v) &&
               v == MAV2_STATE_SCHEMA,
           "%s: init-db makes schema %d, and again leaves it", mav2_state_kind(a),
           MAV2_STATE_SCHEMA);
    unit_lanes(a, b, acct, keys);
    unit_nonce(a, acct, keys);
    acct[0] = 0x12;
    unit_fence(a, b, acct, keys);
    unit_windows(a, b, acct);
    unit_windows_take(a, b, acct);
    unit_ledger(a, b, acct);
    unit_calls(a, b);
    mav2_state_close(a);
    mav2_state_close(b);
    return tap_done();
}

int main(int argc, char **argv)
{
    const char *pw = getenv("STATE_PASSWORD_FILE");
    mav2_state *st = NULL;
    int v, ok;
    if (pw != NULL && *pw == '\0')
        pw = NULL;
    if (argc < 3) {
        fprintf(stderr, "usage: state-driver URL init|unit|work|hang|take|verify|window ...\n");
        return 2;
    }
    if (strcmp(argv[2], "unit") == 0)
        return state_unit(argv[1], pw);
    if (!mav2_state_open(argv[1], pw, &st))
        return die("open");
    mav2_state_set_wait(st, WAIT_MS);
    if (strcmp(argv[2], "init") == 0)
        ok = mav2_state_init_db(st, &v) && (out("version %d", v), 1);
    else if (strcmp(argv[2], "work") == 0 && argc >= 8)
        ok = mav2_state_set_owner(st, argv[3]) && cmd_work(st, argc - 3, argv + 3);
    else if (strcmp(argv[2], "hang") == 0 && argc >= 7)
        ok = mav2_state_set_owner(st, argv[3]) && cmd_hang(st, argv + 3);
    else if (strcmp(argv[2], "take") == 0 && argc >= 6)
        ok = mav2_state_set_owner(st, argv[3]) && cmd_take(st, argv + 3);
    else if (strcmp(argv[2], "verify") == 0 && argc >= 4)
        ok = cmd_verify(st, argv + 3);
    else if (strcmp(argv[2], "window") == 0 && argc >= 4)
        ok = cmd_window(st, argv + 3);
    else
        ok = mav2_error_set("unknown command or missing arguments");
    if (!ok)
        die(argv[2]);
    mav2_state_close(st);
    return ok ? 0 : 1;
}
