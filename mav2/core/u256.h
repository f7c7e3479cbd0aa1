/* SPDX-License-Identifier: Apache-2.0 */
/* u256.h: 256-bit unsigned integers for EVM quantities (nonces, wei amounts, gas):
 * decimal / hex text, amount units (wei, gwei, ether, fractional "1.5gwei"), the
 * arithmetic fee rules need (add, sub, small mul, ceil-mul by a decimal factor such
 * as "1.05") and the 32-byte big-endian ABI form. Overflow is an error, never a wrap.
 * Functions returning int return 1, or 0 with mav2_last_error() set (see error.h). */
#ifndef MAV2_U256_H
#define MAV2_U256_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* w[0] is the least significant 64-bit limb. Plain value type: copy with =. */
typedef struct {
    uint64_t w[4];
} mav2_u256;

#define MAV2_U256_DEC_MAX 79 /* decimal digits + NUL */
#define MAV2_U256_HEX_MAX 67 /* "0x" + 64 digits + NUL */

void mav2_u256_from_u64(mav2_u256 *r, uint64_t v);
/* 1 if r fits in 64 bits (then *v = r). */
int mav2_u256_to_u64(const mav2_u256 *a, uint64_t *v);
int mav2_u256_is_zero(const mav2_u256 *a);
/* Number of significant bits (0 for zero). */
unsigned mav2_u256_bits(const mav2_u256 *a);
/* -1, 0, 1 */
int mav2_u256_cmp(const mav2_u256 *a, const mav2_u256 *b);

/* Big-endian 32 bytes (the ABI uint256 word). */
void mav2_u256_to_be32(const mav2_u256 *a, uint8_t out[32]);
void mav2_u256_from_be32(mav2_u256 *r, const uint8_t in[32]);
/* Big-endian of any length <= 32 (e.g. a uint128 half of a packed field). */
int mav2_u256_from_be(mav2_u256 *r, const uint8_t *in, size_t len);
/* Writes the low n bytes big-endian; fails if a does not fit in n bytes. */
int mav2_u256_to_be(const mav2_u256 *a, uint8_t *out, size_t n);

/* Strict parsers (whole string, no sign, no spaces, no empty digits). */
int mav2_u256_from_dec(mav2_u256 *r, const char *s);
/* "0x"/"0X" prefix required, 1..64 hex digits, leading zeros allowed. */
int mav2_u256_from_hex(mav2_u256 *r, const char *s);
/* Decimal, or hex with a 0x prefix. */
int mav2_u256_parse(mav2_u256 *r, const char *s);
/* Amount in wei: "<number>[unit]" with unit wei | gwei | ether (case-insensitive,
 * no space), number decimal with an optional fraction ("0.5ether", "1.5gwei"); a
 * fraction finer than 1 wei is an error. No unit = wei. A 0x-hex number is wei and
 * takes no unit. */
int mav2_u256_parse_amount(mav2_u256 *r, const char *s);
/* A token amount "D[.F]" (decimal, no exponent, no unit) times 10^decimals, as an
 * ERC-20 token's decimals() scales it ("1.5" with 6 decimals = 1500000); more
 * fractional digits than decimals is an error. decimals <= 77. */
int mav2_u256_parse_units(mav2_u256 *r, const char *s, unsigned decimals);

/* out >= MAV2_U256_DEC_MAX */
void mav2_u256_to_dec(const mav2_u256 *a, char *out);
/* Minimal 0x-hex quantity ("0x0" for zero, lowercase), out >= MAV2_U256_HEX_MAX. */
void mav2_u256_to_hex(const mav2_u256 *a, char *out);
/* a / 10^decimals as a decimal string without trailing fractional zeros
 * ("1.5" for 1.5e18 wei with 18 decimals). out >= MAV2_U256_DEC_MAX + 2. */
void mav2_u256_format_units(const mav2_u256 *a, unsigned decimals, char *out);

/* r may alias a or b. Overflow / underflow fail and leave r unchanged. */
int mav2_u256_add(mav2_u256 *r, const mav2_u256 *a, const mav2_u256 *b);
int mav2_u256_sub(mav2_u256 *r, const mav2_u256 *a, const mav2_u256 *b);
int mav2_u256_mul_u64(mav2_u256 *r, const mav2_u256 *a, uint64_t m);
/* floor(a / d) and a % d for a small divisor d != 0 (rem may be NULL). */
int mav2_u256_div_u64(mav2_u256 *r, const mav2_u256 *a, uint64_t d, uint64_t *rem);
/* ceil(a * factor) for a decimal factor string ("1.05", "1.5", "2"), computed exactly
 * as (a * F + 10^d - 1) / 10^d with F = factor * 10^d, d = its decimals (<= 18):
 * the reference client's fee rule. */
int mav2_u256_ceil_mul_dec(mav2_u256 *r, const mav2_u256 *a, const char *factor);
/* max(a, b) */
void mav2_u256_max(mav2_u256 *r, const mav2_u256 *a, const mav2_u256 *b);

#ifdef __cplusplus
}
#endif
#endif
