/* SPDX-License-Identifier: Apache-2.0 */
/* hex.c: strict hex codec (see hex.h). */
#include "common/hex.h"

#include <stdlib.h>
#include <string.h>

static int hex_nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int set_why(const char **why, const char *msg)
{
    if (why)
        *why = msg;
    return 0;
}

size_t mh_hex_encoded_size(size_t len, int prefix)
{
    return 2 * len + 1 + (prefix ? 2 : 0);
}

int mh_hex_encode(const uint8_t *in, size_t len, char *out, size_t outcap, int prefix)
{
    static const char digits[] = "0123456789abcdef";
    if (out == NULL || (in == NULL && len != 0) || len > (SIZE_MAX - 3) / 2 ||
        outcap < mh_hex_encoded_size(len, prefix))
        return 0;
    if (prefix) {
        *out++ = '0';
        *out++ = 'x';
    }
    for (size_t i = 0; i < len; i++) {
        *out++ = digits[in[i] >> 4];
        *out++ = digits[in[i] & 15];
    }
    *out = '\0';
    return 1;
}

/* Returns the digits after an optional prefix and their count, checking them all. */
static const char *hex_digits(const char *hex, size_t *ndigits, const char **why)
{
    if (hex == NULL) {
        set_why(why, "missing");
        return NULL;
    }
    if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X'))
        hex += 2;
    size_t n = strlen(hex);
    for (size_t i = 0; i < n; i++) {
        if (hex_nibble(hex[i]) < 0) {
            set_why(why, "invalid hex digit");
            return NULL;
        }
    }
    if (n % 2) {
        set_why(why, "odd number of hex digits");
        return NULL;
    }
    *ndigits = n;
    return hex;
}

static void hex_unpack(const char *d, size_t nbytes, uint8_t *out)
{
    for (size_t i = 0; i < nbytes; i++)
        out[i] = (uint8_t)(hex_nibble(d[2 * i]) << 4 | hex_nibble(d[2 * i + 1]));
}

int mh_hex_decode(const char *hex, uint8_t *out, size_t outcap, size_t *outlen, const char **why)
{
    size_t n;
    const char *d = hex_digits(hex, &n, why);
    if (d == NULL)
        return 0;
    if (n / 2 > outcap)
        return set_why(why, "too long");
    if (n > 0 && out == NULL)
        return set_why(why, "missing");
    hex_unpack(d, n / 2, out);
    if (outlen)
        *outlen = n / 2;
    return 1;
}

int mh_hex_decode_exact(const char *hex, uint8_t *out, size_t n, const char **why)
{
    size_t nd;
    const char *d = hex_digits(hex, &nd, why);
    if (d == NULL)
        return 0;
    if (nd / 2 != n)
        return set_why(why, "wrong length");
    hex_unpack(d, n, out);
    return 1;
}

int mh_hex_decode_alloc(const char *hex, uint8_t **out, size_t *outlen, const char **why)
{
    size_t n;
    if (out == NULL || outlen == NULL)
        return set_why(why, "missing");
    const char *d = hex_digits(hex, &n, why);
    if (d == NULL)
        return 0;
    uint8_t *buf = malloc(n / 2 ? n / 2 : 1);
    if (buf == NULL)
        return set_why(why, "out of memory");
    hex_unpack(d, n / 2, buf);
    *out = buf;
    *outlen = n / 2;
    return 1;
}
