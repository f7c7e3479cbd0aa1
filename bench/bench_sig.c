/* SPDX-License-Identifier: Apache-2.0 */
/* bench_sig: issue 16 items 1 and 2, each side by side in one process.
 *
 *   bench_sig -n N -t URI -m MODULE   token: bare C_SignInit + C_Sign on the
 *       key's token object (own session) against mav2_signer_sign_digest
 *       through the p11k1 provider (session copy per cache-keys, DER, low s,
 *       recovery id, verified), interleaved in blocks; and the finishing step
 *       (mav2_sig_from_der) alone on the token's signatures; and the floor:
 *       C_SignInit + C_Sign on a session copy plus one secp256k1_ecdsa_recover
 *   bench_sig -n N -k PEM [-j]         software key: per user op userOpHash +
 *       EIP-191 + sign + v (mav2_userop_hash + mav2_signer_sign_userop); with
 *       -j prints the last signature for the comparison with viem
 *
 * Prints "name us_per_op" lines of process CPU time (bench_sig.sh computes the
 * ratios). URI must
 * carry its PIN; OPENSSL_CONF / OPENSSL_MODULES must make p11k1 available. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "mav2/core/account.h"
#include "mav2/core/error.h"
#include "mav2/core/userop.h"
#include "mav2/keys/signer.h"

#include "bench_token.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: steadier under load */
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what)
{
    fprintf(stderr, "bench_sig: %s: %s\n", what, mav2_last_error());
    exit(1);
}

static double time_bare(bench_token *b, unsigned char d[32], int n, unsigned char *der,
                        size_t *der_len)
{
    unsigned char rs[64];
    double t0 = now();
    for (int i = 0; i < n; i++) {
        d[0] = (unsigned char)i;
        if (!bench_token_bare_sign(b, d, rs)) {
            fprintf(stderr, "bench_sig: bare C_Sign failed\n");
            exit(1);
        }
    }
    t0 = now() - t0;
    if (der != NULL) { /* the last one as DER, for the finishing step */
        unsigned char *p = der;
        *p++ = 0x30;
        p++;
        for (int k = 0; k < 2; k++) {
            const unsigned char *v = rs + 32 * k;
            int skip = 0;
            while (skip < 31 && v[skip] == 0 && !(v[skip + 1] & 0x80))
                skip++;
            *p++ = 0x02;
            *p++ = (unsigned char)(32 - skip + (v[skip] & 0x80 ? 1 : 0));
            if (v[skip] & 0x80)
                *p++ = 0;
            memcpy(p, v + skip, (size_t)(32 - skip));
            p += 32 - skip;
        }
        *der_len = (size_t)(p - der);
        der[1] = (unsigned char)(*der_len - 2);
    }
    return t0;
}

static double time_mav2(mav2_signer *s, unsigned char d[32], int n)
{
    unsigned char sig[MAV2_SIG65_LEN];
    double t0 = now();
    for (int i = 0; i < n; i++) {
        d[0] = (unsigned char)i;
        if (!mav2_signer_sign_digest(s, d, sig))
            die("mav2_signer_sign_digest");
    }
    return now() - t0;
}

/* The floor of a verified signature on this design: C_SignInit + C_Sign on the
 * session copy, then one secp256k1_ecdsa_recover of the token's r || s (the
 * least libsecp256k1's public API can verify with and yield a recovery id). */
static double time_floor(bench_token *b, unsigned char d[32], int n)
{
    secp256k1_ecdsa_recoverable_signature rsig;
    secp256k1_pubkey pk;
    unsigned char rs[64];
    double t0 = now();
    for (int i = 0; i < n; i++) {
        d[0] = (unsigned char)i;
        if (!bench_token_copy_sign(b, d, rs) ||
            !secp256k1_ecdsa_recoverable_signature_parse_compact(secp256k1_context_static, &rsig,
                                                                 rs, 0)) {
            fprintf(stderr, "bench_sig: C_Sign on the session copy failed\n");
            exit(1);
        }
        if (!secp256k1_ecdsa_recover(secp256k1_context_static, &pk, &rsig, d))
            continue; /* recovery id 0 may not lift: the work is done either way */
    }
    return now() - t0;
}

static void run_token(const char *uri, const char *module, int n)
{
    bench_token b;
    mav2_signer *s;
    unsigned char d[32] = {1, 2, 3}, der[80], sig[MAV2_SIG65_LEN];
    size_t der_len = 0;
    double t_bare = 0, t_mav2 = 0, t_floor = 0, t_fin;
    const int block = 25, fin_n = 2000;

    if (!bench_token_open(&b, "bench_sig", uri, module))
        exit(1);
    s = b.signer;
    time_bare(&b, d, 10, NULL, NULL);
    time_mav2(s, d, 10);
    if (b.copy != 0)
        time_floor(&b, d, 10);
    for (int done = 0; done < n; done += block) {
        t_bare += time_bare(&b, d, block, NULL, NULL);
        t_mav2 += time_mav2(s, d, block);
        if (b.copy != 0)
            t_floor += time_floor(&b, d, block);
    }
    n = (n + block - 1) / block * block;
    t_fin = 0;
    for (int i = 0; i < fin_n; i++) { /* fresh token signatures, both recovery ids */
        double t0;
        d[1] = (unsigned char)i;
        d[2] = (unsigned char)(i >> 8);
        time_bare(&b, d, 1, der, &der_len);
        t0 = now();
        if (!mav2_sig_from_der(der, der_len, d, mav2_signer_pubkey(s), sig))
            die("mav2_sig_from_der");
        t_fin += now() - t0;
    }
    printf("token_bare_csign_us %.1f\n", t_bare / n * 1e6);
    printf("token_mav2_sign_digest_us %.1f\n", t_mav2 / n * 1e6);
    printf("token_finish_us %.1f\n", t_fin / fin_n * 1e6);
    if (b.copy != 0)
        printf("token_floor_us %.1f\n", t_floor / n * 1e6);
    bench_token_close(&b);
}

/* The user op bench-sig-viem.mjs signs too. */
static void fill_op(mav2_userop *op)
{
    mav2_userop_init(op);
    memset(op->sender, 0x11, 20);
    op->nonce.w[1] = 0x101;
    mav2_buf_zeros(&op->call_data, 196);
    memset(op->call_data.data, 0xab, 196);
    op->call_gas_limit.w[0] = 100000;
    op->verification_gas_limit.w[0] = 150000;
    op->pre_verification_gas.w[0] = 50000;
    op->max_fee_per_gas.w[0] = 4612500000u;
    op->max_priority_fee_per_gas.w[0] = 1575000000u;
}

static void bench_software(const char *pem, int n, int show)
{
    FILE *fp = fopen(pem, "r");
    EVP_PKEY *k = fp ? PEM_read_PrivateKey(fp, NULL, NULL, NULL) : NULL;
    mav2_signer *s = k ? mav2_signer_new(k) : NULL;
    unsigned char h[32], sig[MAV2_USEROP_SIG_LEN];
    mav2_userop op;
    double t0;

    if (fp != NULL)
        fclose(fp);
    if (s == NULL)
        die("software key");
    fill_op(&op);
    for (int i = 0; i < n / 10 + 1; i++) /* warm up */
        if (!mav2_userop_hash(&op, mav2_entry_point_v07, 31337, h) ||
            !mav2_signer_sign_userop(s, h, sig))
            die("user-op signature");
    t0 = now();
    for (int i = 0; i < n; i++) {
        op.nonce.w[0] = (uint64_t)i;
        if (!mav2_userop_hash(&op, mav2_entry_point_v07, 31337, h) ||
            !mav2_signer_sign_userop(s, h, sig))
            die("user-op signature");
    }
    t0 = now() - t0;
    printf("software_userop_us %.2f\n", t0 / n * 1e6);
    if (show) {
        printf("last_signature 0x");
        for (size_t i = 0; i < sizeof(sig); i++)
            printf("%02x", sig[i]);
        printf("\n");
    }
    mav2_userop_clear(&op);
    mav2_signer_free(s);
    EVP_PKEY_free(k);
}

int main(int argc, char **argv)
{
    int n = 2000, c, show = 0;
    const char *uri = NULL, *module = NULL, *pem = NULL;

    while ((c = getopt(argc, argv, "n:t:m:k:j")) != -1) {
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
        case 'k':
            pem = optarg;
            break;
        case 'j':
            show = 1;
            break;
        default:
            fprintf(stderr, "usage: bench_sig [-n N] (-t URI -m MODULE | -k PEM [-j])\n");
            return 1;
        }
    }
    if (n <= 0)
        n = 1;
    if (pem != NULL)
        bench_software(pem, n, show);
    if (uri != NULL)
        run_token(uri, module, n);
    return 0;
}
