/* SPDX-License-Identifier: Apache-2.0 */
/* state_pg.c: the PostgreSQL state backend (state.h) through libpq. Every call is one
 * transaction; one that fails because the connection is gone (or on a serialization
 * failure, or when another host appended the same ledger link first) is run again
 * after the connection is back, until the handle's wait is over. Leases are timed by
 * the server's clock, so the hosts' clocks do not matter. */
#include "config.h"

#include <errno.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/hex.h"
#include "mav2/core/error.h"
#include "mav2/net/state_int.h"
#include "mav2/net/state_pg_int.h"

#define RETRY     MAV2_PG_RETRY
#define BYTEA_MAX MAV2_PG_BYTEA_MAX

static PGconn *conn_of(mav2_state *st)
{
    return (PGconn *)st->db;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* libpq's message of c, first line only: 1 line per error. */
static int conn_error(const char *what, PGconn *c)
{
    const char *m = PQerrorMessage(c);
    return mav2_error_set("state: %s: %.*s", what, (int)strcspn(m, "\n"), m);
}

/* Brings a lost connection back (PQreset), trying with growing pauses until deadline
 * while the server is down or starting. A server that answered a ping before and after
 * the attempt refused us (a bad password, no such database or user): waiting does not
 * cure that, so it is an error at once. */
static int reconnect(mav2_state *st, int64_t deadline)
{
    int pause = 50, up;
    while (PQstatus(conn_of(st)) != CONNECTION_OK) {
        struct timespec ts;
        if (now_ms() >= deadline)
            return conn_error("the database is unreachable", conn_of(st));
        ts.tv_sec = pause / 1000;
        ts.tv_nsec = (long)(pause % 1000) * 1000000L;
        nanosleep(&ts, NULL);
        pause = pause < 800 ? pause * 2 : 1000;
        st->trips += 2;
        st->reconnects++;
        up = PQping(st->url) == PQPING_OK;
        PQreset(conn_of(st));
        if (PQstatus(conn_of(st)) != CONNECTION_OK && up && PQping(st->url) == PQPING_OK)
            return conn_error("postgresql", conn_of(st));
    }
    return 1;
}

/* 1 for what a rerun can cure: the connection gone, the server shutting down or not
 * up yet, a serialization failure or deadlock, a unique key taken meanwhile. */
static int retryable(PGconn *c, const PGresult *res)
{
    const char *code = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (PQstatus(c) != CONNECTION_OK || code == NULL)
        return 1;
    return strncmp(code, "08", 2) == 0 || strncmp(code, "57P", 3) == 0 ||
           strcmp(code, "40001") == 0 || strcmp(code, "40P01") == 0 || strcmp(code, "23505") == 0;
}

/* Runs sql with text parameters: 1 with *res (PQclear it), RETRY, or 0 with the error. */
int mav2_pg_exec(mav2_state *st, PGresult **res, const char *sql, int n, const char *const *params)
{
    PGconn *c = conn_of(st);
    ExecStatusType s;
    st->trips++;
    *res = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
    s = PQresultStatus(*res);
    if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)
        return 1;
    if (retryable(c, *res)) {
        PQclear(*res);
        *res = NULL;
        return RETRY;
    }
    mav2_error_set("state: postgresql: %s", PQresultErrorField(*res, PG_DIAG_MESSAGE_PRIMARY));
    PQclear(*res);
    *res = NULL;
    return 0;
}

/* exec without a result to keep. */
int mav2_pg_run(mav2_state *st, const char *sql, int n, const char *const *params)
{
    PGresult *res;
    int r = mav2_pg_exec(st, &res, sql, n, params);
    PQclear(res);
    return r;
}

/* body inside BEGIN ... COMMIT (begin = 0: a body of one statement, on its own), run
 * again while it asks to be retried and the wait allows. */
static int tx_run(mav2_state *st, mav2_pg_body body, void *ctx, int begin)
{
    int64_t deadline = now_ms() + st->wait_ms;
    for (;;) {
        int r = begin ? mav2_pg_run(st, "BEGIN", 0, NULL) : 1;
        if (r == 1)
            r = body(st, ctx);
        if (r == 1 && begin)
            r = mav2_pg_run(st, "COMMIT", 0, NULL);
        if (r == 1)
            return 1;
        if (PQstatus(conn_of(st)) == CONNECTION_OK &&
            PQtransactionStatus(conn_of(st)) != PQTRANS_IDLE)
            mav2_pg_run(st, "ROLLBACK", 0, NULL);
        if (r == 0)
            return 0;
        if (now_ms() >= deadline)
            return conn_error("the database did not answer in time", conn_of(st));
        if (!reconnect(st, deadline))
            return 0;
    }
}

int mav2_pg_tx(mav2_state *st, mav2_pg_body body, void *ctx)
{
    return tx_run(st, body, ctx, 1);
}

int mav2_pg_tx1(mav2_state *st, mav2_pg_body body, void *ctx)
{
    return tx_run(st, body, ctx, 0);
}

/* "\x<hex>", a bytea parameter. */
void mav2_pg_bytea(const uint8_t *b, size_t n, char *out)
{
    out[0] = '\\';
    out[1] = 'x';
    mh_hex_encode(b, n, out + 2, 2 * n + 1, 0);
}

void mav2_pg_key_bytea(const mav2_u256 *key, char out[BYTEA_MAX])
{
    uint8_t be[32];
    mav2_u256_to_be32(key, be);
    mav2_pg_bytea(be, 32, out);
}

int mav2_pg_unbytea(const char *s, uint8_t *out, size_t n)
{
    return s != NULL && s[0] == '\\' && s[1] == 'x' && strlen(s + 2) == 2 * n &&
           mh_hex_decode(s + 2, out, n, NULL, NULL);
}

/* ---- schema ---- */

/* Version v's statements: migrations[v - 1], up to a NULL. */
static const char *const migrations[MAV2_STATE_SCHEMA][8] = {
    {/* 1: lanes, journal, windows, ledger */
     "CREATE TABLE mav2_lane (account bytea NOT NULL, nonce_key bytea NOT NULL,"
     " owner text, epoch bigint NOT NULL DEFAULT 0, lease_until timestamptz,"
     " PRIMARY KEY (account, nonce_key))",
     "CREATE TABLE mav2_journal (chain_id bigint NOT NULL, account bytea NOT NULL,"
     " nonce_key bytea NOT NULL, nonce numeric(78,0) NOT NULL, user_op_hash bytea NOT NULL,"
     " op_hash bytea NOT NULL, entry text NOT NULL, epoch bigint NOT NULL,"
     " written timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (chain_id, account, nonce_key))",
     "CREATE TABLE mav2_window (account bytea NOT NULL, rule text NOT NULL,"
     " at timestamptz NOT NULL DEFAULT now(), amount numeric(78,0) NOT NULL)",
     "CREATE INDEX mav2_window_at ON mav2_window (account, rule, at)",
     "CREATE TABLE mav2_ledger (account bytea NOT NULL, seq bigint NOT NULL CHECK (seq > 0),"
     " prev bytea NOT NULL, hash bytea NOT NULL, record_id bytea NOT NULL, record text NOT NULL,"
     " at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (account, seq),"
     " UNIQUE (account, record_id))",
     NULL},
    {/* 2: call records */
     "CREATE TABLE mav2_call (id bytea PRIMARY KEY, record text NOT NULL,"
     " written timestamptz NOT NULL DEFAULT now())",
     NULL},
};

static int init_body(mav2_state *st, void *ctx)
{
    int *version = ctx, r;
    PGresult *res;
    char v[16];
    const char *p[1] = {v};
    /* one migrating host at a time; the number is arbitrary but fixed */
    if ((r = mav2_pg_run(st, "SELECT pg_advisory_xact_lock(5474736)", 0, NULL)) != 1 ||
        (r = mav2_pg_run(st, "CREATE TABLE IF NOT EXISTS mav2_schema (version integer NOT NULL)", 0,
                         NULL)) != 1 ||
        (r = mav2_pg_exec(st, &res, "SELECT coalesce(max(version), 0) FROM mav2_schema", 0,
                          NULL)) != 1)
        return r;
    *version = atoi(PQgetvalue(res, 0, 0));
    PQclear(res);
    if (*version > MAV2_STATE_SCHEMA)
        return mav2_error_set("state: the database's schema is version %d, newer than this "
                              "mav2's (%d): upgrade mav2",
                              *version, MAV2_STATE_SCHEMA);
    for (; *version < MAV2_STATE_SCHEMA; (*version)++)
        for (const char *const *m = migrations[*version]; *m != NULL; m++)
            if ((r = mav2_pg_run(st, *m, 0, NULL)) != 1)
                return r;
    snprintf(v, sizeof(v), "%d", *version);
    if ((r = mav2_pg_run(st, "DELETE FROM mav2_schema", 0, NULL)) != 1)
        return r;
    return mav2_pg_run(st, "INSERT INTO mav2_schema (version) VALUES ($1)", 1, p);
}

static int p_init_db(mav2_state *st, int *version)
{
    return mav2_pg_tx(st, init_body, version);
}

/* ---- lanes ---- */

typedef struct {
    const uint8_t *account;
    const mav2_u256 *keys;
    size_t n;
    int lease_ms;
    mav2_state_lane *lane;
    int *got;
} claim_ctx;

/* '{"\\x..","\\x.."}', the keys as a bytea[] parameter. */
static char *keys_array(const mav2_u256 *keys, size_t n)
{
    char *a = malloc(n * (BYTEA_MAX + 4) + 3), *p;
    if (a == NULL)
        return NULL;
    p = a;
    *p++ = '{';
    for (size_t i = 0; i < n; i++) {
        char k[BYTEA_MAX];
        mav2_pg_key_bytea(&keys[i], k);
        p += sprintf(p, "%s\"\\\\%s\"", i ? "," : "", k + 1);
    }
    *p++ = '}';
    *p = '\0';
    return a;
}

static int claim_body(mav2_state *st, void *ctx)
{
    claim_ctx *c = ctx;
    char acct[BYTEA_MAX], ms[16], *keys = keys_array(c->keys, c->n);
    const char *p[4] = {acct, keys, st->owner, ms};
    PGresult *res;
    int r;
    if (keys == NULL)
        return mav2_error_set("state: out of memory");
    mav2_pg_bytea(c->account, 20, acct);
    snprintf(ms, sizeof(ms), "%d", c->lease_ms);
    r = mav2_pg_run(
        st,
        "INSERT INTO mav2_lane (account, nonce_key) SELECT $1, k FROM unnest($2::bytea[]) k"
        " ON CONFLICT DO NOTHING",
        2, p);
    if (r == 1)
        r = mav2_pg_exec(st, &res,
                         "UPDATE mav2_lane l SET owner = $3, epoch = l.epoch + 1,"
                         " lease_until = now() + $4 * interval '1 millisecond'"
                         " FROM (SELECT account, nonce_key FROM mav2_lane"
                         "  WHERE account = $1 AND nonce_key = ANY($2::bytea[])"
                         "  AND (owner IS NULL OR lease_until <= now())"
                         "  ORDER BY nonce_key LIMIT 1 FOR UPDATE SKIP LOCKED) f"
                         " WHERE l.account = f.account AND l.nonce_key = f.nonce_key"
                         " RETURNING l.nonce_key, l.epoch",
                         4, p);
    free(keys);
    if (r != 1)
        return r;
    if (PQntuples(res) == 1) {
        uint8_t k[32];
        if (!mav2_pg_unbytea(PQgetvalue(res, 0, 0), k, 32)) {
            PQclear(res);
            return mav2_error_set("state: postgresql: a lane's key is damaged");
        }
        memcpy(c->lane->account, c->account, 20);
        mav2_u256_from_be32(&c->lane->nonce_key, k);
        c->lane->epoch = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
        *c->got = 1;
    }
    PQclear(res);
    return 1;
}

static int p_claim(mav2_state *st, const uint8_t account[20], const mav2_u256 *keys, size_t n,
                   int lease_ms, mav2_state_lane *lane, int *got)
{
    claim_ctx c = {account, keys, n, lease_ms, lane, got};
    return mav2_pg_tx(st, claim_body, &c);
}

/* The lane's parameters $1 account, $2 key, $3 owner, $4 epoch into p[0..4). */
typedef struct {
    char acct[BYTEA_MAX], key[BYTEA_MAX], epoch[24];
} lane_params;

static void lane_p(mav2_state *st, const mav2_state_lane *lane, lane_params *lp, const char **p)
{
    mav2_pg_bytea(lane->account, 20, lp->acct);
    mav2_pg_key_bytea(&lane->nonce_key, lp->key);
    snprintf(lp->epoch, sizeof(lp->epoch), "%lld", (long long)lane->epoch);
    p[0] = lp->acct;
    p[1] = lp->key;
    p[2] = st->owner;
    p[3] = lp->epoch;
}

#define HELD " account = $1 AND nonce_key = $2 AND owner = $3 AND epoch = $4"

typedef struct {
    const mav2_state_lane *lane;
    int ms;
} renew_ctx;

static int renew_body(mav2_state *st, void *ctx)
{
    renew_ctx *c = ctx;
    lane_params lp;
    char ms[16];
    const char *p[5];
    PGresult *res;
    int r;
    lane_p(st, c->lane, &lp, p);
    snprintf(ms, sizeof(ms), "%d", c->ms);
    p[4] = ms;
    if (c->ms > 0)
        r = mav2_pg_exec(st, &res,
                         "UPDATE mav2_lane SET lease_until = now() + $5 * interval '1 millisecond'"
                         " WHERE" HELD " AND lease_until > now()",
                         5, p);
    else
        r = mav2_pg_exec(st, &res,
                         "UPDATE mav2_lane SET owner = NULL, lease_until = NULL WHERE" HELD, 4, p);
    if (r != 1)
        return r;
    r = strcmp(PQcmdTuples(res), "1") == 0;
    PQclear(res);
    return r || c->ms == 0 ? 1 : mav2_error_set("state: lease lost (expired or taken over)");
}

static int p_renew(mav2_state *st, const mav2_state_lane *lane, int lease_ms)
{
    renew_ctx c = {lane, lease_ms};
    return mav2_pg_tx1(st, renew_body, &c);
}

static int p_release(mav2_state *st, mav2_state_lane *lane)
{
    renew_ctx c = {lane, 0};
    if (lane->epoch == 0)
        return 1;
    if (!mav2_pg_tx1(st, renew_body, &c))
        return 0;
    lane->epoch = 0;
    return 1;
}

/* ---- journal ---- */

typedef struct {
    const mav2_state_lane *lane;
    const mav2_journal_entry *e;
    uint64_t chain_id;
    const uint8_t *account;
    const mav2_u256 *key;
    const uint8_t *hash;
    mav2_journal_entry *out;
    int *found;
    mav2_state_entry_fn fn;
    void *fn_ctx;
} journal_ctx;

static int put_body(mav2_state *st, void *ctx)
{
    journal_ctx *c = ctx;
    const mav2_journal_entry *e = c->e;
    lane_params lp;
    char chain[24], nonce[MAV2_U256_DEC_MAX], uh[BYTEA_MAX], oh[BYTEA_MAX];
    const char *p[9];
    json_object *o = mav2_journal_entry_json(e);
    PGresult *res;
    int r;
    lane_p(st, c->lane, &lp, p);
    snprintf(chain, sizeof(chain), "%llu", (unsigned long long)e->chain_id);
    mav2_u256_to_dec(&e->nonce, nonce);
    mav2_pg_bytea(e->user_op_hash, 32, uh);
    mav2_pg_bytea(memcmp(e->op_hash, (uint8_t[32]){0}, 32) ? e->op_hash : e->user_op_hash, 32, oh);
    p[4] = chain;
    p[5] = nonce;
    p[6] = uh;
    p[7] = oh;
    p[8] = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
    /* FOR SHARE: a claim of the lane waits until this row is written, then sees it */
    r = mav2_pg_exec(
        st, &res,
        "WITH l AS (SELECT epoch FROM mav2_lane WHERE" HELD " AND lease_until > now() FOR SHARE)"
        " INSERT INTO mav2_journal (chain_id, account, nonce_key, nonce, user_op_hash,"
        " op_hash, entry, epoch) SELECT $5, $1, $2, $6, $7, $8, $9, l.epoch FROM l"
        " ON CONFLICT (chain_id, account, nonce_key) DO UPDATE SET nonce = EXCLUDED.nonce,"
        " user_op_hash = EXCLUDED.user_op_hash, op_hash = EXCLUDED.op_hash,"
        " entry = EXCLUDED.entry, epoch = EXCLUDED.epoch, written = now()",
        9, p);
    json_object_put(o);
    if (r != 1)
        return r;
    r = strcmp(PQcmdTuples(res), "1") == 0;
    PQclear(res);
    return r ? 1 : mav2_error_set("state: lease lost (expired or taken over): not journaled");
}

static int p_put(mav2_state *st, const mav2_state_lane *lane, const mav2_journal_entry *e)
{
    journal_ctx c = {0};
    c.lane = lane;
    c.e = e;
    return mav2_pg_tx1(st, put_body, &c);
}

/* Row i of res (chain_id, nonce_key, entry) into e. */
static int row_entry(PGresult *res, int i, uint64_t chain_id, const uint8_t account[20],
                     mav2_journal_entry *e)
{
    uint8_t k[32];
    mav2_u256 key;
    json_object *o;
    int ok;
    if (!mav2_pg_unbytea(PQgetvalue(res, i, 0), k, 32))
        return mav2_error_set("state: postgresql: a journal row's key is damaged");
    mav2_u256_from_be32(&key, k);
    if ((o = json_tokener_parse(PQgetvalue(res, i, 1))) == NULL)
        return mav2_error_set("state: postgresql: a journal row is damaged (not JSON)");
    ok = mav2_journal_entry_from_json(o, chain_id, account, &key, "a journal row", e);
    json_object_put(o);
    return ok;
}

/* The entry of (chain, account, key) into c->out; with a lane, only while it is held. */
static int get_body(mav2_state *st, void *ctx)
{
    journal_ctx *c = ctx;
    lane_params lp;
    char chain[24], key[BYTEA_MAX], acct[BYTEA_MAX];
    const char *p[4];
    PGresult *res;
    int r;
    *c->found = 0;
    if (c->lane != NULL) {
        lane_p(st, c->lane, &lp, p);
        if ((r = mav2_pg_exec(st, &res,
                              "SELECT 1 FROM mav2_lane WHERE" HELD
                              " AND lease_until > now() FOR SHARE",
                              4, p)) != 1)
            return r;
        r = PQntuples(res) == 1;
        PQclear(res);
        if (!r)
            return mav2_error_set("state: lease lost (expired or taken over)");
    }
    mav2_pg_bytea(c->account, 20, acct);
    mav2_pg_key_bytea(c->key, key);
    snprintf(chain, sizeof(chain), "%llu", (unsigned long long)c->chain_id);
    p[0] = chain;
    p[1] = acct;
    p[2] = key;
    if ((r = mav2_pg_exec(
             st, &res,
             "SELECT nonce_key, entry FROM mav2_journal WHERE chain_id = $1 AND account = $2"
             " AND nonce_key = $3",
             3, p)) != 1)
        return r;
    r = 1;
    if (PQntuples(res) == 1)
        r = *c->found = row_entry(res, 0, c->chain_id, c->account, c->out);
    PQclear(res);
    return r;
}

static int p_get(mav2_state *st, uint64_t chain_id, const uint8_t account[20], const mav2_u256 *key,
                 mav2_journal_entry *e, int *found)
{
    journal_ctx c = {0};
    c.chain_id = chain_id;
    c.account = account;
    c.key = key;
    c.out = e;
    c.found = found;
    memset(e, 0, sizeof(*e));
    return mav2_pg_tx(st, get_body, &c);
}

static int p_held_get(mav2_state *st, const mav2_state_lane *lane, uint64_t chain_id,
                      mav2_journal_entry *e, int *found)
{
    journal_ctx c = {0};
    c.lane = lane;
    c.chain_id = chain_id;
    c.account = lane->account;
    c.key = &lane->nonce_key;
    c.out = e;
    c.found = found;
    memset(e, 0, sizeof(*e));
    return mav2_pg_tx(st, get_body, &c);
}

/* The rows are read in the transaction and handed to fn after it: fn may call back. */
static int pending_body(mav2_state *st, void *ctx)
{
    journal_ctx *c = ctx;
    char chain[24], acct[BYTEA_MAX];
    const char *p[2] = {chain, acct};
    PGresult **res = c->fn_ctx;
    snprintf(chain, sizeof(chain), "%llu", (unsigned long long)c->chain_id);
    mav2_pg_bytea(c->account, 20, acct);
    return mav2_pg_exec(
        st, res,
        "SELECT nonce_key, entry FROM mav2_journal WHERE chain_id = $1 AND account = $2"
        " ORDER BY nonce_key",
        2, p);
}

static int p_pending(mav2_state *st, uint64_t chain_id, const uint8_t account[20],
                     mav2_state_entry_fn fn, void *ctx)
{
    journal_ctx c = {0};
    PGresult *res = NULL;
    int ok = 1, more = 1;
    c.chain_id = chain_id;
    c.account = account;
    c.fn_ctx = &res;
    if (!mav2_pg_tx1(st, pending_body, &c))
        return 0;
    for (int i = 0; ok && more && i < PQntuples(res); i++) {
        mav2_journal_entry e;
        memset(&e, 0, sizeof(e));
        ok = row_entry(res, i, chain_id, account, &e);
        if (ok)
            more = fn(ctx, &e);
        mav2_journal_entry_clear(&e);
    }
    PQclear(res);
    return ok;
}

static int finish_body(mav2_state *st, void *ctx)
{
    journal_ctx *c = ctx;
    char chain[24], acct[BYTEA_MAX], key[BYTEA_MAX], h[BYTEA_MAX];
    const char *p[4] = {chain, acct, key, h};
    PGresult *res;
    int r;
    snprintf(chain, sizeof(chain), "%llu", (unsigned long long)c->chain_id);
    mav2_pg_bytea(c->account, 20, acct);
    mav2_pg_key_bytea(c->key, key);
    mav2_pg_bytea(c->hash, 32, h);
    if ((r = mav2_pg_exec(st, &res,
                          "DELETE FROM mav2_journal WHERE chain_id = $1 AND account = $2"
                          " AND nonce_key = $3 AND (user_op_hash = $4 OR op_hash = $4)",
                          4, p)) != 1)
        return r;
    *c->found = strcmp(PQcmdTuples(res), "1") == 0;
    PQclear(res);
    return 1;
}

static int p_finish(mav2_state *st, uint64_t chain_id, const uint8_t account[20],
                    const mav2_u256 *key, const uint8_t hash[32], int *removed)
{
    journal_ctx c = {0};
    c.chain_id = chain_id;
    c.account = account;
    c.key = key;
    c.hash = hash;
    c.found = removed;
    return mav2_pg_tx1(st, finish_body, &c);
}

/* ---- connection ---- */

/* A password in the URL would sit in configs and process listings: refused. */
static int url_has_password(const char *url)
{
    const char *a = strstr(url, "://") + 3, *end = a + strcspn(a, "/?");
    const char *at = memchr(a, '@', (size_t)(end - a));
    return (at != NULL && memchr(a, ':', (size_t)(at - a)) != NULL) ||
           strstr(url, "password=") != NULL;
}

/* The first line of path into pw (wiped by the caller). */
static int read_password(const char *path, char *pw, size_t cap)
{
    FILE *f = fopen(path, "re");
    size_t n;
    if (f == NULL)
        return mav2_error_set("state: cannot read the password file %s: %s", path, strerror(errno));
    if (fgets(pw, (int)cap, f) == NULL)
        pw[0] = '\0';
    fclose(f);
    n = strcspn(pw, "\r\n");
    if (n == 0 || n >= cap - 1)
        return mav2_error_set("state: the password file %s is empty or its line too long", path);
    pw[n] = '\0';
    return 1;
}

/* The server's notices ("already exists, skipping") are not for the user. */
static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

int mav2_state_pg_open(mav2_state *st, const char *url, const char *password_file)
{
    char pw[256] = "";
    const char *keys[] = {"dbname", "password", "application_name", NULL};
    const char *vals[] = {url, pw[0] ? pw : NULL, "mav2", NULL};
    int ok = 1;
    if (url_has_password(url))
        return mav2_error_set("state: the postgresql:// URL holds a password: put it in the "
                              "file named by state-password-file (or PGPASSWORD) instead");
    if (password_file != NULL && !read_password(password_file, pw, sizeof(pw))) {
        explicit_bzero(pw, sizeof(pw));
        return 0;
    }
    vals[1] = pw[0] ? pw : NULL;
    st->trips++;
    if ((st->url = strdup(url)) == NULL)
        return mav2_error_set("state: out of memory");
    st->db = PQconnectdbParams(keys, vals, 1);
    explicit_bzero(pw, sizeof(pw));
    if (st->db == NULL)
        return mav2_error_set("state: out of memory");
    PQsetNoticeProcessor(conn_of(st), quiet, NULL);
    if (PQstatus(conn_of(st)) != CONNECTION_OK)
        ok = reconnect(st, now_ms() + st->wait_ms);
    return ok;
}

static void p_close(mav2_state *st)
{
    PQfinish(conn_of(st));
    free(st->url);
    st->db = NULL;
    st->url = NULL;
}

const mav2_state_backend mav2_state_pg = {
    p_init_db,
    p_claim,
    p_renew,
    p_release,
    p_put,
    p_get,
    p_pending,
    p_finish,
    p_held_get,
    mav2_pg_window_add,
    mav2_pg_window_sum,
    mav2_pg_ledger_append,
    mav2_pg_ledger_verify,
    p_close,
    mav2_pg_call_put,
    mav2_pg_call_get,
    mav2_pg_windows_take,
    mav2_pg_ledger_each,
};
