/* SPDX-License-Identifier: Apache-2.0 */
/* address.h: 20-byte Ethereum addresses: strict parsing (EIP-55 checksum enforced on
 * mixed-case input), EIP-55 formatting, and the address of a secp256k1 public key. */
#ifndef MAV2_ADDRESS_H
#define MAV2_ADDRESS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef MAV2_ADDRESS_LEN
#define MAV2_ADDRESS_LEN 20
#endif
#define MAV2_ADDRESS_STR_MAX 43 /* "0x" + 40 + NUL */

/* "0x" + 40 hex digits. All-lowercase or all-uppercase digits are accepted as is;
 * mixed case must be a valid EIP-55 checksum ("bad EIP-55 checksum" otherwise). */
int mav2_address_parse(const char *s, uint8_t out[MAV2_ADDRESS_LEN]);
/* EIP-55 checksummed "0x..." into out (>= MAV2_ADDRESS_STR_MAX). */
void mav2_address_format(const uint8_t a[MAV2_ADDRESS_LEN], char *out);
/* keccak256(X || Y)[12..32) of an uncompressed key: 65 bytes (0x04 || X || Y) or 64
 * bytes (X || Y). Compressed keys are refused (decompress with libsecp256k1 first). */
int mav2_address_from_pubkey(const uint8_t *pub, size_t len, uint8_t out[MAV2_ADDRESS_LEN]);
int mav2_address_is_zero(const uint8_t a[MAV2_ADDRESS_LEN]);

#ifdef __cplusplus
}
#endif
#endif
