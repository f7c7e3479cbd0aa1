/* SPDX-License-Identifier: Apache-2.0 */
/* journal.h: the pending-op journal of the send flow. Before a signed user op goes to
 * the bundler it is recorded in a small JSON file, one per (chain, account, nonce
 * key), in the user's state directory; a later run finds it and resumes waiting
 * instead of signing a second op. Files are written atomically (temp file, fsync,
 * rename, fsync of the directory) with mode 0600 in a 0700 directory. The bundler URL
 * is stored redacted (scheme://host[:port]), never with its path or query (API keys). */
#ifndef MAV2_JOURNAL_H
#define MAV2_JOURNAL_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "mav2/u256.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint64_t chain_id;
    uint8_t account[20];
    mav2_u256 nonce_key; /* key192 (lane, entity, options) */
    mav2_u256 nonce;     /* full nonce of the op */
    uint8_t user_op_hash[32];
    char bundler[256];    /* redacted URL */
    int64_t created;      /* unix seconds */
    json_object *user_op; /* JSON-RPC form of the signed op (owned) */
} mav2_journal_entry;

void mav2_journal_entry_clear(mav2_journal_entry *e);

/* $MAV2_STATE_DIR, else $XDG_STATE_HOME/mav2, else $HOME/.local/state/mav2. */
int mav2_journal_default_dir(char *out, size_t cap);

/* Writes (replaces) the entry for e's chain, account and key. dir NULL = default;
 * created if missing. */
int mav2_journal_put(const char *dir, const mav2_journal_entry *e);

/* Reads the entry for (chain, account, key): 1 with *found = 1 and e filled, 1 with
 * *found = 0 if none, 0 on a read/parse error or when the file's chainId, account or
 * nonceKey is not the one asked for (damaged: the error names the field; the entry is
 * neither resumed nor overwritten, the sender stops). e is initialised by the call. */
int mav2_journal_get(const char *dir, uint64_t chain_id, const uint8_t account[20],
                     const mav2_u256 *nonce_key, mav2_journal_entry *e, int *found);

/* Finds the entry of chain_id whose userOpHash is hash (any account and key): 1 with
 * *found = 1 and e filled, 1 with *found = 0 if none, 0 on a read error. */
int mav2_journal_find(const char *dir, uint64_t chain_id, const uint8_t hash[32],
                      mav2_journal_entry *e, int *found);

/* Removes the entry (1 also when there was none). */
int mav2_journal_remove(const char *dir, uint64_t chain_id, const uint8_t account[20],
                        const mav2_u256 *nonce_key);

/* Takes the lane lock of (account, nonce key): an exclusive flock on
 * dir/.lock-<account>-<key> (a dot file, created 0600, kept), waiting while another
 * process holds it.
 * *fd gets the lock's descriptor. Chain-independent (the chain is not known yet when
 * the sender takes it). */
int mav2_journal_lock(const char *dir, const uint8_t account[20], const mav2_u256 *nonce_key,
                      int *fd);

/* Releases a lock from mav2_journal_lock (fd < 0: nothing). */
void mav2_journal_unlock(int fd);

#ifdef __cplusplus
}
#endif
#endif
