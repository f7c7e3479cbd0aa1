/* SPDX-License-Identifier: Apache-2.0 */
/* p11k1: secp256k1 signing keys that live inside a PKCS#11 token.
 *
 * Loads any PKCS#11 module through p11-kit (a file path, a p11-kit registered
 * module name, or the p11-kit proxy), finds key pairs by RFC 7512 URI, generates
 * non-extractable secp256k1 key pairs on the token and signs 32-byte digests
 * with CKM_ECDSA. Sessions are pooled per slot and logged in once; the pool is
 * thread-safe and re-initializes itself in a forked child.
 *
 * Errors: every function that talks to a token returns a CK_RV. PKCS#11 codes
 * are passed through unchanged; failures that are not PKCS#11's own carry one
 * of the P11K1_R_* codes below (in the CKR_VENDOR_DEFINED range).
 * p11k1_last_error() gives a one-line message for the calling thread's last
 * failure. No message ever contains a PIN.
 *
 * PINs: taken, in this order, from the URI's pin-source (a file) or pin-value,
 * from the environment variable named in p11k1_config.pin_env, or from
 * p11k1_config.pin_cb. A PIN is held only as long as the login needs it and is
 * wiped after use. A rejected PIN is never retried by this library.
 *
 * Behaviour worth knowing:
 * - Threads: every function may be called from any thread; one p11k1_key may
 *   sign from many threads at once (each signature borrows a pooled token session).
 * - Lifetime: free every p11k1_key before the p11k1_ctx it came from.
 * - Login is per application and token (PKCS#11): the first find/generate that
 *   needs it logs in once; later calls on that token reuse it. The URI's
 *   pin-source/pin-value are kept with the token's pool (a pin-value copy is
 *   wiped when the context is freed) so that a lost login (token sessions closed,
 *   token re-inserted, C_Logout by someone else) is redone by itself. After a
 *   token refused a PIN, p11k1_key_sign fails at once without trying it again;
 *   the next p11k1_key_find / _list / _generate may try again.
 * - fork(): the child may keep using the parent's context and keys; the first
 *   call in the child re-initializes the module and opens its own token sessions.
 *   A child is told by a pthread_atfork handler (no getpid() per call), so one
 *   made without the fork handlers (a raw clone()) is not.
 * - Signatures: r || s exactly as the token made it; s is often high (> n/2).
 */
#ifndef P11K1_H
#define P11K1_H

#include <stddef.h>
#include <p11-kit/pkcs11.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Failures that are not PKCS#11's own. */
#define P11K1_R_BAD_URI          (CKR_VENDOR_DEFINED | 0x6b310001UL) /* URI not RFC 7512 */
#define P11K1_R_MODULE_LOAD      (CKR_VENDOR_DEFINED | 0x6b310002UL) /* module not loadable */
#define P11K1_R_NO_TOKEN         (CKR_VENDOR_DEFINED | 0x6b310003UL) /* no token matches */
#define P11K1_R_NO_KEY           (CKR_VENDOR_DEFINED | 0x6b310004UL) /* no key matches */
#define P11K1_R_AMBIGUOUS        (CKR_VENDOR_DEFINED | 0x6b310005UL) /* several match */
#define P11K1_R_WRONG_CURVE      (CKR_VENDOR_DEFINED | 0x6b310006UL) /* EC, not secp256k1 */
#define P11K1_R_NOT_EC           (CKR_VENDOR_DEFINED | 0x6b310007UL) /* RSA or other type */
#define P11K1_R_BAD_PUBKEY       (CKR_VENDOR_DEFINED | 0x6b310008UL) /* CKA_EC_POINT malformed */
#define P11K1_R_EXISTS           (CKR_VENDOR_DEFINED | 0x6b310009UL) /* label/id already used */
#define P11K1_R_NO_PIN           (CKR_VENDOR_DEFINED | 0x6b31000aUL) /* login needed, no PIN */
#define P11K1_R_PIN_SOURCE       (CKR_VENDOR_DEFINED | 0x6b31000bUL) /* pin-source unreadable */
#define P11K1_R_BAD_SIGNATURE    (CKR_VENDOR_DEFINED | 0x6b31000cUL) /* token output not r||s */
#define P11K1_R_INVALID_ARGUMENT (CKR_VENDOR_DEFINED | 0x6b31000dUL)

/* Asks for a PIN. Writes at most buf_len - 1 bytes plus a NUL into buf and
 * returns 1, or returns 0 to give up. token_label names the token. */
typedef int (*p11k1_pin_cb)(char *buf, size_t buf_len, const char *token_label, void *arg);

/* The caller allocates it and must fill it with p11k1_config_init first: struct_size
 * tells the library which layout it was given, so fields can be added at the end
 * without a new soname. */
typedef struct p11k1_config {
    size_t struct_size; /* sizeof(p11k1_config) when made; set by p11k1_config_init */
    /* Module: a file path ("/usr/lib/softhsm/libsofthsm2.so"), a p11-kit
     * registered module name ("softhsm2"), or NULL for the p11-kit proxy.
     * A module-path or module-name attribute in a URI overrides it. */
    const char *module;
    /* Name of an environment variable holding the user PIN, or NULL. */
    const char *pin_env;
    p11k1_pin_cb pin_cb;
    void *pin_cb_arg;
} p11k1_config;

typedef struct p11k1_ctx p11k1_ctx; /* a module and its token-session pools */
typedef struct p11k1_key p11k1_key; /* a secp256k1 key pair on a token */

/* Sets every field of *cfg: struct_size, NULL for the rest (the p11-kit proxy, no
 * pin_env, no callback). Call it before setting fields; never memset one or copy one
 * from another build. */
void p11k1_config_init(p11k1_config *cfg);

/* Loads and initializes the module named by cfg (cfg may be NULL: the defaults of
 * p11k1_config_init; one whose struct_size this library does not know is refused,
 * P11K1_R_INVALID_ARGUMENT). A module initialized already by someone else
 * is used as it is and not finalized by p11k1_ctx_free(). */
CK_RV p11k1_ctx_new(const p11k1_config *cfg, p11k1_ctx **out);
void p11k1_ctx_free(p11k1_ctx *ctx);
/* Releases the context's memory without calling into any module: no
 * C_CloseSession, no C_Finalize, nothing unloaded. Its token sessions stay open and
 * its modules stay initialized and loaded (what p11-kit allocated for them
 * stays reachable) until the process ends. For a process that is exiting,
 * where modules may already be torn down (SoftHSM2 crashes in C_Finalize once
 * OpenSSL's atexit cleanup has run). Free the context's keys first, as with
 * p11k1_ctx_free(). PIN copies are wiped. */
void p11k1_ctx_abandon(p11k1_ctx *ctx);

/* Finds exactly one secp256k1 key pair matching a pkcs11: URI (token attributes,
 * slot-id, object, id, type=private|public; a URI naming no object means "the
 * only key on the token"). A URI naming no token searches every initialized
 * token (slots without one are skipped); keys on two tokens are
 * P11K1_R_AMBIGUOUS, the message naming both. P11K1_R_NO_KEY, P11K1_R_AMBIGUOUS,
 * P11K1_R_WRONG_CURVE and P11K1_R_NOT_EC say why not. With type=public the key
 * may lack a private half (it can then not sign). */
CK_RV p11k1_key_find(p11k1_ctx *ctx, const char *uri, p11k1_key **out);

/* Lists every secp256k1 key pair (or lone public key) matching uri; *keys is a
 * malloc'd array of *n_keys keys, freed with p11k1_key_list_free(). Keys on
 * other curves are skipped, not errors. */
CK_RV p11k1_key_list(p11k1_ctx *ctx, const char *uri, p11k1_key ***keys, size_t *n_keys);
void p11k1_key_list_free(p11k1_key **keys, size_t n_keys);

/* Generates a key pair on the token named by token_uri: CKM_EC_KEY_PAIR_GEN on
 * secp256k1, private key CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE, not
 * CKA_EXTRACTABLE, CKA_SIGN. label must be non-empty; id may be NULL (then a
 * random 16-byte id is chosen). P11K1_R_EXISTS if the label or id is taken. */
CK_RV p11k1_key_generate(p11k1_ctx *ctx, const char *token_uri, const char *label,
                         const unsigned char *id, size_t id_len, p11k1_key **out);

/* Signs a 32-byte digest with CKM_ECDSA; sig gets r || s (each 32 bytes,
 * big-endian, s as the token produced it: not normalized). */
CK_RV p11k1_key_sign(p11k1_key *key, const unsigned char digest[32], unsigned char sig[64]);

/* The uncompressed public point 04 || X || Y. */
void p11k1_key_public(const p11k1_key *key, unsigned char pub[65]);
/* 1 if the key has a private half that can sign. */
int p11k1_key_can_sign(const p11k1_key *key);
/* How a key's private half is kept, from its CKA_SENSITIVE,
 * CKA_ALWAYS_SENSITIVE, CKA_EXTRACTABLE, CKA_NEVER_EXTRACTABLE and CKA_LOCAL
 * (generated on the token): each P11K1_TRUE, P11K1_FALSE, or P11K1_UNKNOWN
 * when the token has no value for it or will not give one. */
#define P11K1_FALSE   0
#define P11K1_TRUE    1
#define P11K1_UNKNOWN (-1)
typedef struct p11k1_protection {
    int sensitive, always_sensitive, extractable, never_extractable, local;
    int reserved[8]; /* room for fields added later without a new size: zero */
} p11k1_protection;
/* Reads them from the token now (two of them can change: CKA_SENSITIVE to
 * true, CKA_EXTRACTABLE to false). A key without a private half (found without
 * a login, or type=public) gets P11K1_UNKNOWN for all five and CKR_OK; so
 * does every field when the read fails. */
CK_RV p11k1_key_protection(p11k1_key *key, p11k1_protection *out);
/* CKA_LABEL (NUL-terminated, may be "") and CKA_ID. */
const char *p11k1_key_label(const p11k1_key *key);
const unsigned char *p11k1_key_id(const p11k1_key *key, size_t *id_len);
/* A URI naming this key exactly (token, manufacturer, serial, model, object,
 * id; no PIN), malloc'd; free() it. NULL on allocation failure. */
char *p11k1_key_uri(const p11k1_key *key);
/* Releases the key (the token object stays). */
void p11k1_key_free(p11k1_key *key);

/* Session copies of keys (on by default): the first signature with a key in a
 * session epoch copies its private key into a session object (C_CopyObject,
 * CKA_TOKEN false) kept open with the session pool, and signatures use the
 * copy, which spares tokens that re-read token objects on every C_SignInit
 * (SoftHSM2's file backend). The copy is made again after the pool's sessions
 * were lost, the login was lost, or in a forked child; a token that refuses
 * the copy (CKA_COPYABLE false, no C_CopyObject) signs with the token object.
 * The copy lives in the module for as long as the pool's sessions do; it is
 * never a token object. on = 0 turns it off for keys of this context. */
void p11k1_ctx_set_key_cache(p11k1_ctx *ctx, int on);

/* Added for tests, benchmarks and callers that want to talk PKCS#11 directly.
 * The function list is p11-kit's (managed) one: do not C_Finalize it. */
/* The function list of the context's default module. */
CK_FUNCTION_LIST *p11k1_ctx_module(p11k1_ctx *ctx);
/* The function list, slot and private-key object handle of a key. The handle
 * is valid until its token sessions are lost (then p11k1_key_sign re-finds
 * it); CK_INVALID_HANDLE if the key cannot sign. */
CK_FUNCTION_LIST *p11k1_key_module(const p11k1_key *key);
CK_SLOT_ID p11k1_key_slot_id(const p11k1_key *key);
CK_OBJECT_HANDLE p11k1_key_private_handle(const p11k1_key *key);

/* Name of a CK_RV ("CKR_PIN_INCORRECT", "P11K1_R_NO_KEY", ...). */
const char *p11k1_rv_name(CK_RV rv);
/* One-line description of the calling thread's last failure; "" if none. */
const char *p11k1_last_error(void);

#ifdef __cplusplus
}
#endif
#endif /* P11K1_H */
