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

/* rho rotation amounts and pi lane order, walked along the pi cycle starting at lane 1 */
static const unsigned keccak_rot[24] = {1,  3,  6,  10, 15, 21, 28, 36, 45, 55, 2,  14,
                                        27, 41, 56, 8,  25, 43, 62, 18, 39, 61, 20, 44};
static const unsigned keccak_pi[24] = {10, 7,  11, 17, 18, 3, 5,  16, 8,  21, 24, 4,
                                       15, 23, 19, 13, 12, 2, 20, 14, 22, 9,  6,  1};

static inline uint64_t rotl64(uint64_t x, unsigned n)
{
    return (x << n) | (x >> (64 - n));
}

static void keccak_f1600(uint64_t st[25])
{
    uint64_t bc[5], t;
    for (int round = 0; round < 24; round++) {
        for (int i = 0; i < 5; i++)
            bc[i] = st[i] ^ st[i + 5] ^ st[i + 10] ^ st[i + 15] ^ st[i + 20];
        for (int i = 0; i < 5; i++) {
            t = bc[(i + 4) % 5] ^ rotl64(bc[(i + 1) % 5], 1);
            for (int j = 0; j < 25; j += 5)
                st[j + i] ^= t;
        }
        t = st[1];
        for (int i = 0; i < 24; i++) {
            unsigned j = keccak_pi[i];
            uint64_t tmp = st[j];
            st[j] = rotl64(t, keccak_rot[i]);
            t = tmp;
        }
        for (int j = 0; j < 25; j += 5) {
            for (int i = 0; i < 5; i++)
                bc[i] = st[j + i];
            for (int i = 0; i < 5; i++)
                st[j + i] ^= (~bc[(i + 1) % 5]) & bc[(i + 2) % 5];
        }
        st[0] ^= keccak_rc[round];
    }
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
