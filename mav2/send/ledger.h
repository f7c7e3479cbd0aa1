/* SPDX-License-Identifier: Apache-2.0 */
/* ledger.h: the audit ledger: one JSON object per line, each chained to the line before.
 *
 * Every line starts with
 *   {"seq":N,"prev":"0x<64 hex>","time":"YYYY-MM-DDTHH:MM:SSZ","event":"...", ...}
 * the link format of mav2/net/ledger_link.h (format version 2, the same as the state
 * backends' chains, state.h): seq counts lines from 1; prev is the Keccak-256 of the
 * previous line's bytes (without its newline), 32 zero bytes on line 1. So a line
 * changed, removed or inserted breaks the chain at the line after it; the last line is
 * only as safe as its hash kept elsewhere (mav2_ledger_verify gives it). Files written
 * before the format had a version are version 2 already. The events the send flow
 * writes (guard.h): "sign" (a signature made, with the op and the policy verdict),
 * "refused" (the policy refused, nothing signed) and "outcome" (included / reverted /
 * ..., by userOpHash).
 *
 * An op has one outcome: an "outcome" line whose op already has its final outcome (or,
 * for "submitted" / "timeout", a note) in the file is not appended again (ledger_link.h:
 * mav2_ledger_outcome_key; looked for back to the op's "sign" line); one naming another
 * final outcome fails, naming both, and the first stays.
 * Appends take an exclusive flock on the file, read its last line, write the new line
 * with one write (O_APPEND) and fsync it; a failed write is cut off again. A file that
 * does not end in a newline (a torn line) is refused until it is repaired.
 * Functions returning int return 1, or 0 with mav2_last_error() set. */
#ifndef MAV2_LEDGER_H
#define MAV2_LEDGER_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Appends entry (an object holding "event" and the event's fields; not taken) as the
 * next line of the ledger at path (created 0600), with seq, prev and time (now) first. */
int mav2_ledger_append(const char *path, json_object *entry, time_t now);

/* The record of entry (an object holding "event" and the event's fields; not taken) at
 * now: {"time":...} then entry's members (seq, prev and time left out), as a state
 * chain takes it (mav2_state_ledger_append): *record (free it). */
int mav2_ledger_record(json_object *entry, time_t now, char **record);

/* Appends entry (as mav2_ledger_append) to the ledger file path, or, when st is not
 * NULL, as the next link of account's chain in the state st (mav2_ledger_record, then
 * mav2_state_ledger_append). */
struct mav2_state;
int mav2_ledger_put(const char *path, struct mav2_state *st, const uint8_t account[20],
                    json_object *entry, time_t now);

/* Parses one line (len bytes, no newline): a JSON object with seq (>= 1), prev (0x +
 * 64 hex digits), time and event (strings). *out (may be NULL) gets the object
 * (json_object_put it) and *seq its seq. */
int mav2_ledger_parse_line(const char *line, size_t len, json_object **out,
                           unsigned long long *seq);

/* The prev value of the line after line (len bytes, no newline): "0x" + 64 hex digits. */
void mav2_ledger_line_hash(const char *line, size_t len, char out[67]);

/* Checks the chain of path. 1 when intact (*lines the line count, tip the hash the next
 * line would carry, when not NULL); else 0 with *bad_line the first line that breaks it
 * and mav2_last_error() "line N: why". A missing file fails (bad_line 0). */
int mav2_ledger_verify(const char *path, unsigned long long *lines, unsigned long long *bad_line,
                       char tip[67]);

#ifdef __cplusplus
}
#endif
#endif
