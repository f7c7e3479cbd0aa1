/* SPDX-License-Identifier: Apache-2.0 */
/* test-signer: the EVP signer against secp256k1.json and mav2_signatures.json with
 * software keys (OpenSSL's default provider): random-k signatures are checked by
 * recovery, the normalization and recovery id by the deterministic vectors. */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "common/keccak.h"
#include "mav2/core/account.h"
#include "mav2/core/error.h"
#include "mav2/keys/signer.h"
#include "tap.h"
#include "vectors.h"

static const char *order_hex = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";

/* A software EVP_PKEY on secp256k1 from a 32-byte private key (public point
 * computed by OpenSSL from the private scalar). */
static EVP_PKEY *pkey_from_priv(const uint8_t priv[32])
{
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY *pkey = NULL;
    BIGNUM *d = BN_bin2bn(priv, 32, NULL);
    EC_GROUP *group = EC_GROUP_new_by_curve_name(NID_secp256k1);
    EC_POINT *pt = group ? EC_POINT_new(group) : NULL;
    unsigned char pub[65];

    if (bld == NULL || ctx == NULL || d == NULL || pt == NULL ||
        !EC_POINT_mul(group, pt, d, NULL, NULL, NULL) ||
        EC_POINT_point2oct(group, pt, POINT_CONVERSION_UNCOMPRESSED, pub, sizeof(pub), NULL) !=
            65 ||
        !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "secp256k1", 0) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) ||
        !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub)) ||
        (params = OSSL_PARAM_BLD_to_param(bld)) == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params) <= 0)
        tap_bail("cannot build a secp256k1 EVP_PKEY");
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(ctx);
    BN_clear_free(d);
    EC_POINT_free(pt);
    EC_GROUP_free(group);
    return pkey;
}

static int addr_eq_str(const unsigned char addr[20], const char *want)
{
    char s[MAV2_ADDRESS_STR_MAX];
    mav2_address_format(addr, s);
    return strcmp(s, want) == 0;
}

/* A produced signature: low s, v 27/28, recovers to want_addr over digest. */
static void check_sig(const unsigned char digest[32], const unsigned char sig[65],
                      const char *want_addr, const char *what)
{
    unsigned char addr[20];
    tap_ok(mav2_sig_is_low_s(sig), "%s: low s", what);
    tap_ok(sig[64] == 27 || sig[64] == 28, "%s: v is 27 or 28 (%u)", what, sig[64]);
    tap_ok(mav2_sig_recover(digest, sig, NULL, addr) && addr_eq_str(addr, want_addr),
           "%s: recovers to %s", what, want_addr);
}

/* The vector's low-s signature fed in as DER with s and with n - s: both give
 * the vector's 65 bytes exactly (normalization + recovery id). */
static void check_normalization(const unsigned char digest[32], const unsigned char want[65],
                                const unsigned char pub[65], const char *what)
{
    BIGNUM *n = NULL, *r = BN_bin2bn(want, 32, NULL), *s = BN_bin2bn(want + 32, 32, NULL);
    BIGNUM *hs = BN_new();
    ECDSA_SIG *es = ECDSA_SIG_new();
    unsigned char *der = NULL, rs[64], got[65];
    int der_len, flipped = -1;

    BN_hex2bn(&n, order_hex);
    if (!BN_sub(hs, n, s) || BN_bn2binpad(hs, rs + 32, 32) != 32)
        tap_bail("BN arithmetic");
    memcpy(rs, want, 32);
    tap_ok(!mav2_sig_is_low_s(rs), "%s: n - s is high", what);
    tap_ok(mav2_sig_normalize(rs, &flipped) && flipped == 1, "%s: high s normalized", what);
    tap_mem_eq(rs, want, 64, "normalized r || s equals the vector's");
    memcpy(rs, want, 64);
    tap_ok(mav2_sig_normalize(rs, &flipped) && flipped == 0 && memcmp(rs, want, 64) == 0,
           "%s: low s left alone", what);

    /* high-s: recid flips, so (r, n - s, v ^ 1) recovers the same key */
    memcpy(got, want, 32);
    BN_bn2binpad(hs, got + 32, 32);
    got[64] = (unsigned char)(27 + ((want[64] - 27) ^ 1));
    {
        unsigned char p[65];
        tap_ok(mav2_sig_recover(digest, got, p, NULL) && memcmp(p, pub, 65) == 0,
               "%s: high-s form recovers with the flipped recovery id", what);
    }

    ECDSA_SIG_set0(es, BN_dup(r), BN_dup(hs));
    der_len = i2d_ECDSA_SIG(es, &der);
    tap_ok(der_len > 0 && mav2_sig_from_der(der, (size_t)der_len, digest, pub, got) &&
               memcmp(got, want, 65) == 0,
           "%s: DER with high s -> vector's r || s || v", what);
    OPENSSL_free(der);
    der = NULL;
    ECDSA_SIG_set0(es, BN_dup(r), BN_dup(s));
    der_len = i2d_ECDSA_SIG(es, &der);
    tap_ok(der_len > 0 && mav2_sig_from_der(der, (size_t)der_len, digest, pub, got) &&
               memcmp(got, want, 65) == 0,
           "%s: DER with low s -> vector's r || s || v", what);
    /* the same signature claimed for another digest does not verify */
    {
        unsigned char other[32];
        memcpy(other, digest, 32);
        other[0] ^= 1;
        tap_ok(!mav2_sig_from_der(der, (size_t)der_len, other, pub, got),
               "%s: DER over another digest is refused", what);
    }
    OPENSSL_free(der);
    ECDSA_SIG_free(es);
    BN_free(n);
    BN_free(r);
    BN_free(s);
    BN_free(hs);
}

static void test_keys(void)
{
    json_object *v = vec_load("secp256k1.json");
    json_object *keys = vec_get(v, "keys");
    json_object *e55 = vec_get(v, "eip55");

    for (size_t i = 0; i < vec_len(e55); i++) {
        json_object *e = vec_at(e55, i);
        unsigned char a[20];
        vec_hex_exact(e, "lower", a, 20);
        tap_ok(addr_eq_str(a, vec_str(e, "checksummed")), "EIP-55 %s", vec_str(e, "checksummed"));
    }

    for (size_t i = 0; i < vec_len(keys); i++) {
        json_object *k = vec_at(keys, i);
        const char *name = vec_str(k, "name"), *want_addr = vec_str(k, "address");
        json_object *sd = vec_get(k, "signDigest"), *ps = vec_get(k, "personalSignRaw32");
        uint8_t priv[32], pub[65];
        char astr[MAV2_ADDRESS_STR_MAX], what[128];
        EVP_PKEY *pkey;
        mav2_signer *signer;

        vec_hex_exact(k, "privateKey", priv, 32);
        vec_hex_exact(k, "publicKeyUncompressed", pub, 65);
        pkey = pkey_from_priv(priv);
        tap_ok(mav2_pkey_address(pkey, NULL, astr) && strcmp(astr, want_addr) == 0,
               "key %s: address %s", name, want_addr);
        signer = mav2_signer_new(pkey);
        EVP_PKEY_free(pkey);
        if (!tap_ok(signer != NULL, "key %s: signer", name))
            continue;
        tap_mem_eq(mav2_signer_pubkey(signer), pub, 65, "signer public point");
        tap_ok(strcmp(mav2_signer_address_str(signer), want_addr) == 0, "signer address string");

        for (size_t j = 0; j < vec_len(sd); j++) {
            json_object *d = vec_at(sd, j);
            uint8_t hash[32], want[65], sig[65];
            vec_hex_exact(d, "hash", hash, 32);
            vec_hex_exact(d, "serialized65", want, 65);
            snprintf(what, sizeof(what), "key %s digest %s", name, vec_str(d, "hashName"));
            tap_ok(mav2_signer_sign_digest(signer, hash, sig), "%s: signed", what);
            tap_mem_eq(sig, want, 65, "software key: byte-identical to the reference (RFC 6979)");
            check_sig(hash, sig, want_addr, what);
            check_sig(hash, want, want_addr, "vector's own signature");
            check_normalization(hash, want, pub, what);
        }
        for (size_t j = 0; j < vec_len(ps); j++) {
            json_object *d = vec_at(ps, j);
            uint8_t msg[32], h[32], want_h[32], sig[65], want[65];
            vec_hex_exact(d, "message", msg, 32);
            vec_hex_exact(d, "eip191Hash", want_h, 32);
            vec_hex_exact(d, "serialized65", want, 65);
            mh_eip191_hash(msg, 32, h);
            snprintf(what, sizeof(what), "key %s personal_sign %s", name, vec_str(d, "hashName"));
            tap_ok(mav2_signer_sign_personal(signer, msg, sig), "%s: signed", what);
            tap_mem_eq(sig, want, 65, "personal_sign: byte-identical to the reference");
            check_sig(want_h, sig, want_addr, what);
        }
        mav2_signer_free(signer);
    }
    json_object_put(v);
}

static void test_userop_signatures(void)
{
    json_object *v = vec_load("mav2_signatures.json");
    json_object *arr = vec_get(v, "userOpSignatures");
    json_object *erc = vec_get(v, "erc1271");
    size_t signed_ops = 0;

    for (size_t i = 0; i < vec_len(arr); i++) {
        json_object *e = vec_at(arr, i);
        uint8_t priv[32], hash[32], h191[32], want[67], sig[67];
        const char *who;
        char what[160];
        EVP_PKEY *pkey;
        mav2_signer *signer;

        if (vec_opt(e, "signerPrivateKey") == NULL) {
            if (vec_opt(e, "dummySignature") != NULL) {
                uint8_t stub[67];
                uint8_t got[67];
                vec_hex_exact(e, "dummySignature", stub, 67);
                mav2_stub_signature(got);
                tap_mem_eq(got, stub, 67, "stub signature from the core");
            }
            continue;
        }
        who = vec_str(e, "signerAddress");
        vec_hex_exact(e, "signerPrivateKey", priv, 32);
        vec_hex_exact(e, "userOpHash", hash, 32);
        vec_hex_exact(e, "eip191HashSigned", h191, 32);
        vec_hex_exact(e, "userOpSignature", want, 67);
        snprintf(what, sizeof(what), "user op #%zu (entity %lld)", i,
                 (long long)vec_int(e, "entityId"));
        pkey = pkey_from_priv(priv);
        signer = mav2_signer_new(pkey);
        EVP_PKEY_free(pkey);
        tap_ok(signer != NULL && mav2_signer_sign_userop(signer, hash, sig), "%s: signed", what);
        tap_ok(sig[0] == 0xff && sig[1] == 0x00, "%s: 0xFF 0x00 prefix", what);
        tap_mem_eq(sig, want, 67, "user-op signature byte-identical to the reference");
        check_sig(h191, sig + 2, who, what);
        check_sig(h191, want + 2, who, "vector's user-op signature");
        mav2_signer_free(signer);
        signed_ops++;
    }
    tap_ok(signed_ops >= 10, "signed %zu user-op vectors", signed_ops);

    for (size_t i = 0; i < vec_len(erc); i++) {
        json_object *e = vec_at(erc, i);
        uint8_t priv[32], rsh[32], want_rsh[32], h191[32], sig[65], *want,
            packed[MAV2_1271_SIG_LEN];
        size_t want_len;
        char what[96], who[MAV2_ADDRESS_STR_MAX];
        unsigned char acct[20];
        uint32_t entity = (uint32_t)vec_int(e, "entityId");
        EVP_PKEY *pkey;
        mav2_signer *signer;

        vec_hex_exact(e, "signerPrivateKey", priv, 32);
        vec_hex_exact(e, "eip191Hash", h191, 32);
        vec_hex_exact(e, "replaySafeHash", want_rsh, 32);
        vec_hex_exact(e, "account", acct, 20);
        want = vec_hex(e, "packed1271Signature", &want_len);
        snprintf(what, sizeof(what), "ERC-1271 #%zu (entity %u)", i, entity);
        tap_ok(
            mav2_replay_safe_hash(h191, (uint64_t)vec_int(e, "chainId"), acct, entity, NULL, rsh) &&
                memcmp(rsh, want_rsh, 32) == 0,
            "%s: replay-safe hash from the core", what);
        pkey = pkey_from_priv(priv);
        signer = mav2_signer_new(pkey);
        EVP_PKEY_free(pkey);
        tap_ok(signer != NULL && mav2_signer_sign_digest(signer, rsh, sig), "%s: signed", what);
        snprintf(who, sizeof(who), "%s", signer ? mav2_signer_address_str(signer) : "?");
        check_sig(rsh, sig, who, what);
        tap_mem_eq(sig, want + 7, 65, "ERC-1271 r s v byte-identical to the reference");
        tap_ok(mav2_1271_signature(entity, sig, packed) && MAV2_1271_SIG_LEN == want_len &&
                   memcmp(packed, want, 7) == 0,
               "%s: layout 0x00 entity 0xFF 0x00 r s v", what);
        check_sig(rsh, want + 7, who, "vector's ERC-1271 signature");
        free(want);
        mav2_signer_free(signer);
    }
    json_object_put(v);
}

static void test_refusals(void)
{
    EVP_PKEY *p256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    unsigned char sig[65], digest[32] = {1}, pub[65] = {4};
    static const unsigned char junk[8] = {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01};

    tap_ok(p256 && mav2_signer_new(p256) == NULL, "P-256 key refused");
    tap_ok(strstr(mav2_last_error(), "secp256k1") != NULL, "message names secp256k1: %s",
           mav2_last_error());
    tap_ok(ed && mav2_signer_new(ed) == NULL, "Ed25519 key refused");
    tap_ok(mav2_signer_new(NULL) == NULL, "NULL key refused");
    tap_ok(!mav2_sig_from_der(junk, 3, digest, pub, sig), "truncated DER refused");
    tap_ok(!mav2_sig_from_der(junk, sizeof(junk), digest, pub, sig), "r = s = 1 under a bad key");
    memset(sig, 0, sizeof(sig));
    tap_ok(!mav2_sig_normalize(sig, NULL), "zero r/s refused");
    memset(sig, 0xff, 64);
    tap_ok(!mav2_sig_normalize(sig, NULL), "r, s >= n refused");
    EVP_PKEY_free(p256);
    EVP_PKEY_free(ed);
}

/* OpenSSL's own signatures (random nonces, high and low s, both recovery ids,
 * digests 0 and above n) through the finishing step: each comes out low-s and
 * recovers to the key. */
static void test_random_nonces(void)
{
    json_object *v = vec_load("secp256k1.json");
    json_object *k = vec_at(vec_get(v, "keys"), 1);
    uint8_t priv[32], pub[65], digest[32], der[80], sig[65], p[65];
    EVP_PKEY *pkey;
    EVP_PKEY_CTX *ctx;
    size_t ok = 0, seen[2] = {0, 0}, refused = 0, rounds = 300;

    vec_hex_exact(k, "privateKey", priv, 32);
    vec_hex_exact(k, "publicKeyUncompressed", pub, 65);
    pkey = pkey_from_priv(priv);
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, "provider=default");
    if (ctx == NULL || EVP_PKEY_sign_init(ctx) <= 0)
        tap_bail("cannot sign with OpenSSL");
    for (size_t i = 0; i < rounds; i++) {
        size_t der_len = sizeof(der);
        mh_keccak256((const unsigned char *)&i, sizeof(i), digest);
        if (i < 2) /* z = 0 and z >= n */
            memset(digest, i == 0 ? 0x00 : 0xff, sizeof(digest));
        if (EVP_PKEY_sign(ctx, der, &der_len, digest, 32) <= 0)
            tap_bail("OpenSSL signing failed");
        if (mav2_sig_from_der(der, der_len, digest, pub, sig) && mav2_sig_is_low_s(sig) &&
            mav2_sig_recover(digest, sig, p, NULL) && memcmp(p, pub, 65) == 0) {
            ok++;
            seen[sig[64] - 27]++;
        }
        digest[31] ^= 0x80;
        refused += !mav2_sig_from_der(der, der_len, digest, pub, sig);
    }
    tap_ok(ok == rounds, "%zu of %zu random-nonce signatures finished and recover to the key", ok,
           rounds);
    tap_ok(seen[0] > 0 && seen[1] > 0, "both recovery ids met (%zu x v=27, %zu x v=28)", seen[0],
           seen[1]);
    tap_ok(refused == rounds, "%zu of %zu refused over another digest", refused, rounds);
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(pkey);
    json_object_put(v);
}

int main(void)
{
    test_keys();
    test_userop_signatures();
    test_random_nonces();
    test_refusals();
    return tap_done();
}
