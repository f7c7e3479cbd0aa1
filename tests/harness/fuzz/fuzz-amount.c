/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: u256 number and amount parsing; decimals must round trip. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mav2/core/u256.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    mav2_u256 a, b;
    char dec[MAV2_U256_DEC_MAX], hex[MAV2_U256_HEX_MAX],
        units[MAV2_U256_DEC_MAX + 2 + sizeof("ether")];
    if (s == NULL)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    if (mav2_u256_parse_amount(&a, s)) {
        mav2_u256_to_dec(&a, dec);
        mav2_u256_to_hex(&a, hex);
        if (!mav2_u256_from_dec(&b, dec) || mav2_u256_cmp(&a, &b) != 0)
            abort();
        if (!mav2_u256_from_hex(&b, hex) || mav2_u256_cmp(&a, &b) != 0)
            abort();
        mav2_u256_format_units(&a, 18, units);
        strcat(units, "ether");
        if (!mav2_u256_parse_amount(&b, units) || mav2_u256_cmp(&a, &b) != 0)
            abort();
        mav2_u256_ceil_mul_dec(&b, &a, "1.05");
    }
    mav2_u256_parse(&a, s);
    mav2_u256_ceil_mul_dec(&b, &a, s);
    free(s);
    return 0;
}
