/* SPDX-License-Identifier: Apache-2.0 */
/* object.c: attribute and object-search helpers (see object.h). */
#include "config.h"

#include "object.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "der.h"

CK_RV p11k1_attr_get(CK_FUNCTION_LIST *f, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o,
                     CK_ATTRIBUTE_TYPE type, unsigned char **val, size_t *len)
{
    CK_ATTRIBUTE a = {type, NULL, 0};
    CK_RV rv;
    *val = NULL;
    *len = 0;
    rv = f->C_GetAttributeValue(s, o, &a, 1);
    if (rv == CKR_ATTRIBUTE_TYPE_INVALID || rv == CKR_ATTRIBUTE_SENSITIVE ||
        a.ulValueLen == (CK_ULONG)-1)
        return CKR_OK;
    if (rv != CKR_OK)
        return rv;
    a.pValue = malloc(a.ulValueLen + 1);
    if (a.pValue == NULL)
        return CKR_HOST_MEMORY;
    rv = f->C_GetAttributeValue(s, o, &a, 1);
    if (rv != CKR_OK) {
        free(a.pValue);
        return rv;
    }
    ((unsigned char *)a.pValue)[a.ulValueLen] = 0;
    *val = a.pValue;
    *len = a.ulValueLen;
    return CKR_OK;
}

CK_RV p11k1_find(CK_FUNCTION_LIST *f, CK_SESSION_HANDLE s, CK_ATTRIBUTE *tmpl, CK_ULONG n_tmpl,
                 CK_OBJECT_HANDLE **out, size_t *n)
{
    CK_OBJECT_HANDLE buf[32], *all = NULL, *p;
    CK_ULONG got;
    size_t count = 0;
    CK_RV rv;

    *out = NULL;
    *n = 0;
    rv = f->C_FindObjectsInit(s, tmpl, n_tmpl);
    if (rv != CKR_OK)
        return rv;
    for (;;) {
        rv = f->C_FindObjects(s, buf, 32, &got);
        if (rv != CKR_OK || got == 0)
            break;
        if (got > 32) { /* a module writing past what we asked for */
            rv = CKR_GENERAL_ERROR;
            break;
        }
        p = realloc(all, (count + got) * sizeof(*all));
        if (p == NULL) {
            rv = CKR_HOST_MEMORY;
            break;
        }
        all = p;
        memcpy(all + count, buf, got * sizeof(*all));
        count += got;
    }
    f->C_FindObjectsFinal(s);
    if (rv != CKR_OK) {
        free(all);
        return rv;
    }
    *out = all;
    *n = count;
    return CKR_OK;
}

enum p11k1_kind p11k1_key_kind(CK_FUNCTION_LIST *f, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o,
                               char *what, size_t what_len)
{
    CK_KEY_TYPE kt = (CK_KEY_TYPE)-1;
    CK_ATTRIBUTE a = {CKA_KEY_TYPE, &kt, sizeof(kt)};
    unsigned char *params;
    size_t len;
    enum p11k1_kind kind;

    if (f->C_GetAttributeValue(s, o, &a, 1) != CKR_OK || kt != CKK_EC) {
        snprintf(what, what_len, "%s key",
                 kt == CKK_RSA   ? "an RSA"
                 : kt == CKK_DSA ? "a DSA"
                                 : "a non-EC");
        return P11K1_KIND_NOT_EC;
    }
    if (p11k1_attr_get(f, s, o, CKA_EC_PARAMS, &params, &len) != CKR_OK)
        params = NULL;
    if (p11k1_der_is_secp256k1(params, len)) {
        kind = P11K1_KIND_K1;
        snprintf(what, what_len, "secp256k1");
    } else {
        kind = P11K1_KIND_OTHER_CURVE;
        p11k1_der_curve_name(params, len, what, what_len);
    }
    free(params);
    return kind;
}

CK_ULONG p11k1_key_template(CK_ATTRIBUTE tmpl[4], CK_OBJECT_CLASS *klass, const char *label,
                            size_t label_len, const unsigned char *id, size_t id_len)
{
    static CK_BBOOL token = CK_TRUE;
    CK_ULONG n = 0;
    tmpl[n].type = CKA_TOKEN;
    tmpl[n].pValue = &token;
    tmpl[n++].ulValueLen = sizeof(token);
    tmpl[n].type = CKA_CLASS;
    tmpl[n].pValue = klass;
    tmpl[n++].ulValueLen = sizeof(*klass);
    if (label != NULL && label_len > 0) {
        tmpl[n].type = CKA_LABEL;
        tmpl[n].pValue = (void *)label;
        tmpl[n++].ulValueLen = label_len;
    }
    if (id != NULL && id_len > 0) {
        tmpl[n].type = CKA_ID;
        tmpl[n].pValue = (void *)id;
        tmpl[n++].ulValueLen = id_len;
    }
    return n;
}
