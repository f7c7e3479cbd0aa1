/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: call data from a signature and text arguments (the --call form
 * "name(types),arg,..."); whatever it accepts encodes to a selector plus whole words. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mav2/abi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    mav2_buf out = MAV2_BUF_INIT;
    if (s == NULL)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    if (mav2_abi_encode_call_spec(s, &out) && (out.len < 4 || (out.len - 4) % 32 != 0))
        abort();
    mav2_buf_free(&out);
    free(s);
    return 0;
}
