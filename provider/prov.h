/* SPDX-License-Identifier: Apache-2.0 */
/* prov.h: internals shared by the p11k1 OpenSSL provider's files.
 *
 * The provider exposes secp256k1 keys held in PKCS#11 tokens (through
 * libp11k1) to OpenSSL 3: a "pkcs11" OSSL_STORE loader, an "EC" KEYMGMT that
 * holds keys by reference, "ECDSA" signatures made on the token, a
 * "KECCAK-256" digest, public-key encoders and, for the private key, a
 * PKCS#11 URI reference encoder and its decoders. One file per operation.
 */
#ifndef P11K1_PROV_H
#define P11K1_PROV_H

#include <stddef.h>
#include <openssl/core.h>
#include <openssl/core_dispatch.h>
#include <openssl/crypto.h>
#include <openssl/types.h>

#include "pkcs11/p11k1.h"

#define P11K1_PROV_NAME    "p11k1"
#define P11K1_PROV_PROPS   "provider=p11k1"
#define P11K1_PROV_NOTSELF "provider!=p11k1"
#define P11K1_GROUP        "secp256k1"
#define P11K1_PUB_LEN      65
#define P11K1_SIG_DER_MAX  72

/* Key generation parameters (documented in provider/README.md). */
#define P11K1_PARAM_URI   "pkcs11_uri"
#define P11K1_PARAM_LABEL "pkcs11_label"
#define P11K1_PARAM_ID    "pkcs11_id"
/* Gettable key parameters: the private key's protection attributes (1 or 0;
 * absent when the token does not tell). */
#define P11K1_PARAM_SENSITIVE         "pkcs11_sensitive"
#define P11K1_PARAM_ALWAYS_SENSITIVE  "pkcs11_always_sensitive"
#define P11K1_PARAM_EXTRACTABLE       "pkcs11_extractable"
#define P11K1_PARAM_NEVER_EXTRACTABLE "pkcs11_never_extractable"
#define P11K1_PARAM_LOCAL             "pkcs11_local"

/* A token key written as a private key: a reference (uriref.c). */
#define P11K1_PEM_LABEL     "PKCS#11 URI"
#define P11K1_DER_STRUCTURE "p11k1-uri"

/* Reasons put on OpenSSL's error queue (strings in err.c). */
enum {
    P11K1_E_WRONG_PIN = 1,
    P11K1_E_PIN_LOCKED,
    P11K1_E_NO_PIN,
    P11K1_E_PIN_SOURCE,
    P11K1_E_NO_TOKEN,
    P11K1_E_TOKEN_REMOVED,
    P11K1_E_NO_KEY,
    P11K1_E_AMBIGUOUS,
    P11K1_E_WRONG_CURVE,
    P11K1_E_NOT_EC,
    P11K1_E_BAD_URI,
    P11K1_E_MODULE_LOAD,
    P11K1_E_KEY_EXISTS,
    P11K1_E_PRIVATE_KEY_STAYS,
    P11K1_E_NO_PRIVATE_KEY,
    P11K1_E_BAD_DIGEST_LENGTH,
    P11K1_E_UNSUPPORTED_DIGEST,
    P11K1_E_BAD_PARAMETER,
    P11K1_E_BAD_SIGNATURE,
    P11K1_E_TOKEN_ERROR,
    P11K1_E_INTERNAL,
    P11K1_E_MAY_NOT_SIGN,
};

typedef struct p11k1_prov {
    const OSSL_CORE_HANDLE *handle;
    OSSL_LIB_CTX *libctx; /* child of the caller's library context */
    OSSL_FUNC_core_new_error_fn *core_new_error;
    OSSL_FUNC_core_set_error_debug_fn *core_set_error_debug;
    OSSL_FUNC_core_vset_error_fn *core_vset_error;
    char *module;     /* NULL: the p11-kit proxy */
    char *pin_source; /* file holding the user PIN, or NULL */
    char *pin_env;    /* environment variable holding the PIN, or NULL */
    int login_never;  /* login = never: public keys only, no PIN read */
    int no_key_cache; /* cache-keys = no: sign with the token object itself */
    CRYPTO_RWLOCK *lock;
    p11k1_ctx *p11; /* created on first use (or at init with early-load) */
} p11k1_prov;

/* A key as the KEYMGMT holds it: a token key by reference, or (imported)
 * only a public point. Reference counted: the store hands it to keymgmt's
 * load(), signature contexts hold it too. */
typedef struct p11k1_pkey {
    unsigned int magic;
    int refs;
    p11k1_prov *prov;
    p11k1_key *key; /* NULL for an imported public key */
    unsigned char pub[P11K1_PUB_LEN];
    int has_pub;
} p11k1_pkey;

/* provider.c */
/* The module context, created on first use; NULL with an error raised. */
p11k1_ctx *p11k1_prov_ctx(p11k1_prov *prov);

/* err.c */
const OSSL_ITEM *p11k1_prov_reason_strings(void *provctx);
void p11k1_prov_raise(p11k1_prov *prov, const char *file, int line, const char *func, int reason,
                      const char *fmt, ...) __attribute__((format(printf, 6, 7)));
#define P11K1_RAISE(prov, reason, ...)                                                             \
    p11k1_prov_raise((prov), __FILE__, __LINE__, __func__, (reason), __VA_ARGS__)
/* Raises the error matching a failed libp11k1 call (what names the step). */
void p11k1_prov_raise_rv(p11k1_prov *prov, const char *file, int line, const char *func, CK_RV rv,
                         const char *what);
/* The same for a failed operation on key; a token that cannot be read any
 * more is reported as removed. */
void p11k1_prov_raise_key_rv(p11k1_prov *prov, const char *file, int line, const char *func,
                             const p11k1_key *key, CK_RV rv, const char *what);
#define P11K1_RAISE_KEY_RV(prov, key, rv, what)                                                    \
    p11k1_prov_raise_key_rv((prov), __FILE__, __LINE__, __func__, (key), (rv), (what))
#define P11K1_RAISE_RV(prov, rv, what)                                                             \
    p11k1_prov_raise_rv((prov), __FILE__, __LINE__, __func__, (rv), (what))

/* keymgmt.c */
extern const OSSL_DISPATCH p11k1_keymgmt_functions[];
p11k1_pkey *p11k1_pkey_new(p11k1_prov *prov, p11k1_key *key);
int p11k1_pkey_up_ref(p11k1_pkey *pk);
void p11k1_pkey_free(p11k1_pkey *pk);
/* DER SubjectPublicKeyInfo (named curve secp256k1) of a public point. */
#define P11K1_SPKI_LEN 88
void p11k1_spki_der(const unsigned char pub[P11K1_PUB_LEN], unsigned char out[P11K1_SPKI_LEN]);

/* store.c, signature.c, digest.c, encoder.c */
extern const OSSL_DISPATCH p11k1_store_functions[];
extern const OSSL_DISPATCH p11k1_signature_functions[];
extern const OSSL_DISPATCH p11k1_keccak256_functions[];
extern const OSSL_DISPATCH p11k1_enc_spki_der_functions[];
extern const OSSL_DISPATCH p11k1_enc_spki_pem_functions[];
extern const OSSL_DISPATCH p11k1_enc_text_functions[];
/* uriref.c */
extern const OSSL_DISPATCH p11k1_enc_ref_der_functions[];
extern const OSSL_DISPATCH p11k1_enc_ref_pem_functions[];
extern const OSSL_DISPATCH p11k1_dec_ref_pem_functions[];
extern const OSSL_DISPATCH p11k1_dec_ref_der_functions[];

/* store.c: the passphrase callback of the store operation running in this
 * thread, used as the last PIN source. */
int p11k1_store_pin(char *buf, size_t buf_len);
/* The one key uri names (a PIN from pw_cb if needed); NULL with an error
 * raised. */
p11k1_pkey *p11k1_store_load_one(p11k1_prov *prov, const char *uri, OSSL_PASSPHRASE_CALLBACK *pw_cb,
                                 void *pw_cbarg);
/* Hands pk to an object callback by reference (data type "EC"). */
int p11k1_pkey_pass(p11k1_pkey *pk, OSSL_CALLBACK *object_cb, void *object_cbarg);

#endif
