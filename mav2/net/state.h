/* SPDX-License-Identifier: Apache-2.0 */
/* state.h: where a sender keeps what must survive it and be shared: lane leases, the
 * pending-op journal, policy windows and the audit ledger. Two backends behind one
 * handle:
 *   files       the journal of journal.h in a state directory, lanes as flock locks
 *               (held until released or the process dies), windows and the ledger in
 *               files of the same directory (one machine);
 *   postgresql  tables in a PostgreSQL database through libpq (several hosts): lanes
 *               are leased rows that expire unless renewed, and every journal write
 *               is fenced by the lease it was made under.
 * A handle is used by one thread at a time. With PostgreSQL, a lost connection
 * (server restart, failover) is waited for, up to mav2_state_set_wait, and the call is
 * run again; calls are idempotent except mav2_state_window_add, which can count an
 * amount twice when the connection drops between its commit and the answer (a window
 * errs on the side of refusing).
 *
 * The send flow with a lane (what mav2d does per op):
 *   mav2_state_lane_claim                  a free lane of the account, or none
 *   mav2_state_journal_get (its entries)   resume a pending op exactly as send.c does
 *   read the lane's nonce from the chain (EntryPoint getNonce)
 *   mav2_state_nonce_check                 SIGN: no pending op, the lease is ours;
 *                                          RESUME: the journal row is that nonce's op;
 *                                          SETTLE: the row's op got in (or its nonce
 *                                          passed): finish it, check again
 *   sign, then mav2_state_journal_put      refused once the lease is lost: a signature
 *                                          made under a lost lease is never journaled,
 *                                          so never sent
 *   send, wait, mav2_state_journal_finish, mav2_state_lane_renew between steps,
 *   mav2_state_lane_release.
 * So two hosts never send two ops for one nonce: a host journals only under a live
 * lease, and the next holder reads the row before it signs. */
#ifndef MAV2_STATE_H
#define MAV2_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "mav2/core/u256.h"
#include "mav2/net/journal.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mav2_state mav2_state;

/* A lane held by this handle: (account, nonce key) and the lease's fencing number. */
typedef struct mav2_state_lane {
    uint8_t account[20];
    mav2_u256 nonce_key;
    int64_t epoch; /* PostgreSQL: grows with every claim of the lane; files: 0 */
    int fd;        /* files: the lock's descriptor; -1 when not held */
} mav2_state_lane;

/* The schema version mav2_state_init_db creates. */
#define MAV2_STATE_SCHEMA 2

/* Opens the state at url: NULL or "" = files in the default state directory
 * (journal.h), "file:DIR" or an absolute path = files in DIR, "postgresql://..." or
 * "postgres://..." = PostgreSQL (libpq's URI; a password in it is refused). The
 * password comes from password_file (its first line; NULL = none: libpq's PGPASSWORD
 * or ~/.pgpass). PostgreSQL must have the schema (mav2_state_init_db). A server that
 * does not answer is waited for as a lost connection is, 60000 ms. */
int mav2_state_open(const char *url, const char *password_file, mav2_state **out);

/* As mav2_state_open, waiting at most wait_ms (0 = not at all) for the server, the wait
 * the handle then keeps (mav2_state_set_wait). */
int mav2_state_open_wait(const char *url, const char *password_file, int wait_ms, mav2_state **out);

void mav2_state_close(mav2_state *st);

/* "files" or "postgresql". */
const char *mav2_state_kind(const mav2_state *st);

/* The name leases are held under (default "HOST:PID"; at most 63 bytes). */
int mav2_state_set_owner(mav2_state *st, const char *owner);

/* How long a call waits for a lost database connection to come back (default 60000
 * ms; 0 = not at all). */
void mav2_state_set_wait(mav2_state *st, int wait_ms);

/* Round trips to the database since the handle was opened (files: 0), and the times
 * a lost connection was waited for. */
uint64_t mav2_state_round_trips(const mav2_state *st);
uint64_t mav2_state_reconnects(const mav2_state *st);

/* Creates or migrates the schema to MAV2_STATE_SCHEMA (files: makes the directory),
 * one migration at a time under a lock; *version gets the version now. A database of
 * a newer schema is refused. */
int mav2_state_init_db(mav2_state *st, int *version);

/* Claims one free lane of account among keys[0..n) for lease_ms: 1 with *got = 1 and
 * lane filled, 1 with *got = 0 when all are held (by others, or leased and not
 * expired). Never waits for a lane. Files: a lock held until release (lease_ms
 * unused). */
int mav2_state_lane_claim(mav2_state *st, const uint8_t account[20], const mav2_u256 *keys,
                          size_t n, int lease_ms, mav2_state_lane *lane, int *got);

/* Extends the lease to lease_ms from now: 0 with "lease lost" when it expired or was
 * claimed by another holder (then stop using the lane). */
int mav2_state_lane_renew(mav2_state *st, const mav2_state_lane *lane, int lease_ms);

/* Gives the lane up (nothing when it is not held any more). */
int mav2_state_lane_release(mav2_state *st, mav2_state_lane *lane);

/* Writes (replaces) the journal entry of e's chain, account and key, which must be
 * the lane's: refused ("lease lost") unless the lease is still held. */
int mav2_state_journal_put(mav2_state *st, const mav2_state_lane *lane,
                           const mav2_journal_entry *e);

/* As mav2_journal_get: the entry of (chain, account, key), checked the same way. */
int mav2_state_journal_get(mav2_state *st, uint64_t chain_id, const uint8_t account[20],
                           const mav2_u256 *nonce_key, mav2_journal_entry *e, int *found);

/* Calls fn for every pending entry of account on chain_id (any lane), until fn
 * returns 0. e is valid during the call only. */
typedef int (*mav2_state_entry_fn)(void *ctx, const mav2_journal_entry *e);
int mav2_state_journal_pending(mav2_state *st, uint64_t chain_id, const uint8_t account[20],
                               mav2_state_entry_fn fn, void *ctx);

/* Removes the entry of (chain, account, key) if it is still the op known by hash (its
 * userOpHash or opHash): *removed (may be NULL) = 1 for the one call that removed it,
 * 0 when there was nothing to remove (another host finished it, or a newer op is
 * there). */
int mav2_state_journal_finish(mav2_state *st, uint64_t chain_id, const uint8_t account[20],
                              const mav2_u256 *nonce_key, const uint8_t hash[32], int *removed);

enum { MAV2_STATE_SIGN = 1, MAV2_STATE_RESUME, MAV2_STATE_SETTLE };

/* Before signing on a held lane: chain_nonce is the lane's full nonce as the chain
 * gives it. *verdict: MAV2_STATE_SIGN (no entry: sign for chain_nonce),
 * MAV2_STATE_RESUME (the entry is the op of chain_nonce: *pending gets it),
 * MAV2_STATE_SETTLE (the entry's nonce is below chain_nonce: *pending gets it). 0 when
 * the lease is lost or the entry's nonce is above the chain's (the node lags).
 * *pending is initialised by the call; clear it after. */
int mav2_state_nonce_check(mav2_state *st, const mav2_state_lane *lane, uint64_t chain_id,
                           const mav2_u256 *chain_nonce, mav2_journal_entry *pending, int *verdict);

/* Policy windows: amounts per (account, rule) over the last window_s seconds. rule:
 * 1..48 of [a-z0-9_.-]. add records amount only if the window's sum with it stays
 * within cap (cap NULL: always), atomically across hosts: *within = 1 and *sum the new
 * sum, or *within = 0 and *sum the sum without it. */
int mav2_state_window_add(mav2_state *st, const uint8_t account[20], const char *rule,
                          int64_t window_s, const mav2_u256 *amount, const mav2_u256 *cap,
                          int *within, mav2_u256 *sum);
int mav2_state_window_sum(mav2_state *st, const uint8_t account[20], const char *rule,
                          int64_t window_s, mav2_u256 *sum);

/* Several windows checked and added to in one step (a policy's rules, shared by every
 * host: PostgreSQL only; with files a policy keeps its own windows in the state
 * directory). Limit i: the sum of rule's amounts over the last window_s seconds, plus
 * amount, must stay within cap. Either every limit holds and each distinct rule gets
 * its amount once (the first limit naming it gives it), or nothing is added and
 * *refused is the first limit that does not hold, *sum its sum with amount (no
 * overflow check of cap needed: an overflowing sum refuses). *refused = -1: added. */
typedef struct {
    const char *rule; /* 1..48 of [a-z0-9_.-] */
    int64_t window_s;
    mav2_u256 amount, cap;
} mav2_state_limit;
int mav2_state_windows_take(mav2_state *st, const uint8_t account[20], const mav2_state_limit *l,
                            size_t n, int *refused, mav2_u256 *sum);

/* The audit ledger: per account, a chain of links numbered from 1 in the one format
 * of the ledger file (ledger_link.h: link N is the line {"seq":N,"prev":"0x..",...
 * with record's members, its hash the Keccak-256 of that line). append adds record (a
 * JSON object on one line, at most 64 KiB, no member seq or prev: mav2_ledger_record)
 * as the next link: *seq and hash get the link's; appending the same record again
 * returns its link instead of adding one, and so does an "outcome" record of an op
 * whose outcome (or note) the chain already has (ledger_link.h: one outcome per op;
 * a different final outcome fails, naming both, and the first stays). Two hosts
 * cannot append the same link: (account, seq) and (account, record id) are unique.
 * Files: the chain is the file ledger-ACCOUNT (lowercase hex, no 0x) of the state
 * directory, which mav2 audit verify reads as any ledger file. */
int mav2_state_ledger_append(mav2_state *st, const uint8_t account[20], const char *record,
                             uint64_t *seq, uint8_t hash[32]);

/* Walks the account's chain of links: *count links; *first_bad = 0 when every link
 * holds (tip, when not NULL, gets the last link's hash: zeros for none), else the
 * first link whose number, prev or hash is not what its predecessor and its line give
 * (mav2_last_error() then says why, "link N: ..."). */
int mav2_state_ledger_verify(mav2_state *st, const uint8_t account[20], uint64_t *count,
                             uint64_t *first_bad, uint8_t tip[32]);

/* Reads the account's chain: fn(line, len, ctx) for each link's line (no newline) in
 * order, as stored (unchecked: mav2_state_ledger_verify checks them). fn returns 1 to
 * go on; its 0 stops the walk, which then returns 0 (fn sets mav2_last_error()). */
typedef int (*mav2_state_link_fn)(const char *line, size_t len, void *ctx);
int mav2_state_ledger_each(mav2_state *st, const uint8_t account[20], mav2_state_link_fn fn,
                           void *ctx);

/* Call records: a JSON text per id (a userOpHash: mav2d's wallet_sendCalls ids),
 * shared by every host of the state. put writes (replaces) it; get gives *text (free
 * it) or NULL when there is none. PostgreSQL only (schema 2): with files, mav2d keeps
 * its records in its state directory. */
int mav2_state_call_put(mav2_state *st, const uint8_t id[32], const char *text);
int mav2_state_call_get(mav2_state *st, const uint8_t id[32], char **text);

#ifdef __cplusplus
}
#endif
#endif
