/* SPDX-License-Identifier: Apache-2.0 */
/* bench_token.h: the token fixture of bench_sig and bench_signer: one secp256k1 key on
 * a PKCS#11 token reached two ways in one process, through libp11k1 (the key, plus a
 * session of its own for bare C_SignInit + C_Sign) and through the p11k1 provider
 * (mav2_key_load + mav2_signer). URI must carry its PIN (pin-source=file:...);
 * OPENSSL_CONF / OPENSSL_MODULES must make the provider available. */
#ifndef BENCH_TOKEN_H
#define BENCH_TOKEN_H

#include <openssl/evp.h>

#include "mav2/keys/signer.h"
#include "pkcs11/p11k1.h"

typedef struct bench_token {
    p11k1_ctx *ctx;
    p11k1_key *key;
    CK_FUNCTION_LIST *f;
    CK_SESSION_HANDLE session; /* bare C_Sign's own session */
    CK_OBJECT_HANDLE handle;   /* the private key's token object */
    CK_OBJECT_HANDLE copy;     /* its session copy (CKA_TOKEN false); 0 if refused */
    EVP_PKEY *pkey;            /* the same key through the provider */
    mav2_signer *signer;
} bench_token;

/* Opens all of it; on failure prints "PROG: what: why" and returns 0. */
int bench_token_open(bench_token *t, const char *prog, const char *uri, const char *module);

/* Bare C_SignInit + C_Sign of the 32-byte digest d: rs = r || s. Returns 1 or 0. */
int bench_token_bare_sign(bench_token *t, const unsigned char d[32], unsigned char rs[64]);

/* The same on the session copy (the floor of cache-keys). Returns 1 or 0. */
int bench_token_copy_sign(bench_token *t, const unsigned char d[32], unsigned char rs[64]);

void bench_token_close(bench_token *t);

#endif
