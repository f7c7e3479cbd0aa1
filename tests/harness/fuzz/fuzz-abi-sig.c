/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: call data from a signature and text arguments (the --call form
 * "name(types),arg,..."); whatever it accepts encodes to a selector plus whole words
 * and decodes back. An input "SIG\nBYTES" decodes BYTES (after SIG's selector) as SIG's
 * arguments (mav2 decode). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/keccak.h"
#include "mav2/core/abi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void decode_mode(const char *sig, const uint8_t *b, size_t n)
{
    mav2_buf in = MAV2_BUF_INIT, text = MAV2_BUF_INIT;
    uint8_t h[32];
    size_t count = 0;
    /* the selector of whatever sig says, so the decoder gets past it */
    mh_keccak256(sig, strlen(sig), h);
    mav2_buf_append(&in, h, 4);
    mav2_buf_append(&in, b, n);
    mav2_abi_decode_call(sig, in.data, in.len, &text, &count);
    mav2_buf_free(&in);
    mav2_buf_free(&text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1), *nl;
    mav2_buf out = MAV2_BUF_INIT;
    if (s == NULL)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    if ((nl = memchr(s, '\n', size)) != NULL) {
        *nl = '\0';
        decode_mode(s, data + (nl - s) + 1, size - (size_t)(nl - s) - 1);
    } else if (mav2_abi_encode_call_spec(s, &out) && (out.len < 4 || (out.len - 4) % 32 != 0)) {
        abort();
    }
    mav2_buf_free(&out);
    free(s);
    return 0;
}
