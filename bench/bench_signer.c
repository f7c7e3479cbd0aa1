/* SPDX-License-Identifier: Apache-2.0 */
/* bench_signer: what mav2's signer costs on top of the signature itself.
 *
 *   bench_signer [-n N]                         software key (default provider)
 *   bench_signer -n N -t URI -m MODULE          also a token key: mav2 through the
 *                                               p11k1 provider vs bare p11k1_key_sign
 *
 * Software: full user-op signatures (EIP-191 digest, EVP_PKEY_sign, DER, low s,
 * recovery id) per second, with the EVP signature and the recovery timed apart.
 * Token: the same key signed by p11k1_key_sign (C_Sign, the token's own time)
 * and by mav2_signer_sign_digest (EVP through the provider + normalization +
 * recovery), interleaved in blocks so both see the same machine load. URI must
 * carry its PIN (pin-source=file:...); OPENSSL_CONF / OPENSSL_MODULES must make
 * the p11k1 provider available.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "mav2/core/error.h"
#include "mav2/keys/signer.h"

#include "bench_token.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what)
{
    fprintf(stderr, "bench_signer: %s: %s\n", what, mav2_last_error());
    exit(1);
}

static double time_mav2(mav2_signer *s, int n)
{
    unsigned char d[32], sig[MAV2_SIG65_LEN];
    double t0;
    RAND_bytes(d, sizeof(d));
    t0 = now();
    for (int i = 0; i < n; i++) {
        d[0] = (unsigned char)i;
        if (!mav2_signer_sign_digest(s, d, sig))
            die("mav2_signer_sign_digest");
    }
    return now() - t0;
}

static void bench_software(int n)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "secp256k1");
    mav2_signer *s = k ? mav2_signer_new(k) : NULL;
    unsigned char h[32], sig67[MAV2_USEROP_SIG_LEN], der[80], sig[MAV2_SIG65_LEN];
    double t_full, t_evp, t_fin;

    if (s == NULL)
        die("software key");
    RAND_bytes(h, sizeof(h));
    time_mav2(s, n / 10 + 1); /* warm up */
    t_full = now();
    for (int i = 0; i < n; i++) {
        h[0] = (unsigned char)i;
        if (!mav2_signer_sign_userop(s, h, sig67))
            die("mav2_signer_sign_userop");
    }
    t_full = now() - t_full;

    t_evp = 0;
    t_fin = 0;
    for (int i = 0; i < n; i++) {
        size_t der_len = sizeof(der);
        EVP_PKEY_CTX *ctx;
        double t0 = now(), t1;
        h[0] = (unsigned char)i;
        ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL);
        if (ctx == NULL || EVP_PKEY_sign_init(ctx) <= 0 ||
            EVP_PKEY_sign(ctx, der, &der_len, h, 32) <= 0)
            die("EVP_PKEY_sign");
        EVP_PKEY_CTX_free(ctx);
        t1 = now();
        if (!mav2_sig_from_der(der, der_len, h, mav2_signer_pubkey(s), sig))
            die("mav2_sig_from_der");
        t_evp += t1 - t0;
        t_fin += now() - t1;
    }
    printf("software key (OpenSSL default provider), %d signatures\n", n);
    printf("  full user-op signature (EIP-191 + sign + low-s + recovery id): %8.0f ops/s  %7.1f "
           "us/op\n",
           n / t_full, t_full / n * 1e6);
    printf("  of which EVP_PKEY_sign (incl. ctx setup):                       %7.1f us/op\n",
           t_evp / n * 1e6);
    printf("  of which DER -> low s -> recovery id (libsecp256k1):           %7.1f us/op\n",
           t_fin / n * 1e6);
    mav2_signer_free(s);
    EVP_PKEY_free(k);
}

static void run_token(const char *uri, const char *module, int n)
{
    bench_token t;
    p11k1_key *pkey;
    mav2_signer *s;
    unsigned char d[32], rs[64];
    double t_bare = 0, t_mav2 = 0;
    const int block = 25;

    if (!bench_token_open(&t, "bench_signer", uri, module))
        exit(1);
    pkey = t.key;
    s = t.signer;
    RAND_bytes(d, sizeof(d));
    /* warm up both paths (logins, session pools) */
    for (int i = 0; i < 10; i++) {
        if (p11k1_key_sign(pkey, d, rs) != CKR_OK)
            die("p11k1_key_sign");
    }
    time_mav2(s, 10);
    for (int done = 0; done < n; done += block) {
        double t0 = now();
        for (int i = 0; i < block; i++) {
            d[0] = (unsigned char)i;
            if (p11k1_key_sign(pkey, d, rs) != CKR_OK)
                die("p11k1_key_sign");
        }
        t_bare += now() - t0;
        t_mav2 += time_mav2(s, block);
    }
    n = (n + block - 1) / block * block;
    printf("token key (SoftHSM2), %d signatures each, interleaved in blocks of %d\n", n, block);
    printf("  bare p11k1_key_sign (C_Sign, raw r||s):                   %8.0f ops/s  %7.1f us/op\n",
           n / t_bare, t_bare / n * 1e6);
    printf("  mav2_signer_sign_digest via p11k1 provider (+ low s, v): %8.0f ops/s  %7.1f us/op\n",
           n / t_mav2, t_mav2 / n * 1e6);
    printf("  mav2 overhead over the token's own signing: %+.1f%% (%.1f us/op)\n",
           (t_mav2 - t_bare) / t_bare * 100.0, (t_mav2 - t_bare) / n * 1e6);
    bench_token_close(&t);
}

int main(int argc, char **argv)
{
    int n = 2000, c;
    const char *uri = NULL, *module = NULL;

    while ((c = getopt(argc, argv, "n:t:m:")) != -1) {
        switch (c) {
        case 'n':
            n = atoi(optarg);
            break;
        case 't':
            uri = optarg;
            break;
        case 'm':
            module = optarg;
            break;
        default:
            fprintf(stderr, "usage: bench_signer [-n N] [-t URI -m MODULE]\n");
            return 1;
        }
    }
    if (n <= 0)
        n = 1;
    bench_software(n);
    if (uri != NULL)
        run_token(uri, module, n);
    return 0;
}
