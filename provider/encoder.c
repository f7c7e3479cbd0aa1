/* SPDX-License-Identifier: Apache-2.0 */
/* encoder.c: public key encoders (SubjectPublicKeyInfo DER and PEM, text).
 * Asked for the private key, a token key writes its URI instead (uriref.c). */
#include <stdlib.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>

#include "provider/prov.h"

static void *enc_newctx(void *provctx)
{
    return provctx;
}

static void enc_freectx(void *vctx)
{
}

static int enc_does_public(void *provctx, int selection)
{
    return (selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) != 0 &&
           (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) == 0;
}

static int enc_does_any(void *provctx, int selection)
{
    return (selection & (OSSL_KEYMGMT_SELECT_KEYPAIR | OSSL_KEYMGMT_SELECT_ALL_PARAMETERS)) != 0;
}

static const p11k1_pkey *enc_key(p11k1_prov *prov, const void *obj_raw, const OSSL_PARAM *abstract)
{
    const p11k1_pkey *pk = obj_raw;

    if (pk == NULL || abstract != NULL || !pk->has_pub) {
        P11K1_RAISE(prov, P11K1_E_BAD_PARAMETER, "no public key to encode");
        return NULL;
    }
    return pk;
}

static int enc_write(p11k1_prov *prov, OSSL_CORE_BIO *cout, int pem, const unsigned char *der,
                     long len)
{
    BIO *out = BIO_new_from_core_bio(prov->libctx, cout);
    int ok;

    if (out == NULL)
        return 0;
    if (pem)
        ok = PEM_write_bio(out, PEM_STRING_PUBLIC, "", der, len) > 0;
    else
        ok = BIO_write(out, der, (int)len) == (int)len;
    BIO_free(out);
    return ok;
}

static int enc_spki(void *vctx, OSSL_CORE_BIO *cout, const void *obj_raw,
                    const OSSL_PARAM obj_abstract[], int selection, int pem)
{
    p11k1_prov *prov = vctx;
    const p11k1_pkey *pk = enc_key(prov, obj_raw, obj_abstract);
    unsigned char der[P11K1_SPKI_LEN];

    if (pk == NULL)
        return 0;
    if (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) {
        P11K1_RAISE(prov, P11K1_E_PRIVATE_KEY_STAYS, "write the public key instead (-pubout)");
        return 0;
    }
    p11k1_spki_der(pk->pub, der);
    return enc_write(prov, cout, pem, der, sizeof(der));
}

static int enc_spki_der(void *vctx, OSSL_CORE_BIO *cout, const void *obj_raw,
                        const OSSL_PARAM obj_abstract[], int selection,
                        OSSL_PASSPHRASE_CALLBACK *cb, void *cbarg)
{
    return enc_spki(vctx, cout, obj_raw, obj_abstract, selection, 0);
}

static int enc_spki_pem(void *vctx, OSSL_CORE_BIO *cout, const void *obj_raw,
                        const OSSL_PARAM obj_abstract[], int selection,
                        OSSL_PASSPHRASE_CALLBACK *cb, void *cbarg)
{
    return enc_spki(vctx, cout, obj_raw, obj_abstract, selection, 1);
}

static int enc_text(void *vctx, OSSL_CORE_BIO *cout, const void *obj_raw,
                    const OSSL_PARAM obj_abstract[], int selection, OSSL_PASSPHRASE_CALLBACK *cb,
                    void *cbarg)
{
    p11k1_prov *prov = vctx;
    const p11k1_pkey *pk = enc_key(prov, obj_raw, obj_abstract);
    BIO *out;
    char *uri = NULL;
    int ok = 1, i;

    if (pk == NULL || (out = BIO_new_from_core_bio(prov->libctx, cout)) == NULL)
        return 0;
    if (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY)
        ok = BIO_printf(out, "Private-Key: (256 bit), on the token (not exportable)\n") > 0;
    else
        ok = BIO_printf(out, "Public-Key: (256 bit)\n") > 0;
    ok = ok && BIO_printf(out, "pub:") > 0;
    for (i = 0; ok && i < P11K1_PUB_LEN; i++)
        ok = BIO_printf(out, "%s%02x%s", i % 15 == 0 ? "\n    " : "", pk->pub[i],
                        i + 1 < P11K1_PUB_LEN ? ":" : "\n") > 0;
    ok = ok && BIO_printf(out, "ASN1 OID: secp256k1\n") > 0;
    if (ok && pk->key != NULL && (uri = p11k1_key_uri(pk->key)) != NULL)
        ok = BIO_printf(out, "PKCS#11 URI: %s\n", uri) > 0;
    free(uri);
    BIO_free(out);
    return ok;
}

#define ENCODER(name, does, fn)                                                                    \
    const OSSL_DISPATCH name[] = {                                                                 \
        {OSSL_FUNC_ENCODER_NEWCTX, (void (*)(void))enc_newctx},                                    \
        {OSSL_FUNC_ENCODER_FREECTX, (void (*)(void))enc_freectx},                                  \
        {OSSL_FUNC_ENCODER_DOES_SELECTION, (void (*)(void))does},                                  \
        {OSSL_FUNC_ENCODER_ENCODE, (void (*)(void))fn},                                            \
        {0, NULL},                                                                                 \
    }

ENCODER(p11k1_enc_spki_der_functions, enc_does_public, enc_spki_der);
ENCODER(p11k1_enc_spki_pem_functions, enc_does_public, enc_spki_pem);
ENCODER(p11k1_enc_text_functions, enc_does_any, enc_text);
