/* SPDX-License-Identifier: Apache-2.0 */
/* bench_p11k1: signatures per second through p11k1_key_sign against bare
 * C_SignInit + C_Sign on the same key and module in the same run, and the
 * speed-up of two threads over one.
 *
 *   bench_p11k1 MODULE TOKEN_URI [SIGNATURES_PER_ROUND [ROUNDS]]
 *
 * TOKEN_URI must carry the PIN (pin-source or pin-value); a key labelled
 * "bench" is generated there if it is missing. Runs alternate between the two
 * paths and the median round is reported. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pkcs11/p11k1.h"

static p11k1_key *key;
static int per_round = 1000;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of the calling thread: unlike wall time, hardly moved by other
 * processes competing for the cores. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double last_cpu_us; /* CPU microseconds per signature of the last 1-thread run */

static void die(const char *what)
{
    fprintf(stderr, "bench_p11k1: %s: %s\n", what, p11k1_last_error());
    exit(1);
}

struct job {
    int n;
    int failed;
};

static void *sign_p11k1(void *arg)
{
    struct job *j = arg;
    unsigned char d[32], sig[64];
    memset(d, 0x42, sizeof(d));
    for (int i = 0; i < j->n; i++) {
        d[0] = (unsigned char)i;
        if (p11k1_key_sign(key, d, sig) != CKR_OK)
            j->failed++;
    }
    return NULL;
}

/* Bare PKCS#11 on one session of its own (the token is logged in already:
 * login state is per application). */
static double bare_loop(int n)
{
    CK_FUNCTION_LIST *f = p11k1_key_module(key);
    CK_OBJECT_HANDLE h = p11k1_key_private_handle(key);
    CK_MECHANISM mech = {CKM_ECDSA, NULL, 0};
    CK_SESSION_HANDLE s;
    unsigned char d[32], sig[72];
    double t0;
    if (f->C_OpenSession(p11k1_key_slot_id(key), CKF_SERIAL_SESSION, NULL, NULL, &s) != CKR_OK) {
        fprintf(stderr, "bench_p11k1: C_OpenSession failed\n");
        exit(1);
    }
    double c0;
    memset(d, 0x42, sizeof(d));
    t0 = now();
    c0 = cpu_now();
    for (int i = 0; i < n; i++) {
        CK_ULONG len = sizeof(sig);
        d[0] = (unsigned char)i;
        if (f->C_SignInit(s, &mech, h) != CKR_OK || f->C_Sign(s, d, 32, sig, &len) != CKR_OK) {
            fprintf(stderr, "bench_p11k1: bare C_Sign failed\n");
            exit(1);
        }
    }
    t0 = now() - t0;
    last_cpu_us = (cpu_now() - c0) * 1e6 / n;
    f->C_CloseSession(s);
    return n / t0;
}

static void *bare_thread(void *arg)
{
    struct job *j = arg;
    bare_loop(j->n);
    return NULL;
}

static double run_bare(int threads, int n)
{
    pthread_t t[16];
    struct job j[16];
    double t0;
    if (threads == 1)
        return bare_loop(n);
    t0 = now();
    for (int i = 0; i < threads; i++) {
        j[i].n = n;
        pthread_create(&t[i], NULL, bare_thread, &j[i]);
    }
    for (int i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    return threads * n / (now() - t0);
}

static double run_p11k1(int threads, int n)
{
    pthread_t t[16];
    struct job j[16];
    double t0 = now(), c0;
    if (threads == 1) {
        j[0].n = n;
        j[0].failed = 0;
        c0 = cpu_now();
        sign_p11k1(&j[0]);
        last_cpu_us = (cpu_now() - c0) * 1e6 / n;
        if (j[0].failed)
            die("p11k1_key_sign");
        return n / (now() - t0);
    }
    for (int i = 0; i < threads; i++) {
        j[i].n = n;
        j[i].failed = 0;
        pthread_create(&t[i], NULL, sign_p11k1, &j[i]);
    }
    for (int i = 0; i < threads; i++) {
        pthread_join(t[i], NULL);
        if (j[i].failed)
            die("p11k1_key_sign");
    }
    return threads * n / (now() - t0);
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
    p11k1_config cfg;
    p11k1_ctx *ctx;
    char uri[2048];
    int rounds = 5;
    double lib[32], bare[32], one[32], two[32], bare2[32], lib_cpu[32], bare_cpu[32];

    if (argc < 3) {
        fprintf(stderr, "usage: bench_p11k1 MODULE TOKEN_URI [SIGNATURES_PER_ROUND [ROUNDS]]\n");
        return 2;
    }
    p11k1_config_init(&cfg);
    cfg.module = argv[1];
    if (argc > 3)
        per_round = atoi(argv[3]);
    if (argc > 4)
        rounds = atoi(argv[4]);
    if (per_round < 10 || rounds < 1 || rounds > 32) {
        fprintf(stderr, "bench_p11k1: bad round size or count\n");
        return 2;
    }
    if (p11k1_ctx_new(&cfg, &ctx) != CKR_OK)
        die("loading the module");
    {
        const char *q = strchr(argv[2], '?');
        int base = q ? (int)(q - argv[2]) : (int)strlen(argv[2]);
        snprintf(uri, sizeof(uri), "%.*s;object=bench%s", base, argv[2], q ? q : "");
    }
    if (p11k1_key_find(ctx, uri, &key) != CKR_OK &&
        p11k1_key_generate(ctx, argv[2], "bench", NULL, 0, &key) != CKR_OK)
        die("finding or generating the key 'bench'");

    run_p11k1(1, per_round / 10); /* warm-up: sessions, login */
    run_bare(1, per_round / 10);
    for (int r = 0; r < rounds; r++) {
        lib[r] = run_p11k1(1, per_round);
        lib_cpu[r] = last_cpu_us;
        bare[r] = run_bare(1, per_round);
        bare_cpu[r] = last_cpu_us;
        bare2[r] = run_bare(2, per_round);
        one[r] = run_p11k1(1, per_round);
        two[r] = run_p11k1(2, per_round);
    }
    {
        double l = median(lib, rounds), b = median(bare, rounds);
        double o = median(one, rounds), t = median(two, rounds), b2 = median(bare2, rounds);
        printf("signatures per round: %d, rounds: %d (medians)\n", per_round, rounds);
        printf("bare C_SignInit+C_Sign:   %8.1f sig/s\n", b);
        printf("p11k1_key_sign, 1 thread: %8.1f sig/s\n", l);
        double lc = median(lib_cpu, rounds), bc = median(bare_cpu, rounds);
        printf("overhead (wall time): %+.2f%% (target <= 3%%)\n", (b / l - 1) * 100);
        printf("CPU per signature: bare %.1f us, p11k1 %.1f us: overhead %+.2f%%\n", bc, lc,
               (lc / bc - 1) * 100);
        printf("p11k1_key_sign, 2 threads: %8.1f sig/s\n", t);
        printf("2 threads / 1 thread: %.2fx (target >= 1.8x on 2 cores; 1 thread: %.1f sig/s)\n",
               t / o, o);
        printf("bare C_Sign, 2 threads: %8.1f sig/s = %.2fx bare 1 thread (the module's own "
               "scaling)\n",
               b2, b2 / b);
    }
    p11k1_key_free(key);
    p11k1_ctx_free(ctx);
    return 0;
}
