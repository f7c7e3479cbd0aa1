/* SPDX-License-Identifier: Apache-2.0 */
/* der.h: the few DER shapes a PKCS#11 EC key pair shows us.
 *
 * CKA_EC_PARAMS is a namedCurve OID; CKA_EC_POINT is 04||X||Y either raw
 * (65 bytes) or wrapped in a DER OCTET STRING; a signature is r||s or, from
 * some tokens, a DER ECDSA-Sig-Value. All functions return 1 on success. */
#ifndef P11K1_DER_H
#define P11K1_DER_H

#include <stddef.h>

/* DER of the secp256k1 OID 1.3.132.0.10. */
extern const unsigned char p11k1_der_secp256k1[7];

/* 1 if params is exactly the secp256k1 namedCurve OID. */
int p11k1_der_is_secp256k1(const unsigned char *params, size_t len);
/* Describes params for a message: "prime256v1", "OID 1.2.3", "explicit parameters". */
void p11k1_der_curve_name(const unsigned char *params, size_t len, char *buf, size_t buf_len);
/* Uncompressed point from either CKA_EC_POINT encoding; checks 04 and the length
 * only (not that the point is on the curve). */
int p11k1_der_ec_point(const unsigned char *in, size_t len, unsigned char out[65]);
/* 64-byte r||s from a DER ECDSA-Sig-Value with 32-byte-or-shorter integers. */
int p11k1_der_sig_to_rs(const unsigned char *in, size_t len, unsigned char out[64]);

#endif
