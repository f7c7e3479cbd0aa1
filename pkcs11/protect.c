/* SPDX-License-Identifier: Apache-2.0 */
/* protect.c: how a key's private half is kept (CKA_SENSITIVE ... CKA_LOCAL). */
#include "config.h"

#include <string.h>

#include "error.h"
#include "internal.h"
#include "key.h"

#define N_ATTRS 5

/* In the order of the fields of p11k1_protection. */
static const CK_ATTRIBUTE_TYPE types[N_ATTRS] = {
    CKA_SENSITIVE, CKA_ALWAYS_SENSITIVE, CKA_EXTRACTABLE, CKA_NEVER_EXTRACTABLE, CKA_LOCAL,
};

static int absent(CK_RV rv)
{
    return rv == CKR_ATTRIBUTE_TYPE_INVALID || rv == CKR_ATTRIBUTE_SENSITIVE ||
           rv == CKR_BUFFER_TOO_SMALL;
}

/* The five values of object o; one the token lacks or hides stays unknown. */
static CK_RV read_attrs(CK_FUNCTION_LIST *f, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o,
                        int val[N_ATTRS])
{
    CK_BBOOL b[N_ATTRS];
    CK_ATTRIBUTE a[N_ATTRS];
    CK_RV rv;
    int i;

    for (i = 0; i < N_ATTRS; i++) {
        a[i].type = types[i];
        a[i].pValue = &b[i];
        a[i].ulValueLen = sizeof(b[i]);
    }
    rv = f->C_GetAttributeValue(s, o, a, N_ATTRS);
    if (absent(rv)) {
        /* not every module marks which ones: ask one at a time */
        for (i = 0; i < N_ATTRS; i++) {
            a[i].ulValueLen = sizeof(b[i]);
            rv = f->C_GetAttributeValue(s, o, &a[i], 1);
            if (absent(rv))
                a[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
            else if (rv != CKR_OK)
                return rv;
        }
        rv = CKR_OK;
    }
    if (rv != CKR_OK)
        return rv;
    for (i = 0; i < N_ATTRS; i++)
        val[i] = a[i].ulValueLen != sizeof(CK_BBOOL) ? P11K1_UNKNOWN
                 : b[i] != CK_FALSE                  ? P11K1_TRUE
                                                     : P11K1_FALSE;
    return CKR_OK;
}

/* Reads with a pooled session, again after a lost session, login or handle (as
 * p11k1_key_sign does). */
static CK_RV read_key(p11k1_key *key, int val[N_ATTRS])
{
    CK_RV rv = CKR_OK;
    int stale = 0;

    for (int attempt = 0; attempt < 3; attempt++) {
        CK_OBJECT_HANDLE h;
        CK_SESSION_HANDLE s;
        unsigned epoch;

        rv = p11k1_session_get(key->slot, 1, &s, &epoch);
        if (rv != CKR_OK)
            return rv; /* message set already */
        rv = p11k1_key_handle(key, s, epoch, stale, &h);
        if (rv == CKR_OK)
            rv = read_attrs(key->slot->mod->funcs, s, h, val);
        p11k1_session_put(key->slot, s, epoch, rv);
        stale = 0;
        if (rv == CKR_OK || attempt == 2)
            break;
        if (rv == CKR_USER_NOT_LOGGED_IN) {
            p11k1_slot_mark_logged_out(key->slot, epoch);
        } else if (rv == CKR_KEY_HANDLE_INVALID || rv == CKR_OBJECT_HANDLE_INVALID) {
            p11k1_slot_mark_logged_out(key->slot, epoch);
            stale = 1;
        } else if (!p11k1_rv_session_lost(rv)) {
            break;
        }
    }
    if (rv != CKR_OK &&
        !(rv >= CKR_VENDOR_DEFINED && (rv & 0xffff0000UL) == (P11K1_R_NO_KEY & 0xffff0000UL)))
        rv = p11k1_fail(rv, "reading the attributes of key '%s' on token '%s' failed (%s)",
                        key->label, key->slot->label, p11k1_rv_str(rv));
    return rv;
}

P11K1_EXPORT CK_RV p11k1_key_protection(p11k1_key *key, p11k1_protection *out)
{
    int val[N_ATTRS] = {P11K1_UNKNOWN, P11K1_UNKNOWN, P11K1_UNKNOWN, P11K1_UNKNOWN, P11K1_UNKNOWN};
    CK_RV rv = CKR_OK;

    p11k1_error_clear();
    if (key == NULL || out == NULL)
        return p11k1_fail(P11K1_R_INVALID_ARGUMENT, "p11k1_key_protection: NULL argument");
    if (key->has_priv) {
        p11k1_ctx_check_fork(key->slot->ctx);
        rv = read_key(key, val);
    }
    memset(out, 0, sizeof(*out));
    out->sensitive = val[0];
    out->always_sensitive = val[1];
    out->extractable = val[2];
    out->never_extractable = val[3];
    out->local = val[4];
    return rv;
}
