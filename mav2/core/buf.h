/* SPDX-License-Identifier: Apache-2.0 */
/* buf.h: the byte buffer libmav2 returns variable-length results in (call data,
 * init code, ABI encodings). The caller owns it: mav2_buf_free() when done. */
#ifndef MAV2_BUF_H
#define MAV2_BUF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint8_t *data; /* malloc'ed; may be NULL when len == 0 */
    size_t len;
    size_t cap;
} mav2_buf;

#define MAV2_BUF_INIT                                                                              \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

void mav2_buf_free(mav2_buf *b);
/* Appends bytes (fails only on out-of-memory). */
int mav2_buf_append(mav2_buf *b, const void *data, size_t len);
/* Appends n zero bytes. */
int mav2_buf_zeros(mav2_buf *b, size_t n);
/* Replaces the content with a copy of data. */
int mav2_buf_set(mav2_buf *b, const void *data, size_t len);

#ifdef __cplusplus
}
#endif
#endif
