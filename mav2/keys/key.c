/* SPDX-License-Identifier: Apache-2.0 */
/* key: OSSL_STORE_open_ex for pkcs11: URIs and key files, one EVP_PKEY out. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <openssl/store.h>
#include <openssl/ui.h>

#include "mav2/core/error.h"
#include "mav2/keys/key.h"
#include "mav2/keys/signer.h"

/* The longest PIN (SoftHSM2 and PKCS#11 tokens commonly allow 255 bytes). */
#define PIN_MAX 255

struct pin_ctx {
    const char *pin_file;
    const char *failed; /* why the pin file could not be used, or NULL */
    char why[64];
    int asked; /* a PIN/passphrase was asked for */
};

/* pem_password_cb shape, wrapped into a UI_METHOD: gives the first line of the
 * pin file. The PIN passes through buf only; the local copy is wiped. */
static int pin_from_file(char *buf, int size, int rwflag, void *u)
{
    struct pin_ctx *pc = u;
    char line[PIN_MAX + 2];
    ssize_t got;
    size_t n;
    int fd;

    (void)rwflag;
    if (pc == NULL)
        return -1;
    pc->asked = 1;
    if (pc->pin_file == NULL || size <= 0)
        return -1;
    /* read(2), not stdio: no buffer of the library's keeps a copy of the PIN */
    fd = open(pc->pin_file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        pc->failed = strerror(errno);
        return -1;
    }
    n = 0;
    while (n < sizeof(line) - 1 && (got = read(fd, line + n, sizeof(line) - 1 - n)) != 0) {
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            pc->failed = strerror(errno);
            break;
        }
        n += (size_t)got;
    }
    close(fd);
    line[n] = '\0';
    n = strcspn(line, "\r\n");
    /* a first line that does not fit is refused, never cut: no part of a PIN is sent */
    if (pc->failed == NULL && n == 0)
        pc->failed = "its first line is empty";
    else if (pc->failed == NULL && (n > PIN_MAX || n > (size_t)size)) {
        snprintf(pc->why, sizeof(pc->why), "its first line is longer than %d bytes",
                 size < PIN_MAX ? size : PIN_MAX);
        pc->failed = pc->why;
    }
    if (pc->failed != NULL) {
        OPENSSL_cleanse(line, sizeof(line));
        return -1;
    }
    memcpy(buf, line, n);
    OPENSSL_cleanse(line, sizeof(line));
    return (int)n;
}

static int has_scheme(const char *uri, const char *scheme)
{
    size_t n = strlen(scheme);
    return strncasecmp(uri, scheme, n) == 0 && uri[n] == ':';
}

/* A provider this file loaded is released at exit (keys are freed by then), so
 * OpenSSL's own cleanup can tear it down. */
static OSSL_PROVIDER *loaded_p11k1;

static void unload_p11k1(void)
{
    OSSL_PROVIDER_unload(loaded_p11k1);
    loaded_p11k1 = NULL;
}

/* A loaded provider that serves the pkcs11: store scheme, whatever the
 * configuration named its section. */
static OSSL_PROVIDER *find_pkcs11_provider(void)
{
    OSSL_STORE_LOADER *loader;
    OSSL_PROVIDER *prov;

    ERR_set_mark();
    loader = OSSL_STORE_LOADER_fetch(NULL, "pkcs11", NULL);
    ERR_pop_to_mark();
    if (loader == NULL)
        return NULL;
    prov = (OSSL_PROVIDER *)OSSL_STORE_LOADER_get0_provider(loader);
    OSSL_STORE_LOADER_free(loader);
    return prov;
}

/* The provider serving pkcs11: URIs; "p11k1" is loaded by name from OpenSSL's
 * module path only when none is loaded. */
static OSSL_PROVIDER *pkcs11_provider(void)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    OSSL_PROVIDER *prov;

    pthread_mutex_lock(&lock);
    prov = find_pkcs11_provider();
    if (prov == NULL && loaded_p11k1 == NULL) {
        loaded_p11k1 = OSSL_PROVIDER_try_load(NULL, "p11k1", 1);
        if (loaded_p11k1 != NULL) {
            atexit(unload_p11k1);
            prov = find_pkcs11_provider();
        }
    }
    pthread_mutex_unlock(&lock);
    return prov;
}

/* 1 if name is one of the ':'-separated algorithm names. */
static int names_include(const char *names, const char *name)
{
    size_t n = strlen(name);
    const char *p = names;

    for (;;) {
        if (strncasecmp(p, name, n) == 0 && (p[n] == ':' || p[n] == '\0'))
            return 1;
        if ((p = strchr(p, ':')) == NULL)
            return 0;
        p++;
    }
}

/* The property definition prov declares for its EC key management: a query
 * that selects its key generation whatever name the configuration gave it
 * (p11k1 says "provider=p11k1" under any section name). */
static int ec_keymgmt_props(OSSL_PROVIDER *prov, char *out, size_t cap)
{
    const OSSL_ALGORITHM *algs, *a;
    int no_cache = 0, ok = 0;

    algs = OSSL_PROVIDER_query_operation(prov, OSSL_OP_KEYMGMT, &no_cache);
    for (a = algs; a != NULL && a->algorithm_names != NULL && !ok; a++) {
        if (names_include(a->algorithm_names, "EC") && a->property_definition != NULL &&
            strlen(a->property_definition) < cap) {
            strcpy(out, a->property_definition);
            ok = 1;
        }
    }
    if (algs != NULL)
        OSSL_PROVIDER_unquery_operation(prov, OSSL_OP_KEYMGMT, algs);
    return ok;
}

/* A key file that p11k1 wrote for a token key ("PKCS#11 URI" PEM) holds only a
 * reference: reading it needs the provider just as a pkcs11: URI does. */
static int is_token_reference_file(const char *uri)
{
    static const char tag[] = "-----BEGIN PKCS#11 URI-----";
    char head[sizeof(tag)] = {0};
    const char *path = uri;
    FILE *f;
    size_t n;

    if (has_scheme(uri, "file"))
        path = uri + 5;
    else if (strstr(uri, "://") != NULL || has_scheme(uri, "pkcs11"))
        return 0;
    f = fopen(path, "r");
    if (f == NULL)
        return 0;
    n = fread(head, 1, sizeof(tag) - 1, f);
    fclose(f);
    return n == sizeof(tag) - 1 && memcmp(head, tag, n) == 0;
}

/* A pkcs11: URI needs a provider serving it (*prov, if prov is not NULL);
 * p11k1 is loaded unless the configuration loaded one. Loading it explicitly
 * would disable the default fallback, so keep that. */
static int ensure_providers(const char *uri, OSSL_PROVIDER **prov)
{
    OSSL_PROVIDER *p;

    if (!OSSL_PROVIDER_available(NULL, "default") &&
        OSSL_PROVIDER_try_load(NULL, "default", 1) == NULL)
        return mav2_error_ossl("cannot load OpenSSL's default provider");
    if (!has_scheme(uri, "pkcs11") && !is_token_reference_file(uri))
        return 1;
    p = pkcs11_provider();
    if (prov != NULL)
        *prov = p;
    if (p == NULL)
        return mav2_error_ossl("cannot load the p11k1 OpenSSL provider (needed for pkcs11: "
                               "URIs and token key references; set OPENSSL_MODULES or "
                               "OPENSSL_CONF)");
    return 1;
}

/* Takes a key out of one store object, if it is of a kind we want. */
static EVP_PKEY *key_of_info(OSSL_STORE_INFO *info, int want_private)
{
    switch (OSSL_STORE_INFO_get_type(info)) {
    case OSSL_STORE_INFO_PKEY:
        return OSSL_STORE_INFO_get1_PKEY(info);
    case OSSL_STORE_INFO_PUBKEY:
        return want_private ? NULL : OSSL_STORE_INFO_get1_PUBKEY(info);
    default:
        return NULL;
    }
}

/* Whether a pkcs11: URI attribute "NAME=..." of len bytes is a pin-value, read
 * as leniently as any parser might: spaces dropped, %XX decoded, any case. */
static int is_pin_value_attr(const char *a, size_t len)
{
    static const char want[] = "pin-value";
    size_t i = 0, w = 0;

    while (i < len && a[i] != '=') {
        char c = a[i++];
        unsigned v;
        if (c == ' ' || c == '\t')
            continue;
        if (c == '%' && i + 2 <= len && isxdigit((unsigned char)a[i]) &&
            isxdigit((unsigned char)a[i + 1]) && sscanf(a + i, "%2x", &v) == 1) {
            c = (char)v;
            i += 2;
        }
        if (w >= sizeof(want) - 1 || tolower((unsigned char)c) != want[w])
            return 0;
        w++;
    }
    return i < len && w == sizeof(want) - 1;
}

/* Appends n bytes of s to out (of cap bytes, *o used), cutting at the end. */
static void append_cut(char *out, size_t cap, size_t *o, const char *s, size_t n)
{
    if (n > cap - 1 - *o)
        n = cap - 1 - *o;
    memcpy(out + *o, s, n);
    *o += n;
    out[*o] = '\0';
}

/* uri for a message: without its query, and for a pkcs11: URI without any
 * pin-value attribute of its path. */
static void uri_for_message(const char *uri, char *out, size_t cap)
{
    size_t end = strcspn(uri, "?"), at = sizeof("pkcs11:") - 1, o = 0;

    out[0] = '\0';
    if (!has_scheme(uri, "pkcs11")) {
        append_cut(out, cap, &o, uri, end);
        return;
    }
    append_cut(out, cap, &o, uri, at);
    while (at < end) {
        size_t seg = strcspn(uri + at, ";?");
        if (seg > 0 && !is_pin_value_attr(uri + at, seg)) {
            if (o > sizeof("pkcs11:") - 1)
                append_cut(out, cap, &o, ";", 1);
            append_cut(out, cap, &o, uri + at, seg);
        }
        at += seg + (at + seg < end);
    }
}

/* The URI a provider gives its key (p11k1's "pkcs11_uri": token and object), or "". */
static void key_name(const EVP_PKEY *k, char *out, size_t cap)
{
    ERR_set_mark();
    if (!EVP_PKEY_get_utf8_string_param(k, "pkcs11_uri", out, cap, NULL))
        out[0] = '\0';
    ERR_pop_to_mark();
}

static int several_keys(const char *shown, const EVP_PKEY *first, const char *other)
{
    char name[256];

    key_name(first, name, sizeof(name));
    if (name[0] != '\0' && other[0] != '\0')
        return mav2_error_set("%s names more than one key (%s and %s): be more specific", shown,
                              name, other);
    return mav2_error_set("%s names more than one key: be more specific", shown);
}

static int load_from_store(const char *uri, const mav2_key_opts *o, const UI_METHOD *ui,
                           struct pin_ctx *pc, EVP_PKEY **out)
{
    OSSL_STORE_CTX *st;
    EVP_PKEY *priv = NULL, *pub = NULL;
    int want_private = (o->flags & MAV2_KEY_PRIVATE) != 0, several = 0;
    char shown[256], other[256] = "";

    uri_for_message(uri, shown, sizeof(shown));
    ERR_clear_error();
    st = OSSL_STORE_open_ex(uri, NULL, o->propq, ui, pc, NULL, NULL, NULL);
    if (st == NULL) {
        const char *path = has_scheme(uri, "file") ? uri + 5 : uri;
        if (!has_scheme(uri, "pkcs11") && access(path, R_OK) != 0)
            return mav2_error_set("cannot open key %s: %s", shown, strerror(errno));
        if (pc->failed != NULL)
            return mav2_error_set("cannot use the PIN file %s: %s", o->pin_file, pc->failed);
        return mav2_error_ossl("cannot open key %s", shown);
    }
    while (!OSSL_STORE_eof(st)) {
        OSSL_STORE_INFO *info = OSSL_STORE_load(st);
        EVP_PKEY *k;
        int is_priv;

        if (info == NULL) {
            if (OSSL_STORE_error(st))
                break;
            continue;
        }
        is_priv = OSSL_STORE_INFO_get_type(info) == OSSL_STORE_INFO_PKEY;
        k = key_of_info(info, want_private);
        OSSL_STORE_INFO_free(info);
        if (k == NULL)
            continue;
        if (is_priv && priv == NULL)
            priv = k;
        else if (!is_priv && pub == NULL)
            pub = k;
        else {
            if (!several)
                key_name(k, other, sizeof(other));
            several = 1;
            EVP_PKEY_free(k);
        }
    }
    OSSL_STORE_close(st);
    if (!several && priv != NULL && pub != NULL && !EVP_PKEY_eq(priv, pub)) {
        key_name(pub, other, sizeof(other));
        several = 1;
    }
    if (several) {
        several_keys(shown, priv != NULL ? priv : pub, other);
        EVP_PKEY_free(priv);
        EVP_PKEY_free(pub);
        return 0;
    }
    if (priv != NULL) {
        EVP_PKEY_free(pub);
        *out = priv;
        return 1;
    }
    if (pub != NULL) {
        *out = pub;
        return 1;
    }
    if (pc->failed != NULL)
        return mav2_error_set("cannot use the PIN file %s: %s", o->pin_file, pc->failed);
    if (pc->asked && o->pin_file == NULL && !o->interactive) {
        ERR_clear_error();
        return mav2_error_set("cannot load %s key from %s: no PIN or passphrase given (use a "
                              "pin-source, see mav2 --help)",
                              want_private ? "a private" : "a", shown);
    }
    if (ERR_peek_last_error() != 0)
        return mav2_error_ossl("cannot load %s key from %s", want_private ? "a private" : "a",
                               shown);
    return mav2_error_set("no %s key found at %s", want_private ? "private" : "usable", shown);
}

void mav2_key_opts_init(mav2_key_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->struct_size = sizeof(*o);
    o->flags = MAV2_KEY_PUBLIC;
}

int mav2_key_load(const char *uri_or_path, const mav2_key_opts *opts, EVP_PKEY **out)
{
    static const mav2_key_opts defaults = {sizeof(mav2_key_opts), MAV2_KEY_PUBLIC, NULL, 0, NULL};
    const mav2_key_opts *o = opts != NULL ? opts : &defaults;
    struct pin_ctx pc = {o->pin_file, NULL, {0}, 0};
    UI_METHOD *ui = NULL;
    EVP_PKEY *pkey = NULL;
    int ok;

    if (o->struct_size != sizeof(*o))
        return mav2_error_set("mav2_key_opts: struct_size %zu is not this library's (%zu): "
                              "fill it with mav2_key_opts_init",
                              o->struct_size, sizeof(*o));
    if (uri_or_path == NULL || *uri_or_path == '\0' || out == NULL)
        return mav2_error_set("no key URI or path given");
    *out = NULL;
    if (!ensure_providers(uri_or_path, NULL))
        return 0;
    if (o->pin_file != NULL || !o->interactive) {
        ui = UI_UTIL_wrap_read_pem_callback(pin_from_file, 0);
        if (ui == NULL)
            return mav2_error_set("out of memory");
    }
    ok = load_from_store(uri_or_path, o, ui != NULL ? ui : UI_OpenSSL(), &pc, &pkey);
    UI_destroy_method(ui);
    if (!ok)
        return 0;
    if (!mav2_pkey_address(pkey, NULL, NULL)) {
        EVP_PKEY_free(pkey);
        return 0;
    }
    *out = pkey;
    return 1;
}

/* token_uri with "?pin-source=file:PATH" (percent-encoded) appended when pin_file is
 * set and the URI has no query; else a copy. */
static char *uri_with_pin_file(const char *token_uri, const char *pin_file)
{
    static const char keep[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                               "-._~/";
    size_t n = strlen(token_uri), cap;
    char *s;

    if (pin_file == NULL || strchr(token_uri, '?') != NULL)
        return strdup(token_uri);
    cap = n + sizeof("?pin-source=file:") + 3 * strlen(pin_file);
    s = malloc(cap);
    if (s == NULL)
        return NULL;
    memcpy(s, token_uri, n);
    n += (size_t)snprintf(s + n, cap - n, "?pin-source=file:");
    for (const char *p = pin_file; *p != '\0'; p++) {
        if (strchr(keep, *p) != NULL)
            s[n++] = *p;
        else
            n += (size_t)snprintf(s + n, cap - n, "%%%02X", (unsigned char)*p);
    }
    s[n] = '\0';
    return s;
}

int mav2_key_generate(const char *token_uri, const char *label, const unsigned char *id,
                      size_t id_len, const char *pin_file, EVP_PKEY **out, char **uri_out)
{
    OSSL_PARAM params[5], *p = params;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *pkey = NULL;
    char *uri = NULL, shown[256], keyuri[1024], propq[256];
    OSSL_PROVIDER *prov = NULL;
    int ok = 0;

    if (out == NULL || token_uri == NULL || !has_scheme(token_uri, "pkcs11"))
        return mav2_error_set("a token pkcs11: URI is needed to generate a key");
    if (id != NULL && (id_len == 0 || id_len > 64))
        return mav2_error_set("a key id must be 1 to 64 bytes");
    *out = NULL;
    if (uri_out != NULL)
        *uri_out = NULL;
    uri_for_message(token_uri, shown, sizeof(shown));
    if (!ensure_providers(token_uri, &prov))
        return 0;
    if (!ec_keymgmt_props(prov, propq, sizeof(propq)))
        return mav2_error_set("the %s provider offers no EC key generation",
                              OSSL_PROVIDER_get0_name(prov));
    if (pin_file != NULL && access(pin_file, R_OK) != 0)
        return mav2_error_set("cannot read the PIN file %s: %s", pin_file, strerror(errno));
    uri = uri_with_pin_file(token_uri, pin_file);
    if (uri == NULL)
        return mav2_error_set("out of memory");
    *p++ = OSSL_PARAM_construct_utf8_string("group", (char *)"secp256k1", 0);
    *p++ = OSSL_PARAM_construct_utf8_string("pkcs11_uri", uri, 0);
    if (label != NULL)
        *p++ = OSSL_PARAM_construct_utf8_string("pkcs11_label", (char *)label, 0);
    if (id != NULL)
        *p++ = OSSL_PARAM_construct_octet_string("pkcs11_id", (void *)id, id_len);
    *p = OSSL_PARAM_construct_end();
    ERR_clear_error();
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", propq);
    if (ctx == NULL) {
        mav2_error_ossl("the %s provider offers no EC key generation",
                        OSSL_PROVIDER_get0_name(prov));
        goto out;
    }
    if (EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_CTX_set_params(ctx, params) <= 0) {
        mav2_error_ossl("cannot set up key generation on %s", shown);
        goto out;
    }
    if (EVP_PKEY_generate(ctx, &pkey) <= 0 || pkey == NULL) {
        mav2_error_ossl("key generation on %s failed", shown);
        goto out;
    }
    if (!mav2_pkey_address(pkey, NULL, NULL))
        goto out;
    if (uri_out != NULL) {
        if (!EVP_PKEY_get_utf8_string_param(pkey, "pkcs11_uri", keyuri, sizeof(keyuri), NULL)) {
            mav2_error_ossl("the new key on %s has no pkcs11_uri", shown);
            goto out;
        }
        *uri_out = strdup(keyuri);
        if (*uri_out == NULL) {
            mav2_error_set("out of memory");
            goto out;
        }
    }
    *out = pkey;
    pkey = NULL;
    ok = 1;
out:
    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(ctx);
    if (uri != NULL)
        OPENSSL_cleanse(uri, strlen(uri));
    free(uri);
    return ok;
}

/* A private key OpenSSL can read out is in this process. */
static int private_in_memory(EVP_PKEY *pkey)
{
    BIGNUM *d = NULL;
    int yes = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d) == 1 && d != NULL;

    BN_clear_free(d);
    ERR_clear_error();
    return yes;
}

int mav2_key_protection_get(EVP_PKEY *pkey, mav2_key_protection *out)
{
    static const char *const names[5] = {"pkcs11_sensitive", "pkcs11_always_sensitive",
                                         "pkcs11_extractable", "pkcs11_never_extractable",
                                         "pkcs11_local"};
    int *val[5];
    OSSL_PARAM params[7];

    if (pkey == NULL || out == NULL)
        return mav2_error_set("no key given");
    memset(out, 0, sizeof(*out));
    out->held = MAV2_KEY_HELD_UNKNOWN;
    val[0] = &out->sensitive;
    val[1] = &out->always_sensitive;
    val[2] = &out->extractable;
    val[3] = &out->never_extractable;
    val[4] = &out->local;
    /* the URI's size only: a token key by reference has one */
    params[0] = OSSL_PARAM_construct_utf8_string("pkcs11_uri", NULL, 0);
    for (int i = 0; i < 5; i++) {
        *val[i] = -1;
        params[i + 1] = OSSL_PARAM_construct_int(names[i], val[i]);
    }
    params[6] = OSSL_PARAM_construct_end();
    ERR_clear_error();
    if (!EVP_PKEY_get_params(pkey, params))
        return mav2_error_ossl("cannot read the key's attributes");
    for (int i = 0; i < 5; i++)
        if (!OSSL_PARAM_modified(&params[i + 1]) || (*val[i] != 0 && *val[i] != 1))
            *val[i] = -1;
    if (OSSL_PARAM_modified(&params[0]))
        out->held = MAV2_KEY_HELD_TOKEN;
    else if (private_in_memory(pkey))
        out->held = MAV2_KEY_HELD_SOFTWARE;
    return 1;
}

int mav2_key_is_hardware(const mav2_key_protection *p, const char **failing)
{
    static const struct {
        const char *name;
        int want;
        const char *why;
    } rules[5] = {
        {"CKA_SENSITIVE", 1, "the token may reveal the private key"},
        {"CKA_ALWAYS_SENSITIVE", 1, "the private key was not sensitive from the start"},
        {"CKA_EXTRACTABLE", 0, "the private key can be exported (wrapped) off the token"},
        {"CKA_NEVER_EXTRACTABLE", 1, "the private key was extractable once"},
        {"CKA_LOCAL", 1, "the private key was not generated on the token (imported)"},
    };
    const char *dummy;
    int val[5];

    if (failing == NULL)
        failing = &dummy;
    *failing = NULL;
    if (p == NULL || p->held != MAV2_KEY_HELD_TOKEN) {
        int sw = p != NULL && p->held == MAV2_KEY_HELD_SOFTWARE;
        *failing = sw ? "software" : "public key only";
        return mav2_error_set("%s", sw ? "a software key: its private key is in a file, not on a "
                                         "token"
                                       : "only a public key: where its private key is held is "
                                         "unknown");
    }
    val[0] = p->sensitive;
    val[1] = p->always_sensitive;
    val[2] = p->extractable;
    val[3] = p->never_extractable;
    val[4] = p->local;
    for (int i = 0; i < 5; i++) {
        if (val[i] == rules[i].want)
            continue;
        *failing = rules[i].name;
        if (val[i] != 0 && val[i] != 1)
            return mav2_error_set("%s is unknown: the token does not tell (a private key found "
                                  "without a login shows none)",
                                  rules[i].name);
        return mav2_error_set("%s is %s: %s", rules[i].name, val[i] ? "true" : "false",
                              rules[i].why);
    }
    return 1;
}
