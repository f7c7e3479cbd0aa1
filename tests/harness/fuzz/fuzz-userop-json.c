/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the strict JSON user-op parser; a parsed op must hash and re-emit. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mav2/core/userop.h"
#include "mav2/core/userop_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s == NULL)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    mav2_userop op;
    if (mav2_userop_from_json_string(&op, s)) {
        uint8_t h[32];
        json_object *o = NULL;
        if (!mav2_userop_hash(&op, mav2_entry_point_v07, 1, h))
            abort(); /* the parser guarantees packable fields */
        if (!mav2_userop_to_json(&op, &o))
            abort();
        mav2_userop back;
        uint8_t h2[32];
        if (!mav2_userop_from_json(&back, o) ||
            !mav2_userop_hash(&back, mav2_entry_point_v07, 1, h2) || memcmp(h, h2, 32) != 0)
            abort(); /* emit -> parse must round trip */
        mav2_userop_clear(&back);
        json_object_put(o);
    }
    mav2_userop_clear(&op);
    free(s);
    return 0;
}
