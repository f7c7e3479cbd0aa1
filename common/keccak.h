/* SPDX-License-Identifier: Apache-2.0 */
/* keccak.h: Keccak-256 as Ethereum uses it (original Keccak padding 0x01, rate 136
 * bytes; NOT FIPS SHA3-256, which pads 0x06). One implementation shared by the
 * OpenSSL provider's KECCAK-256 digest and by libmav2.
 *
 *   mh_keccak256_ctx c;
 *   mh_keccak256_init(&c);
 *   mh_keccak256_update(&c, data, len);   any number of times
 *   mh_keccak256_final(&c, out32);        c is wiped afterwards
 *
 * or mh_keccak256(data, len, out32) in one call. No allocation, no dependencies. */
#ifndef MH_KECCAK_H
#define MH_KECCAK_H

#include <stddef.h>
#include <stdint.h>

#define MH_KECCAK256_RATE 136
#define MH_KECCAK256_LEN  32

typedef struct {
    uint64_t st[25];
    size_t pos; /* bytes absorbed into the current block, 0..135 */
} mh_keccak256_ctx;

void mh_keccak256_init(mh_keccak256_ctx *ctx);
void mh_keccak256_update(mh_keccak256_ctx *ctx, const void *data, size_t len);
void mh_keccak256_final(mh_keccak256_ctx *ctx, uint8_t out[MH_KECCAK256_LEN]);

/* One-shot Keccak-256 of data[0..len). data may be NULL when len is 0. */
void mh_keccak256(const void *data, size_t len, uint8_t out[MH_KECCAK256_LEN]);

/* EIP-191 personal-message hash:
 * keccak256("\x19Ethereum Signed Message:\n" || decimal(len) || msg). */
void mh_eip191_hash(const void *msg, size_t len, uint8_t out[MH_KECCAK256_LEN]);

#endif
