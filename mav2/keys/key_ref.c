/* SPDX-License-Identifier: Apache-2.0 */
/* key_ref.c: a token key's serial and id from its provider's pkcs11_uri (key.h). */
#include "config.h"

#include "mav2/keys/key.h"

#include <openssl/err.h>
#include <string.h>

#include "common/hex.h"
#include "common/uri.h"
#include "mav2/core/error.h"

/* Path attribute name of the pkcs11: URI into out as text (hex: each byte as two hex
 * digits); "" when absent. */
static int uri_attr(const char *uri, const char *name, int hex, char *out, size_t cap)
{
    uint8_t v[256];
    size_t n = 0;
    const char *why = NULL;
    out[0] = '\0';
    if (!mh_uri_attr(uri, name, v, sizeof(v), &n, &why))
        return strcmp(why, "absent") == 0 ? 1 : mav2_error_set("key: %s: %s", name, why);
    if (hex ? !mh_hex_encode(v, n, out, cap, 0) : n >= cap)
        return mav2_error_set("key: %s does not fit", name);
    if (!hex) {
        memcpy(out, v, n);
        out[n] = '\0';
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
