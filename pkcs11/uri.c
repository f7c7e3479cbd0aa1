/* SPDX-License-Identifier: Apache-2.0 */
/* uri.c: RFC 7512 pkcs11: URIs, parsed by p11-kit (the tokens they match: tokens.c). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "internal.h"

void p11k1_trim(const CK_UTF8CHAR *in, size_t len, char *out)
{
    while (len > 0 && (in[len - 1] == ' ' || in[len - 1] == '\0'))
        len--;
    memcpy(out, in, len);
    out[len] = '\0';
}

static char *uri_shown(const char *text)
{
    P11KitUri *u = p11_kit_uri_new();
    char *s = NULL;
    if (u == NULL)
        return NULL;
    if (p11_kit_uri_parse(text, P11_KIT_URI_FOR_ANY, u) == P11_KIT_URI_OK) {
        p11_kit_uri_set_pin_value(u, NULL);
        if (p11_kit_uri_format(u, P11_KIT_URI_FOR_ANY, &s) != P11_KIT_URI_OK)
            s = NULL;
    }
    p11_kit_uri_free(u);
    return s;
}

CK_RV p11k1_uri_parse(const char *text, p11k1_uri *out)
{
    CK_ATTRIBUTE *a;
    int r;

    memset(out, 0, sizeof(*out));
    if (text == NULL)
        text = "pkcs11:";
    out->uri = p11_kit_uri_new();
    if (out->uri == NULL)
        return p11k1_fail(CKR_HOST_MEMORY, "out of memory");
    r = p11_kit_uri_parse(text, P11_KIT_URI_FOR_ANY, out->uri);
    if (r != P11_KIT_URI_OK) {
        p11k1_uri_clear(out);
        /* the text may hold a pin-value: do not echo it */
        return p11k1_fail(P11K1_R_BAD_URI, "not a valid pkcs11: URI (%s)", p11_kit_uri_message(r));
    }
    if (p11_kit_uri_any_unrecognized(out->uri)) {
        p11k1_uri_clear(out);
        return p11k1_fail(P11K1_R_BAD_URI, "pkcs11: URI has an attribute this library does not "
                                           "know");
    }
    out->shown = uri_shown(text);
    if (out->shown == NULL) {
        p11k1_uri_clear(out);
        return p11k1_fail(CKR_HOST_MEMORY, "out of memory");
    }
    if ((a = p11_kit_uri_get_attribute(out->uri, CKA_LABEL)) != NULL) {
        out->label = a->pValue;
        out->label_len = a->ulValueLen;
    }
    if ((a = p11_kit_uri_get_attribute(out->uri, CKA_ID)) != NULL) {
        out->id = a->pValue;
        out->id_len = a->ulValueLen;
    }
    if ((a = p11_kit_uri_get_attribute(out->uri, CKA_CLASS)) != NULL &&
        a->ulValueLen == sizeof(CK_OBJECT_CLASS)) {
        out->has_class = 1;
        memcpy(&out->klass, a->pValue, sizeof(CK_OBJECT_CLASS));
        if (out->klass != CKO_PRIVATE_KEY && out->klass != CKO_PUBLIC_KEY) {
            p11k1_uri_clear(out);
            return p11k1_fail(P11K1_R_BAD_URI, "pkcs11: URI type must be private or public");
        }
    }
    return CKR_OK;
}

void p11k1_uri_clear(p11k1_uri *u)
{
    if (u->uri != NULL)
        p11_kit_uri_free(u->uri);
    free(u->shown);
    memset(u, 0, sizeof(*u));
}
