/* SPDX-License-Identifier: Apache-2.0 */
/* keccak.c: Keccak-f[1600] and the Keccak-256 sponge (see keccak.h). */
#include "common/keccak.h"

#include <stdio.h>
#include <string.h>

static const uint64_t keccak_rc[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

/* Keccak-f[1600] (FIPS 202 section 3.3; the Keccak reference, section 1.2): 24 rounds
 * of theta, rho, pi, chi, iota. Lane A[x,y] is st[x + 5y]. The rounds run two at a
 * time on 25 locals a.. -> e.. -> a.., so the state stays in registers; pi writes
 * B[y, 2x+3y] = rot(A[x,y] ^ D[x], r[x,y]), so output row y' reads the lanes
 * A[(x' + 3y') mod 5, x'], and chi then combines each row on its own. */
#define ROL(x, n) (((x) << (n)) | ((x) >> (64 - (n))))

#define KECCAK_CHI(E, y, k)                                                                        \
    E##0##y = b0 ^ (~b1 & b2) ^ (k);                                                               \
    E##1##y = b1 ^ (~b2 & b3);                                                                     \
    E##2##y = b2 ^ (~b3 & b4);                                                                     \
    E##3##y = b3 ^ (~b4 & b0);                                                                     \
    E##4##y = b4 ^ (~b0 & b1)

#define KECCAK_ROUND(A, E, k)                                                                      \
    do {                                                                                           \
        c0 = A##00 ^ A##01 ^ A##02 ^ A##03 ^ A##04;                                                \
        c1 = A##10 ^ A##11 ^ A##12 ^ A##13 ^ A##14;                                                \
        c2 = A##20 ^ A##21 ^ A##22 ^ A##23 ^ A##24;                                                \
        c3 = A##30 ^ A##31 ^ A##32 ^ A##33 ^ A##34;                                                \
        c4 = A##40 ^ A##41 ^ A##42 ^ A##43 ^ A##44;                                                \
        d0 = c4 ^ ROL(c1, 1);                                                                      \
        d1 = c0 ^ ROL(c2, 1);                                                                      \
        d2 = c1 ^ ROL(c3, 1);                                                                      \
        d3 = c2 ^ ROL(c4, 1);                                                                      \
        d4 = c3 ^ ROL(c0, 1);                                                                      \
        b0 = A##00 ^ d0;                                                                           \
        b1 = ROL(A##11 ^ d1, 44);                                                                  \
        b2 = ROL(A##22 ^ d2, 43);                                                                  \
        b3 = ROL(A##33 ^ d3, 21);                                                                  \
        b4 = ROL(A##44 ^ d4, 14);                                                                  \
        KECCAK_CHI(E, 0, k);                                                                       \
        b0 = ROL(A##30 ^ d3, 28);                                                                  \
        b1 = ROL(A##41 ^ d4, 20);                                                                  \
        b2 = ROL(A##02 ^ d0, 3);                                                                   \
        b3 = ROL(A##13 ^ d1, 45);                                                                  \
        b4 = ROL(A##24 ^ d2, 61);                                                                  \
        KECCAK_CHI(E, 1, 0);                                                                       \
        b0 = ROL(A##10 ^ d1, 1);                                                                   \
        b1 = ROL(A##21 ^ d2, 6);                                                                   \
        b2 = ROL(A##32 ^ d3, 25);                                                                  \
        b3 = ROL(A##43 ^ d4, 8);                                                                   \
        b4 = ROL(A##04 ^ d0, 18);                                                                  \
        KECCAK_CHI(E, 2, 0);                                                                       \
        b0 = ROL(A##40 ^ d4, 27);                                                                  \
        b1 = ROL(A##01 ^ d0, 36);                                                                  \
        b2 = ROL(A##12 ^ d1, 10);                                                                  \
        b3 = ROL(A##23 ^ d2, 15);                                                                  \
        b4 = ROL(A##34 ^ d3, 56);                                                                  \
        KECCAK_CHI(E, 3, 0);                                                                       \
        b0 = ROL(A##20 ^ d2, 62);                                                                  \
        b1 = ROL(A##31 ^ d3, 55);                                                                  \
        b2 = ROL(A##42 ^ d4, 39);                                                                  \
        b3 = ROL(A##03 ^ d0, 41);                                                                  \
        b4 = ROL(A##14 ^ d1, 2);                                                                   \
        KECCAK_CHI(E, 4, 0);                                                                       \
    } while (0)

/* chi's ~b & c is one instruction (andn) with BMI1: a copy for such CPUs, picked at load */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__ELF__)
__attribute__((target_clones("default", "bmi")))
#endif
static void
keccak_f1600(uint64_t st[25])
{
    uint64_t a00 = st[0], a10 = st[1], a20 = st[2], a30 = st[3], a40 = st[4];
    uint64_t a01 = st[5], a11 = st[6], a21 = st[7], a31 = st[8], a41 = st[9];
    uint64_t a02 = st[10], a12 = st[11], a22 = st[12], a32 = st[13], a42 = st[14];
    uint64_t a03 = st[15], a13 = st[16], a23 = st[17], a33 = st[18], a43 = st[19];
    uint64_t a04 = st[20], a14 = st[21], a24 = st[22], a34 = st[23], a44 = st[24];
    uint64_t e00, e10, e20, e30, e40, e01, e11, e21, e31, e41, e02, e12, e22, e32, e42;
    uint64_t e03, e13, e23, e33, e43, e04, e14, e24, e34, e44;
    uint64_t b0, b1, b2, b3, b4, c0, c1, c2, c3, c4, d0, d1, d2, d3, d4;

    for (int round = 0; round < 24; round += 2) {
        KECCAK_ROUND(a, e, keccak_rc[round]);
        KECCAK_ROUND(e, a, keccak_rc[round + 1]);
    }
    st[0] = a00, st[1] = a10, st[2] = a20, st[3] = a30, st[4] = a40;
    st[5] = a01, st[6] = a11, st[7] = a21, st[8] = a31, st[9] = a41;
    st[10] = a02, st[11] = a12, st[12] = a22, st[13] = a32, st[14] = a42;
    st[15] = a03, st[16] = a13, st[17] = a23, st[18] = a33, st[19] = a43;
    st[20] = a04, st[21] = a14, st[22] = a24, st[23] = a34, st[24] = a44;
}

static inline void xor_byte(uint64_t st[25], size_t pos, uint8_t b)
{
    st[pos / 8] ^= (uint64_t)b << (8 * (pos % 8));
}

static inline uint64_t load64_le(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

void mh_keccak256_init(mh_keccak256_ctx *ctx)
{
    memset(ctx, 0, sizeof(*ctx));
}

void mh_keccak256_update(mh_keccak256_ctx *ctx, const void *data, size_t len)
{
    const uint8_t *p = data;
    if (len == 0)
        return;
    /* finish a partial block byte by byte */
    while (len > 0 && ctx->pos != 0) {
        xor_byte(ctx->st, ctx->pos++, *p++);
        len--;
        if (ctx->pos == MH_KECCAK256_RATE) {
            keccak_f1600(ctx->st);
            ctx->pos = 0;
        }
    }
    /* whole blocks, a lane at a time */
    while (len >= MH_KECCAK256_RATE) {
        for (size_t i = 0; i < MH_KECCAK256_RATE / 8; i++)
            ctx->st[i] ^= load64_le(p + 8 * i);
        keccak_f1600(ctx->st);
        p += MH_KECCAK256_RATE;
        len -= MH_KECCAK256_RATE;
    }
    while (len > 0) {
        xor_byte(ctx->st, ctx->pos++, *p++);
        len--;
    }
}

void mh_keccak256_final(mh_keccak256_ctx *ctx, uint8_t out[MH_KECCAK256_LEN])
{
    xor_byte(ctx->st, ctx->pos, 0x01);
    xor_byte(ctx->st, MH_KECCAK256_RATE - 1, 0x80);
    keccak_f1600(ctx->st);
    for (size_t i = 0; i < MH_KECCAK256_LEN; i++)
        out[i] = (uint8_t)(ctx->st[i / 8] >> (8 * (i % 8)));
    memset(ctx, 0, sizeof(*ctx));
    __asm__ __volatile__("" : : "r"(ctx) : "memory");
}

void mh_keccak256(const void *data, size_t len, uint8_t out[MH_KECCAK256_LEN])
{
    mh_keccak256_ctx c;
    mh_keccak256_init(&c);
    mh_keccak256_update(&c, data, len);
    mh_keccak256_final(&c, out);
}

void mh_eip191_hash(const void *msg, size_t len, uint8_t out[MH_KECCAK256_LEN])
{
    static const char prefix[] = "\x19"
                                 "Ethereum Signed Message:\n";
    char num[24];
    int n = snprintf(num, sizeof(num), "%zu", len);
    mh_keccak256_ctx c;
    mh_keccak256_init(&c);
    mh_keccak256_update(&c, prefix, sizeof(prefix) - 1);
    mh_keccak256_update(&c, num, (size_t)n);
    mh_keccak256_update(&c, msg, len);
    mh_keccak256_final(&c, out);
}
