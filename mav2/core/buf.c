/* SPDX-License-Identifier: Apache-2.0 */
/* buf.c: growable byte buffer (see buf.h). */
#include "mav2/core/buf.h"

#include <stdlib.h>
#include <string.h>

#include "mav2/core/error.h"

void mav2_buf_free(mav2_buf *b)
{
    if (b == NULL)
        return;
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

static int buf_reserve(mav2_buf *b, size_t extra)
{
    if (extra > SIZE_MAX - b->len)
        return mav2_error_set("out of memory");
    size_t need = b->len + extra;
    if (need <= b->cap)
        return 1;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    uint8_t *p = realloc(b->data, cap);
    if (p == NULL)
        return mav2_error_set("out of memory");
    b->data = p;
    b->cap = cap;
    return 1;
}

int mav2_buf_append(mav2_buf *b, const void *data, size_t len)
{
    if (len == 0)
        return 1;
    if (!buf_reserve(b, len))
        return 0;
    memcpy(b->data + b->len, data, len);
    b->len += len;
    return 1;
}

int mav2_buf_zeros(mav2_buf *b, size_t n)
{
    if (n == 0)
        return 1;
    if (!buf_reserve(b, n))
        return 0;
    memset(b->data + b->len, 0, n);
    b->len += n;
    return 1;
}

int mav2_buf_set(mav2_buf *b, const void *data, size_t len)
{
    b->len = 0;
    return mav2_buf_append(b, data, len);
}
