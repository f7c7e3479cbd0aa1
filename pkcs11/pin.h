/* SPDX-License-Identifier: Apache-2.0 */
/* pin.h: reading a user PIN from where the caller said it is.
 *
 * A PIN lives in a p11k1_pin (fixed buffer, wiped by p11k1_pin_wipe) and never
 * anywhere else. Functions return CK_RV and set the error text, which names the
 * source (file path, variable name) but never the PIN. */
#ifndef P11K1_PIN_H
#define P11K1_PIN_H

#include <stddef.h>
#include <p11-kit/pkcs11.h>

#define P11K1_PIN_MAX 256

typedef struct p11k1_pin {
    char buf[P11K1_PIN_MAX];
    size_t len;
} p11k1_pin;

/* pin-source: a file path, or "file:PATH" / "file://PATH". The first line is the
 * PIN (a trailing "\n" or "\r\n" is dropped). */
CK_RV p11k1_pin_from_source(const char *source, p11k1_pin *pin);
/* A literal (pin-value). */
CK_RV p11k1_pin_from_value(const char *value, p11k1_pin *pin);
/* Environment variable; P11K1_R_NO_PIN if unset. */
CK_RV p11k1_pin_from_env(const char *var, p11k1_pin *pin);
void p11k1_pin_wipe(p11k1_pin *pin);
/* Wipes and frees a heap string holding a PIN (NULL is fine). */
void p11k1_pin_free_str(char *s);

#endif
