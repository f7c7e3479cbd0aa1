/* SPDX-License-Identifier: Apache-2.0 */
/* bench_many: issue 16 item 5, mav2_send_many from one process (bench-mav2d.sh).
 *
 *   bench_many RPC BUNDLER ACCOUNT ENTITY KEY LANES N TO STATE_DIR
 *
 * Loads KEY (a path or pkcs11: URI; OPENSSL_CONF must make the provider and its PIN
 * source available) once, then calls mav2_send_many with LANES ops at once (op k on
 * nonce lane k, global validation, a 1-wei execute() to TO, waited for with a 100 ms
 * first poll) until N ops are included: one untimed round first, then the timed ones.
 * Prints one line "ops N ops_per_s R median_ms M p90_ms P http_per_op H since_ms S": the
 * latency of an op is from its round's start to its MAV2_STAGE_INCLUDED; S is the timed
 * part's start (ms since the epoch). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mav2/core/account.h"
#include "mav2/core/address.h"
#include "mav2/core/error.h"
#include "mav2/keys/key.h"
#include "mav2/keys/signer.h"
#include "mav2/send/send.h"

#define MAX_LANES 64

typedef struct {
    double t0, included;
} op_clock;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static int sign_cb(void *ctx, const uint8_t hash[32], mav2_buf *sig)
{
    uint8_t s[MAV2_USEROP_SIG_LEN];
    return mav2_signer_sign_userop(ctx, hash, s) && mav2_buf_set(sig, s, sizeof(s));
}

static void progress_cb(void *ctx, mav2_send_stage stage, const char *detail)
{
    (void)detail;
    if (stage == MAV2_STAGE_INCLUDED)
        ((op_clock *)ctx)->included = now_ms();
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One mav2_send_many round of lanes ops; adds their latencies and HTTP requests. */
static int round_of(char **argv, mav2_send_params *ps, op_clock *clk, size_t lanes, double *lat,
                    unsigned long *http)
{
    mav2_send_result rs[MAX_LANES];
    double t0 = now_ms();
    int ok;
    for (size_t k = 0; k < lanes; k++)
        clk[k].t0 = t0;
    ok = mav2_send_many(argv[1], argv[2], NULL, ps, rs, lanes);
    for (size_t k = 0; k < lanes; k++) {
        if (!rs[k].success)
            fprintf(stderr, "bench_many: lane %zu: %s\n", k + 1, rs[k].message);
        if (lat != NULL)
            lat[k] = clk[k].included - clk[k].t0;
        *http += rs[k].http_requests;
        mav2_send_result_clear(&rs[k]);
    }
    return ok;
}

static int params_for(char **argv, mav2_signer *s, const mav2_buf *cd, mav2_send_params *ps,
                      op_clock *clk, size_t lanes)
{
    for (size_t k = 0; k < lanes; k++) {
        mav2_send_params *p = &ps[k];
        mav2_send_params_init(p);
        if (!mav2_address_parse(argv[3], p->account))
            return 0;
        p->entity_id = (uint32_t)strtoul(argv[4], NULL, 10);
        mav2_u256_from_u64(&p->lane, k + 1);
        p->call_data = cd->data;
        p->call_data_len = cd->len;
        p->sign = sign_cb;
        p->sign_ctx = s;
        p->poll_initial_ms = 100;
        p->state_dir = argv[9];
        p->progress = progress_cb;
        p->progress_ctx = &clk[k];
    }
    return 1;
}

static void report(double *lat, size_t n, double wall_ms, unsigned long http, long long since)
{
    qsort(lat, n, sizeof(*lat), cmp_double);
    printf("ops %zu ops_per_s %.3f median_ms %.1f p90_ms %.1f http_per_op %.2f since_ms %lld\n", n,
           (double)n / (wall_ms / 1e3), lat[n / 2], lat[n * 9 / 10 < n ? n * 9 / 10 : n - 1],
           (double)http / (double)n, since);
}

static long long epoch_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
    mav2_key_opts o = {MAV2_KEY_PRIVATE, NULL, 0, NULL};
    mav2_send_params ps[MAX_LANES];
    op_clock clk[MAX_LANES];
    mav2_call call = {0};
    mav2_buf cd = {0};
    EVP_PKEY *k = NULL;
    mav2_signer *s = NULL;
    size_t lanes, n, rounds, done = 0;
    unsigned long http = 0;
    double *lat, t0;
    long long since;

    if (argc != 10 || (lanes = strtoul(argv[6], NULL, 10)) < 1 || lanes > MAX_LANES ||
        (n = strtoul(argv[7], NULL, 10)) < 1) {
        fprintf(stderr,
                "usage: bench_many RPC BUNDLER ACCOUNT ENTITY KEY LANES(1-%d) N TO "
                "STATE_DIR\n",
                MAX_LANES);
        return 2;
    }
    rounds = (n + lanes - 1) / lanes;
    lat = calloc(rounds * lanes, sizeof(*lat));
    mav2_u256_from_u64(&call.value, 1);
    if (lat == NULL || !mav2_address_parse(argv[8], call.target) ||
        !mav2_calldata_execute(&call, &cd) || !mav2_key_load(argv[5], &o, &k) ||
        (s = mav2_signer_new(k)) == NULL || !params_for(argv, s, &cd, ps, clk, lanes)) {
        fprintf(stderr, "bench_many: %s\n", mav2_last_error());
        return 1;
    }
    if (!round_of(argv, ps, clk, lanes, NULL, &http)) /* untimed: the steady state */
        return 1;
    http = 0;
    since = epoch_ms();
    t0 = now_ms();
    for (size_t r = 0; r < rounds; r++, done += lanes)
        if (!round_of(argv, ps, clk, lanes, lat + done, &http))
            return 1;
    report(lat, done, now_ms() - t0, http, since);
    mav2_signer_free(s);
    EVP_PKEY_free(k);
    mav2_buf_free(&cd);
    free(lat);
    return 0;
}
