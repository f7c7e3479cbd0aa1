/* SPDX-License-Identifier: Apache-2.0 */
/* store.h: the call records of mav2d, one JSON file per wallet_sendCalls id (the
 * userOpHash, "0x" + 64 hex digits) in STATE_DIR/calls, written atomically (temp file,
 * fsync, rename) so that an id answered once stays answerable after a restart. */
#ifndef MAV2D_STORE_H
#define MAV2D_STORE_H

#include <json-c/json.h>
#include <stdint.h>

#include "mav2/net/state.h"

/* Creates STATE_DIR, STATE_DIR/calls and STATE_DIR/journal (mode 0700). */
int mavd_store_init(const char *state_dir);
/* STATE_DIR/journal into out. */
int mavd_store_journal_dir(const char *state_dir, char *out, size_t cap);
/* Keeps the records in st from now on (mav2_state_call_put/get: PostgreSQL, shared
 * by every mav2d on it; NULL: the files again). st is used under a lock, by one
 * thread at a time, and must outlive the records' use. */
void mavd_store_share(mav2_state *st);
/* Writes the record of hash (replacing it). */
int mavd_store_put(const char *state_dir, const uint8_t hash[32], json_object *rec);
/* 1 when id has the form of a call id: "0x" + 64 hex digits. */
int mavd_store_id_valid(const char *id);
/* Reads the record of id ("0x" + 64 hex): 1 with *rec (NULL when there is none), 0 on
 * a malformed id or an unreadable record (a file, or the database past its wait). */
int mavd_store_get(const char *state_dir, const char *id, json_object **rec);
/* "0x" + 64 lower-case hex digits of hash into out[67]. */
void mavd_hash_hex(const uint8_t hash[32], char out[67]);

#endif
