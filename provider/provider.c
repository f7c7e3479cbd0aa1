/* SPDX-License-Identifier: Apache-2.0 */
/* provider.c: the p11k1 provider's entry point, configuration and algorithm
 * tables.
 *
 * Configuration (openssl.cnf provider section, each overridden by an
 * environment variable when that is set):
 *   pkcs11-module  P11K1_MODULE      module path or p11-kit name (default: proxy)
 *   pin-source     P11K1_PIN_SOURCE  file holding the user PIN
 *   pin-env        P11K1_PIN_ENV     environment variable holding the PIN
 *   early-load     P11K1_EARLY_LOAD  "yes": load the module when the provider
 *                                    starts (and fail activation if it cannot)
 *   login          P11K1_LOGIN       "auto" (default): log in when a PIN is at
 *                                    hand; "never": public keys only, no PIN
 *   cache-keys     P11K1_CACHE_KEYS  "yes" (default): sign with a session copy
 *                                    of each key; "no": with the token object
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/provider.h>

#include "provider/prov.h"

/* libcrypto's own flag (not in its public headers): initialize nothing, only
 * report whether OPENSSL_cleanup() has started. */
#ifndef OPENSSL_INIT_BASE_ONLY
#define OPENSSL_INIT_BASE_ONLY 0x00040000L
#endif

static char *conf_value(const char *from_conf, const char *env)
{
    const char *v = getenv(env);
    if (v == NULL || *v == '\0')
        v = from_conf;
    if (v == NULL || *v == '\0')
        return NULL;
    return OPENSSL_strdup(v);
}

static int is_yes(const char *v)
{
    return v != NULL && (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0 ||
                         strcasecmp(v, "on") == 0 || strcmp(v, "1") == 0);
}

/* The first line of the pin-source file into buf. read(2), not stdio: no
 * buffer of ours keeps the PIN; a line that does not fit is refused (never
 * cut short and tried on the token). */
static int read_pin_file(p11k1_prov *prov, char *buf, size_t buf_len)
{
    const char *path = prov->pin_source;
    size_t got = 0, n;
    ssize_t r = 0;
    int fd, e;

    if (strncmp(path, "file://", 7) == 0)
        path += 7;
    else if (strncmp(path, "file:", 5) == 0)
        path += 5;
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        P11K1_RAISE(prov, P11K1_E_PIN_SOURCE, "%s: %s", prov->pin_source, strerror(errno));
        return 0;
    }
    while (got < buf_len) {
        r = read(fd, buf + got, buf_len - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    e = errno;
    close(fd);
    n = 0;
    while (n < got && buf[n] != '\n' && buf[n] != '\r' && buf[n] != '\0')
        n++;
    if (r < 0 || n == buf_len) {
        OPENSSL_cleanse(buf, buf_len);
        if (r < 0)
            P11K1_RAISE(prov, P11K1_E_PIN_SOURCE, "%s: %s", prov->pin_source, strerror(e));
        else
            P11K1_RAISE(prov, P11K1_E_PIN_SOURCE, "%s: PIN longer than %zu bytes", prov->pin_source,
                        buf_len - 1);
        return 0;
    }
    OPENSSL_cleanse(buf + n, buf_len - n);
    return n > 0;
}

static int prov_pin_cb(char *buf, size_t buf_len, const char *token_label, void *arg)
{
    p11k1_prov *prov = arg;

    if (buf_len < 2 || prov->login_never)
        return 0;
    if (prov->pin_source == NULL)
        return p11k1_store_pin(buf, buf_len);
    return read_pin_file(prov, buf, buf_len);
}

p11k1_ctx *p11k1_prov_ctx(p11k1_prov *prov)
{
    p11k1_ctx *ctx;
    p11k1_config cfg;
    CK_RV rv;

    if (!CRYPTO_THREAD_read_lock(prov->lock))
        return NULL;
    ctx = prov->p11;
    CRYPTO_THREAD_unlock(prov->lock);
    if (ctx != NULL)
        return ctx;

    if (!CRYPTO_THREAD_write_lock(prov->lock))
        return NULL;
    if (prov->p11 == NULL) {
        p11k1_config_init(&cfg);
        cfg.module = prov->module;
        cfg.pin_env = prov->login_never ? NULL : prov->pin_env;
        cfg.pin_cb = prov_pin_cb;
        cfg.pin_cb_arg = prov;
        rv = p11k1_ctx_new(&cfg, &prov->p11);
        if (rv != CKR_OK) {
            prov->p11 = NULL;
            P11K1_RAISE_RV(prov, rv, prov->module ? prov->module : "p11-kit proxy");
        } else if (prov->no_key_cache) {
            p11k1_ctx_set_key_cache(prov->p11, 0);
        }
    }
    ctx = prov->p11;
    CRYPTO_THREAD_unlock(prov->lock);
    return ctx;
}

static const OSSL_PARAM prov_param_types[] = {
    OSSL_PARAM_DEFN(OSSL_PROV_PARAM_NAME, OSSL_PARAM_UTF8_PTR, NULL, 0),
    OSSL_PARAM_DEFN(OSSL_PROV_PARAM_VERSION, OSSL_PARAM_UTF8_PTR, NULL, 0),
    OSSL_PARAM_DEFN(OSSL_PROV_PARAM_BUILDINFO, OSSL_PARAM_UTF8_PTR, NULL, 0),
    OSSL_PARAM_DEFN(OSSL_PROV_PARAM_STATUS, OSSL_PARAM_INTEGER, NULL, 0),
    OSSL_PARAM_END,
};

static const OSSL_PARAM *prov_gettable_params(void *provctx)
{
    return prov_param_types;
}

static int prov_get_params(void *provctx, OSSL_PARAM params[])
{
    OSSL_PARAM *p;

    p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_NAME);
    if (p != NULL && !OSSL_PARAM_set_utf8_ptr(p, "p11k1: secp256k1 keys in PKCS#11 tokens"))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_VERSION);
    if (p != NULL && !OSSL_PARAM_set_utf8_ptr(p, PACKAGE_VERSION))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_BUILDINFO);
    if (p != NULL && !OSSL_PARAM_set_utf8_ptr(p, PACKAGE_STRING))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_STATUS);
    if (p != NULL && !OSSL_PARAM_set_int(p, 1))
        return 0;
    return 1;
}

#define ALG(names, props, fns, desc)                                                               \
    {                                                                                              \
        names, props, fns, desc                                                                    \
    }

static const OSSL_ALGORITHM prov_store[] = {
    ALG("pkcs11", P11K1_PROV_PROPS, p11k1_store_functions, "secp256k1 keys in PKCS#11 tokens"),
    ALG(NULL, NULL, NULL, NULL),
};
static const OSSL_ALGORITHM prov_keymgmt[] = {
    ALG("EC:id-ecPublicKey:1.2.840.10045.2.1", P11K1_PROV_PROPS, p11k1_keymgmt_functions,
        "secp256k1 keys held by reference in a PKCS#11 token"),
    ALG(NULL, NULL, NULL, NULL),
};
static const OSSL_ALGORITHM prov_signature[] = {
    ALG("ECDSA", P11K1_PROV_PROPS, p11k1_signature_functions, "ECDSA made by a PKCS#11 token"),
    ALG(NULL, NULL, NULL, NULL),
};
static const OSSL_ALGORITHM prov_digest[] = {
    ALG("KECCAK-256:KECCAK256", P11K1_PROV_PROPS, p11k1_keccak256_functions,
        "Keccak-256 (Ethereum, original padding)"),
    ALG(NULL, NULL, NULL, NULL),
};
#define ENC_PROPS(rest) P11K1_PROV_PROPS "," rest
static const OSSL_ALGORITHM prov_encoder[] = {
    ALG("EC", ENC_PROPS("output=der,structure=SubjectPublicKeyInfo"), p11k1_enc_spki_der_functions,
        "secp256k1 public key, DER"),
    ALG("EC", ENC_PROPS("output=pem,structure=SubjectPublicKeyInfo"), p11k1_enc_spki_pem_functions,
        "secp256k1 public key, PEM"),
    ALG("EC", ENC_PROPS("output=text"), p11k1_enc_text_functions, "secp256k1 public key, text"),
    ALG("EC", ENC_PROPS("output=der,structure=PrivateKeyInfo"), p11k1_enc_ref_der_functions,
        "token key: its PKCS#11 URI (a reference, not the key)"),
    ALG("EC", ENC_PROPS("output=pem,structure=PrivateKeyInfo"), p11k1_enc_ref_pem_functions,
        "token key: its PKCS#11 URI (a reference, not the key)"),
    ALG("EC", ENC_PROPS("output=der,structure=EncryptedPrivateKeyInfo"),
        p11k1_enc_ref_der_functions, "token key: its PKCS#11 URI (a reference, not the key)"),
    ALG("EC", ENC_PROPS("output=pem,structure=EncryptedPrivateKeyInfo"),
        p11k1_enc_ref_pem_functions, "token key: its PKCS#11 URI (a reference, not the key)"),
    ALG("EC", ENC_PROPS("output=der,structure=type-specific"), p11k1_enc_ref_der_functions,
        "token key: its PKCS#11 URI (a reference, not the key)"),
    ALG("EC", ENC_PROPS("output=pem,structure=type-specific"), p11k1_enc_ref_pem_functions,
        "token key: its PKCS#11 URI (a reference, not the key)"),
    ALG(NULL, NULL, NULL, NULL),
};

static const OSSL_ALGORITHM prov_decoder[] = {
    ALG("DER", P11K1_PROV_PROPS ",input=pem", p11k1_dec_ref_pem_functions,
        "PEM \"" P11K1_PEM_LABEL "\" to DER"),
    ALG("EC", P11K1_PROV_PROPS ",input=der,structure=" P11K1_DER_STRUCTURE,
        p11k1_dec_ref_der_functions, "PKCS#11 URI reference to the token key"),
    ALG(NULL, NULL, NULL, NULL),
};

static const OSSL_ALGORITHM *prov_query(void *provctx, int operation_id, int *no_cache)
{
    *no_cache = 0;
    switch (operation_id) {
    case OSSL_OP_STORE:
        return prov_store;
    case OSSL_OP_KEYMGMT:
        return prov_keymgmt;
    case OSSL_OP_SIGNATURE:
        return prov_signature;
    case OSSL_OP_DIGEST:
        return prov_digest;
    case OSSL_OP_ENCODER:
        return prov_encoder;
    case OSSL_OP_DECODER:
        return prov_decoder;
    default:
        return NULL;
    }
}

static void prov_teardown(void *provctx)
{
    p11k1_prov *prov = provctx;

    if (prov == NULL)
        return;
    /* During OPENSSL_cleanup() at exit, modules that use OpenSSL themselves
     * (SoftHSM2) crash in C_CloseSession/C_Finalize: free only our memory and
     * leave the module to the process exit then. OPENSSL_init_crypto() fails
     * once cleanup started. Keys (p11k1_pkey) are OpenSSL's to free; freeing
     * one never touches the context. */
    if (OPENSSL_init_crypto(OPENSSL_INIT_BASE_ONLY, NULL))
        p11k1_ctx_free(prov->p11);
    else
        p11k1_ctx_abandon(prov->p11);
    OSSL_LIB_CTX_free(prov->libctx);
    CRYPTO_THREAD_lock_free(prov->lock);
    OPENSSL_free(prov->module);
    OPENSSL_free(prov->pin_source);
    OPENSSL_free(prov->pin_env);
    OPENSSL_free(prov);
}

static const OSSL_DISPATCH prov_functions[] = {
    {OSSL_FUNC_PROVIDER_TEARDOWN, (void (*)(void))prov_teardown},
    {OSSL_FUNC_PROVIDER_GETTABLE_PARAMS, (void (*)(void))prov_gettable_params},
    {OSSL_FUNC_PROVIDER_GET_PARAMS, (void (*)(void))prov_get_params},
    {OSSL_FUNC_PROVIDER_QUERY_OPERATION, (void (*)(void))prov_query},
    {OSSL_FUNC_PROVIDER_GET_REASON_STRINGS, (void (*)(void))p11k1_prov_reason_strings},
    {0, NULL},
};

/* cache-keys = yes | no (or another word is_yes knows, and its opposite). */
static int conf_cache_keys(p11k1_prov *prov, const char *value)
{
    char *v = conf_value(value, "P11K1_CACHE_KEYS");
    int ok = 1;

    if (v != NULL && (strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0 ||
                      strcasecmp(v, "off") == 0 || strcmp(v, "0") == 0))
        prov->no_key_cache = 1;
    else if (v != NULL && !is_yes(v)) {
        P11K1_RAISE(prov, P11K1_E_BAD_PARAMETER, "cache-keys = %s: use yes or no", v);
        ok = 0;
    }
    OPENSSL_free(v);
    return ok;
}

/* Reads the provider's section of the configuration through the core. */
static int prov_configure(p11k1_prov *prov, OSSL_FUNC_core_get_params_fn *get_params)
{
    const char *module = NULL, *pin_source = NULL, *pin_env = NULL, *early = NULL, *login = NULL,
               *cache = NULL;
    char *early_v, *login_v;
    int ok = 1;
    OSSL_PARAM params[] = {
        OSSL_PARAM_utf8_ptr("pkcs11-module", (char **)&module, 0),
        OSSL_PARAM_utf8_ptr("pin-source", (char **)&pin_source, 0),
        OSSL_PARAM_utf8_ptr("pin-env", (char **)&pin_env, 0),
        OSSL_PARAM_utf8_ptr("early-load", (char **)&early, 0),
        OSSL_PARAM_utf8_ptr("login", (char **)&login, 0),
        OSSL_PARAM_utf8_ptr("cache-keys", (char **)&cache, 0),
        OSSL_PARAM_END,
    };

    if (get_params != NULL && !get_params(prov->handle, params))
        return 0;
    prov->module = conf_value(module, "P11K1_MODULE");
    prov->pin_source = conf_value(pin_source, "P11K1_PIN_SOURCE");
    prov->pin_env = conf_value(pin_env, "P11K1_PIN_ENV");
    login_v = conf_value(login, "P11K1_LOGIN");
    if (login_v != NULL && strcasecmp(login_v, "never") == 0)
        prov->login_never = 1;
    else if (login_v != NULL && strcasecmp(login_v, "auto") != 0) {
        P11K1_RAISE(prov, P11K1_E_BAD_PARAMETER, "login = %s: use auto or never", login_v);
        ok = 0;
    }
    OPENSSL_free(login_v);
    if (!ok || !conf_cache_keys(prov, cache))
        return 0;
    early_v = conf_value(early, "P11K1_EARLY_LOAD");
    if (is_yes(early_v) && p11k1_prov_ctx(prov) == NULL)
        ok = 0;
    OPENSSL_free(early_v);
    return ok;
}

int OSSL_provider_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in,
                       const OSSL_DISPATCH **out, void **provctx);

int OSSL_provider_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in,
                       const OSSL_DISPATCH **out, void **provctx)
{
    OSSL_FUNC_core_get_params_fn *get_params = NULL;
    p11k1_prov *prov;
    const OSSL_DISPATCH *d;

    prov = OPENSSL_zalloc(sizeof(*prov));
    if (prov == NULL)
        return 0;
    prov->handle = handle;
    for (d = in; d->function_id != 0; d++) {
        switch (d->function_id) {
        case OSSL_FUNC_CORE_GET_PARAMS:
            get_params = OSSL_FUNC_core_get_params(d);
            break;
        case OSSL_FUNC_CORE_NEW_ERROR:
            prov->core_new_error = OSSL_FUNC_core_new_error(d);
            break;
        case OSSL_FUNC_CORE_SET_ERROR_DEBUG:
            prov->core_set_error_debug = OSSL_FUNC_core_set_error_debug(d);
            break;
        case OSSL_FUNC_CORE_VSET_ERROR:
            prov->core_vset_error = OSSL_FUNC_core_vset_error(d);
            break;
        default:
            break;
        }
    }
    prov->lock = CRYPTO_THREAD_lock_new();
    prov->libctx = OSSL_LIB_CTX_new_child(handle, in);
    if (prov->lock == NULL || prov->libctx == NULL || !prov_configure(prov, get_params)) {
        prov_teardown(prov);
        return 0;
    }
    *out = prov_functions;
    *provctx = prov;
    return 1;
}
