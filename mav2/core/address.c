/* SPDX-License-Identifier: Apache-2.0 */
/* address.c: EIP-55 addresses (see address.h). */
#include "mav2/core/address.h"

#include <string.h>

#include "common/hex.h"
#include "common/keccak.h"
#include "mav2/core/error.h"

/* checksum nibble i of lowercase hex a: uppercase where keccak(hex)[i] >= 8 */
static void eip55_hash(const char lower40[40], uint8_t h[32])
{
    mh_keccak256(lower40, 40, h);
}

void mav2_address_format(const uint8_t a[MAV2_ADDRESS_LEN], char *out)
{
    char lower[41];
    uint8_t h[32];
    mh_hex_encode(a, MAV2_ADDRESS_LEN, lower, sizeof(lower), 0);
    eip55_hash(lower, h);
    out[0] = '0';
    out[1] = 'x';
    for (int i = 0; i < 40; i++) {
        char c = lower[i];
        int nib = (h[i / 2] >> (i % 2 ? 0 : 4)) & 15;
        if (c >= 'a' && c <= 'f' && nib >= 8)
            c = (char)(c - 'a' + 'A');
        out[2 + i] = c;
    }
    out[42] = '\0';
}

int mav2_address_parse(const char *s, uint8_t out[MAV2_ADDRESS_LEN])
{
    const char *why = NULL;
    if (s == NULL)
        return mav2_error_set("address missing");
    if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
        return mav2_error_set("address \"%.60s\": no 0x prefix", s);
    size_t n = strlen(s + 2);
    if (n != 40)
        return mav2_error_set("address \"%.60s\": want 40 hex digits, got %zu", s, n);
    if (!mh_hex_decode_exact(s, out, MAV2_ADDRESS_LEN, &why))
        return mav2_error_set("address \"%.60s\": %s", s, why);
    int upper = 0, lower = 0;
    for (size_t i = 2; i < 42; i++) {
        upper |= s[i] >= 'A' && s[i] <= 'F';
        lower |= s[i] >= 'a' && s[i] <= 'f';
    }
    if (upper && lower) {
        char want[MAV2_ADDRESS_STR_MAX];
        mav2_address_format(out, want);
        if (strcmp(want + 2, s + 2) != 0)
            return mav2_error_set("address \"%s\": bad EIP-55 checksum (want %s)", s, want);
    }
    return 1;
}

int mav2_address_from_pubkey(const uint8_t *pub, size_t len, uint8_t out[MAV2_ADDRESS_LEN])
{
    uint8_t h[32];
    if (pub == NULL)
        return mav2_error_set("public key missing");
    if (len == 65) {
        if (pub[0] != 0x04)
            return mav2_error_set("public key: 65 bytes but not uncompressed (0x04 prefix)");
        pub++;
        len--;
    } else if (len != 64) {
        return mav2_error_set("public key: want 64 or 65 bytes (uncompressed), got %zu", len);
    }
    mh_keccak256(pub, 64, h);
    memcpy(out, h + 12, MAV2_ADDRESS_LEN);
    return 1;
}

int mav2_address_is_zero(const uint8_t a[MAV2_ADDRESS_LEN])
{
    uint8_t acc = 0;
    for (int i = 0; i < MAV2_ADDRESS_LEN; i++)
        acc |= a[i];
    return acc == 0;
}
