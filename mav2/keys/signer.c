/* SPDX-License-Identifier: Apache-2.0 */
/* signer: EVP_PKEY_sign -> DER -> low s -> recovery id -> r || s || v. */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "common/keccak.h"
#include "mav2/core/address.h"
#include "mav2/core/error.h"
#include "mav2/keys/k1fast.h"
#include "mav2/keys/signer.h"

struct mav2_signer {
    EVP_PKEY *pkey;
    unsigned char pub[MAV2_PUBKEY_LEN];
    unsigned char addr[MAV2_ADDRESS_LEN];
    char addr_str[MAV2_ADDRESS_STR_MAX];
    int soft; /* the default provider holds the scalar: sign with libsecp256k1 */
    pthread_mutex_t ctx_lock;
    EVP_PKEY_CTX *ctx; /* sign-initialized, reused by the holder of ctx_lock */
};

/* secp256k1 group order n, big-endian. */
static const unsigned char secp256k1_n[32] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};

/* Is the key's group secp256k1: by name, or (explicit parameters) by order. */
static int pkey_is_secp256k1(EVP_PKEY *pkey)
{
    char name[64];
    size_t len = 0;
    BIGNUM *order = NULL;
    unsigned char ord[32];
    int ok = 0;

    if (!EVP_PKEY_is_a(pkey, "EC"))
        return 0;
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name), &len))
        return strcmp(name, SN_secp256k1) == 0;
    if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_ORDER, &order) &&
        BN_bn2binpad(order, ord, sizeof(ord)) == (int)sizeof(ord))
        ok = memcmp(ord, secp256k1_n, sizeof(ord)) == 0;
    BN_free(order);
    return ok;
}

/* Normalizes a 33- or 65-byte SEC1 point to 65 bytes, checking it is on the curve. */
static int point_uncompressed(const unsigned char *in, size_t in_len,
                              unsigned char out[MAV2_PUBKEY_LEN])
{
    secp256k1_pubkey pk;
    size_t out_len = MAV2_PUBKEY_LEN;

    if (!secp256k1_ec_pubkey_parse(secp256k1_context_static, &pk, in, in_len))
        return 0;
    return secp256k1_ec_pubkey_serialize(secp256k1_context_static, out, &out_len, &pk,
                                         SECP256K1_EC_UNCOMPRESSED);
}

static int pkey_public_point(EVP_PKEY *pkey, unsigned char pub[MAV2_PUBKEY_LEN])
{
    unsigned char buf[133];
    size_t len = 0;

    if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, buf, sizeof(buf),
                                        &len) &&
        point_uncompressed(buf, len, pub))
        return 1;
    len = 0;
    if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, buf, sizeof(buf), &len) &&
        point_uncompressed(buf, len, pub))
        return 1;
    return 0;
}

static void address_of_point(const unsigned char pub[MAV2_PUBKEY_LEN],
                             unsigned char addr[MAV2_ADDRESS_LEN])
{
    mav2_address_from_pubkey(pub, MAV2_PUBKEY_LEN, addr);
}

int mav2_error_ossl(const char *fmt, ...)
{
    char msg[400];
    const char *data = NULL;
    int flags = 0;
    unsigned long e = ERR_peek_last_error_data(&data, &flags);
    const char *reason = e != 0 ? ERR_reason_error_string(e) : NULL;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    /* a provider outside OpenSSL (p11k1) says what and where in the text: the
     * PIN source's path, the token (never a PIN) */
    if (reason != NULL && ERR_GET_LIB(e) >= ERR_LIB_USER && (flags & ERR_TXT_STRING) &&
        data != NULL && *data != '\0') {
        mav2_error_set("%s: %s: %s", msg, reason, data);
        ERR_clear_error();
        return 0;
    }
    ERR_clear_error();
    if (reason != NULL)
        return mav2_error_set("%s: %s", msg, reason);
    return mav2_error_set("%s", msg);
}

static int pkey_check(EVP_PKEY *pkey, unsigned char pub[MAV2_PUBKEY_LEN])
{
    if (pkey == NULL)
        return mav2_error_set("no key given");
    if (!pkey_is_secp256k1(pkey))
        return mav2_error_set("key is not an EC key on secp256k1 (type %s)",
                              EVP_PKEY_get0_type_name(pkey) ? EVP_PKEY_get0_type_name(pkey) : "?");
    if (!pkey_public_point(pkey, pub))
        return mav2_error_set("cannot read the key's public point");
    return 1;
}

int mav2_pkey_address(EVP_PKEY *pkey, unsigned char addr[MAV2_ADDRESS_LEN],
                      char str[MAV2_ADDRESS_STR_MAX])
{
    unsigned char pub[MAV2_PUBKEY_LEN], a[MAV2_ADDRESS_LEN];

    if (!pkey_check(pkey, pub))
        return 0;
    address_of_point(pub, a);
    if (addr != NULL)
        memcpy(addr, a, sizeof(a));
    if (str != NULL)
        mav2_address_format(a, str);
    return 1;
}

mav2_signer *mav2_signer_new(EVP_PKEY *pkey)
{
    mav2_signer *s;
    unsigned char pub[MAV2_PUBKEY_LEN];

    if (!pkey_check(pkey, pub))
        return NULL;
    s = calloc(1, sizeof(*s));
    if (s == NULL || !EVP_PKEY_up_ref(pkey)) {
        free(s);
        mav2_error_set("out of memory");
        return NULL;
    }
    s->pkey = pkey;
    pthread_mutex_init(&s->ctx_lock, NULL);
    memcpy(s->pub, pub, sizeof(pub));
    address_of_point(s->pub, s->addr);
    mav2_address_format(s->addr, s->addr_str);
    s->soft = mav2_k1_soft_usable(pkey, s->pub);
    return s;
}

void mav2_signer_free(mav2_signer *signer)
{
    if (signer == NULL)
        return;
    EVP_PKEY_CTX_free(signer->ctx);
    pthread_mutex_destroy(&signer->ctx_lock);
    EVP_PKEY_free(signer->pkey);
    free(signer);
}

const unsigned char *mav2_signer_pubkey(const mav2_signer *signer)
{
    return signer->pub;
}

const unsigned char *mav2_signer_address(const mav2_signer *signer)
{
    return signer->addr;
}

const char *mav2_signer_address_str(const mav2_signer *signer)
{
    return signer->addr_str;
}

int mav2_sig_is_low_s(const unsigned char rs[64])
{
    secp256k1_ecdsa_signature sig, norm;

    if (!secp256k1_ecdsa_signature_parse_compact(secp256k1_context_static, &sig, rs))
        return 0;
    return !secp256k1_ecdsa_signature_normalize(secp256k1_context_static, &norm, &sig);
}

int mav2_sig_normalize(unsigned char rs[64], int *flipped)
{
    static const unsigned char zero[32] = {0};
    secp256k1_ecdsa_signature sig, norm;
    int high;

    if (memcmp(rs, zero, 32) == 0 || memcmp(rs + 32, zero, 32) == 0)
        return 0;
    /* parse_compact rejects r or s not below n. */
    if (!secp256k1_ecdsa_signature_parse_compact(secp256k1_context_static, &sig, rs))
        return 0;
    high = secp256k1_ecdsa_signature_normalize(secp256k1_context_static, &norm, &sig);
    if (high)
        secp256k1_ecdsa_signature_serialize_compact(secp256k1_context_static, rs, &norm);
    if (flipped != NULL)
        *flipped = high;
    return 1;
}

/* Public point recovered from r || s with recovery id recid, uncompressed. */
static int recover_point(const unsigned char digest[32], const unsigned char rs[64], int recid,
                         unsigned char pub[MAV2_PUBKEY_LEN])
{
    secp256k1_ecdsa_recoverable_signature rsig;
    secp256k1_pubkey pk;
    size_t len = MAV2_PUBKEY_LEN;

    if (!secp256k1_ecdsa_recoverable_signature_parse_compact(secp256k1_context_static, &rsig, rs,
                                                             recid))
        return 0;
    if (!secp256k1_ecdsa_recover(secp256k1_context_static, &pk, &rsig, digest))
        return 0;
    return secp256k1_ec_pubkey_serialize(secp256k1_context_static, pub, &len, &pk,
                                         SECP256K1_EC_UNCOMPRESSED);
}

/* The recovery id under which r || s over digest recovers to pub, or -1 if
 * none does (the signature is not valid for pub). One recovery computes the
 * nonce point R = (z/s)G + (r/s)Q (k1fast.h): valid iff R's x is r, and the
 * recovery id is R's y parity. */
static int recid_of(const unsigned char digest[32], const unsigned char rs[64],
                    const unsigned char pub[MAV2_PUBKEY_LEN])
{
    secp256k1_ecdsa_recoverable_signature rsig;
    secp256k1_pubkey pt;
    unsigned char csig[64], msg[32], rc[33], got[MAV2_PUBKEY_LEN];
    size_t len = sizeof(rc);
    int rid;

    if (!mav2_k1_nonce_point_call(digest, rs, pub, csig, &rid, msg)) {
        /* Qx >= n (about 2^-128 of keys): recover both candidates */
        for (rid = 0; rid < 2; rid++)
            if (recover_point(digest, rs, rid, got) && memcmp(got, pub, sizeof(got)) == 0)
                return rid;
        return -1;
    }
    if (!secp256k1_ecdsa_recoverable_signature_parse_compact(secp256k1_context_static, &rsig, csig,
                                                             rid) ||
        !secp256k1_ecdsa_recover(secp256k1_context_static, &pt, &rsig, msg) ||
        !secp256k1_ec_pubkey_serialize(secp256k1_context_static, rc, &len, &pt,
                                       SECP256K1_EC_COMPRESSED) ||
        memcmp(rc + 1, rs, 32) != 0)
        return -1;
    return rc[0] == SECP256K1_TAG_PUBKEY_ODD;
}

int mav2_sig_recover(const unsigned char digest[32], const unsigned char sig[MAV2_SIG65_LEN],
                     unsigned char pub[MAV2_PUBKEY_LEN], unsigned char addr[MAV2_ADDRESS_LEN])
{
    unsigned char p[MAV2_PUBKEY_LEN];
    int recid;

    if (digest == NULL || sig == NULL)
        return mav2_error_set("no digest or signature given");
    recid = sig[64] >= 27 ? sig[64] - 27 : sig[64];
    if (recid != 0 && recid != 1)
        return mav2_error_set("signature v is %u, not 27 or 28", sig[64]);
    if (!recover_point(digest, sig, recid, p))
        return mav2_error_set("signature does not recover to a public key");
    if (pub != NULL)
        memcpy(pub, p, sizeof(p));
    if (addr != NULL)
        address_of_point(p, addr);
    return 1;
}

int mav2_sig_from_der(const unsigned char *der, size_t der_len, const unsigned char digest[32],
                      const unsigned char pub[MAV2_PUBKEY_LEN], unsigned char sig[MAV2_SIG65_LEN])
{
    secp256k1_ecdsa_signature es;
    unsigned char rs[64];
    int flipped = 0;

    if (der == NULL || digest == NULL || pub == NULL || sig == NULL)
        return mav2_error_set("missing argument to mav2_sig_from_der");
    if (!secp256k1_ecdsa_signature_parse_der(secp256k1_context_static, &es, der, der_len))
        return mav2_error_set("signer returned a malformed DER signature");
    /* r or s not below n parse as zero, which normalize refuses */
    secp256k1_ecdsa_signature_serialize_compact(secp256k1_context_static, rs, &es);
    if (!mav2_sig_normalize(rs, &flipped))
        return mav2_error_set("signer returned r or s out of range");
    switch (recid_of(digest, rs, pub)) {
    case 0:
        memcpy(sig, rs, 64);
        sig[64] = 27;
        return 1;
    case 1:
        memcpy(sig, rs, 64);
        sig[64] = 28;
        return 1;
    default:
        break;
    }
    return mav2_error_set("signature from the key does not verify under its public key");
}

/* DER signature of digest through EVP_PKEY_sign: on the signer's kept context
 * when no other thread is using it, else on a context of its own. */
static int evp_sign(mav2_signer *signer, const unsigned char digest[32], unsigned char *der,
                    size_t *der_len)
{
    int kept = pthread_mutex_trylock(&signer->ctx_lock) == 0;
    EVP_PKEY_CTX *ctx = kept ? signer->ctx : NULL;
    int ok;

    if (ctx == NULL) {
        ctx = EVP_PKEY_CTX_new_from_pkey(NULL, signer->pkey, NULL);
        if (ctx != NULL && EVP_PKEY_sign_init(ctx) <= 0) {
            EVP_PKEY_CTX_free(ctx);
            ctx = NULL;
        }
    }
    ok = ctx != NULL && EVP_PKEY_sign(ctx, der, der_len, digest, 32) > 0;
    if (kept) {
        signer->ctx = ok ? ctx : NULL; /* a failed context is not reused */
        pthread_mutex_unlock(&signer->ctx_lock);
    }
    if (!kept || !ok)
        EVP_PKEY_CTX_free(ctx);
    return ok;
}

int mav2_signer_sign_digest(mav2_signer *signer, const unsigned char digest[32],
                            unsigned char sig[MAV2_SIG65_LEN])
{
    unsigned char der[80];
    size_t der_len = sizeof(der);

    if (signer == NULL || digest == NULL || sig == NULL)
        return mav2_error_set("missing argument to mav2_signer_sign_digest");
    if (signer->soft)
        return mav2_k1_soft_sign(signer->pkey, digest, sig) ||
               mav2_error_set("signing with the software key failed");
    if (!evp_sign(signer, digest, der, &der_len))
        return mav2_error_ossl("signing failed");
    return mav2_sig_from_der(der, der_len, digest, signer->pub, sig);
}

int mav2_signer_sign_personal(mav2_signer *signer, const unsigned char hash[32],
                              unsigned char sig[MAV2_SIG65_LEN])
{
    unsigned char digest[32];

    if (hash == NULL)
        return mav2_error_set("no hash given");
    mh_eip191_hash(hash, 32, digest);
    return mav2_signer_sign_digest(signer, digest, sig);
}

int mav2_signer_sign_userop(mav2_signer *signer, const unsigned char user_op_hash[32],
                            unsigned char sig[MAV2_USEROP_SIG_LEN])
{
    unsigned char digest[32], sig65[MAV2_SIG65_LEN];

    if (user_op_hash == NULL || sig == NULL)
        return mav2_error_set("missing argument to mav2_signer_sign_userop");
    mav2_userop_digest(user_op_hash, digest);
    return mav2_signer_sign_digest(signer, digest, sig65) && mav2_userop_signature(sig65, sig);
}
