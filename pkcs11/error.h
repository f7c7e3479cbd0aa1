/* SPDX-License-Identifier: Apache-2.0 */
/* error.h: the calling thread's last failure as one line of text.
 *
 *   return p11k1_fail(CKR_..., "token '%s' not found", label);
 *
 * sets the message and returns the code, so a failure is one statement.
 * Callers never pass a PIN into a message. */
#ifndef P11K1_ERROR_H
#define P11K1_ERROR_H

#include <p11-kit/pkcs11.h>

__attribute__((format(printf, 2, 3))) CK_RV p11k1_fail(CK_RV rv, const char *fmt, ...);
/* Clears the message (at the start of every API call). */
void p11k1_error_clear(void);
/* CK_RV name without the library prefix check: "CKR_PIN_INCORRECT", "0x..." if unknown. */
const char *p11k1_rv_str(CK_RV rv);

#endif
