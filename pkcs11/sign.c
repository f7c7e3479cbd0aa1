/* SPDX-License-Identifier: Apache-2.0 */
/* sign.c: generating key pairs, signing digests, and the key accessors. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "der.h"
#include "error.h"
#include "internal.h"
#include "key.h"
#include "keycopy.h"
#include "object.h"

/* *yes = some object on the token has this attribute value. */
static CK_RV taken(CK_FUNCTION_LIST *f, CK_SESSION_HANDLE s, CK_ATTRIBUTE_TYPE type,
                   const void *val, size_t len, int *yes)
{
    CK_ATTRIBUTE a = {type, (void *)val, len};
    CK_OBJECT_HANDLE *objs;
    size_t n;
    CK_RV rv = p11k1_find(f, s, &a, 1, &objs, &n);
    free(objs);
    *yes = n > 0;
    return rv;
}

static void hex(const unsigned char *in, size_t len, char *out, size_t out_len)
{
    size_t i;
    for (i = 0; i < len && 2 * i + 2 < out_len; i++)
        snprintf(out + 2 * i, 3, "%02x", in[i]);
    out[2 * i] = '\0';
}

static CK_RV generate(p11k1_slot *slot, CK_SESSION_HANDLE s, unsigned epoch, const char *label,
                      const unsigned char *id, size_t id_len, p11k1_key **out)
{
    CK_FUNCTION_LIST *f = slot->mod->funcs;
    CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
    CK_MECHANISM mech = {CKM_EC_KEY_PAIR_GEN, NULL, 0};
    CK_OBJECT_HANDLE pub, priv;
    CK_ATTRIBUTE pub_tmpl[] = {
        {CKA_TOKEN, &yes, sizeof(yes)},
        {CKA_PRIVATE, &no, sizeof(no)},
        {CKA_VERIFY, &yes, sizeof(yes)},
        {CKA_EC_PARAMS, (void *)p11k1_der_secp256k1, sizeof(p11k1_der_secp256k1)},
        {CKA_LABEL, (void *)label, strlen(label)},
        {CKA_ID, (void *)id, id_len},
    };
    CK_ATTRIBUTE priv_tmpl[] = {
        {CKA_TOKEN, &yes, sizeof(yes)},     {CKA_PRIVATE, &yes, sizeof(yes)},
        {CKA_SENSITIVE, &yes, sizeof(yes)}, {CKA_EXTRACTABLE, &no, sizeof(no)},
        {CKA_SIGN, &yes, sizeof(yes)},      {CKA_LABEL, (void *)label, strlen(label)},
        {CKA_ID, (void *)id, id_len},
    };
    unsigned char *v, point[65];
    size_t len;
    char idhex[2 * 64 + 1];
    int exists;
    CK_RV rv;

    rv = taken(f, s, CKA_LABEL, label, strlen(label), &exists);
    if (rv == CKR_OK && exists)
        return p11k1_fail(P11K1_R_EXISTS, "token '%s' already has an object labelled '%s'",
                          slot->label, label);
    if (rv == CKR_OK)
        rv = taken(f, s, CKA_ID, id, id_len, &exists);
    if (rv == CKR_OK && exists) {
        hex(id, id_len, idhex, sizeof(idhex));
        return p11k1_fail(P11K1_R_EXISTS, "token '%s' already has an object with id %s",
                          slot->label, idhex);
    }
    if (rv == CKR_OK)
        rv = f->C_GenerateKeyPair(s, &mech, pub_tmpl, sizeof(pub_tmpl) / sizeof(pub_tmpl[0]),
                                  priv_tmpl, sizeof(priv_tmpl) / sizeof(priv_tmpl[0]), &pub, &priv);
    if (rv != CKR_OK)
        return p11k1_fail(rv, "generating a secp256k1 key pair on token '%s' failed (%s)",
                          slot->label, p11k1_rv_str(rv));
    rv = p11k1_attr_get(f, s, pub, CKA_EC_POINT, &v, &len);
    if (rv != CKR_OK || v == NULL || !p11k1_der_ec_point(v, len, point)) {
        free(v);
        /* nothing half-done: a pair we cannot use must not hold the label and id */
        f->C_DestroyObject(s, priv);
        f->C_DestroyObject(s, pub);
        return p11k1_fail(rv != CKR_OK ? rv : P11K1_R_BAD_PUBKEY,
                          "the new key '%s' on token '%s' has no readable CKA_EC_POINT", label,
                          slot->label);
    }
    free(v);
    *out = p11k1_key_new(slot, epoch, priv, pub, point, label, id, id_len);
    return *out ? CKR_OK : p11k1_fail(CKR_HOST_MEMORY, "out of memory");
}

P11K1_EXPORT CK_RV p11k1_key_generate(p11k1_ctx *ctx, const char *token_uri, const char *label,
                                      const unsigned char *id, size_t id_len, p11k1_key **out)
{
    unsigned char rnd[16];
    p11k1_module *mod;
    p11k1_slot **slots = NULL;
    size_t n_slots = 0;
    p11k1_uri u;
    CK_SESSION_HANDLE s;
    unsigned epoch;
    CK_RV rv;

    p11k1_error_clear();
    if (ctx == NULL || out == NULL || label == NULL || *label == '\0' ||
        (id == NULL && id_len > 0) || id_len > 64)
        return p11k1_fail(P11K1_R_INVALID_ARGUMENT,
                          "p11k1_key_generate: needs a context, a non-empty label and an id of "
                          "at most 64 bytes");
    *out = NULL;
    if (id == NULL || id_len == 0) {
        if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
            return p11k1_fail(CKR_FUNCTION_FAILED, "no random bytes for a key id");
        id = rnd;
        id_len = sizeof(rnd);
    }
    p11k1_ctx_check_fork(ctx);
    rv = p11k1_uri_parse(token_uri, &u);
    if (rv != CKR_OK)
        return rv;
    rv = p11k1_module_get(ctx, p11_kit_uri_get_module_name(u.uri),
                          p11_kit_uri_get_module_path(u.uri), &mod);
    if (rv == CKR_OK)
        rv = p11k1_uri_tokens(ctx, mod, &u, &slots, &n_slots);
    if (rv == CKR_OK && n_slots > 1)
        rv = p11k1_fail(P11K1_R_AMBIGUOUS, "%zu tokens match %s (e.g. '%s' and '%s'); name one",
                        n_slots, u.shown, slots[0]->label, slots[1]->label);
    if (rv == CKR_OK) {
        p11k1_slot_set_uri_pin(slots[0], &u);
        p11k1_slot_allow_login(slots[0]);
        rv = p11k1_session_get(slots[0], P11K1_LOGIN_CHECK, &s, &epoch);
        if (rv == CKR_OK) {
            pthread_mutex_lock(&slots[0]->gen_lock);
            rv = generate(slots[0], s, epoch, label, id, id_len, out);
            pthread_mutex_unlock(&slots[0]->gen_lock);
            p11k1_session_put(slots[0], s, epoch, rv);
        }
    }
    free(slots);
    p11k1_uri_clear(&u);
    return rv;
}

P11K1_EXPORT CK_RV p11k1_key_sign(p11k1_key *key, const unsigned char digest[32],
                                  unsigned char sig[64])
{
    CK_MECHANISM mech = {CKM_ECDSA, NULL, 0};
    unsigned char buf[160];
    CK_ULONG len = 0;
    CK_RV rv = CKR_OK;
    int stale = 0;

    p11k1_error_clear();
    if (key == NULL || digest == NULL || sig == NULL)
        return p11k1_fail(P11K1_R_INVALID_ARGUMENT, "p11k1_key_sign: NULL argument");
    if (!key->has_priv)
        return p11k1_fail(CKR_KEY_FUNCTION_NOT_PERMITTED,
                          "key '%s' on token '%s' has no private key to sign with", key->label,
                          key->slot->label);
    p11k1_ctx_check_fork(key->slot->ctx);
    for (int attempt = 0; attempt < 3; attempt++) {
        CK_FUNCTION_LIST *f = key->slot->mod->funcs;
        CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
        CK_SESSION_HANDLE s;
        unsigned epoch;

        rv = p11k1_session_get(key->slot, 1, &s, &epoch);
        if (rv != CKR_OK)
            return rv;
        rv = p11k1_key_handle(key, s, epoch, stale, &h);
        if (rv == CKR_OK) {
            rv = f->C_SignInit(s, &mech, p11k1_copy_for(key->slot, s, epoch, h));
            if (rv == CKR_OK) {
                len = sizeof(buf);
                rv = f->C_Sign(s, (CK_BYTE *)digest, 32, buf, &len);
            }
        }
        p11k1_session_put(key->slot, s, epoch, rv);
        stale = 0;
        if (rv == CKR_OK || attempt == 2)
            break;
        if (rv == CKR_USER_NOT_LOGGED_IN) {
            p11k1_slot_mark_logged_out(key->slot, epoch);
            p11k1_copy_drop(key->slot, epoch, h); /* a logout takes private copies along */
        } else if (rv == CKR_KEY_HANDLE_INVALID || rv == CKR_OBJECT_HANDLE_INVALID) {
            /* private objects vanish from view when the login is lost */
            p11k1_slot_mark_logged_out(key->slot, epoch);
            p11k1_copy_drop(key->slot, epoch, h);
            stale = 1;
        } else if (!p11k1_rv_session_lost(rv))
            break;
    }
    if (rv != CKR_OK) {
        if (rv >= CKR_VENDOR_DEFINED && (rv & 0xffff0000UL) == (P11K1_R_NO_KEY & 0xffff0000UL))
            return rv; /* message set already */
        if (rv == CKR_KEY_FUNCTION_NOT_PERMITTED)
            return p11k1_fail(rv, "key '%s' on token '%s' may not sign (CKA_SIGN is false)",
                              key->label, key->slot->label);
        return p11k1_fail(rv, "signing with key '%s' on token '%s' failed (%s)", key->label,
                          key->slot->label, p11k1_rv_str(rv));
    }
    if (len == 64) {
        memcpy(sig, buf, 64);
    } else if (!p11k1_der_sig_to_rs(buf, len, sig)) {
        explicit_bzero(buf, sizeof(buf));
        return p11k1_fail(P11K1_R_BAD_SIGNATURE,
                          "token '%s' returned a %lu-byte signature, not r||s (64 bytes)",
                          key->slot->label, (unsigned long)len);
    }
    return CKR_OK;
}

P11K1_EXPORT void p11k1_key_public(const p11k1_key *key, unsigned char pub[65])
{
    if (key != NULL && pub != NULL)
        memcpy(pub, key->point, 65);
}

P11K1_EXPORT int p11k1_key_can_sign(const p11k1_key *key)
{
    return key != NULL && key->has_priv;
}

P11K1_EXPORT const char *p11k1_key_label(const p11k1_key *key)
{
    return key ? key->label : NULL;
}

P11K1_EXPORT const unsigned char *p11k1_key_id(const p11k1_key *key, size_t *id_len)
{
    if (id_len != NULL)
        *id_len = key ? key->id_len : 0;
    return key ? key->id : NULL;
}

P11K1_EXPORT char *p11k1_key_uri(const p11k1_key *key)
{
    P11KitUri *u;
    CK_TOKEN_INFO *t;
    CK_ATTRIBUTE a;
    char *s = NULL;
    if (key == NULL || (u = p11_kit_uri_new()) == NULL)
        return NULL;
    t = p11_kit_uri_get_token_info(u);
    memcpy(t->label, key->slot->token.label, sizeof(t->label));
    memcpy(t->manufacturerID, key->slot->token.manufacturerID, sizeof(t->manufacturerID));
    memcpy(t->model, key->slot->token.model, sizeof(t->model));
    memcpy(t->serialNumber, key->slot->token.serialNumber, sizeof(t->serialNumber));
    a.type = CKA_LABEL;
    a.pValue = key->label;
    a.ulValueLen = strlen(key->label);
    if (a.ulValueLen > 0)
        p11_kit_uri_set_attribute(u, &a);
    a.type = CKA_ID;
    a.pValue = key->id;
    a.ulValueLen = key->id_len;
    if (a.ulValueLen > 0)
        p11_kit_uri_set_attribute(u, &a);
    if (p11_kit_uri_format(u, P11_KIT_URI_FOR_OBJECT_ON_TOKEN, &s) != P11_KIT_URI_OK)
        s = NULL;
    p11_kit_uri_free(u);
    return s;
}

P11K1_EXPORT CK_SLOT_ID p11k1_key_slot_id(const p11k1_key *key)
{
    return key ? key->slot->id : (CK_SLOT_ID)-1;
}

P11K1_EXPORT CK_FUNCTION_LIST *p11k1_key_module(const p11k1_key *key)
{
    return key ? key->slot->mod->funcs : NULL;
}

P11K1_EXPORT CK_OBJECT_HANDLE p11k1_key_private_handle(const p11k1_key *key)
{
    return key && key->has_priv ? key->priv : CK_INVALID_HANDLE;
}
