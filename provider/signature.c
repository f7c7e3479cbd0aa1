/* SPDX-License-Identifier: Apache-2.0 */
/* signature.c: "ECDSA" with the private key on the token.
 *
 * Messages are hashed in software (SHA-256/384/512 from the other providers,
 * KECCAK-256 from common/keccak) and the 32-byte digest is signed with
 * CKM_ECDSA. Signatures come out DER (ECDSA-Sig-Value) with s as the token
 * produced it. Verification runs in software with the public point.
 */
#include <string.h>
#include <strings.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "common/keccak.h"
#include "provider/prov.h"

enum { MD_NONE, MD_EVP, MD_KECCAK };

typedef struct {
    p11k1_prov *prov;
    p11k1_pkey *key;
    int md_kind;
    char mdname[32];
    size_t mdsize;
    EVP_MD *md;
    EVP_MD_CTX *mdctx;
    mh_keccak256_ctx kc;
    const unsigned char *aid; /* DER AlgorithmIdentifier, or NULL */
    size_t aid_len;
} sig_ctx;

/* AlgorithmIdentifier for ecdsa-with-SHA256/384/512 (no parameters). */
static const unsigned char aid_sha256[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
                                           0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
static const unsigned char aid_sha384[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
                                           0x48, 0xce, 0x3d, 0x04, 0x03, 0x03};
static const unsigned char aid_sha512[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
                                           0x48, 0xce, 0x3d, 0x04, 0x03, 0x04};

static void *sig_newctx(void *provctx, const char *propq)
{
    sig_ctx *c = OPENSSL_zalloc(sizeof(*c));

    if (c != NULL)
        c->prov = provctx;
    return c;
}

static void sig_reset_md(sig_ctx *c)
{
    EVP_MD_CTX_free(c->mdctx);
    EVP_MD_free(c->md);
    c->mdctx = NULL;
    c->md = NULL;
    c->md_kind = MD_NONE;
    c->mdname[0] = '\0';
    c->mdsize = 0;
    c->aid = NULL;
    c->aid_len = 0;
}

static void sig_freectx(void *vctx)
{
    sig_ctx *c = vctx;

    if (c == NULL)
        return;
    sig_reset_md(c);
    p11k1_pkey_free(c->key);
    OPENSSL_cleanse(&c->kc, sizeof(c->kc));
    OPENSSL_free(c);
}

static void *sig_dupctx(void *vctx)
{
    sig_ctx *c = vctx, *d = OPENSSL_memdup(c, sizeof(*c));

    if (d == NULL)
        return NULL;
    d->md = NULL;
    d->mdctx = NULL;
    if (c->key != NULL)
        p11k1_pkey_up_ref(c->key);
    if (c->md != NULL && EVP_MD_up_ref(c->md))
        d->md = c->md;
    if (c->mdctx != NULL &&
        ((d->mdctx = EVP_MD_CTX_new()) == NULL || !EVP_MD_CTX_copy_ex(d->mdctx, c->mdctx))) {
        sig_freectx(d);
        return NULL;
    }
    return d;
}

static int sig_set_md(sig_ctx *c, const char *name)
{
    sig_reset_md(c);
    if (name == NULL || *name == '\0')
        return 1;
    if (strcasecmp(name, "KECCAK-256") == 0 || strcasecmp(name, "KECCAK256") == 0) {
        c->md_kind = MD_KECCAK;
        c->mdsize = MH_KECCAK256_LEN;
    } else {
        c->md = EVP_MD_fetch(c->prov->libctx, name, P11K1_PROV_NOTSELF);
        if (c->md == NULL) {
            P11K1_RAISE(c->prov, P11K1_E_UNSUPPORTED_DIGEST, "%s", name);
            return 0;
        }
        if (EVP_MD_is_a(c->md, "SHA2-256")) {
            c->aid = aid_sha256, c->aid_len = sizeof(aid_sha256);
        } else if (EVP_MD_is_a(c->md, "SHA2-384")) {
            c->aid = aid_sha384, c->aid_len = sizeof(aid_sha384);
        } else if (EVP_MD_is_a(c->md, "SHA2-512")) {
            c->aid = aid_sha512, c->aid_len = sizeof(aid_sha512);
        } else {
            P11K1_RAISE(c->prov, P11K1_E_UNSUPPORTED_DIGEST,
                        "%s (use SHA256, SHA384, SHA512 or KECCAK-256)", name);
            sig_reset_md(c);
            return 0;
        }
        c->md_kind = MD_EVP;
        c->mdsize = (size_t)EVP_MD_get_size(c->md);
    }
    OPENSSL_strlcpy(c->mdname, name, sizeof(c->mdname));
    return 1;
}

static int sig_set_ctx_params(void *vctx, const OSSL_PARAM params[]);

static int sig_init(sig_ctx *c, void *provkey, const OSSL_PARAM params[], int signing)
{
    p11k1_pkey *pk = provkey;

    if (pk != NULL) {
        if (signing && (pk->key == NULL || !p11k1_key_can_sign(pk->key))) {
            P11K1_RAISE(c->prov, P11K1_E_NO_PRIVATE_KEY, "cannot sign");
            return 0;
        }
        if (!pk->has_pub) {
            P11K1_RAISE(c->prov, P11K1_E_BAD_PARAMETER, "key has no public point");
            return 0;
        }
        p11k1_pkey_up_ref(pk);
        p11k1_pkey_free(c->key);
        c->key = pk;
    }
    if (c->key == NULL) {
        P11K1_RAISE(c->prov, P11K1_E_BAD_PARAMETER, "no key");
        return 0;
    }
    return sig_set_ctx_params(c, params);
}

static int sig_sign_init(void *vctx, void *provkey, const OSSL_PARAM params[])
{
    return sig_init(vctx, provkey, params, 1);
}

static int sig_verify_init(void *vctx, void *provkey, const OSSL_PARAM params[])
{
    return sig_init(vctx, provkey, params, 0);
}

/* The 32 bytes CKM_ECDSA signs: shorter inputs are left-padded, longer ones
 * truncated to their leftmost 256 bits, as ECDSA does. */
static void to_digest32(const unsigned char *tbs, size_t tbslen, unsigned char d[32])
{
    memset(d, 0, 32);
    if (tbslen >= 32)
        memcpy(d, tbs, 32);
    else
        memcpy(d + 32 - tbslen, tbs, tbslen);
}

/* v (32 bytes, unsigned big-endian) as a DER INTEGER at p: leading zero bytes
 * dropped, one 0x00 kept before a set top bit. Returns the bytes written (<= 35). */
static size_t der_uint(const unsigned char v[32], unsigned char *p)
{
    size_t skip = 0, pad;

    while (skip < 31 && v[skip] == 0)
        skip++;
    pad = v[skip] >> 7;
    p[0] = 0x02;
    p[1] = (unsigned char)(32 - skip + pad);
    p[2] = 0;
    memcpy(p + 2 + pad, v + skip, 32 - skip);
    return 2 + pad + 32 - skip;
}

/* r || s as the DER ECDSA-Sig-Value SEQUENCE { r, s } (at most P11K1_SIG_DER_MAX). */
static void der_encode(const unsigned char rs[64], unsigned char *out, size_t *outlen)
{
    size_t len = der_uint(rs, out + 2);

    len += der_uint(rs + 32, out + 2 + len);
    out[0] = 0x30;
    out[1] = (unsigned char)len;
    *outlen = 2 + len;
}

static int sig_sign(void *vctx, unsigned char *sig, size_t *siglen, size_t sigsize,
                    const unsigned char *tbs, size_t tbslen)
{
    sig_ctx *c = vctx;
    unsigned char d[32], rs[64];
    CK_RV rv;

    if (c->key == NULL)
        return 0;
    if (sig == NULL) {
        *siglen = P11K1_SIG_DER_MAX;
        return 1;
    }
    if (sigsize < P11K1_SIG_DER_MAX) {
        P11K1_RAISE(c->prov, P11K1_E_BAD_PARAMETER, "signature buffer too small");
        return 0;
    }
    if (c->mdsize != 0 && tbslen != c->mdsize) {
        P11K1_RAISE(c->prov, P11K1_E_BAD_DIGEST_LENGTH, "got %zu bytes, %s needs %zu", tbslen,
                    c->mdname, c->mdsize);
        return 0;
    }
    to_digest32(tbs, tbslen, d);
    rv = p11k1_key_sign(c->key->key, d, rs);
    if (rv != CKR_OK) {
        P11K1_RAISE_KEY_RV(c->prov, c->key->key, rv, "signing");
        return 0;
    }
    der_encode(rs, sig, siglen);
    return 1;
}

/* Software verification with the public point, by another provider. */
static int sig_verify(void *vctx, const unsigned char *sig, size_t siglen, const unsigned char *tbs,
                      size_t tbslen)
{
    sig_ctx *c = vctx;
    EVP_PKEY_CTX *kctx = NULL, *vctx2 = NULL;
    EVP_PKEY *pkey = NULL;
    unsigned char d[32];
    OSSL_PARAM params[3];
    int ok = 0;

    if (c->key == NULL || !c->key->has_pub)
        return 0;
    if (c->mdsize != 0 && tbslen != c->mdsize) {
        P11K1_RAISE(c->prov, P11K1_E_BAD_DIGEST_LENGTH, "got %zu bytes, %s needs %zu", tbslen,
                    c->mdname, c->mdsize);
        return 0;
    }
    to_digest32(tbs, tbslen, d);
    params[0] =
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)P11K1_GROUP, 0);
    params[1] =
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, c->key->pub, P11K1_PUB_LEN);
    params[2] = OSSL_PARAM_construct_end();
    kctx = EVP_PKEY_CTX_new_from_name(c->prov->libctx, "EC", P11K1_PROV_NOTSELF);
    if (kctx == NULL || EVP_PKEY_fromdata_init(kctx) <= 0 ||
        EVP_PKEY_fromdata(kctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
        goto done;
    vctx2 = EVP_PKEY_CTX_new_from_pkey(c->prov->libctx, pkey, P11K1_PROV_NOTSELF);
    if (vctx2 == NULL || EVP_PKEY_verify_init(vctx2) <= 0)
        goto done;
    ok = EVP_PKEY_verify(vctx2, sig, siglen, d, sizeof(d)) == 1;
done:
    EVP_PKEY_CTX_free(vctx2);
    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(kctx);
    return ok;
}

static int sig_digest_init(void *vctx, const char *mdname, void *provkey, const OSSL_PARAM params[],
                           int signing)
{
    sig_ctx *c = vctx;

    if (!sig_init(c, provkey, params, signing))
        return 0;
    if (!sig_set_md(c, mdname != NULL ? mdname : "SHA256"))
        return 0;
    if (c->md_kind == MD_KECCAK) {
        mh_keccak256_init(&c->kc);
        return 1;
    }
    c->mdctx = EVP_MD_CTX_new();
    return c->mdctx != NULL && EVP_DigestInit_ex2(c->mdctx, c->md, NULL);
}

static int sig_digest_sign_init(void *vctx, const char *mdname, void *provkey,
                                const OSSL_PARAM params[])
{
    return sig_digest_init(vctx, mdname, provkey, params, 1);
}

static int sig_digest_verify_init(void *vctx, const char *mdname, void *provkey,
                                  const OSSL_PARAM params[])
{
    return sig_digest_init(vctx, mdname, provkey, params, 0);
}

static int sig_digest_update(void *vctx, const unsigned char *data, size_t len)
{
    sig_ctx *c = vctx;

    if (c->md_kind == MD_KECCAK) {
        mh_keccak256_update(&c->kc, data, len);
        return 1;
    }
    return c->mdctx != NULL && EVP_DigestUpdate(c->mdctx, data, len);
}

static int sig_digest_final(sig_ctx *c, unsigned char *md, unsigned int *mdlen)
{
    if (c->md_kind == MD_KECCAK) {
        mh_keccak256_final(&c->kc, md);
        *mdlen = MH_KECCAK256_LEN;
        return 1;
    }
    return c->mdctx != NULL && EVP_DigestFinal_ex(c->mdctx, md, mdlen);
}

static int sig_digest_sign_final(void *vctx, unsigned char *sig, size_t *siglen, size_t sigsize)
{
    sig_ctx *c = vctx;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;

    if (sig == NULL) {
        *siglen = P11K1_SIG_DER_MAX;
        return 1;
    }
    if (!sig_digest_final(c, md, &mdlen))
        return 0;
    return sig_sign(c, sig, siglen, sigsize, md, mdlen);
}

static int sig_digest_verify_final(void *vctx, const unsigned char *sig, size_t siglen)
{
    sig_ctx *c = vctx;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;

    if (!sig_digest_final(c, md, &mdlen))
        return 0;
    return sig_verify(c, sig, siglen, md, mdlen);
}

static int sig_get_ctx_params(void *vctx, OSSL_PARAM params[])
{
    sig_ctx *c = vctx;
    OSSL_PARAM *p;

    if ((p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_ALGORITHM_ID)) != NULL &&
        (c->aid == NULL || !OSSL_PARAM_set_octet_string(p, c->aid, c->aid_len)))
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_DIGEST)) != NULL &&
        !OSSL_PARAM_set_utf8_string(p, c->mdname))
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_DIGEST_SIZE)) != NULL &&
        !OSSL_PARAM_set_size_t(p, c->mdsize))
        return 0;
    return 1;
}

static const OSSL_PARAM sig_gettable[] = {
    OSSL_PARAM_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID, NULL, 0),
    OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, NULL, 0),
    OSSL_PARAM_size_t(OSSL_SIGNATURE_PARAM_DIGEST_SIZE, NULL),
    OSSL_PARAM_END,
};

static const OSSL_PARAM *sig_gettable_ctx_params(void *vctx, void *provctx)
{
    return sig_gettable;
}

static int sig_set_ctx_params(void *vctx, const OSSL_PARAM params[])
{
    sig_ctx *c = vctx;
    const OSSL_PARAM *p;
    const char *name = NULL;

    if (params == NULL)
        return 1;
    if ((p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_DIGEST)) != NULL) {
        if (!OSSL_PARAM_get_utf8_string_ptr(p, &name) || !sig_set_md(c, name))
            return 0;
    }
    return 1;
}

static const OSSL_PARAM sig_settable[] = {
    OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, NULL, 0),
    OSSL_PARAM_END,
};

static const OSSL_PARAM *sig_settable_ctx_params(void *vctx, void *provctx)
{
    return sig_settable;
}

const OSSL_DISPATCH p11k1_signature_functions[] = {
    {OSSL_FUNC_SIGNATURE_NEWCTX, (void (*)(void))sig_newctx},
    {OSSL_FUNC_SIGNATURE_FREECTX, (void (*)(void))sig_freectx},
    {OSSL_FUNC_SIGNATURE_DUPCTX, (void (*)(void))sig_dupctx},
    {OSSL_FUNC_SIGNATURE_SIGN_INIT, (void (*)(void))sig_sign_init},
    {OSSL_FUNC_SIGNATURE_SIGN, (void (*)(void))sig_sign},
    {OSSL_FUNC_SIGNATURE_VERIFY_INIT, (void (*)(void))sig_verify_init},
    {OSSL_FUNC_SIGNATURE_VERIFY, (void (*)(void))sig_verify},
    {OSSL_FUNC_SIGNATURE_DIGEST_SIGN_INIT, (void (*)(void))sig_digest_sign_init},
    {OSSL_FUNC_SIGNATURE_DIGEST_SIGN_UPDATE, (void (*)(void))sig_digest_update},
    {OSSL_FUNC_SIGNATURE_DIGEST_SIGN_FINAL, (void (*)(void))sig_digest_sign_final},
    {OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_INIT, (void (*)(void))sig_digest_verify_init},
    {OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_UPDATE, (void (*)(void))sig_digest_update},
    {OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_FINAL, (void (*)(void))sig_digest_verify_final},
    {OSSL_FUNC_SIGNATURE_GET_CTX_PARAMS, (void (*)(void))sig_get_ctx_params},
    {OSSL_FUNC_SIGNATURE_GETTABLE_CTX_PARAMS, (void (*)(void))sig_gettable_ctx_params},
    {OSSL_FUNC_SIGNATURE_SET_CTX_PARAMS, (void (*)(void))sig_set_ctx_params},
    {OSSL_FUNC_SIGNATURE_SETTABLE_CTX_PARAMS, (void (*)(void))sig_settable_ctx_params},
    {0, NULL},
};
