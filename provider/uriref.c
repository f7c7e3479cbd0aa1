/* SPDX-License-Identifier: Apache-2.0 */
/* uriref.c: a token key written "as a private key" is a reference to it.
 *
 * genpkey, `pkey -out` and PEM_write_bio_PrivateKey() ask for the private
 * key; a token key gives its URI instead (no PIN in it), in this format:
 *
 *   -----BEGIN PKCS#11 URI-----            (base64 of the DER below)
 *   P11k1KeyRef ::= SEQUENCE {
 *       version  INTEGER (0),
 *       uri      UTF8String   -- RFC 7512 pkcs11: URI of the key
 *   }
 *
 * Two decoders read it back: PEM -> DER (structure "p11k1-uri") and
 * DER -> "EC", which finds the key on the token and hands it to OpenSSL by
 * reference, so the PEM file works wherever a key file does.
 */
#include <stdlib.h>
#include <string.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/core_object.h>
#include <openssl/err.h>
#include <openssl/params.h>
#include <openssl/pem.h>

#include "provider/prov.h"

#define REF_MAX 8192 /* larger input is not ours */

static void *ref_newctx(void *provctx)
{
    return provctx;
}

static void ref_freectx(void *vctx)
{
}

/* DER length octets of len (< 65536) into p (3 bytes room); their count. */
static size_t der_len(unsigned char *p, size_t len)
{
    if (len < 0x80) {
        p[0] = (unsigned char)len;
        return 1;
    }
    if (len < 0x100) {
        p[0] = 0x81;
        p[1] = (unsigned char)len;
        return 2;
    }
    p[0] = 0x82;
    p[1] = (unsigned char)(len >> 8);
    p[2] = (unsigned char)len;
    return 3;
}

/* P11k1KeyRef DER of uri, OPENSSL_malloc'd; NULL if too long. */
static unsigned char *ref_der(const char *uri, size_t *out_len)
{
    size_t ulen = strlen(uri), n = 0, body;
    unsigned char hdr[4], *der;
    size_t hl = der_len(hdr, ulen);

    if (ulen > REF_MAX - 16)
        return NULL;
    body = 3 + 1 + hl + ulen;
    der = OPENSSL_malloc(body + 4);
    if (der == NULL)
        return NULL;
    der[n++] = 0x30;
    n += der_len(der + n, body);
    der[n++] = 0x02; /* version 0 */
    der[n++] = 0x01;
    der[n++] = 0x00;
    der[n++] = 0x0c; /* UTF8String */
    memcpy(der + n, hdr, hl);
    n += hl;
    memcpy(der + n, uri, ulen);
    *out_len = n + ulen;
    return der;
}

/* Reads a DER length at *p (minimal encoding, up to 2 length octets). */
static int der_get_len(const unsigned char **p, const unsigned char *end, size_t *len)
{
    const unsigned char *q = *p;

    if (q >= end)
        return 0;
    if (*q < 0x80) {
        *len = *q++;
    } else if (*q == 0x81 && end - q >= 2 && q[1] >= 0x80) {
        *len = q[1];
        q += 2;
    } else if (*q == 0x82 && end - q >= 3 && q[1] != 0) {
        *len = ((size_t)q[1] << 8) | q[2];
        q += 3;
    } else {
        return 0;
    }
    if ((size_t)(end - q) < *len)
        return 0;
    *p = q;
    return 1;
}

/* The URI in a P11k1KeyRef, OPENSSL_malloc'd; NULL if der is not one. */
static char *ref_parse(const unsigned char *der, size_t der_size)
{
    const unsigned char *p = der, *end = der + der_size;
    size_t len;
    char *uri;

    if (der_size < 2 || *p++ != 0x30 || !der_get_len(&p, end, &len) || p + len != end)
        return NULL;
    if (end - p < 4 || p[0] != 0x02 || p[1] != 0x01 || p[2] != 0x00 || p[3] != 0x0c)
        return NULL;
    p += 4;
    if (!der_get_len(&p, end, &len) || p + len != end || len < 7 || memcmp(p, "pkcs11:", 7) != 0 ||
        memchr(p, '\0', len) != NULL)
        return NULL;
    uri = OPENSSL_malloc(len + 1);
    if (uri == NULL)
        return NULL;
    memcpy(uri, p, len);
    uri[len] = '\0';
    return uri;
}

/* Encoder: for any selection with the private key. */
static int ref_does_selection(void *provctx, int selection)
{
    return (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0;
}

static int ref_encode(void *vctx, OSSL_CORE_BIO *cout, const void *obj_raw,
                      const OSSL_PARAM obj_abstract[], int selection, int pem)
{
    p11k1_prov *prov = vctx;
    const p11k1_pkey *pk = obj_raw;
    unsigned char *der;
    size_t der_size = 0;
    char *uri;
    BIO *out;
    int ok;

    if (pk == NULL || obj_abstract != NULL || pk->key == NULL) {
        P11K1_RAISE(prov, P11K1_E_NO_PRIVATE_KEY, "only a public key here: write it with -pubout");
        return 0;
    }
    uri = p11k1_key_uri(pk->key);
    der = uri != NULL ? ref_der(uri, &der_size) : NULL;
    free(uri);
    if (der == NULL) {
        P11K1_RAISE(prov, P11K1_E_INTERNAL, "cannot write the key's URI");
        return 0;
    }
    out = BIO_new_from_core_bio(prov->libctx, cout);
    if (pem)
        ok = out != NULL && PEM_write_bio(out, P11K1_PEM_LABEL, "", der, (long)der_size) > 0;
    else
        ok = out != NULL && BIO_write(out, der, (int)der_size) == (int)der_size;
    BIO_free(out);
    OPENSSL_free(der);
    return ok;
}

static int ref_encode_der(void *vctx, OSSL_CORE_BIO *cout, const void *obj_raw,
                          const OSSL_PARAM obj_abstract[], int selection,
                          OSSL_PASSPHRASE_CALLBACK *cb, void *cbarg)
{
    return ref_encode(vctx, cout, obj_raw, obj_abstract, selection, 0);
}

static int ref_encode_pem(void *vctx, OSSL_CORE_BIO *cout, const void *obj_raw,
                          const OSSL_PARAM obj_abstract[], int selection,
                          OSSL_PASSPHRASE_CALLBACK *cb, void *cbarg)
{
    return ref_encode(vctx, cout, obj_raw, obj_abstract, selection, 1);
}

/* PEM -> DER: only our label; anything else is left to other decoders. */
static int ref_decode_pem(void *vctx, OSSL_CORE_BIO *cin, int selection, OSSL_CALLBACK *data_cb,
                          void *data_cbarg, OSSL_PASSPHRASE_CALLBACK *pw_cb, void *pw_cbarg)
{
    p11k1_prov *prov = vctx;
    BIO *in = BIO_new_from_core_bio(prov->libctx, cin);
    char *name = NULL, *header = NULL;
    unsigned char *der = NULL;
    long len = 0;
    int ok = 1;

    if (in == NULL)
        return 0;
    ERR_set_mark();
    if (PEM_read_bio(in, &name, &header, &der, &len) > 0 && strcmp(name, P11K1_PEM_LABEL) == 0) {
        OSSL_PARAM params[3];

        ERR_pop_to_mark();
        params[0] = OSSL_PARAM_construct_octet_string(OSSL_OBJECT_PARAM_DATA, der, (size_t)len);
        params[1] = OSSL_PARAM_construct_utf8_string(OSSL_OBJECT_PARAM_DATA_STRUCTURE,
                                                     (char *)P11K1_DER_STRUCTURE, 0);
        params[2] = OSSL_PARAM_construct_end();
        ok = data_cb(params, data_cbarg);
    } else {
        ERR_pop_to_mark(); /* not PEM, or not ours: not an error */
    }
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(der);
    BIO_free(in);
    return ok;
}

/* DER -> the token key, by reference. */
static int ref_decode_der(void *vctx, OSSL_CORE_BIO *cin, int selection, OSSL_CALLBACK *data_cb,
                          void *data_cbarg, OSSL_PASSPHRASE_CALLBACK *pw_cb, void *pw_cbarg)
{
    p11k1_prov *prov = vctx;
    BIO *in = BIO_new_from_core_bio(prov->libctx, cin);
    unsigned char *buf;
    char *uri = NULL;
    p11k1_pkey *pk;
    int n, total = 0, ok;

    if (in == NULL)
        return 0;
    buf = OPENSSL_malloc(REF_MAX + 1);
    while (buf != NULL && total <= REF_MAX &&
           (n = BIO_read(in, buf + total, REF_MAX + 1 - total)) > 0)
        total += n;
    BIO_free(in);
    if (buf != NULL && total <= REF_MAX)
        uri = ref_parse(buf, (size_t)total);
    OPENSSL_free(buf);
    if (uri == NULL)
        return 1; /* not ours */
    pk = p11k1_store_load_one(prov, uri, pw_cb, pw_cbarg);
    OPENSSL_free(uri);
    if (pk == NULL)
        return 0; /* the reference is ours but names no usable key: say why */
    ok = p11k1_pkey_pass(pk, data_cb, data_cbarg);
    p11k1_pkey_free(pk);
    return ok;
}

const OSSL_DISPATCH p11k1_enc_ref_der_functions[] = {
    {OSSL_FUNC_ENCODER_NEWCTX, (void (*)(void))ref_newctx},
    {OSSL_FUNC_ENCODER_FREECTX, (void (*)(void))ref_freectx},
    {OSSL_FUNC_ENCODER_DOES_SELECTION, (void (*)(void))ref_does_selection},
    {OSSL_FUNC_ENCODER_ENCODE, (void (*)(void))ref_encode_der},
    {0, NULL},
};
const OSSL_DISPATCH p11k1_enc_ref_pem_functions[] = {
    {OSSL_FUNC_ENCODER_NEWCTX, (void (*)(void))ref_newctx},
    {OSSL_FUNC_ENCODER_FREECTX, (void (*)(void))ref_freectx},
    {OSSL_FUNC_ENCODER_DOES_SELECTION, (void (*)(void))ref_does_selection},
    {OSSL_FUNC_ENCODER_ENCODE, (void (*)(void))ref_encode_pem},
    {0, NULL},
};
const OSSL_DISPATCH p11k1_dec_ref_pem_functions[] = {
    {OSSL_FUNC_DECODER_NEWCTX, (void (*)(void))ref_newctx},
    {OSSL_FUNC_DECODER_FREECTX, (void (*)(void))ref_freectx},
    {OSSL_FUNC_DECODER_DECODE, (void (*)(void))ref_decode_pem},
    {0, NULL},
};
const OSSL_DISPATCH p11k1_dec_ref_der_functions[] = {
    {OSSL_FUNC_DECODER_NEWCTX, (void (*)(void))ref_newctx},
    {OSSL_FUNC_DECODER_FREECTX, (void (*)(void))ref_freectx},
    {OSSL_FUNC_DECODER_DECODE, (void (*)(void))ref_decode_der},
    {0, NULL},
};
