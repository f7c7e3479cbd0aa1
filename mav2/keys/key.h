/* SPDX-License-Identifier: Apache-2.0 */
/* key: loading a secp256k1 key through OSSL_STORE, whatever holds it.
 *
 * One entry point for `pkcs11:` URIs (served by whichever loaded provider
 * serves the pkcs11 store scheme, whatever its name in openssl.cnf; p11k1 is
 * loaded by name only when none is), `file:` URIs and plain paths
 * to PEM/DER files (default provider). Nothing here knows about PKCS#11: the
 * provider does. A PIN or PEM passphrase, when one is needed, comes from the
 * URI's pin-source, the provider's configuration, or the pin file given here;
 * it is read only when asked for and wiped after use.
 */
#ifndef MAV2_KEY_H
#define MAV2_KEY_H

#include <openssl/evp.h>
#include <stddef.h>
#include "mav2/core/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Flags for mav2_key_load. */
#define MAV2_KEY_PRIVATE 0x01 /* a private key is required (to sign) */
#define MAV2_KEY_PUBLIC  0x00 /* a public key is enough (an address) */

/* How to load a key. The caller allocates it and must fill it with mav2_key_opts_init
 * first: struct_size tells the library which layout it was given, so fields can be
 * added at the end without a new soname. */
typedef struct mav2_key_opts {
    size_t struct_size;   /* sizeof(mav2_key_opts) when made; set by mav2_key_opts_init */
    int flags;            /* MAV2_KEY_PRIVATE or MAV2_KEY_PUBLIC (the default) */
    const char *pin_file; /* file whose first line is the PIN/passphrase; default NULL */
    int interactive;      /* 1: may prompt on the terminal when a PIN is needed; default 0 */
    const char *propq;    /* OpenSSL property query; default NULL */
} mav2_key_opts;

/* Sets every field of *o (caller-allocated, not retained): struct_size and the
 * defaults above. Call it before setting fields; never memset one or copy one from
 * another build. Thread-safe (touches only *o). */
void mav2_key_opts_init(mav2_key_opts *o);

/* Loads the key named by uri_or_path ("pkcs11:...", "file:...", or a path).
 * opts may be NULL (the defaults of mav2_key_opts_init); one whose struct_size this
 * library does not know is refused. On success *out holds a new EVP_PKEY
 * (EVP_PKEY_free it). The key is checked to be on secp256k1. Returns 1, or 0 with a
 * one-line message in error.h. */
MAV2_WARN_UNUSED_RESULT int mav2_key_load(const char *uri_or_path, const mav2_key_opts *opts,
                                          EVP_PKEY **out);

/* Generates a secp256k1 key pair on the token named by token_uri
 * ("pkcs11:token=...") through the EC key generation of the provider serving
 * pkcs11: (see above; the private key never leaves the token). label is
 * CKA_LABEL (NULL: the URI's object=); id/id_len CKA_ID (NULL: the URI's id=,
 * else random). The PIN comes from the URI's pin-source, the provider's
 * configuration, or pin_file (may be NULL). On success *out holds the new key
 * (it signs right away; EVP_PKEY_free it) and *uri_out, if uri_out is not NULL,
 * a malloc'ed pkcs11: URI naming the key (free it). A label or id in use fails.
 * Returns 1, or 0 with a one-line message in error.h. */
MAV2_WARN_UNUSED_RESULT int mav2_key_generate(const char *token_uri, const char *label,
                                              const unsigned char *id, size_t id_len,
                                              const char *pin_file, EVP_PKEY **out, char **uri_out);

/* Where a key's private half is held (mav2_key_protection.held). */
enum {
    MAV2_KEY_HELD_UNKNOWN = 0, /* only a public key, or a provider that does not tell */
    MAV2_KEY_HELD_SOFTWARE,    /* the private key is in this process (a key file) */
    MAV2_KEY_HELD_TOKEN        /* a token key of the p11k1 provider */
};

/* A key's protection. For a token key, the private key's CKA_SENSITIVE,
 * CKA_ALWAYS_SENSITIVE, CKA_EXTRACTABLE, CKA_NEVER_EXTRACTABLE and CKA_LOCAL as
 * the p11k1 provider gives them (its pkcs11_* key parameters): 1 true, 0 false,
 * -1 unknown (the token did not tell, e.g. a key found without a login shows no
 * private key). Other keys: all -1. */
typedef struct mav2_key_protection {
    int held;
    int sensitive, always_sensitive, extractable, never_extractable, local;
    int reserved[8]; /* room for fields added later without a new size: zero */
} mav2_key_protection;

/* Fills *out for pkey through OpenSSL only (one read of the token for a token
 * key). Returns 1, or 0 with a one-line message in error.h (token unreadable). */
int mav2_key_protection_get(EVP_PKEY *pkey, mav2_key_protection *out);

/* 1 if p is a token key whose private key cannot leave its token: sensitive and
 * always sensitive, not extractable and never extractable, generated on the
 * token (local). Else 0, *failing (if not NULL) naming the first condition that
 * does not hold ("CKA_SENSITIVE" ... "CKA_LOCAL" in that order, or "software" /
 * "public key only" for a key that is not a token key), and a one-line message
 * in error.h saying why. */
int mav2_key_is_hardware(const mav2_key_protection *p, const char **failing);

/* The token serial and the CKA_ID (lowercase hex) of a token key, from the pkcs11_uri
 * its provider gives (p11k1), for records such as the audit ledger; both "" for
 * another key. Fails only when a value does not fit (serial_cap >= 33 and id_cap >=
 * 2 x the id length + 1 always fit a p11k1 key's). */
int mav2_key_token_ref(EVP_PKEY *pkey, char *serial, size_t serial_cap, char *id_hex,
                       size_t id_cap);

#ifdef __cplusplus
}
#endif
#endif /* MAV2_KEY_H */
