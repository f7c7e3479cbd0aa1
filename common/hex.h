/* SPDX-License-Identifier: Apache-2.0 */
/* hex.h: strict hex <-> bytes for everything that crosses a text boundary (JSON-RPC,
 * command line, vectors). Decoding accepts an optional "0x"/"0X" prefix, requires an
 * even number of digits and says what was wrong in a short static string. */
#ifndef MH_HEX_H
#define MH_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Writes "0x" (if prefix) followed by 2*len lowercase digits and a NUL to out, which
 * must hold 2*len + 1 (+2 with prefix) chars. Returns 1, or 0 if out is too small. */
int mh_hex_encode(const uint8_t *in, size_t len, char *out, size_t outcap, int prefix);

/* Size of the buffer mh_hex_encode needs (including the NUL). */
size_t mh_hex_encoded_size(size_t len, int prefix);

/* Decodes hex (optional 0x) into out[0..outcap); *outlen gets the byte count.
 * Returns 1, or 0 with *why (if why != NULL) pointing at a static reason:
 * "odd number of hex digits", "invalid hex digit", "too long", "missing". */
int mh_hex_decode(const char *hex, uint8_t *out, size_t outcap, size_t *outlen, const char **why);

/* Same, but the hex must decode to exactly n bytes (else "wrong length"). */
int mh_hex_decode_exact(const char *hex, uint8_t *out, size_t n, const char **why);

/* Same, into a malloc'ed buffer (*out, free() it; non-NULL even when empty). */
int mh_hex_decode_alloc(const char *hex, uint8_t **out, size_t *outlen, const char **why);

#endif
