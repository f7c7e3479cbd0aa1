/* SPDX-License-Identifier: Apache-2.0 */
/* keymgmt.c: "EC" key management for secp256k1 keys held by reference.
 *
 * A key is a p11k1_key (the token objects) plus its public point. Export
 * gives the named group and the public point only; the private key never
 * leaves the token. Generation makes a key pair on the token named by the
 * pkcs11_uri / pkcs11_label / pkcs11_id parameters.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

#include "common/uri.h"
#include "provider/prov.h"

#define PKEY_MAGIC 0x70313121u

/* SubjectPublicKeyInfo for id-ecPublicKey on the named curve secp256k1,
 * up to the BIT STRING holding 04 || X || Y. */
static const unsigned char spki_prefix[P11K1_SPKI_LEN - P11K1_PUB_LEN] = {
    0x30, 0x56, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02,
    0x01, 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a, 0x03, 0x42, 0x00,
};

void p11k1_spki_der(const unsigned char pub[P11K1_PUB_LEN], unsigned char out[P11K1_SPKI_LEN])
{
    memcpy(out, spki_prefix, sizeof(spki_prefix));
    memcpy(out + sizeof(spki_prefix), pub, P11K1_PUB_LEN);
}

p11k1_pkey *p11k1_pkey_new(p11k1_prov *prov, p11k1_key *key)
{
    p11k1_pkey *pk = OPENSSL_zalloc(sizeof(*pk));

    if (pk == NULL)
        return NULL;
    pk->magic = PKEY_MAGIC;
    pk->refs = 1;
    pk->prov = prov;
    pk->key = key;
    if (key != NULL) {
        p11k1_key_public(key, pk->pub);
        pk->has_pub = 1;
    }
    return pk;
}

int p11k1_pkey_up_ref(p11k1_pkey *pk)
{
    __atomic_add_fetch(&pk->refs, 1, __ATOMIC_SEQ_CST);
    return 1;
}

void p11k1_pkey_free(p11k1_pkey *pk)
{
    if (pk == NULL || __atomic_sub_fetch(&pk->refs, 1, __ATOMIC_SEQ_CST) > 0)
        return;
    p11k1_key_free(pk->key);
    pk->magic = 0;
    OPENSSL_free(pk);
}

static void *km_new(void *provctx)
{
    return p11k1_pkey_new(provctx, NULL);
}

static void km_free(void *keydata)
{
    p11k1_pkey_free(keydata);
}

/* The store passes the address of its p11k1_pkey; the keymgmt takes a
 * reference of its own. */
static void *km_load(const void *reference, size_t reference_sz)
{
    p11k1_pkey *pk;

    if (reference == NULL || reference_sz != sizeof(pk))
        return NULL;
    memcpy(&pk, reference, sizeof(pk));
    if (pk == NULL || pk->magic != PKEY_MAGIC)
        return NULL;
    p11k1_pkey_up_ref(pk);
    return pk;
}

/* A token key is immutable here, so a copy with the private key is the same
 * object with one more reference; other selections get a public-only copy. */
static void *km_dup(const void *keydata, int selection)
{
    p11k1_pkey *from = (p11k1_pkey *)keydata, *pk;

    if (from == NULL)
        return NULL;
    if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) && from->key != NULL) {
        p11k1_pkey_up_ref(from);
        return from;
    }
    if ((pk = p11k1_pkey_new(from->prov, NULL)) == NULL)
        return NULL;
    if ((selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) && from->has_pub) {
        memcpy(pk->pub, from->pub, P11K1_PUB_LEN);
        pk->has_pub = 1;
    }
    return pk;
}

static int km_has(const void *keydata, int selection)
{
    const p11k1_pkey *pk = keydata;

    if (pk == NULL)
        return 0;
    if ((selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) && !pk->has_pub)
        return 0;
    if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) &&
        (pk->key == NULL || !p11k1_key_can_sign(pk->key)))
        return 0;
    return 1;
}

static int km_match(const void *a, const void *b, int selection)
{
    const p11k1_pkey *x = a, *y = b;

    if (selection & OSSL_KEYMGMT_SELECT_KEYPAIR)
        return x->has_pub && y->has_pub && memcmp(x->pub, y->pub, P11K1_PUB_LEN) == 0;
    return 1; /* same domain parameters: both are secp256k1 */
}

static int set_bn_half(OSSL_PARAM *p, const unsigned char *half)
{
    BIGNUM *bn = BN_bin2bn(half, 32, NULL);
    int ok = bn != NULL && OSSL_PARAM_set_BN(p, bn);

    BN_free(bn);
    return ok;
}

/* The protection attributes asked for, read from the token once; an unknown
 * one is left unset. */
static int get_protection(p11k1_pkey *pk, OSSL_PARAM params[])
{
    static const char *const names[] = {P11K1_PARAM_SENSITIVE, P11K1_PARAM_ALWAYS_SENSITIVE,
                                        P11K1_PARAM_EXTRACTABLE, P11K1_PARAM_NEVER_EXTRACTABLE,
                                        P11K1_PARAM_LOCAL};
    OSSL_PARAM *p[5];
    p11k1_protection pr;
    int val[5], asked = 0;
    CK_RV rv;

    for (int i = 0; i < 5; i++)
        asked |= (p[i] = OSSL_PARAM_locate(params, names[i])) != NULL;
    if (!asked || pk->key == NULL)
        return 1;
    rv = p11k1_key_protection(pk->key, &pr);
    if (rv != CKR_OK) {
        P11K1_RAISE_KEY_RV(pk->prov, pk->key, rv, "reading the key's attributes");
        return 0;
    }
    val[0] = pr.sensitive;
    val[1] = pr.always_sensitive;
    val[2] = pr.extractable;
    val[3] = pr.never_extractable;
    val[4] = pr.local;
    for (int i = 0; i < 5; i++)
        if (p[i] != NULL && val[i] != P11K1_UNKNOWN && !OSSL_PARAM_set_int(p[i], val[i]))
            return 0;
    return 1;
}

static int km_get_params(void *keydata, OSSL_PARAM params[])
{
    p11k1_pkey *pk = keydata;
    OSSL_PARAM *p;

    if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_BITS)) != NULL &&
        !OSSL_PARAM_set_int(p, 256))
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_SECURITY_BITS)) != NULL &&
        !OSSL_PARAM_set_int(p, 128))
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_MAX_SIZE)) != NULL &&
        !OSSL_PARAM_set_int(p, P11K1_SIG_DER_MAX))
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_GROUP_NAME)) != NULL &&
        !OSSL_PARAM_set_utf8_string(p, P11K1_GROUP))
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_EC_ENCODING)) != NULL &&
        !OSSL_PARAM_set_utf8_string(p, OSSL_PKEY_EC_ENCODING_GROUP))
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT)) != NULL &&
        !OSSL_PARAM_set_utf8_string(p, OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED))
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_DEFAULT_DIGEST)) != NULL &&
        !OSSL_PARAM_set_utf8_string(p, "SHA256"))
        return 0;
    if (pk->has_pub) {
        if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY)) != NULL &&
            !OSSL_PARAM_set_octet_string(p, pk->pub, P11K1_PUB_LEN))
            return 0;
        if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_PUB_KEY)) != NULL &&
            !OSSL_PARAM_set_octet_string(p, pk->pub, P11K1_PUB_LEN))
            return 0;
        if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_EC_PUB_X)) != NULL &&
            !set_bn_half(p, pk->pub + 1))
            return 0;
        if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_EC_PUB_Y)) != NULL &&
            !set_bn_half(p, pk->pub + 33))
            return 0;
    }
    if (pk->key != NULL && (p = OSSL_PARAM_locate(params, P11K1_PARAM_URI)) != NULL) {
        char *uri = p11k1_key_uri(pk->key);
        int ok = uri != NULL && OSSL_PARAM_set_utf8_string(p, uri);

        free(uri);
        if (!ok)
            return 0;
    }
    return get_protection(pk, params);
}

static const OSSL_PARAM km_gettable[] = {
    OSSL_PARAM_int(OSSL_PKEY_PARAM_BITS, NULL),
    OSSL_PARAM_int(OSSL_PKEY_PARAM_SECURITY_BITS, NULL),
    OSSL_PARAM_int(OSSL_PKEY_PARAM_MAX_SIZE, NULL),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, NULL, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_ENCODING, NULL, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, NULL, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_DEFAULT_DIGEST, NULL, 0),
    OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, NULL, 0),
    OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, NULL, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_EC_PUB_X, NULL, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_EC_PUB_Y, NULL, 0),
    OSSL_PARAM_utf8_string(P11K1_PARAM_URI, NULL, 0),
    OSSL_PARAM_int(P11K1_PARAM_SENSITIVE, NULL),
    OSSL_PARAM_int(P11K1_PARAM_ALWAYS_SENSITIVE, NULL),
    OSSL_PARAM_int(P11K1_PARAM_EXTRACTABLE, NULL),
    OSSL_PARAM_int(P11K1_PARAM_NEVER_EXTRACTABLE, NULL),
    OSSL_PARAM_int(P11K1_PARAM_LOCAL, NULL),
    OSSL_PARAM_END,
};

static const OSSL_PARAM *km_gettable_params(void *provctx)
{
    return km_gettable;
}

static const OSSL_PARAM km_io_types[] = {
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, NULL, 0),
    OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, NULL, 0),
    OSSL_PARAM_END,
};

static const OSSL_PARAM *km_io_types_fn(int selection)
{
    return (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) ? NULL : km_io_types;
}

/* Only public keys come in: they can verify, not sign. */
static int km_import(void *keydata, int selection, const OSSL_PARAM params[])
{
    p11k1_pkey *pk = keydata;
    const OSSL_PARAM *p;
    const char *group = NULL;
    const void *pub = NULL;
    size_t pub_len = 0;

    if (pk == NULL)
        return 0;
    if (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) {
        P11K1_RAISE(pk->prov, P11K1_E_BAD_PARAMETER,
                    "private keys cannot be imported: generate the key on the token");
        return 0;
    }
    p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_GROUP_NAME);
    if (p != NULL &&
        (!OSSL_PARAM_get_utf8_string_ptr(p, &group) || strcasecmp(group, P11K1_GROUP) != 0)) {
        P11K1_RAISE(pk->prov, P11K1_E_WRONG_CURVE, "group %s", group ? group : "?");
        return 0;
    }
    if (!(selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY))
        return 1;
    p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_PUB_KEY);
    if (p == NULL || !OSSL_PARAM_get_octet_string_ptr(p, &pub, &pub_len) ||
        pub_len != P11K1_PUB_LEN || ((const unsigned char *)pub)[0] != 0x04) {
        P11K1_RAISE(pk->prov, P11K1_E_BAD_PARAMETER,
                    "public key must be an uncompressed secp256k1 point");
        return 0;
    }
    memcpy(pk->pub, pub, P11K1_PUB_LEN);
    pk->has_pub = 1;
    return 1;
}

/* The public part only. Asking for the private key fails: that also makes
 * OpenSSL 3.0 use this provider's ECDSA for the key instead of exporting it to
 * the default provider (which would then find no private key). */
static int km_export(void *keydata, int selection, OSSL_CALLBACK *cb, void *cbarg)
{
    p11k1_pkey *pk = keydata;
    OSSL_PARAM params[3];
    int n = 0;

    if (pk == NULL)
        return 0;
    if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) && pk->key != NULL)
        return 0;
    if (selection & (OSSL_KEYMGMT_SELECT_DOMAIN_PARAMETERS | OSSL_KEYMGMT_SELECT_PUBLIC_KEY))
        params[n++] =
            OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)P11K1_GROUP, 0);
    if ((selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) && pk->has_pub)
        params[n++] =
            OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pk->pub, P11K1_PUB_LEN);
    params[n] = OSSL_PARAM_construct_end();
    return cb(params, cbarg);
}

static const char *km_query_operation_name(int operation_id)
{
    return operation_id == OSSL_OP_SIGNATURE ? "ECDSA" : NULL;
}

/* Key generation on the token. */
typedef struct {
    p11k1_prov *prov;
    char *uri;
    char *label;
    unsigned char id[64];
    size_t id_len;
    int has_id;
} km_gen_ctx;

static void km_gen_cleanup(void *genctx)
{
    km_gen_ctx *g = genctx;

    if (g == NULL)
        return;
    OPENSSL_free(g->uri);
    OPENSSL_free(g->label);
    OPENSSL_free(g);
}

static int set_string(char **dst, const OSSL_PARAM *p)
{
    const char *s = NULL;

    if (!OSSL_PARAM_get_utf8_string_ptr(p, &s))
        return 0;
    OPENSSL_free(*dst);
    *dst = OPENSSL_strdup(s);
    return *dst != NULL;
}

static int km_gen_set_params(void *genctx, const OSSL_PARAM params[])
{
    km_gen_ctx *g = genctx;
    const OSSL_PARAM *p;
    const char *s = NULL;

    if ((p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_GROUP_NAME)) != NULL) {
        if (!OSSL_PARAM_get_utf8_string_ptr(p, &s) || strcasecmp(s, P11K1_GROUP) != 0) {
            P11K1_RAISE(g->prov, P11K1_E_WRONG_CURVE, "group %s: only secp256k1 is generated",
                        s ? s : "?");
            return 0;
        }
    }
    if ((p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_EC_ENCODING)) != NULL) {
        if (!OSSL_PARAM_get_utf8_string_ptr(p, &s) ||
            strcasecmp(s, OSSL_PKEY_EC_ENCODING_GROUP) != 0) {
            P11K1_RAISE(g->prov, P11K1_E_BAD_PARAMETER, "only named_curve encoding");
            return 0;
        }
    }
    if ((p = OSSL_PARAM_locate_const(params, P11K1_PARAM_URI)) != NULL && !set_string(&g->uri, p))
        return 0;
    if ((p = OSSL_PARAM_locate_const(params, P11K1_PARAM_LABEL)) != NULL &&
        !set_string(&g->label, p))
        return 0;
    if ((p = OSSL_PARAM_locate_const(params, P11K1_PARAM_ID)) != NULL) {
        const void *id = NULL;
        size_t len = 0;

        if (!OSSL_PARAM_get_octet_string_ptr(p, &id, &len) || len == 0 || len > sizeof(g->id)) {
            P11K1_RAISE(g->prov, P11K1_E_BAD_PARAMETER, "pkcs11_id must be 1..64 bytes");
            return 0;
        }
        memcpy(g->id, id, len);
        g->id_len = len;
        g->has_id = 1;
    }
    return 1;
}

static const OSSL_PARAM km_gen_settable[] = {
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, NULL, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_ENCODING, NULL, 0),
    OSSL_PARAM_utf8_string(P11K1_PARAM_URI, NULL, 0),
    OSSL_PARAM_utf8_string(P11K1_PARAM_LABEL, NULL, 0),
    OSSL_PARAM_octet_string(P11K1_PARAM_ID, NULL, 0),
    OSSL_PARAM_END,
};

static const OSSL_PARAM *km_gen_settable_params(void *genctx, void *provctx)
{
    return km_gen_settable;
}

static void *km_gen_init(void *provctx, int selection, const OSSL_PARAM params[])
{
    km_gen_ctx *g;

    if (!(selection & OSSL_KEYMGMT_SELECT_KEYPAIR))
        return NULL;
    g = OPENSSL_zalloc(sizeof(*g));
    if (g == NULL)
        return NULL;
    g->prov = provctx;
    if (!km_gen_set_params(g, params)) {
        km_gen_cleanup(g);
        return NULL;
    }
    return g;
}

static void *km_gen(void *genctx, OSSL_CALLBACK *cb, void *cbarg)
{
    km_gen_ctx *g = genctx;
    p11k1_ctx *ctx;
    p11k1_key *key = NULL;
    p11k1_pkey *pk;
    char label[256];
    size_t n = 0;
    CK_RV rv;

    if (g->uri == NULL || strncmp(g->uri, "pkcs11:", 7) != 0) {
        P11K1_RAISE(g->prov, P11K1_E_BAD_PARAMETER,
                    "set " P11K1_PARAM_URI " to the token's pkcs11: URI to generate a key");
        return NULL;
    }
    if (g->label == NULL &&
        mh_uri_attr(g->uri, "object", (uint8_t *)label, sizeof(label) - 1, &n, NULL)) {
        label[n] = '\0';
        g->label = OPENSSL_strdup(label);
    }
    if (!g->has_id && mh_uri_attr(g->uri, "id", g->id, sizeof(g->id), &g->id_len, NULL) &&
        g->id_len > 0)
        g->has_id = 1;
    if (g->label == NULL || g->label[0] == '\0') {
        P11K1_RAISE(g->prov, P11K1_E_BAD_PARAMETER,
                    "a label is needed: object= in " P11K1_PARAM_URI " or " P11K1_PARAM_LABEL);
        return NULL;
    }
    if (g->prov->login_never) {
        P11K1_RAISE(g->prov, P11K1_E_NO_PIN, "login = never: generating a key needs a login");
        return NULL;
    }
    if ((ctx = p11k1_prov_ctx(g->prov)) == NULL)
        return NULL;
    rv = p11k1_key_generate(ctx, g->uri, g->label, g->has_id ? g->id : NULL,
                            g->has_id ? g->id_len : 0, &key);
    if (rv != CKR_OK) {
        P11K1_RAISE_RV(g->prov, rv, "key generation");
        return NULL;
    }
    pk = p11k1_pkey_new(g->prov, key);
    if (pk == NULL)
        p11k1_key_free(key);
    return pk;
}

const OSSL_DISPATCH p11k1_keymgmt_functions[] = {
    {OSSL_FUNC_KEYMGMT_NEW, (void (*)(void))km_new},
    {OSSL_FUNC_KEYMGMT_FREE, (void (*)(void))km_free},
    {OSSL_FUNC_KEYMGMT_LOAD, (void (*)(void))km_load},
    {OSSL_FUNC_KEYMGMT_DUP, (void (*)(void))km_dup},
    {OSSL_FUNC_KEYMGMT_HAS, (void (*)(void))km_has},
    {OSSL_FUNC_KEYMGMT_MATCH, (void (*)(void))km_match},
    {OSSL_FUNC_KEYMGMT_GET_PARAMS, (void (*)(void))km_get_params},
    {OSSL_FUNC_KEYMGMT_GETTABLE_PARAMS, (void (*)(void))km_gettable_params},
    {OSSL_FUNC_KEYMGMT_IMPORT, (void (*)(void))km_import},
    {OSSL_FUNC_KEYMGMT_IMPORT_TYPES, (void (*)(void))km_io_types_fn},
    {OSSL_FUNC_KEYMGMT_EXPORT, (void (*)(void))km_export},
    {OSSL_FUNC_KEYMGMT_EXPORT_TYPES, (void (*)(void))km_io_types_fn},
    {OSSL_FUNC_KEYMGMT_QUERY_OPERATION_NAME, (void (*)(void))km_query_operation_name},
    {OSSL_FUNC_KEYMGMT_GEN_INIT, (void (*)(void))km_gen_init},
    {OSSL_FUNC_KEYMGMT_GEN_SET_PARAMS, (void (*)(void))km_gen_set_params},
    {OSSL_FUNC_KEYMGMT_GEN_SETTABLE_PARAMS, (void (*)(void))km_gen_settable_params},
    {OSSL_FUNC_KEYMGMT_GEN, (void (*)(void))km_gen},
    {OSSL_FUNC_KEYMGMT_GEN_CLEANUP, (void (*)(void))km_gen_cleanup},
    {0, NULL},
};
