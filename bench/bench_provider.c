/* SPDX-License-Identifier: Apache-2.0 */
/* bench_provider: signatures per second through the p11k1 OpenSSL provider
 * (OSSL_STORE_open + EVP_PKEY_sign) against libp11k1 directly
 * (p11k1_key_sign), same key, same run, interleaved rounds.
 *
 *   OPENSSL_CONF=cnf-loading-p11k1 bench_provider MODULE 'pkcs11:...?pin-source=FILE' [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/store.h>

#include "pkcs11/p11k1.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static EVP_PKEY *load_key(const char *uri)
{
    OSSL_STORE_CTX *st = OSSL_STORE_open(uri, NULL, NULL, NULL, NULL);
    EVP_PKEY *pkey = NULL;

    while (st != NULL && pkey == NULL && !OSSL_STORE_eof(st)) {
        OSSL_STORE_INFO *info = OSSL_STORE_load(st);
        if (info != NULL && OSSL_STORE_INFO_get_type(info) == OSSL_STORE_INFO_PKEY)
            pkey = OSSL_STORE_INFO_get1_PKEY(info);
        OSSL_STORE_INFO_free(info);
    }
    OSSL_STORE_close(st);
    return pkey;
}

static int run_provider(EVP_PKEY *pkey, int n)
{
    unsigned char d[32], sig[80];

    memset(d, 0x11, sizeof(d));
    for (int i = 0; i < n; i++) {
        size_t siglen = sizeof(sig);
        EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
        int ok = c != NULL && EVP_PKEY_sign_init(c) == 1 &&
                 EVP_PKEY_sign(c, sig, &siglen, d, sizeof(d)) == 1;
        EVP_PKEY_CTX_free(c);
        if (!ok)
            return 0;
    }
    return 1;
}

static int run_direct(p11k1_key *key, int n)
{
    unsigned char d[32], rs[64];

    memset(d, 0x11, sizeof(d));
    for (int i = 0; i < n; i++)
        if (p11k1_key_sign(key, d, rs) != CKR_OK)
            return 0;
    return 1;
}

int main(int argc, char **argv)
{
    p11k1_config cfg;
    p11k1_ctx *ctx = NULL;
    p11k1_key *key = NULL;
    EVP_PKEY *pkey;
    int n = argc > 3 ? atoi(argv[3]) : 2000, rounds = 5;
    double t_prov = 0, t_direct = 0, t;

    if (argc < 3 || n <= 0) {
        fprintf(stderr, "usage: %s MODULE KEY_URI [N]\n", argv[0]);
        return 2;
    }
    p11k1_config_init(&cfg);
    cfg.module = argv[1];
    if (p11k1_ctx_new(&cfg, &ctx) != CKR_OK || p11k1_key_find(ctx, argv[2], &key) != CKR_OK) {
        fprintf(stderr, "bench_provider: %s\n", p11k1_last_error());
        return 1;
    }
    if ((pkey = load_key(argv[2])) == NULL) {
        fprintf(stderr, "bench_provider: cannot load %s through OSSL_STORE\n", argv[2]);
        ERR_print_errors_fp(stderr);
        return 1;
    }
    /* Warm up both paths (login, session pools), then interleave rounds. */
    if (!run_provider(pkey, 20) || !run_direct(key, 20)) {
        fprintf(stderr, "bench_provider: signing failed\n");
        return 1;
    }
    for (int r = 0; r < rounds; r++) {
        t = now();
        if (!run_direct(key, n / rounds))
            return 1;
        t_direct += now() - t;
        t = now();
        if (!run_provider(pkey, n / rounds))
            return 1;
        t_prov += now() - t;
    }
    n = (n / rounds) * rounds;
    printf("signatures: %d per path\n", n);
    printf("p11k1_key_sign (direct):     %8.1f sig/s  %7.1f us/sig\n", n / t_direct,
           1e6 * t_direct / n);
    printf("EVP_PKEY_sign (provider):    %8.1f sig/s  %7.1f us/sig\n", n / t_prov,
           1e6 * t_prov / n);
    printf("provider overhead:           %+7.2f %%\n", 100.0 * (t_prov - t_direct) / t_direct);
    EVP_PKEY_free(pkey);
    p11k1_key_free(key);
    p11k1_ctx_free(ctx);
    return 0;
}
