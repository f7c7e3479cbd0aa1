/* SPDX-License-Identifier: Apache-2.0 */
/* err.c: the provider's error reasons and how failures reach OpenSSL's error
 * queue (through the core's error functions, so the reason strings below are
 * what `openssl` prints). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "provider/prov.h"

static const OSSL_ITEM reason_strings[] = {
    {P11K1_E_WRONG_PIN, "wrong PIN"},
    {P11K1_E_PIN_LOCKED, "PIN locked"},
    {P11K1_E_NO_PIN, "the token needs a PIN and none is configured"},
    {P11K1_E_PIN_SOURCE, "cannot read the PIN source"},
    {P11K1_E_NO_TOKEN, "no such token"},
    {P11K1_E_TOKEN_REMOVED, "token removed"},
    {P11K1_E_NO_KEY, "no such key on the token"},
    {P11K1_E_AMBIGUOUS, "the URI matches several keys"},
    {P11K1_E_WRONG_CURVE, "key not on secp256k1"},
    {P11K1_E_NOT_EC, "key is not an EC key"},
    {P11K1_E_BAD_URI, "malformed pkcs11 URI"},
    {P11K1_E_MODULE_LOAD, "cannot load the PKCS#11 module"},
    {P11K1_E_KEY_EXISTS, "a key with this label or id exists already"},
    {P11K1_E_PRIVATE_KEY_STAYS, "the private key stays on the token and cannot be exported"},
    {P11K1_E_NO_PRIVATE_KEY, "no private key: this key can only verify"},
    {P11K1_E_BAD_DIGEST_LENGTH, "input length does not match the digest size"},
    {P11K1_E_UNSUPPORTED_DIGEST, "unsupported digest"},
    {P11K1_E_BAD_PARAMETER, "bad parameter"},
    {P11K1_E_BAD_SIGNATURE, "bad signature"},
    {P11K1_E_TOKEN_ERROR, "PKCS#11 token error"},
    {P11K1_E_INTERNAL, "internal error"},
    {P11K1_E_MAY_NOT_SIGN, "the key may not sign"},
    {0, NULL},
};

const OSSL_ITEM *p11k1_prov_reason_strings(void *provctx)
{
    return reason_strings;
}

void p11k1_prov_raise(p11k1_prov *prov, const char *file, int line, const char *func, int reason,
                      const char *fmt, ...)
{
    va_list ap;

    if (prov == NULL || prov->core_new_error == NULL || prov->core_vset_error == NULL)
        return;
    prov->core_new_error(prov->handle);
    if (prov->core_set_error_debug != NULL)
        prov->core_set_error_debug(prov->handle, file, line, func);
    va_start(ap, fmt);
    prov->core_vset_error(prov->handle, (uint32_t)reason, fmt, ap);
    va_end(ap);
}

static int rv_reason(CK_RV rv)
{
    switch (rv) {
    case CKR_PIN_INCORRECT:
    case CKR_PIN_INVALID:
    case CKR_PIN_LEN_RANGE:
        return P11K1_E_WRONG_PIN;
    case CKR_PIN_LOCKED:
    case CKR_PIN_EXPIRED:
        return P11K1_E_PIN_LOCKED;
    case CKR_TOKEN_NOT_PRESENT:
    case CKR_DEVICE_REMOVED:
    case CKR_SESSION_CLOSED:
    case CKR_TOKEN_NOT_RECOGNIZED:
        return P11K1_E_TOKEN_REMOVED;
    case CKR_USER_NOT_LOGGED_IN:
    case P11K1_R_NO_PIN:
        return P11K1_E_NO_PIN;
    case P11K1_R_PIN_SOURCE:
        return P11K1_E_PIN_SOURCE;
    case P11K1_R_NO_TOKEN:
        return P11K1_E_NO_TOKEN;
    case P11K1_R_NO_KEY:
        return P11K1_E_NO_KEY;
    case P11K1_R_AMBIGUOUS:
        return P11K1_E_AMBIGUOUS;
    case P11K1_R_WRONG_CURVE:
        return P11K1_E_WRONG_CURVE;
    case P11K1_R_NOT_EC:
        return P11K1_E_NOT_EC;
    case P11K1_R_BAD_URI:
        return P11K1_E_BAD_URI;
    case P11K1_R_MODULE_LOAD:
        return P11K1_E_MODULE_LOAD;
    case P11K1_R_EXISTS:
        return P11K1_E_KEY_EXISTS;
    case P11K1_R_INVALID_ARGUMENT:
        return P11K1_E_BAD_PARAMETER;
    case CKR_KEY_FUNCTION_NOT_PERMITTED:
        return P11K1_E_MAY_NOT_SIGN;
    default:
        return P11K1_E_TOKEN_ERROR;
    }
}

void p11k1_prov_raise_rv(p11k1_prov *prov, const char *file, int line, const char *func, CK_RV rv,
                         const char *what)
{
    const char *msg = p11k1_last_error();

    if (msg == NULL || *msg == '\0')
        msg = p11k1_rv_name(rv);
    p11k1_prov_raise(prov, file, line, func, rv_reason(rv), "%s: %s (%s)", what, msg,
                     p11k1_rv_name(rv));
}

/* 1 if the key's token cannot be read any more: no token in the slot, the
 * slot gone, or token info failing where it worked when the key was found
 * (SoftHSM2 with its token directory gone answers CKR_GENERAL_ERROR). */
static int token_gone(const p11k1_key *key)
{
    CK_FUNCTION_LIST *f = p11k1_key_module(key);
    CK_SLOT_ID slot = p11k1_key_slot_id(key);
    CK_SLOT_INFO si;
    CK_TOKEN_INFO ti;

    if (f == NULL)
        return 0;
    if (f->C_GetSlotInfo(slot, &si) != CKR_OK || !(si.flags & CKF_TOKEN_PRESENT))
        return 1;
    return f->C_GetTokenInfo(slot, &ti) != CKR_OK;
}

void p11k1_prov_raise_key_rv(p11k1_prov *prov, const char *file, int line, const char *func,
                             const p11k1_key *key, CK_RV rv, const char *what)
{
    char *uri;

    if (rv_reason(rv) != P11K1_E_TOKEN_ERROR || key == NULL || !token_gone(key)) {
        p11k1_prov_raise_rv(prov, file, line, func, rv, what);
        return;
    }
    uri = p11k1_key_uri(key);
    p11k1_prov_raise(prov, file, line, func, P11K1_E_TOKEN_REMOVED,
                     "%s: the token of %s cannot be read any more (%s)", what,
                     uri != NULL ? uri : "the key", p11k1_rv_name(rv));
    free(uri);
}
