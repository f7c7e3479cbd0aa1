/* SPDX-License-Identifier: Apache-2.0 */
/* key_ref.c: a token key's serial and id from its provider's pkcs11_uri (key.h). */
#include "config.h"

#include "mav2/keys/key.h"

#include <openssl/err.h>
#include <string.h>

#include "mav2/core/error.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The percent-decoded value of attribute name in the URI's path (s..end) into out as
 * text (hex: each byte as two hex digits). Absent: "". */
static int uri_attr(const char *uri, const char *name, int hex, char *out, size_t cap)
{
    size_t nl = strlen(name), o = 0;
    const char *p = uri + 7, *end = uri + strcspn(uri, "?");
    static const char digits[] = "0123456789abcdef";
    out[0] = '\0';
    while (p < end) {
        const char *next = memchr(p, ';', (size_t)(end - p));
        if (next == NULL)
            next = end;
        if ((size_t)(next - p) > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
            for (const char *q = p + nl + 1; q < next; q++) {
                int c = (unsigned char)*q;
                if (c == '%' && next - q >= 3 && hexval(q[1]) >= 0 && hexval(q[2]) >= 0) {
                    c = hexval(q[1]) * 16 + hexval(q[2]);
                    q += 2;
                }
                if (o + (hex ? 2 : 1) >= cap)
                    return mav2_error_set("key: %s does not fit", name);
                if (hex) {
                    out[o++] = digits[c >> 4];
                    out[o++] = digits[c & 15];
                } else {
                    out[o++] = (char)c;
                }
            }
            out[o] = '\0';
            return 1;
        }
        p = next + 1;
    }
    return 1;
}

int mav2_key_token_ref(EVP_PKEY *pkey, char *serial, size_t serial_cap, char *id_hex, size_t id_cap)
{
    char uri[1024];
    if (pkey == NULL || serial == NULL || id_hex == NULL || serial_cap == 0 || id_cap == 0)
        return mav2_error_set("key: missing argument");
    serial[0] = id_hex[0] = '\0';
    ERR_set_mark();
    if (!EVP_PKEY_get_utf8_string_param(pkey, "pkcs11_uri", uri, sizeof(uri), NULL))
        uri[0] = '\0';
    ERR_pop_to_mark();
    if (strncmp(uri, "pkcs11:", 7) != 0)
        return 1;
    return uri_attr(uri, "serial", 0, serial, serial_cap) && uri_attr(uri, "id", 1, id_hex, id_cap);
}
