/* SPDX-License-Identifier: Apache-2.0 */
/* state_int.h: what the state backends (state_files.c, state_pg.c) share with state.c. */
#ifndef MAV2_STATE_INT_H
#define MAV2_STATE_INT_H

#include <limits.h>

#include "mav2/net/state.h"

typedef struct {
    int (*init_db)(mav2_state *st, int *version);
    int (*claim)(mav2_state *st, const uint8_t account[20], const mav2_u256 *keys, size_t n,
                 int lease_ms, mav2_state_lane *lane, int *got);
    int (*renew)(mav2_state *st, const mav2_state_lane *lane, int lease_ms);
    int (*release)(mav2_state *st, mav2_state_lane *lane);
    int (*put)(mav2_state *st, const mav2_state_lane *lane, const mav2_journal_entry *e);
    int (*get)(mav2_state *st, uint64_t chain_id, const uint8_t account[20], const mav2_u256 *key,
               mav2_journal_entry *e, int *found);
    int (*pending)(mav2_state *st, uint64_t chain_id, const uint8_t account[20],
                   mav2_state_entry_fn fn, void *ctx);
    int (*finish)(mav2_state *st, uint64_t chain_id, const uint8_t account[20],
                  const mav2_u256 *key, const uint8_t hash[32], int *removed);
    /* the lane's entry, read while the lease is checked to be held */
    int (*held_get)(mav2_state *st, const mav2_state_lane *lane, uint64_t chain_id,
                    mav2_journal_entry *e, int *found);
    int (*window_add)(mav2_state *st, const uint8_t account[20], const char *rule, int64_t window_s,
                      const mav2_u256 *amount, const mav2_u256 *cap, int *within, mav2_u256 *sum);
    int (*window_sum)(mav2_state *st, const uint8_t account[20], const char *rule, int64_t window_s,
                      mav2_u256 *sum);
    int (*ledger_append)(mav2_state *st, const uint8_t account[20], const char *record,
                         uint64_t *seq, uint8_t hash[32]);
    /* tip: the last link's hash (zeros for none); at first_bad, mav2_last_error() says why */
    int (*ledger_verify)(mav2_state *st, const uint8_t account[20], uint64_t *count,
                         uint64_t *first_bad, uint8_t tip[32]);
    void (*close)(mav2_state *st);
    /* NULL: not kept by this backend */
    int (*call_put)(mav2_state *st, const uint8_t id[32], const char *text);
    int (*call_get)(mav2_state *st, const uint8_t id[32], char **text);
    int (*windows_take)(mav2_state *st, const uint8_t account[20], const mav2_state_limit *l,
                        size_t n, int *refused, mav2_u256 *sum);
    int (*ledger_each)(mav2_state *st, const uint8_t account[20], mav2_state_link_fn fn, void *ctx);
} mav2_state_backend;

struct mav2_state {
    const mav2_state_backend *be;
    const char *kind;
    char owner[64];
    int wait_ms;
    uint64_t trips, reconnects;
    char dir[PATH_MAX]; /* files */
    void *db;           /* postgresql: the backend's connection */
    char *url;          /* postgresql: the URL (no password in it) */
};

extern const mav2_state_backend mav2_state_files;
extern const mav2_state_backend mav2_state_pg;

/* Opens the PostgreSQL connection of st (state_pg.c). */
int mav2_state_pg_open(mav2_state *st, const char *url, const char *password_file);

/* The record's identity (keccak256 of its bytes): the same record is one link. An
 * outcome record's is its outcome key's (ledger_link.h): one link per op and kind. */
void mav2_state_record_id(const char *record, uint8_t out[32]);

#endif
