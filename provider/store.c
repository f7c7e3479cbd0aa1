/* SPDX-License-Identifier: Apache-2.0 */
/* store.c: OSSL_STORE loader for the "pkcs11" scheme.
 *
 * open() takes an RFC 7512 URI; load() lists the matching secp256k1 keys and
 * hands each to OpenSSL as a key reference (data type "EC") that the
 * keymgmt's load() turns back into the key. The passphrase callback of the
 * store operation is the last place a PIN is asked for.
 */
#include <stdlib.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/core_object.h>
#include <openssl/params.h>
#include <openssl/store.h>
#include <p11-kit/uri.h>

#include "provider/prov.h"

typedef struct {
    p11k1_prov *prov;
    char *uri;
    int expect; /* OSSL_STORE_INFO_* or 0 */
    int listed;
    p11k1_key **keys;
    size_t n_keys, next;
} store_ctx;

/* The passphrase callback of the store operation running in this thread. */
static __thread OSSL_PASSPHRASE_CALLBACK *tl_pw_cb;
static __thread void *tl_pw_cbarg;

int p11k1_store_pin(char *buf, size_t buf_len)
{
    size_t len = 0;
    OSSL_PARAM params[2];

    if (tl_pw_cb == NULL)
        return 0;
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PASSPHRASE_PARAM_INFO, (char *)"PIN", 0);
    params[1] = OSSL_PARAM_construct_end();
    if (!tl_pw_cb(buf, buf_len - 1, &len, params, tl_pw_cbarg) || len == 0) {
        OPENSSL_cleanse(buf, buf_len);
        return 0;
    }
    buf[len] = '\0';
    return 1;
}

/* uri without pin-value and pin-source (login = never), OPENSSL_malloc'd; a
 * copy of uri if it does not parse (libp11k1 says why later). */
static char *uri_without_pin(const char *uri)
{
    P11KitUri *u = p11_kit_uri_new();
    char *text = NULL, *out;

    if (u != NULL && p11_kit_uri_parse(uri, P11_KIT_URI_FOR_ANY, u) == P11_KIT_URI_OK) {
        p11_kit_uri_set_pin_value(u, NULL);
        p11_kit_uri_set_pin_source(u, NULL);
        if (p11_kit_uri_format(u, P11_KIT_URI_FOR_ANY, &text) != P11_KIT_URI_OK)
            text = NULL;
    }
    p11_kit_uri_free(u);
    out = OPENSSL_strdup(text != NULL ? text : uri);
    free(text);
    return out;
}

static void *st_open(void *provctx, const char *uri)
{
    p11k1_prov *prov = provctx;
    store_ctx *s;

    if (uri == NULL || strncmp(uri, "pkcs11:", 7) != 0)
        return NULL;
    s = OPENSSL_zalloc(sizeof(*s));
    if (s == NULL)
        return NULL;
    s->prov = prov;
    s->uri = prov->login_never ? uri_without_pin(uri) : OPENSSL_strdup(uri);
    if (s->uri == NULL) {
        OPENSSL_free(s);
        return NULL;
    }
    return s;
}

static int st_set_ctx_params(void *vctx, const OSSL_PARAM params[])
{
    store_ctx *s = vctx;
    const OSSL_PARAM *p;

    if (params == NULL)
        return 1;
    p = OSSL_PARAM_locate_const(params, OSSL_STORE_PARAM_EXPECT);
    if (p != NULL && !OSSL_PARAM_get_int(p, &s->expect))
        return 0;
    return 1;
}

static const OSSL_PARAM st_settable[] = {
    OSSL_PARAM_int(OSSL_STORE_PARAM_EXPECT, NULL),
    OSSL_PARAM_END,
};

static const OSSL_PARAM *st_settable_ctx_params(void *provctx)
{
    return st_settable;
}

static int st_close(void *vctx);

static int st_list(store_ctx *s)
{
    p11k1_ctx *ctx = p11k1_prov_ctx(s->prov);
    CK_RV rv;

    s->listed = 1;
    if (ctx == NULL)
        return 0;
    rv = p11k1_key_list(ctx, s->uri, &s->keys, &s->n_keys);
    if (rv != CKR_OK) {
        s->keys = NULL;
        s->n_keys = 0;
        P11K1_RAISE_RV(s->prov, rv, "listing keys");
        return 0;
    }
    if (s->n_keys == 0) {
        /* Listing skips keys on other curves; finding says why none fits. */
        p11k1_key *k = NULL;
        rv = p11k1_key_find(ctx, s->uri, &k);
        if (rv != CKR_OK && rv != P11K1_R_NO_KEY)
            P11K1_RAISE_RV(s->prov, rv, "finding the key");
        else
            P11K1_RAISE(s->prov, P11K1_E_NO_KEY, "no secp256k1 key matches the URI");
        p11k1_key_free(k);
        return 0;
    }
    return 1;
}

int p11k1_pkey_pass(p11k1_pkey *pk, OSSL_CALLBACK *object_cb, void *object_cbarg)
{
    char *desc = p11k1_key_uri(pk->key);
    int type = OSSL_OBJECT_PKEY, ok;
    OSSL_PARAM params[5];

    params[0] = OSSL_PARAM_construct_int(OSSL_OBJECT_PARAM_TYPE, &type);
    params[1] = OSSL_PARAM_construct_utf8_string(OSSL_OBJECT_PARAM_DATA_TYPE, (char *)"EC", 0);
    params[2] = OSSL_PARAM_construct_octet_string(OSSL_OBJECT_PARAM_REFERENCE, &pk, sizeof(pk));
    params[3] = desc != NULL ? OSSL_PARAM_construct_utf8_string(OSSL_OBJECT_PARAM_DESC, desc, 0)
                             : OSSL_PARAM_construct_end();
    params[4] = OSSL_PARAM_construct_end();
    ok = object_cb(params, object_cbarg);
    free(desc);
    return ok;
}

p11k1_pkey *p11k1_store_load_one(p11k1_prov *prov, const char *uri, OSSL_PASSPHRASE_CALLBACK *pw_cb,
                                 void *pw_cbarg)
{
    store_ctx *s = st_open(prov, uri);
    p11k1_pkey *pk = NULL;
    int listed;

    if (s == NULL)
        return NULL;
    tl_pw_cb = pw_cb;
    tl_pw_cbarg = pw_cbarg;
    listed = st_list(s);
    tl_pw_cb = NULL;
    if (listed && s->n_keys > 1)
        P11K1_RAISE(prov, P11K1_E_AMBIGUOUS, "%zu keys match", s->n_keys);
    else if (listed && (pk = p11k1_pkey_new(prov, s->keys[0])) != NULL)
        s->keys[0] = NULL; /* pk owns it now */
    st_close(s);
    return pk;
}

static int st_load(void *vctx, OSSL_CALLBACK *object_cb, void *object_cbarg,
                   OSSL_PASSPHRASE_CALLBACK *pw_cb, void *pw_cbarg)
{
    store_ctx *s = vctx;
    p11k1_pkey *pk;
    int ok;

    if (s->expect != 0 && s->expect != OSSL_STORE_INFO_PKEY && s->expect != OSSL_STORE_INFO_PUBKEY)
        return 0; /* only keys here: nothing to load, not an error */
    tl_pw_cb = pw_cb;
    tl_pw_cbarg = pw_cbarg;
    if (!s->listed && !st_list(s)) {
        tl_pw_cb = NULL;
        return 0;
    }
    tl_pw_cb = NULL;
    if (s->next >= s->n_keys)
        return 0;
    pk = p11k1_pkey_new(s->prov, s->keys[s->next]);
    if (pk == NULL)
        return 0;
    s->keys[s->next++] = NULL; /* pk owns it now */
    ok = p11k1_pkey_pass(pk, object_cb, object_cbarg);
    p11k1_pkey_free(pk);
    return ok;
}

static int st_eof(void *vctx)
{
    store_ctx *s = vctx;

    if (s->expect != 0 && s->expect != OSSL_STORE_INFO_PKEY && s->expect != OSSL_STORE_INFO_PUBKEY)
        return 1;
    return s->listed && s->next >= s->n_keys;
}

static int st_close(void *vctx)
{
    store_ctx *s = vctx;

    if (s == NULL)
        return 1;
    if (s->keys != NULL)
        p11k1_key_list_free(s->keys, s->n_keys);
    if (s->uri != NULL) /* may hold a pin-value */
        OPENSSL_clear_free(s->uri, strlen(s->uri));
    OPENSSL_free(s);
    return 1;
}

const OSSL_DISPATCH p11k1_store_functions[] = {
    {OSSL_FUNC_STORE_OPEN, (void (*)(void))st_open},
    {OSSL_FUNC_STORE_SETTABLE_CTX_PARAMS, (void (*)(void))st_settable_ctx_params},
    {OSSL_FUNC_STORE_SET_CTX_PARAMS, (void (*)(void))st_set_ctx_params},
    {OSSL_FUNC_STORE_LOAD, (void (*)(void))st_load},
    {OSSL_FUNC_STORE_EOF, (void (*)(void))st_eof},
    {OSSL_FUNC_STORE_CLOSE, (void (*)(void))st_close},
    {0, NULL},
};
