/* SPDX-License-Identifier: Apache-2.0 */
/* bench_keccak: mh_keccak256 (common/keccak.c) beside OpenSSL's SHA3-256
 * (EVP_sha3_256: the same Keccak-f[1600] permutation and rate, other padding) in
 * one run, in short interleaved rounds (a few ms each, so most rounds escape other
 * processes on a loaded machine); prints cycles per byte (TSC) of each, as the best
 * round and the median round, and the ratios ours / OpenSSL's.
 *   bench_keccak [ROUNDS]     default 301 rounds */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/keccak.h"

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define TICKS() ((double)__rdtsc())
#define UNIT    "cycles"
#else
static double ns_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}
#define TICKS() ns_now()
#define UNIT    "ns"
#endif

typedef struct {
    const char *name;
    size_t len; /* bytes per hash */
    long count; /* hashes per round */
} shape;

static double ours(const uint8_t *buf, size_t len, long count)
{
    uint8_t out[32];
    volatile uint8_t sink = 0;
    double t0 = TICKS();
    for (long i = 0; i < count; i++) {
        mh_keccak256(buf, len, out);
        sink ^= out[0];
    }
    (void)sink;
    return (TICKS() - t0) / ((double)len * (double)count);
}

static double openssl(EVP_MD_CTX *ctx, const EVP_MD *md, const uint8_t *buf, size_t len, long count)
{
    uint8_t out[32];
    unsigned int n;
    volatile uint8_t sink = 0;
    double t0 = TICKS();
    for (long i = 0; i < count; i++) {
        if (!EVP_DigestInit_ex(ctx, md, NULL) || !EVP_DigestUpdate(ctx, buf, len) ||
            !EVP_DigestFinal_ex(ctx, out, &n)) {
            fprintf(stderr, "bench_keccak: EVP_sha3_256 failed\n");
            exit(1);
        }
        sink ^= out[0];
    }
    (void)sink;
    return (TICKS() - t0) / ((double)len * (double)count);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    static const shape shapes[] = {
        {"1 MiB", (size_t)1 << 20, 1},
        {"4 KiB", 4096, 128},
        {"135 B (one block)", 135, 2048},
        {"32 B", 32, 2048},
    };
    int rounds = argc > 1 ? atoi(argv[1]) : 301;
    EVP_MD *md = EVP_MD_fetch(NULL, "SHA3-256", NULL);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    uint8_t *buf = malloc((size_t)1 << 20);

    if (rounds < 1 || rounds > 999 || md == NULL || ctx == NULL || buf == NULL) {
        fprintf(stderr, "usage: bench_keccak [ROUNDS 1..999] (needs OpenSSL's SHA3-256)\n");
        return 2;
    }
    for (size_t i = 0; i < (size_t)1 << 20; i++)
        buf[i] = (uint8_t)(i * 131 + 7);
    printf("%s per byte, best round / median round (%d rounds)\n", UNIT, rounds);
    printf("%-18s %16s %16s %8s %8s\n", "input", "Keccak-256", "SHA3-256", "best", "median");
    for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
        double a[999], b[999], r[999];
        ours(buf, shapes[s].len, shapes[s].count / 4 + 1); /* warm-up */
        openssl(ctx, md, buf, shapes[s].len, shapes[s].count / 4 + 1);
        for (int k = 0; k < rounds; k++) {
            a[k] = ours(buf, shapes[s].len, shapes[s].count);
            b[k] = openssl(ctx, md, buf, shapes[s].len, shapes[s].count);
            r[k] = a[k] / b[k];
        }
        qsort(a, (size_t)rounds, sizeof(double), cmp_double);
        qsort(b, (size_t)rounds, sizeof(double), cmp_double);
        qsort(r, (size_t)rounds, sizeof(double), cmp_double);
        printf("%-18s %7.2f /%7.2f %7.2f /%7.2f %7.2fx %7.2fx\n", shapes[s].name, a[0],
               a[rounds / 2], b[0], b[rounds / 2], a[0] / b[0], r[rounds / 2]);
    }
    EVP_MD_CTX_free(ctx);
    EVP_MD_free(md);
    free(buf);
    return 0;
}
