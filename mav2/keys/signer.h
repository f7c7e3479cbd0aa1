/* SPDX-License-Identifier: Apache-2.0 */
/* signer: Ethereum signatures from any secp256k1 EVP_PKEY.
 *
 * A signer wraps an EVP_PKEY on secp256k1, whoever provides it (a PKCS#11 token
 * through the p11k1 provider, a PEM file through the default provider, another
 * provider). It signs through EVP_PKEY_sign, then turns the DER signature
 * into what Ethereum wants: r || s || v with s low (s <= n/2) and v = 27 + the
 * recovery id. The recovery id is found with libsecp256k1 by recovering the
 * public key, which also proves the signature valid before it is returned.
 *
 * A key whose private scalar OpenSSL's default provider holds (a PEM file) is
 * signed with libsecp256k1 instead: RFC 6979 nonce, low s and recovery id at
 * once, byte-identical to viem's signature over the same digest. The scalar is
 * checked against the public point when the signer is made, read for each
 * signature and wiped after it.
 *
 * Failures return 0 with a one-line message in mav2_last_error() (error.h);
 * no message contains key material.
 */
#ifndef MAV2_SIGNER_H
#define MAV2_SIGNER_H

#include <stddef.h>
#include <openssl/evp.h>

#include "mav2/core/account.h"
#include "mav2/core/address.h"
#include "mav2/core/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MAV2_SIG65_LEN  65 /* r || s || v */
#define MAV2_PUBKEY_LEN 65 /* 04 || X || Y */

typedef struct mav2_signer mav2_signer;

/* Checks that pkey is an EC key on secp256k1 and reads its public point.
 * Takes a reference on pkey (the caller keeps its own). NULL on failure
 * (wrong key type or curve, no public point, allocation). */
MAV2_WARN_UNUSED_RESULT mav2_signer *mav2_signer_new(EVP_PKEY *pkey);
void mav2_signer_free(mav2_signer *signer);

/* The key's uncompressed public point, its 20-byte address, and the address
 * as an EIP-55 checksummed string. */
const unsigned char *mav2_signer_pubkey(const mav2_signer *signer);
const unsigned char *mav2_signer_address(const mav2_signer *signer);
const char *mav2_signer_address_str(const mav2_signer *signer);

/* Signs a 32-byte digest as it is: sig = r || s || v, low s, v in {27, 28}.
 * Thread-safe: threads may sign with one signer at once (the signer keeps one
 * EVP_PKEY_CTX for whoever finds it free; the others make their own). The
 * signer itself must outlive the calls and be freed by one thread. */
MAV2_WARN_UNUSED_RESULT int mav2_signer_sign_digest(mav2_signer *signer,
                                                    const unsigned char digest[32],
                                                    unsigned char sig[MAV2_SIG65_LEN]);

/* personal_sign of a 32-byte message (EIP-191: keccak256("\x19Ethereum Signed
 * Message:\n32" || hash)), the signature an ECDSA validation module checks. */
MAV2_WARN_UNUSED_RESULT int mav2_signer_sign_personal(mav2_signer *signer,
                                                      const unsigned char hash[32],
                                                      unsigned char sig[MAV2_SIG65_LEN]);

/* The 67-byte MAv2 session-key user-op signature 0xFF || 0x00 || r || s || v
 * over the EIP-191 hash of userOpHash. */
MAV2_WARN_UNUSED_RESULT int mav2_signer_sign_userop(mav2_signer *signer,
                                                    const unsigned char user_op_hash[32],
                                                    unsigned char sig[MAV2_USEROP_SIG_LEN]);

/* Ethereum address of any secp256k1 EVP_PKEY (public half is enough): 20
 * bytes and/or the EIP-55 string (either output may be NULL). */
int mav2_pkey_address(EVP_PKEY *pkey, unsigned char addr[MAV2_ADDRESS_LEN],
                      char str[MAV2_ADDRESS_STR_MAX]);

/* Low-level steps, exposed for tests and for signatures made elsewhere. */

/* Makes s low in a 64-byte r || s: returns 1 and sets *flipped to 1 if s was
 * replaced by n - s (the recovery id then flips), 0 if r or s is zero or not
 * below n. */
int mav2_sig_normalize(unsigned char rs[64], int *flipped);

/* From a DER ECDSA signature over digest by the key whose uncompressed public
 * point is pub: normalizes s, finds v by recovery and writes r || s || v.
 * 0 if the DER is malformed or the signature does not verify under pub. */
int mav2_sig_from_der(const unsigned char *der, size_t der_len, const unsigned char digest[32],
                      const unsigned char pub[MAV2_PUBKEY_LEN], unsigned char sig[MAV2_SIG65_LEN]);

/* Recovers the signer of a 65-byte r || s || v (v in {27, 28} or {0, 1})
 * over digest: its uncompressed public point and/or address (NULL to skip).
 * High s is accepted here; callers that need low s check it. */
int mav2_sig_recover(const unsigned char digest[32], const unsigned char sig[MAV2_SIG65_LEN],
                     unsigned char pub[MAV2_PUBKEY_LEN], unsigned char addr[MAV2_ADDRESS_LEN]);

/* 1 if s in r || s is at most n/2. */
int mav2_sig_is_low_s(const unsigned char rs[64]);

/* mav2_error_set() with OpenSSL's last error reason appended, and the error's
 * text when a provider outside OpenSSL raised it (the OpenSSL error queue is
 * cleared). Returns 0. */
__attribute__((format(printf, 1, 2))) int mav2_error_ossl(const char *fmt, ...);

#ifdef __cplusplus
}
#endif
#endif /* MAV2_SIGNER_H */
