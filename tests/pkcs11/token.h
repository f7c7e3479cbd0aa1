/* SPDX-License-Identifier: Apache-2.0 */
/* token.h: throw-away SoftHSM2 tokens and signature checks for the pkcs11 tests.
 *
 *   const char *pin_file = tok_init("tok");   // skips the test without SoftHSM2
 *   p11k1_config cfg; p11k1_config_init(&cfg); cfg.module = tok_module();
 *   tap_ok(tok_sig_ok(pub, digest, sig), "signature verifies");
 *
 * The token directory (SOFTHSM2_CONF points into it) is removed at exit.
 * User PIN 1234, SO PIN 5678. */
#ifndef P11K1_TEST_TOKEN_H
#define P11K1_TEST_TOKEN_H

#include <stddef.h>

#include "pkcs11/p11k1.h"

/* Creates the token directory on first use, then a token labelled label in it;
 * returns the path of a file holding the user PIN. */
const char *tok_init(const char *label);
/* $PKCS11_SPY (OpenSC's pkcs11-spy.so, found by configure), NULL when it is not
 * there: the caller then reports its checks as skipped. */
const char *tok_spy(void);
/* Temporary directory of this test (for more files). */
const char *tok_dir(void);
/* $SOFTHSM_MODULE. */
const char *tok_module(void);
/* A context on the SoftHSM module (bails out on failure). */
p11k1_ctx *tok_ctx(void);
/* secp256k1_ecdsa_verify of r||s (after normalizing s) against pub. */
int tok_sig_ok(const unsigned char pub[65], const unsigned char digest[32],
               const unsigned char sig[64]);
/* Number of lines of file path that contain word (0 if unreadable). */
int tok_count_lines(const char *path, const char *word);
/* Generates a key pair of another kind with raw PKCS#11 through the module of
 * ctx: "p256" (prime256v1), "rsa", or "k1-nosign" (secp256k1, CKA_SIGN false).
 * Returns 1 on success. */
int tok_raw_keypair(p11k1_ctx *ctx, const char *token, const char *pin, const char *kind,
                    const char *label, const unsigned char *id, size_t id_len);

#endif
