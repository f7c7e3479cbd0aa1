/* SPDX-License-Identifier: Apache-2.0 */
/* prov-api.c: what an application does with the provider, through OpenSSL's
 * generic API only (the provider comes from OPENSSL_CONF):
 *   prov-api URI TOKEN_URI
 * loads the key at URI with OSSL_STORE_open, signs with EVP_DigestSign and
 * EVP_PKEY_sign, verifies, creates a key on TOKEN_URI through
 * EVP_PKEY_CTX_new_from_name("EC", "provider=p11k1") and signs from several
 * threads at once.
 *   prov-api URI TOKEN_URI REF_FILE
 * also writes the generated key with PEM_write_bio_PrivateKey (a PKCS#11 URI
 * reference) to REF_FILE and loads it back with OSSL_STORE_open and
 * PEM_read_bio_PrivateKey. */
#include <pthread.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/store.h>

#include "tap.h"

static EVP_PKEY *load_key(const char *uri)
{
    OSSL_STORE_CTX *st = OSSL_STORE_open(uri, NULL, NULL, NULL, NULL);
    EVP_PKEY *pkey = NULL;

    while (st != NULL && pkey == NULL && !OSSL_STORE_eof(st)) {
        OSSL_STORE_INFO *info = OSSL_STORE_load(st);
        if (info != NULL && OSSL_STORE_INFO_get_type(info) == OSSL_STORE_INFO_PKEY)
            pkey = OSSL_STORE_INFO_get1_PKEY(info);
        OSSL_STORE_INFO_free(info);
    }
    OSSL_STORE_close(st);
    return pkey;
}

static int digest_sign_verify(EVP_PKEY *pkey, const char *md)
{
    const unsigned char msg[] = "message for the token";
    unsigned char sig[80];
    size_t siglen = sizeof(sig);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = c != NULL && EVP_DigestSignInit_ex(c, NULL, md, NULL, NULL, pkey, NULL) == 1 &&
             EVP_DigestSign(c, sig, &siglen, msg, sizeof(msg)) == 1;

    EVP_MD_CTX_free(c);
    c = EVP_MD_CTX_new();
    ok = ok && c != NULL && EVP_DigestVerifyInit_ex(c, NULL, md, NULL, NULL, pkey, NULL) == 1 &&
         EVP_DigestVerify(c, sig, siglen, msg, sizeof(msg)) == 1;
    EVP_MD_CTX_free(c);
    return ok;
}

static int sign_digest(EVP_PKEY *pkey, const unsigned char d[32], unsigned char *sig,
                       size_t *siglen)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    int ok = c != NULL && EVP_PKEY_sign_init(c) == 1 && EVP_PKEY_sign(c, sig, siglen, d, 32) == 1;

    EVP_PKEY_CTX_free(c);
    return ok;
}

/* Verifies with the public key exported to the default provider. */
static int verify_default(EVP_PKEY *pkey, const unsigned char d[32], const unsigned char *sig,
                          size_t siglen)
{
    unsigned char pub[65];
    size_t pub_len = 0;
    EVP_PKEY *v = NULL;
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "EC", "provider=default");
    OSSL_PARAM params[] = {
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)"secp256k1", 0),
        OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pub, 0),
        OSSL_PARAM_END,
    };
    int ok;

    ok = EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub),
                                         &pub_len) == 1 &&
         pub_len == 65;
    params[1].data_size = pub_len;
    ok = ok && c != NULL && EVP_PKEY_fromdata_init(c) == 1 &&
         EVP_PKEY_fromdata(c, &v, EVP_PKEY_PUBLIC_KEY, params) == 1;
    EVP_PKEY_CTX_free(c);
    c = ok ? EVP_PKEY_CTX_new_from_pkey(NULL, v, "provider=default") : NULL;
    ok = ok && c != NULL && EVP_PKEY_verify_init(c) == 1 &&
         EVP_PKEY_verify(c, sig, siglen, d, 32) == 1;
    EVP_PKEY_CTX_free(c);
    EVP_PKEY_free(v);
    return ok;
}

static EVP_PKEY *generate(const char *token_uri, const char *label)
{
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "EC", "provider=p11k1");
    unsigned char id[] = {0x42, 0x43};
    OSSL_PARAM params[] = {
        OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)"secp256k1", 0),
        OSSL_PARAM_utf8_string("pkcs11_uri", (char *)token_uri, 0),
        OSSL_PARAM_utf8_string("pkcs11_label", (char *)label, 0),
        OSSL_PARAM_octet_string("pkcs11_id", id, sizeof(id)),
        OSSL_PARAM_END,
    };

    if (c == NULL || EVP_PKEY_keygen_init(c) != 1 || EVP_PKEY_CTX_set_params(c, params) != 1 ||
        EVP_PKEY_generate(c, &pkey) != 1)
        pkey = NULL;
    EVP_PKEY_CTX_free(c);
    return pkey;
}

/* The key written as a private key, read back both ways; 1 if both sign. */
static void reference_file(EVP_PKEY *gen, const char *path, const unsigned char d[32])
{
    BIO *b = BIO_new_file(path, "w");
    EVP_PKEY *back = NULL;
    unsigned char sig[80];
    size_t siglen = sizeof(sig);
    int ok = b != NULL && PEM_write_bio_PrivateKey(b, gen, NULL, NULL, 0, NULL, NULL) == 1;

    BIO_free(b);
    if (!tap_ok(ok, "PEM_write_bio_PrivateKey writes the token key's reference"))
        ERR_print_errors_fp(stdout);
    back = load_key(path);
    tap_ok(back != NULL && EVP_PKEY_eq(back, gen) == 1, "OSSL_STORE_open(\"%s\") gives the key",
           path);
    tap_ok(back != NULL && sign_digest(back, d, sig, &siglen) &&
               verify_default(gen, d, sig, siglen),
           "and it signs on the token");
    EVP_PKEY_free(back);
    back = NULL;
    b = BIO_new_file(path, "r");
    ok = b != NULL && PEM_read_bio_PrivateKey(b, &back, NULL, NULL) != NULL;
    BIO_free(b);
    siglen = sizeof(sig);
    tap_ok(ok && EVP_PKEY_eq(back, gen) == 1 && sign_digest(back, d, sig, &siglen) &&
               verify_default(gen, d, sig, siglen),
           "PEM_read_bio_PrivateKey gives it too, and it signs");
    ERR_clear_error();
    EVP_PKEY_free(back);
}

#define THREADS    4
#define PER_THREAD 25

static void *thread_sign(void *arg)
{
    EVP_PKEY *pkey = arg;
    unsigned char d[32], sig[80];
    size_t good = 0;

    for (int i = 0; i < PER_THREAD; i++) {
        size_t siglen = sizeof(sig);
        memset(d, i + 1, sizeof(d));
        if (sign_digest(pkey, d, sig, &siglen) && verify_default(pkey, d, sig, siglen))
            good++;
    }
    return (void *)good;
}

int main(int argc, char **argv)
{
    EVP_PKEY *pkey, *gen;
    unsigned char d[32], sig[80];
    size_t siglen = sizeof(sig), total = 0;
    char group[32] = "";
    pthread_t t[THREADS];

    if (argc != 3 && argc != 4)
        tap_bail("usage: prov-api KEY_URI TOKEN_URI [REF_FILE]");
    memset(d, 0x5a, sizeof(d));

    pkey = load_key(argv[1]);
    if (!tap_ok(pkey != NULL, "OSSL_STORE_open loads the private key"))
        ERR_print_errors_fp(stdout);
    if (pkey == NULL)
        return tap_done();
    tap_ok(EVP_PKEY_is_a(pkey, "EC") && EVP_PKEY_get_bits(pkey) == 256, "it is a 256-bit EC key");
    tap_ok(EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                          NULL) == 1 &&
               strcmp(group, "secp256k1") == 0,
           "group name secp256k1");
    tap_ok(EVP_PKEY_get_size(pkey) == 72, "max signature size 72");
    tap_ok(digest_sign_verify(pkey, "SHA256"), "EVP_DigestSign/Verify SHA256");
    tap_ok(digest_sign_verify(pkey, "SHA512"), "EVP_DigestSign/Verify SHA512");
    tap_ok(digest_sign_verify(pkey, "KECCAK-256"), "EVP_DigestSign/Verify KECCAK-256");
    tap_ok(sign_digest(pkey, d, sig, &siglen), "EVP_PKEY_sign of a 32-byte digest");
    tap_ok(verify_default(pkey, d, sig, siglen), "verified by the default provider");
    sig[siglen - 1] ^= 1;
    tap_ok(!verify_default(pkey, d, sig, siglen), "a changed signature is rejected");
    {
        EVP_PKEY *dup = EVP_PKEY_dup(pkey);
        siglen = sizeof(sig);
        if (!tap_ok(dup != NULL && EVP_PKEY_eq(dup, pkey) == 1 &&
                        sign_digest(dup, d, sig, &siglen) && verify_default(pkey, d, sig, siglen),
                    "EVP_PKEY_dup of the token key signs"))
            ERR_print_errors_fp(stdout);
        ERR_clear_error();
        EVP_PKEY_free(dup);
    }

    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, thread_sign, pkey);
    for (int i = 0; i < THREADS; i++) {
        void *good = NULL;
        pthread_join(t[i], &good);
        total += (size_t)good;
    }
    tap_ok(total == THREADS * PER_THREAD, "%d threads signing at once: %zu of %d verify", THREADS,
           total, THREADS * PER_THREAD);

    gen = generate(argv[2], "api-generated");
    if (!tap_ok(gen != NULL, "EVP_PKEY_generate on the token (provider=p11k1)"))
        ERR_print_errors_fp(stdout);
    siglen = sizeof(sig);
    {
        char uri[512] = "";
        tap_ok(gen != NULL &&
                   EVP_PKEY_get_utf8_string_param(gen, "pkcs11_uri", uri, sizeof(uri), NULL) &&
                   strstr(uri, "object=api-generated") != NULL && strstr(uri, "id=%42%43") != NULL,
               "pkcs11_uri names the generated key: %s", uri);
    }
    tap_ok(gen != NULL && sign_digest(gen, d, sig, &siglen) && verify_default(gen, d, sig, siglen),
           "the generated key signs");
    if (gen != NULL && argc == 4)
        reference_file(gen, argv[3], d);
    EVP_PKEY_free(gen);
    gen = generate(argv[2], "api-generated");
    tap_ok(gen == NULL, "generating the same label again fails");
    ERR_clear_error();
    EVP_PKEY_free(gen);
    EVP_PKEY_free(pkey);
    return tap_done();
}
