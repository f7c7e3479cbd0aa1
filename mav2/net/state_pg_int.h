/* SPDX-License-Identifier: Apache-2.0 */
/* state_pg_int.h: what state_pg.c (connection, transactions, schema, lanes, journal)
 * shares with state_pg_log.c (policy windows, ledger). */
#ifndef MAV2_STATE_PG_INT_H
#define MAV2_STATE_PG_INT_H

#include <libpq-fe.h>

#include "mav2/net/state_int.h"

#define MAV2_PG_RETRY     (-1)         /* a body's answer: run the transaction again */
#define MAV2_PG_BYTEA_MAX (2 + 64 + 1) /* "\x" + 32 bytes in hex + NUL */

/* A transaction's body: 1, 0 (error set) or MAV2_PG_RETRY. */
typedef int (*mav2_pg_body)(mav2_state *st, void *ctx);

/* body inside BEGIN ... COMMIT, run again while it asks to and the wait allows. */
int mav2_pg_tx(mav2_state *st, mav2_pg_body body, void *ctx);
/* A body of one statement, without BEGIN and COMMIT around it. */
int mav2_pg_tx1(mav2_state *st, mav2_pg_body body, void *ctx);

/* sql with text parameters: 1 with *res (PQclear it), MAV2_PG_RETRY, or 0. */
int mav2_pg_exec(mav2_state *st, PGresult **res, const char *sql, int n, const char *const *params);
int mav2_pg_run(mav2_state *st, const char *sql, int n, const char *const *params);

/* bytea parameters ("\x<hex>") and values. */
void mav2_pg_bytea(const uint8_t *b, size_t n, char *out);
void mav2_pg_key_bytea(const mav2_u256 *key, char out[MAV2_PG_BYTEA_MAX]);
int mav2_pg_unbytea(const char *s, uint8_t *out, size_t n);

int mav2_pg_window_add(mav2_state *st, const uint8_t account[20], const char *rule,
                       int64_t window_s, const mav2_u256 *amount, const mav2_u256 *cap, int *within,
                       mav2_u256 *sum);
int mav2_pg_window_sum(mav2_state *st, const uint8_t account[20], const char *rule,
                       int64_t window_s, mav2_u256 *sum);
int mav2_pg_windows_take(mav2_state *st, const uint8_t account[20], const mav2_state_limit *l,
                         size_t n, int *refused, mav2_u256 *sum);
int mav2_pg_ledger_append(mav2_state *st, const uint8_t account[20], const char *record,
                          uint64_t *seq, uint8_t hash[32]);
int mav2_pg_call_put(mav2_state *st, const uint8_t id[32], const char *text);
int mav2_pg_call_get(mav2_state *st, const uint8_t id[32], char **text);
int mav2_pg_ledger_verify(mav2_state *st, const uint8_t account[20], uint64_t *count,
                          uint64_t *first_bad, uint8_t tip[32]);
int mav2_pg_ledger_each(mav2_state *st, const uint8_t account[20], mav2_state_link_fn fn,
                        void *ctx);

#endif
