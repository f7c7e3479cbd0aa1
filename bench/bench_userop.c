/* SPDX-License-Identifier: Apache-2.0 */
/* bench_userop: userOpHash per second, side by side with the Keccak work it
 * cannot avoid (the same bytes hashed by mh_keccak256 alone), and with the
 * JSON-RPC parse in front. Prints ops/s and the ratios.
 *   bench_userop [N]      default N = 200000 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/keccak.h"
#include "mav2/core/account.h"
#include "mav2/core/error.h"
#include "mav2/core/userop.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void fill_op(mav2_userop *op, size_t call_len)
{
    mav2_userop_init(op);
    memset(op->sender, 0x11, 20);
    op->nonce.w[1] = 0x101;
    mav2_buf_zeros(&op->call_data, call_len);
    memset(op->call_data.data, 0xab, call_len);
    op->call_gas_limit.w[0] = 100000;
    op->verification_gas_limit.w[0] = 150000;
    op->pre_verification_gas.w[0] = 50000;
    op->max_fee_per_gas.w[0] = 4612500000u;
    op->max_priority_fee_per_gas.w[0] = 1575000000u;
}

/* What keccak alone must do for one userOpHash: initCode, callData,
 * paymasterAndData, the 256-byte inner encoding and the 96-byte outer one. */
static void keccak_floor(const mav2_userop *op, uint8_t out[32])
{
    static const uint8_t inner[256], outer[96];
    uint8_t h[32];
    mh_keccak256(NULL, 0, h);
    mh_keccak256(op->call_data.data, op->call_data.len, h);
    mh_keccak256(NULL, 0, h);
    mh_keccak256(inner, sizeof(inner), h);
    mh_keccak256(outer, sizeof(outer), out);
}

static void run(const char *name, size_t call_len, long n)
{
    mav2_userop op;
    char *text = NULL;
    uint8_t h[32];
    double t0, t_hash, t_floor, t_json;
    long i, bad = 0;

    fill_op(&op, call_len);
    mav2_userop_to_json_string(&op, &text);

    t0 = now();
    for (i = 0; i < n; i++)
        bad += !mav2_userop_hash(&op, mav2_entry_point_v07, 31337, h);
    t_hash = now() - t0;
    t0 = now();
    for (i = 0; i < n; i++)
        keccak_floor(&op, h);
    t_floor = now() - t0;
    long nj = n / 4 > 0 ? n / 4 : 1;
    t0 = now();
    for (i = 0; i < nj; i++) {
        mav2_userop parsed;
        if (!mav2_userop_from_json_string(&parsed, text)) {
            fprintf(stderr, "bench_userop: %s\n", mav2_last_error());
            exit(1);
        }
        bad += !mav2_userop_hash(&parsed, mav2_entry_point_v07, 31337, h);
        mav2_userop_clear(&parsed);
    }
    t_json = (now() - t0) * n / nj;
    if (bad != 0) {
        fprintf(stderr, "bench_userop: %ld hashes failed: %s\n", bad, mav2_last_error());
        exit(1);
    }

    printf("%-22s %9.0f hash/s  %9.0f keccak-only/s  hash/keccak-only %.2fx  "
           "%9.0f parse+hash/s\n",
           name, n / t_hash, n / t_floor, t_hash / t_floor, n / t_json);
    free(text);
    mav2_userop_clear(&op);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 200000;
    if (n <= 0) {
        fprintf(stderr, "bench_userop: N must be a positive number\n");
        return 1;
    }
    run("execute (196 B data)", 196, n);
    run("batch (2 KiB data)", 2048, n / 4);
    run("large (20 KiB data)", 20480, n / 40);
    return 0;
}
