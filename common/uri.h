/* SPDX-License-Identifier: Apache-2.0 */
/* uri.h: one path attribute of an RFC 7512 pkcs11: URI, percent-decoded, for the code
 * that holds a URI without a PKCS#11 library at hand (the provider's key generation,
 * mav2's ledger naming a token key). Matching keys against URIs is libp11k1's job. */
#ifndef MH_URI_H
#define MH_URI_H

#include <stddef.h>
#include <stdint.h>

/* The value of path attribute attr ("id", "object", "serial", ...) of the pkcs11: URI
 * uri (the part before '?'), percent-decoded into out[0..max); *len gets its length.
 * Returns 1, or 0 with *why (if why != NULL) pointing at a static reason: "not a
 * pkcs11: URI", "absent", "bad percent escape", "too long". */
int mh_uri_attr(const char *uri, const char *attr, uint8_t *out, size_t max, size_t *len,
                const char **why);

#endif
