/* SPDX-License-Identifier: Apache-2.0 */
/* journal.h: the pending-op journal of the send flow. Before a signed user op goes to
 * the bundler it is recorded in a small JSON file, one per (chain, account, nonce
 * key), in the user's state directory, with what it was made for (its intent, see
 * send.h); a later run finds it and resumes it instead of signing a second op. Files
 * are written atomically (temp file, fsync, rename, fsync of the directory) with mode
 * 0600 in a 0700 directory. The bundler URL is stored redacted (scheme://host[:port]),
 * never with its path or query (API keys).
 *
 * Files are trusted as ssh trusts its keys: an entry file that is not a regular file
 * owned by the user, or that group or others may write, is refused (its path and the
 * reason in the error), and so is an entry whose op does not hash to its userOpHash
 * (damaged). Leftovers of crashed runs (unheld lane locks, temp files of dead
 * processes) are removed when a lane is locked. */
#ifndef MAV2_JOURNAL_H
#define MAV2_JOURNAL_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "mav2/core/u256.h"
#include "mav2/core/address.h"
#include "mav2/core/userop_json.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint64_t chain_id;
    uint8_t account[MAV2_ADDRESS_LEN];
    mav2_u256 nonce_key; /* key192 (lane, entity, options) */
    mav2_u256 nonce;     /* full nonce of the op */

    uint8_t user_op_hash[32]; /* the hash the bundler knows the op by (polled, printed) */
    uint8_t op_hash[32];      /* the op's own hash on (chain_id, entry_point); all zero in
                               * put: = user_op_hash. get checks it against user_op */
    uint8_t entry_point[MAV2_ADDRESS_LEN]; /* all zero = EntryPoint v0.7 */
    char bundler[256];                     /* redacted URL */
    int64_t created;                       /* unix seconds */
    json_object *user_op;                  /* JSON-RPC form of the signed op (owned) */
    json_object *intent;                   /* what the op was asked to do (send.h; owned, NULL = not
                                            * recorded, as by mav2 submit and older versions) */
    json_object *replaced;                 /* the hashes ("0x..." strings) of the ops of this nonce
                                            * and intent it replaced, oldest first (owned; NULL =
                                            * none): one of them may be the op that got in */
} mav2_journal_entry;

void mav2_journal_entry_clear(mav2_journal_entry *e);

/* $MAV2_STATE_DIR, else $XDG_STATE_HOME/mav2, else $HOME/.local/state/mav2. */
int mav2_journal_default_dir(char *out, size_t cap);

/* Writes (replaces) the entry for e's chain, account and key. dir NULL = default;
 * created if missing. */
int mav2_journal_put(const char *dir, const mav2_journal_entry *e);

/* Reads the entry for (chain, account, key): 1 with *found = 1 and e filled, 1 with
 * *found = 0 if none, 0 when the file is refused (not owned by the user, writable by
 * group or others, not a regular file), cannot be read ("permission denied" and the
 * like, as such) or is damaged: not parsed, its chainId, account or nonceKey not the
 * one asked for, its op's sender or nonce not the entry's, or its op not hashing to its
 * opHash (the error names the field). A refused or damaged entry is neither resumed nor
 * overwritten; the sender stops. e is initialised by the call. */
int mav2_journal_get(const char *dir, uint64_t chain_id, const uint8_t account[MAV2_ADDRESS_LEN],
                     const mav2_u256 *nonce_key, mav2_journal_entry *e, int *found);

/* Finds the entry of chain_id whose userOpHash is hash (any account and key): 1 with
 * *found = 1 and e filled, 1 with *found = 0 if none, 0 on a read error. */
int mav2_journal_find(const char *dir, uint64_t chain_id, const uint8_t hash[32],
                      mav2_journal_entry *e, int *found);

/* Removes the entry (1 also when there was none). */
int mav2_journal_remove(const char *dir, uint64_t chain_id, const uint8_t account[MAV2_ADDRESS_LEN],
                        const mav2_u256 *nonce_key);

/* Removes the entry only if it is still the op known by hash (its user_op_hash or
 * op_hash), under the lane lock (the caller must not hold it): another run may have
 * journaled a newer op on the lane meanwhile. 1 also when there was nothing to remove. */
int mav2_journal_remove_op(const char *dir, uint64_t chain_id,
                           const uint8_t account[MAV2_ADDRESS_LEN], const mav2_u256 *nonce_key,
                           const uint8_t hash[32]);

/* Takes the lane lock of (account, nonce key): an exclusive flock on
 * dir/.lock-<account>-<key> (a dot file, created 0600), waiting while another process
 * holds it. Lock files nobody holds and temp files of processes that are gone are
 * removed first (a lock file removed under a waiter is noticed: it locks again).
 * *fd gets the lock's descriptor. Chain-independent (the chain is not known yet when
 * the sender takes it). */
int mav2_journal_lock(const char *dir, const uint8_t account[MAV2_ADDRESS_LEN],
                      const mav2_u256 *nonce_key, int *fd);

/* As mav2_journal_lock without waiting: *fd = -1 when another process holds it. */
int mav2_journal_trylock(const char *dir, const uint8_t account[20], const mav2_u256 *nonce_key,
                         int *fd);

/* An entry as the JSON object of its file (new reference), and back: from_json checks
 * o as mav2_journal_get checks a file (where names it in the error) and fills e. */
json_object *mav2_journal_entry_json(const mav2_journal_entry *e);
int mav2_journal_entry_from_json(json_object *o, uint64_t chain_id, const uint8_t account[20],
                                 const mav2_u256 *nonce_key, const char *where,
                                 mav2_journal_entry *e);

/* Releases a lock from mav2_journal_lock (fd < 0: nothing). */
void mav2_journal_unlock(int fd);

#ifdef __cplusplus
}
#endif
#endif
