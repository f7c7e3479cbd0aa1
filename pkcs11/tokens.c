/* SPDX-License-Identifier: Apache-2.0 */
/* tokens.c: the tokens a pkcs11: URI (uri.c) matches in a module, as slots with their
 * token session pools (session.c). */
#include "config.h"

#include <stdlib.h>

#include "error.h"
#include "internal.h"

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
