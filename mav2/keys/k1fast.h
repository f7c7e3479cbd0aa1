/* SPDX-License-Identifier: Apache-2.0 */
/* k1fast: the signer's allocation-free helpers on libsecp256k1 (not installed).
 *
 * The scalar 2z/r mod n that relates the two candidate recovered keys, and
 * signing with a private scalar held by OpenSSL's default provider (a PEM
 * key): RFC 6979, low s and the recovery id in one libsecp256k1 call. */
#ifndef MAV2_KEYS_K1FAST_H
#define MAV2_KEYS_K1FAST_H

#include <openssl/evp.h>
#include <secp256k1.h>

/* A randomized signing context, made once per process; NULL if it cannot be. */
const secp256k1_context *mav2_k1_sign_ctx(void);

/* t = 2 * z / r mod n, with z the digest read as a number; r must be in
 * [1, n-1]. 0 if t is zero. */
int mav2_k1_two_z_over_r(const unsigned char digest[32], const unsigned char r[32],
                         unsigned char t[32]);

/* 1 if pkey's private scalar is in OpenSSL's default provider and its public
 * point is pub: then mav2_k1_soft_sign can sign with it. */
int mav2_k1_soft_usable(EVP_PKEY *pkey, const unsigned char pub[65]);

/* r || s || v (v = 27 + recovery id) over digest with pkey's scalar: RFC 6979
 * nonce, low s. The scalar's copy is wiped before returning. */
int mav2_k1_soft_sign(EVP_PKEY *pkey, const unsigned char digest[32], unsigned char sig[65]);

#endif
