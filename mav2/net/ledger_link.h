/* SPDX-License-Identifier: Apache-2.0 */
/* ledger_link.h: the one format of the audit ledger's links (format version 2), used by
 * the ledger file (mav2/send/ledger.h) and the state backends' chains (state.h).
 *
 * A record is the text of one JSON object on one line, starting with "{" and holding
 * no member named seq or prev; the send flow's start with "time" and "event". Link N
 * of a chain is the line
 *   {"seq":N,"prev":"0x<64 hex>",REST
 * REST being the record without its "{": prev is link N-1's hash (32 zero bytes for
 * link 1) and a link's hash is the Keccak-256 of its line's bytes (no newline). So a
 * line changed, removed or inserted breaks the chain at the link after it; the last
 * link is only as safe as its hash kept elsewhere. A chain is per ledger file (the
 * CLI's and mav2d's file, one per state directory) or per account (the state
 * backends'). The version 1 state chains (hash over prev || seq || record) are not
 * read: mav2_ledger_link_check names them.
 * Functions returning int return 1, or 0 with mav2_last_error() set. */
#ifndef MAV2_LEDGER_LINK_H
#define MAV2_LEDGER_LINK_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#define MAV2_LEDGER_ZERO_HASH "0x0000000000000000000000000000000000000000000000000000000000000000"

/* Whether record is one (as above; at most max_len bytes). */
int mav2_ledger_record_check(const char *record, size_t max_len);

/* The line of link seq after the link whose hash is prev: *line (free it, no newline). */
int mav2_ledger_link_make(const char *record, uint64_t seq, const uint8_t prev[32], char **line);

/* The hash of the link line (len bytes, no newline). */
void mav2_ledger_link_hash(const char *line, size_t len, uint8_t out[32]);

/* Parses line (len bytes, no newline) as a link: a JSON object starting with seq (>= 1)
 * and prev (0x + 64 lowercase hex digits). *out (may be NULL) gets the object
 * (json_object_put it), *seq (may be NULL) its seq and prev (may be NULL) its prev. */
int mav2_ledger_link_parse(const char *line, size_t len, json_object **out, uint64_t *seq,
                           uint8_t prev[32]);

/* Checks that line (len bytes) is link no of a chain whose link no - 1 has the hash
 * prev; mav2_last_error() then says why ("link N: ..."; unit: "link" or "line"). The
 * record it holds starts at line + *record_at (after a "{": see mav2_ledger_link_record;
 * record_at may be NULL). */
int mav2_ledger_link_check(const char *line, size_t len, uint64_t no, const uint8_t prev[32],
                           const char *unit, size_t *record_at);

/* The record a link holds: "{" + the line from record_at on (free it). */
char *mav2_ledger_link_record(const char *line, size_t len, size_t record_at);

/* One outcome per op. A record (or link line) with event "outcome" is about the op of
 * its userOpHash: its final outcome ("included", "reverted", "rejected", "replaced") or
 * a note that the op is still open ("submitted", "timeout"). A chain holds at most one
 * of each per op: an append whose record has the outcome key of a link already there
 * adds nothing (state.h: that link's record id is the key's, so PostgreSQL's unique
 * (account, record_id) holds it; the ledger file looks back to the op's "sign" line).
 * The key of text (len bytes): "final 0x<hash>" or "note 0x<hash>"; 0 when it is not
 * an outcome record. */
#define MAV2_LEDGER_OUTCOME_KEY_MAX 80
int mav2_ledger_outcome_key(const char *text, size_t len, char key[MAV2_LEDGER_OUTCOME_KEY_MAX]);

/* The line of text (len bytes of newline-ended link lines) with the outcome key key,
 * looked for from the end back to the "sign" line of key's op (its outcomes follow it):
 * 1 with its offset *at and length *n (no newline), 0 when there is none. */
int mav2_ledger_outcome_find(const char *text, size_t len, const char *key, size_t *at, size_t *n);

/* record arrives with the record id or outcome key of have (a link line or record,
 * have_len bytes, already in the chain): 1 when it adds nothing (the same record, the
 * same final outcome, or a second note), else 0 with mav2_last_error() naming both
 * outcomes: the first final outcome stays. */
int mav2_ledger_outcome_again(const char *have, size_t have_len, const char *record);

#endif
