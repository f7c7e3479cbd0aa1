/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the deferred-grant parser (grant.h). Whatever parses must write back
 * to the same bytes; a refusal always says why and leaves nothing allocated. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mav2/core/error.h"
#include "mav2/core/grant.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mav2_grant g;
    mav2_buf back = MAV2_BUF_INIT;
    mav2_grant_init(&g);
    mav2_error_clear();
    if (mav2_grant_parse(data, size, &g)) {
        if (!mav2_grant_serialize(&g, &back) || back.len != size ||
            memcmp(back.data, data, size) != 0)
            abort();
    } else if (mav2_last_error()[0] == '\0' || g.call.data != NULL) {
        abort();
    }
    mav2_buf_free(&back);
    mav2_grant_clear(&g);
    return 0;
}
