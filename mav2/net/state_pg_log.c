/* SPDX-License-Identifier: Apache-2.0 */
/* state_pg_log.c: policy windows and the audit ledger in PostgreSQL (state.h). A
 * window's check-and-add holds a transaction-scoped advisory lock of (account, rule),
 * so hosts adding at once see each other's amounts; ledger links (ledger_link.h: the
 * row's record is the link's line) are numbered per account under a unique (account,
 * seq), so of two hosts appending at once one gets the link and the other runs again
 * on top of it. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mav2/core/error.h"
#include "mav2/net/ledger_link.h"
#include "mav2/net/state_pg_int.h"

typedef struct {
    const uint8_t *account;
    const char *rule;
    int64_t window_s;
    const mav2_u256 *amount, *cap;
    int *within;
    mav2_u256 *sum;
} window_ctx;

static int window_body(mav2_state *st, void *ctx)
{
    window_ctx *c = ctx;
    char acct[MAV2_PG_BYTEA_MAX], secs[24], amount[MAV2_U256_DEC_MAX];
    const char *p[4] = {acct, c->rule, secs, amount};
    mav2_u256 next;
    PGresult *res;
    int r;
    mav2_pg_bytea(c->account, 20, acct);
    snprintf(secs, sizeof(secs), "%lld", (long long)c->window_s);
    if (c->amount != NULL && (r = mav2_pg_run(st,
                                              "SELECT pg_advisory_xact_lock(hashtextextended("
                                              "encode($1, 'hex') || '/' || $2, 0))",
                                              2, p)) != 1)
        return r;
    if ((r = mav2_pg_exec(st, &res,
                          "SELECT coalesce(sum(amount), 0)::text FROM mav2_window WHERE account ="
                          " $1 AND rule = $2 AND at > now() - $3 * interval '1 second'",
                          3, p)) != 1)
        return r;
    r = mav2_u256_from_dec(c->sum, PQgetvalue(res, 0, 0));
    PQclear(res);
    if (!r)
        return mav2_error_set("state: postgresql: a policy window's sum is out of range");
    if (c->amount == NULL)
        return 1;
    if (!mav2_u256_add(&next, c->sum, c->amount))
        return mav2_error_set("state: a policy window's sum overflows");
    if (c->cap != NULL && mav2_u256_cmp(&next, c->cap) > 0)
        return 1;
    mav2_u256_to_dec(c->amount, amount);
    p[2] = amount;
    if ((r = mav2_pg_run(st, "INSERT INTO mav2_window (account, rule, amount) VALUES ($1, $2, $3)",
                         3, p)) != 1)
        return r;
    *c->within = 1;
    *c->sum = next;
    return 1;
}

int mav2_pg_window_add(mav2_state *st, const uint8_t account[20], const char *rule,
                       int64_t window_s, const mav2_u256 *amount, const mav2_u256 *cap, int *within,
                       mav2_u256 *sum)
{
    window_ctx c = {account, rule, window_s, amount, cap, within, sum};
    if (amount == NULL)
        return mav2_error_set("state: no amount to add to the window");
    return mav2_pg_tx(st, window_body, &c);
}

int mav2_pg_window_sum(mav2_state *st, const uint8_t account[20], const char *rule,
                       int64_t window_s, mav2_u256 *sum)
{
    int within = 0;
    window_ctx c = {account, rule, window_s, NULL, NULL, &within, sum};
    return mav2_pg_tx(st, window_body, &c);
}

typedef struct {
    const uint8_t *account;
    const mav2_state_limit *l;
    size_t n;
    int *refused;
    mav2_u256 *sum;
} windows_ctx;

/* The sum of (account, l's rule) over l's window, plus l's amount, into *sum. */
static int limit_sum(mav2_state *st, const char *acct, const mav2_state_limit *l, mav2_u256 *sum)
{
    char secs[24];
    const char *p[3] = {acct, l->rule, secs};
    mav2_u256 had;
    PGresult *res;
    int r;
    snprintf(secs, sizeof(secs), "%lld", (long long)l->window_s);
    if ((r = mav2_pg_exec(st, &res,
                          "SELECT coalesce(sum(amount), 0)::text FROM mav2_window WHERE account ="
                          " $1 AND rule = $2 AND at > now() - $3 * interval '1 second'",
                          3, p)) != 1)
        return r;
    r = mav2_u256_from_dec(&had, PQgetvalue(res, 0, 0));
    PQclear(res);
    if (!r)
        return mav2_error_set("state: postgresql: a policy window's sum is out of range");
    if (!mav2_u256_add(sum, &had, &l->amount)) {
        uint8_t top[32];
        memset(top, 0xff, sizeof(top)); /* over any cap */
        mav2_u256_from_be32(sum, top);
    }
    return 1;
}

static int windows_body(mav2_state *st, void *ctx)
{
    windows_ctx *c = ctx;
    char acct[MAV2_PG_BYTEA_MAX], amount[MAV2_U256_DEC_MAX];
    const char *p[3] = {acct, NULL, amount};
    int r;
    mav2_pg_bytea(c->account, 20, acct);
    /* one policy step of an account at a time, on every host */
    if ((r = mav2_pg_run(st,
                         "SELECT pg_advisory_xact_lock(hashtextextended(encode($1, 'hex') ||"
                         " '/limits', 0))",
                         1, p)) != 1)
        return r;
    for (size_t i = 0; i < c->n; i++) {
        if ((r = limit_sum(st, acct, &c->l[i], c->sum)) != 1)
            return r;
        if (mav2_u256_cmp(c->sum, &c->l[i].cap) > 0) {
            *c->refused = (int)i;
            return 1;
        }
    }
    for (size_t i = 0; i < c->n; i++) {
        int first = 1;
        for (size_t j = 0; j < i; j++)
            first = first && strcmp(c->l[j].rule, c->l[i].rule) != 0;
        if (!first)
            continue;
        p[1] = c->l[i].rule;
        mav2_u256_to_dec(&c->l[i].amount, amount);
        if ((r = mav2_pg_run(st,
                             "INSERT INTO mav2_window (account, rule, amount) VALUES ($1, $2, $3)",
                             3, p)) != 1)
            return r;
    }
    return 1;
}

int mav2_pg_windows_take(mav2_state *st, const uint8_t account[20], const mav2_state_limit *l,
                         size_t n, int *refused, mav2_u256 *sum)
{
    windows_ctx c = {account, l, n, refused, sum};
    return mav2_pg_tx(st, windows_body, &c);
}

typedef struct {
    const uint8_t *account;
    const char *record;
    uint64_t *seq;
    uint8_t *hash;
} ledger_ctx;

/* Row 0 of res (seq, hash) into *seq and hash. */
static int link_of(PGresult *res, uint64_t *seq, uint8_t hash[32])
{
    *seq = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
    if (*seq == 0 || !mav2_pg_unbytea(PQgetvalue(res, 0, 1), hash, 32))
        return mav2_error_set("state: postgresql: a ledger link is damaged");
    return 1;
}

static int append_body(mav2_state *st, void *ctx)
{
    ledger_ctx *c = ctx;
    char acct[MAV2_PG_BYTEA_MAX], id[MAV2_PG_BYTEA_MAX], prev[MAV2_PG_BYTEA_MAX],
        hash[MAV2_PG_BYTEA_MAX], seq[24];
    const char *p[6] = {acct, id, seq, prev, hash, c->record};
    uint8_t rid[32], last[32] = {0};
    uint64_t n = 0;
    char *line = NULL;
    PGresult *res;
    int r;
    mav2_pg_bytea(c->account, 20, acct);
    mav2_state_record_id(c->record, rid);
    mav2_pg_bytea(rid, 32, id);
    if ((r = mav2_pg_exec(st, &res,
                          "SELECT seq, hash, record FROM mav2_ledger WHERE account = $1 AND"
                          " record_id = $2",
                          2, p)) != 1)
        return r;
    if (PQntuples(res) == 1) {
        r = link_of(res, c->seq, c->hash) &&
            mav2_ledger_outcome_again(PQgetvalue(res, 0, 2), strlen(PQgetvalue(res, 0, 2)),
                                      c->record);
        PQclear(res);
        return r;
    }
    PQclear(res);
    if ((r = mav2_pg_exec(st, &res,
                          "SELECT seq, hash FROM mav2_ledger WHERE account = $1 ORDER BY seq DESC"
                          " LIMIT 1",
                          1, p)) != 1)
        return r;
    r = PQntuples(res) == 0 || link_of(res, &n, last);
    PQclear(res);
    if (!r)
        return 0;
    *c->seq = n + 1;
    if (!mav2_ledger_link_make(c->record, *c->seq, last, &line))
        return 0;
    mav2_ledger_link_hash(line, strlen(line), c->hash);
    snprintf(seq, sizeof(seq), "%llu", (unsigned long long)*c->seq);
    mav2_pg_bytea(last, 32, prev);
    mav2_pg_bytea(c->hash, 32, hash);
    p[5] = line;
    r = mav2_pg_run(st,
                    "INSERT INTO mav2_ledger (account, record_id, seq, prev, hash, record)"
                    " VALUES ($1, $2, $3, $4, $5, $6)",
                    6, p);
    free(line);
    return r;
}

int mav2_pg_ledger_append(mav2_state *st, const uint8_t account[20], const char *record,
                          uint64_t *seq, uint8_t hash[32])
{
    ledger_ctx c = {account, record, seq, hash};
    return mav2_pg_tx(st, append_body, &c);
}

typedef struct {
    const uint8_t *account;
    PGresult **res;
} verify_ctx;

static int verify_body(mav2_state *st, void *ctx)
{
    verify_ctx *c = ctx;
    char acct[MAV2_PG_BYTEA_MAX];
    const char *p[1] = {acct};
    mav2_pg_bytea(c->account, 20, acct);
    return mav2_pg_exec(st, c->res,
                        "SELECT seq, prev, hash, record FROM mav2_ledger WHERE account = $1"
                        " ORDER BY seq",
                        1, p);
}

/* Row i of res (seq, prev, hash, record) as link i + 1 after last: 1 when it holds. */
static int link_holds(PGresult *res, int i, const uint8_t last[32], uint8_t hash[32])
{
    const char *line = PQgetvalue(res, i, 3);
    uint64_t no = (uint64_t)i + 1;
    uint8_t prev[32], want[32];
    if (strncmp(line, "{\"seq\":", 7) != 0)
        return mav2_error_set("link %llu: a version 1 link (its record is not a link line); "
                              "this mav2 reads format version 2 only",
                              (unsigned long long)no);
    if (!mav2_ledger_link_check(line, strlen(line), no, last, "link", NULL))
        return 0;
    mav2_ledger_link_hash(line, strlen(line), want);
    if (strtoull(PQgetvalue(res, i, 0), NULL, 10) != no ||
        !mav2_pg_unbytea(PQgetvalue(res, i, 1), prev, 32) ||
        !mav2_pg_unbytea(PQgetvalue(res, i, 2), hash, 32) || memcmp(prev, last, 32) != 0)
        return mav2_error_set("link %llu: its row's seq or prev is not its line's",
                              (unsigned long long)no);
    if (memcmp(hash, want, 32) != 0)
        return mav2_error_set("link %llu: its line is not the one its hash was made of (changed)",
                              (unsigned long long)no);
    return 1;
}

int mav2_pg_ledger_verify(mav2_state *st, const uint8_t account[20], uint64_t *count,
                          uint64_t *first_bad, uint8_t tip[32])
{
    PGresult *res = NULL;
    verify_ctx c = {account, &res};
    uint8_t hash[32];
    if (!mav2_pg_tx1(st, verify_body, &c))
        return 0;
    *count = (uint64_t)PQntuples(res);
    for (int i = 0; i < PQntuples(res) && *first_bad == 0; i++) {
        if (!link_holds(res, i, tip, hash))
            *first_bad = (uint64_t)i + 1;
        else
            memcpy(tip, hash, 32);
    }
    PQclear(res);
    return 1;
}

int mav2_pg_ledger_each(mav2_state *st, const uint8_t account[20], mav2_state_link_fn fn, void *ctx)
{
    PGresult *res = NULL;
    verify_ctx c = {account, &res};
    int ok;
    if (!mav2_pg_tx1(st, verify_body, &c))
        return 0;
    ok = 1;
    for (int i = 0; ok && i < PQntuples(res); i++)
        ok = fn(PQgetvalue(res, i, 3), (size_t)PQgetlength(res, i, 3), ctx);
    PQclear(res);
    return ok;
}
