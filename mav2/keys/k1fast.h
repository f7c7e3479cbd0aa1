/* SPDX-License-Identifier: Apache-2.0 */
/* k1fast: the signer's allocation-free helpers on libsecp256k1 (not installed).
 *
 * The recovery call that yields a signature's nonce point (its validity and
 * recovery id for the price of one recovery), and signing with a private
 * scalar held by OpenSSL's default provider (a PEM key): RFC 6979, low s and
 * the recovery id in one libsecp256k1 call. */
#ifndef MAV2_KEYS_K1FAST_H
#define MAV2_KEYS_K1FAST_H

#include <openssl/evp.h>
#include <secp256k1.h>

/* A randomized signing context, made once per process; NULL if it cannot be. */
const secp256k1_context *mav2_k1_sign_ctx(void);

/* A secp256k1_ecdsa_recover call that yields the nonce point R = (z/s)G +
 * (r/s)Q of the signature r || s over digest z by the key Q = pub (65 bytes,
 * uncompressed): recovering with the signature sig (r' = Qx, s' = Qx r / s)
 * under recovery id *recid (Qy's parity) over msg (-Qx z / s) lifts r' to Q
 * and returns r'^-1 (s' Q - z' G) = R. The signature is valid for Q iff R's
 * x is r; the parity of R's y is then its recovery id. 0 if Qx is not below
 * n (the lift would not give Q) or s is out of range. */
int mav2_k1_nonce_point_call(const unsigned char digest[32], const unsigned char rs[64],
                             const unsigned char pub[65], unsigned char sig[64], int *recid,
                             unsigned char msg[32]);

/* out = a^-1 mod n (big-endian scalars), variable time: for public values
 * only. 0 if a is 0 or not below n. */
int mav2_k1_scalar_inverse(const unsigned char a[32], unsigned char out[32]);

/* 1 if pkey's private scalar is in OpenSSL's default provider and its public
 * point is pub: then mav2_k1_soft_sign can sign with it. */
int mav2_k1_soft_usable(EVP_PKEY *pkey, const unsigned char pub[65]);

/* r || s || v (v = 27 + recovery id) over digest with pkey's scalar: RFC 6979
 * nonce, low s. The scalar's copy is wiped before returning. */
int mav2_k1_soft_sign(EVP_PKEY *pkey, const unsigned char digest[32], unsigned char sig[65]);

#endif
