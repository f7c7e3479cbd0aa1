/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: strict hex decoding; whatever decodes must re-encode to the same digits. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/hex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    uint8_t *out = NULL, small[16];
    size_t n = 0;
    const char *why = NULL;
    if (s == NULL)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    mh_hex_decode(s, small, sizeof(small), &n, &why);
    mh_hex_decode_exact(s, small, sizeof(small), &why);
    if (mh_hex_decode_alloc(s, &out, &n, &why)) {
        size_t cap = mh_hex_encoded_size(n, 0);
        char *back = malloc(cap);
        const char *digits = (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ? s + 2 : s;
        if (back == NULL || !mh_hex_encode(out, n, back, cap, 0) || strcasecmp(back, digits) != 0)
            abort();
        free(back);
        free(out);
    } else if (why == NULL) {
        abort(); /* a failure always says why */
    }
    free(s);
    return 0;
}
