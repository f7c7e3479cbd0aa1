/* SPDX-License-Identifier: Apache-2.0 */
/* error.h: the one error mechanism of libmav2 (core, signer, rpc and the CLI).
 *
 * Every libmav2 function that can fail returns 1 on success and 0 on failure; on
 * failure it has set a one-line message (no trailing newline, no secrets: never a
 * PIN or key) that mav2_last_error() returns until the next failure on the same
 * thread. The CLI prints it as is. Implementations write
 *
 *     if (len != 20)
 *         return mav2_error_set("sender: want 20 bytes, got %zu", len);
 *
 * mav2_error_set() always returns 0 so it can end a failing function directly.
 * A caller adding context wraps the current message with mav2_error_prefix(). */
#ifndef MAV2_ERROR_H
#define MAV2_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

/* Marks a function whose result must be looked at: ignoring it is a bug (a signature
 * not made, an op not sent), and GCC / Clang warn. */
#if defined(__GNUC__) || defined(__clang__)
#define MAV2_WARN_UNUSED_RESULT __attribute__((warn_unused_result))
#else
#define MAV2_WARN_UNUSED_RESULT
#endif

/* The message of the last failure on this thread ("" if none). Thread-local storage:
 * valid until the next mav2_error_set/mav2_error_prefix/mav2_error_clear on this thread. */
const char *mav2_last_error(void);

/* Sets the message (printf format, truncated to 511 bytes). Returns 0. */
__attribute__((format(printf, 1, 2))) int mav2_error_set(const char *fmt, ...);

/* Prepends "<prefix>: " to the current message (e.g. the field or step name). Returns 0. */
__attribute__((format(printf, 1, 2))) int mav2_error_prefix(const char *fmt, ...);

void mav2_error_clear(void);

#ifdef __cplusplus
}
#endif
#endif
