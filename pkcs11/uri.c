/* SPDX-License-Identifier: Apache-2.0 */
/* uri.c: RFC 7512 pkcs11: URIs (parsed by p11-kit) and the tokens they match. */
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

static CK_RV no_token(const p11k1_uri *u)
{
    CK_TOKEN_INFO *t = p11_kit_uri_get_token_info(u->uri);
    char label[33];
    p11k1_trim(t->label, sizeof(t->label), label);
    if (label[0] != '\0')
        return p11k1_fail(P11K1_R_NO_TOKEN, "token '%s' not found", label);
    return p11k1_fail(P11K1_R_NO_TOKEN, "no token matches %s", u->shown);
}

CK_RV p11k1_uri_tokens(p11k1_ctx *ctx, p11k1_module *mod, const p11k1_uri *u, p11k1_slot ***out,
                       size_t *n_out)
{
    CK_FUNCTION_LIST *f = mod->funcs;
    CK_SLOT_ID *ids = NULL, want = p11_kit_uri_get_slot_id(u->uri);
    CK_ULONG n = 0, i;
    CK_INFO info;
    p11k1_slot **slots;
    size_t found = 0;
    CK_RV rv;

    *out = NULL;
    *n_out = 0;
    rv = f->C_GetInfo(&info);
    if (rv != CKR_OK)
        return p11k1_fail(rv, "C_GetInfo failed (%s)", p11k1_rv_str(rv));
    if (!p11_kit_uri_match_module_info(u->uri, &info))
        return no_token(u);
    rv = f->C_GetSlotList(CK_TRUE, NULL, &n);
    if (rv == CKR_OK && n > 0) {
        ids = calloc(n, sizeof(*ids));
        if (ids == NULL)
            return p11k1_fail(CKR_HOST_MEMORY, "out of memory");
        rv = f->C_GetSlotList(CK_TRUE, ids, &n);
    }
    if (rv != CKR_OK) {
        free(ids);
        return p11k1_fail(rv, "C_GetSlotList failed (%s)", p11k1_rv_str(rv));
    }
    slots = calloc(n ? n : 1, sizeof(*slots));
    if (slots == NULL) {
        free(ids);
        return p11k1_fail(CKR_HOST_MEMORY, "out of memory");
    }
    for (i = 0; i < n; i++) {
        CK_SLOT_INFO si;
        CK_TOKEN_INFO ti;
        if (want != (CK_SLOT_ID)-1 && ids[i] != want)
            continue;
        if (f->C_GetSlotInfo(ids[i], &si) != CKR_OK || !p11_kit_uri_match_slot_info(u->uri, &si))
            continue;
        /* an unrecognized or uninitialized token (SoftHSM's free slot) holds no keys */
        if (f->C_GetTokenInfo(ids[i], &ti) != CKR_OK || !(ti.flags & CKF_TOKEN_INITIALIZED) ||
            !p11_kit_uri_match_token_info(u->uri, &ti))
            continue;
        slots[found] = p11k1_slot_get(ctx, mod, ids[i], &ti);
        if (slots[found] == NULL) {
            free(ids);
            free(slots);
            return p11k1_fail(CKR_HOST_MEMORY, "out of memory");
        }
        found++;
    }
    free(ids);
    if (found == 0) {
        free(slots);
        return no_token(u);
    }
    *out = slots;
    *n_out = found;
    return CKR_OK;
}
