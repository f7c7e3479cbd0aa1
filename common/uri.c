/* SPDX-License-Identifier: Apache-2.0 */
/* uri.c: a pkcs11: URI's path attribute (see uri.h). */
#include "common/uri.h"

#include <string.h>

static int nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int refuse(const char **why, const char *msg)
{
    if (why != NULL)
        *why = msg;
    return 0;
}

/* The value v..end percent-decoded into out. */
static int decode(const char *v, const char *end, uint8_t *out, size_t max, size_t *len,
                  const char **why)
{
    size_t n = 0;
    for (; v < end; v++) {
        int c = (unsigned char)*v;
        if (c == '%') {
            int hi = end - v >= 3 ? nibble(v[1]) : -1, lo = hi >= 0 ? nibble(v[2]) : -1;
            if (lo < 0)
                return refuse(why, "bad percent escape");
            c = hi << 4 | lo;
            v += 2;
        }
        if (n == max)
            return refuse(why, "too long");
        out[n++] = (uint8_t)c;
    }
    *len = n;
    return 1;
}

int mh_uri_attr(const char *uri, const char *attr, uint8_t *out, size_t max, size_t *len,
                const char **why)
{
    size_t alen = attr != NULL ? strlen(attr) : 0;
    const char *p, *path_end;
    if (uri == NULL || strncmp(uri, "pkcs11:", 7) != 0)
        return refuse(why, "not a pkcs11: URI");
    p = uri + 7;
    path_end = p + strcspn(p, "?");
    while (p < path_end && alen > 0) {
        const char *end = memchr(p, ';', (size_t)(path_end - p));
        if (end == NULL)
            end = path_end;
        if ((size_t)(end - p) > alen && strncmp(p, attr, alen) == 0 && p[alen] == '=')
            return decode(p + alen + 1, end, out, max, len, why);
        p = end + 1;
    }
    return refuse(why, "absent");
}
