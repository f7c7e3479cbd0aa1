/* SPDX-License-Identifier: Apache-2.0 */
/* test-keys: generate, find, list and sign on a SoftHSM2 token, and the
 * errors for missing tokens, other curves, RSA keys and duplicates. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "token.h"

static const unsigned char digest[32] = {
    0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00,
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10};

static char uri_buf[1024];

static const char *pin_file;

/* base + "?pin-source=" the PIN file */
static const char *U(const char *base)
{
    snprintf(uri_buf, sizeof(uri_buf), "%s?pin-source=%s", base, pin_file);
    return uri_buf;
}

static int signs(p11k1_key *k)
{
    unsigned char sig[64], pub[65];
    if (p11k1_key_sign(k, digest, sig) != CKR_OK) {
        tap_diag("sign: %s", p11k1_last_error());
        return 0;
    }
    p11k1_key_public(k, pub);
    return tok_sig_ok(pub, digest, sig);
}

static int same_pub(const p11k1_key *a, const p11k1_key *b)
{
    unsigned char pa[65], pb[65];
    p11k1_key_public(a, pa);
    p11k1_key_public(b, pb);
    return memcmp(pa, pb, 65) == 0;
}

int main(void)
{
    const char *pin = pin_file = tok_init("keys");
    p11k1_ctx *ctx;
    p11k1_key *gen = NULL, *k = NULL, *k2 = NULL, **list;
    static const unsigned char id1[] = {0xa1, 0xb2};
    size_t n, id_len;
    const unsigned char *id;
    unsigned char pub[65];
    char *uri;
    CK_RV rv;

    tok_init("other");
    tok_init("bare");
    ctx = tok_ctx();

    /* generate */
    rv = p11k1_key_generate(ctx, U("pkcs11:token=keys"), "alice", id1, sizeof(id1), &gen);
    tap_ok(rv == CKR_OK, "generate alice (%s)", p11k1_last_error());
    if (gen == NULL)
        tap_bail("no key generated");
    p11k1_key_public(gen, pub);
    tap_ok(pub[0] == 0x04, "public point is uncompressed");
    tap_ok(p11k1_key_can_sign(gen), "generated key can sign");
    tap_ok(strcmp(p11k1_key_label(gen), "alice") == 0, "label kept");
    id = p11k1_key_id(gen, &id_len);
    tap_ok(id_len == 2 && memcmp(id, id1, 2) == 0, "id kept");
    tap_ok(signs(gen), "generated key signs, signature verifies");

    /* the only key on the token: token URI alone */
    rv = p11k1_key_find(ctx, U("pkcs11:token=keys"), &k);
    tap_ok(rv == CKR_OK && same_pub(k, gen), "found by token URI alone (one key)");
    p11k1_key_free(k);
    k = NULL;

    /* duplicates refused */
    rv = p11k1_key_generate(ctx, U("pkcs11:token=keys"), "alice", NULL, 0, &k);
    tap_ok(rv == P11K1_R_EXISTS && k == NULL && strstr(p11k1_last_error(), "alice"),
           "duplicate label refused: %s", p11k1_last_error());
    rv = p11k1_key_generate(ctx, U("pkcs11:token=keys"), "alice2", id1, sizeof(id1), &k);
    tap_ok(rv == P11K1_R_EXISTS && k == NULL && strstr(p11k1_last_error(), "a1b2"),
           "duplicate id refused: %s", p11k1_last_error());
    rv = p11k1_key_generate(ctx, U("pkcs11:"), "x", NULL, 0, &k);
    tap_ok(rv == P11K1_R_AMBIGUOUS, "generate on an ambiguous token URI refused: %s",
           p11k1_last_error());
    rv = p11k1_key_generate(ctx, "pkcs11:token=keys", "", NULL, 0, &k);
    tap_ok(rv == P11K1_R_INVALID_ARGUMENT, "empty label refused");

    /* a second key with a random id */
    rv = p11k1_key_generate(ctx, "pkcs11:token=keys?pin-value=1234", "bob", NULL, 0, &k2);
    id = p11k1_key_id(k2, &id_len);
    tap_ok(rv == CKR_OK && id_len == 16, "generate bob with a random 16-byte id (%s)",
           p11k1_last_error());

    /* find by label, by id, ambiguity */
    rv = p11k1_key_find(ctx, U("pkcs11:token=keys;object=alice"), &k);
    tap_ok(rv == CKR_OK && same_pub(k, gen), "found by label");
    tap_ok(k && signs(k), "found key signs");
    p11k1_key_free(k);
    k = NULL;
    rv = p11k1_key_find(ctx, U("pkcs11:token=keys;id=%a1%b2"), &k);
    tap_ok(rv == CKR_OK && same_pub(k, gen), "found by id");
    p11k1_key_free(k);
    k = NULL;
    rv = p11k1_key_find(ctx, U("pkcs11:token=keys"), &k);
    tap_ok(rv == P11K1_R_AMBIGUOUS && k == NULL, "two keys, token URI: ambiguous: %s",
           p11k1_last_error());

    /* the key's own URI finds it again */
    uri = p11k1_key_uri(gen);
    tap_ok(uri && strstr(uri, "token=keys") && strstr(uri, "object=alice") &&
               strstr(uri, "id=%A1%B2") && !strstr(uri, "pin"),
           "key URI: %s", uri ? uri : "(null)");
    if (uri) {
        char full[1200];
        snprintf(full, sizeof(full), "%s?pin-source=%s", uri, pin);
        rv = p11k1_key_find(ctx, full, &k);
        tap_ok(rv == CKR_OK && same_pub(k, gen), "key URI finds the key");
        p11k1_key_free(k);
        k = NULL;
        free(uri);
    }

    /* public part only, without a PIN */
    rv = p11k1_key_find(ctx, "pkcs11:token=keys;object=alice;type=public", &k);
    tap_ok(rv == CKR_OK && same_pub(k, gen), "type=public without a PIN in the URI");
    p11k1_key_free(k);
    k = NULL;

    /* list */
    rv = p11k1_key_list(ctx, U("pkcs11:token=keys"), &list, &n);
    tap_ok(rv == CKR_OK && n == 2, "list: 2 keys");
    if (rv == CKR_OK)
        p11k1_key_list_free(list, n);
    rv = p11k1_key_list(ctx, "pkcs11:token=other", &list, &n);
    tap_ok(rv == CKR_OK && n == 0, "list on an empty token: 0 keys (%s)", p11k1_last_error());

    /* errors */
    rv = p11k1_key_find(ctx, U("pkcs11:token=nosuch;object=alice"), &k);
    tap_ok(rv == P11K1_R_NO_TOKEN && strcmp(p11k1_last_error(), "token 'nosuch' not found") == 0,
           "missing token: %s", p11k1_last_error());
    rv = p11k1_key_find(ctx, "pkcs11:token=keys;object=carol?pin-value=1234", &k);
    tap_ok(rv == P11K1_R_NO_KEY && strstr(p11k1_last_error(), "object=carol") &&
               !strstr(p11k1_last_error(), "1234"),
           "missing key, PIN not shown: %s", p11k1_last_error());
    rv = p11k1_key_find(ctx, "pkcs11:token=keys;bogus=1", &k);
    tap_ok(rv == P11K1_R_BAD_URI, "unknown URI attribute: %s", p11k1_last_error());
    rv = p11k1_key_find(ctx, "http://example", &k);
    tap_ok(rv == P11K1_R_BAD_URI, "not a pkcs11 URI: %s", p11k1_last_error());

    static const unsigned char id_p[] = {0x0e, 0x01}, id_r[] = {0x0e, 0x02};
    tap_ok(tok_raw_keypair(ctx, "keys", "1234", "p256", "p256key", id_p, 2),
           "made a prime256v1 key with raw PKCS#11");
    tap_ok(tok_raw_keypair(ctx, "keys", "1234", "rsa", "rsakey", id_r, 2),
           "made an RSA key with raw PKCS#11");
    rv = p11k1_key_find(ctx, U("pkcs11:token=keys;object=p256key"), &k);
    tap_ok(rv == P11K1_R_WRONG_CURVE && strstr(p11k1_last_error(), "prime256v1"),
           "prime256v1 key: %s", p11k1_last_error());
    rv = p11k1_key_find(ctx, U("pkcs11:token=keys;object=rsakey"), &k);
    tap_ok(rv == P11K1_R_NOT_EC && strstr(p11k1_last_error(), "RSA"), "RSA key: %s",
           p11k1_last_error());
    rv = p11k1_key_list(ctx, U("pkcs11:token=keys"), &list, &n);
    tap_ok(rv == CKR_OK && n == 2, "list skips the other curve and RSA keys");
    if (rv == CKR_OK)
        p11k1_key_list_free(list, n);
    rv = p11k1_key_find(ctx, U("pkcs11:token=keys;object=bob"), &k);
    tap_ok(rv == CKR_OK && same_pub(k, k2), "bob still found next to other key types");
    p11k1_key_free(k);
    k = NULL;
    /* no PIN asked for a key that could never sign (on a token not logged in):
     * the wrong type is named */
    tap_ok(tok_raw_keypair(ctx, "bare", "1234", "p256", "p256key", id_p, 2) &&
               tok_raw_keypair(ctx, "bare", "1234", "rsa", "rsakey", id_r, 2),
           "made a prime256v1 and an RSA key on a token not logged in");
    rv = p11k1_key_find(ctx, "pkcs11:token=bare;object=p256key", &k);
    tap_ok(rv == P11K1_R_WRONG_CURVE && k == NULL, "prime256v1 key, no PIN at hand: %s",
           p11k1_last_error());
    rv = p11k1_key_find(ctx, "pkcs11:token=bare;object=rsakey", &k);
    tap_ok(rv == P11K1_R_NOT_EC && k == NULL, "RSA key, no PIN at hand: %s", p11k1_last_error());
    rv = p11k1_key_find(ctx, "pkcs11:token=bare", &k);
    tap_ok(rv == P11K1_R_NO_KEY || rv == P11K1_R_WRONG_CURVE || rv == P11K1_R_NOT_EC,
           "token with no secp256k1 key, no PIN at hand: %s", p11k1_last_error());

    static const unsigned char id_n[] = {0x0e, 0x03};
    unsigned char sig[64];
    tap_ok(tok_raw_keypair(ctx, "keys", "1234", "k1-nosign", "nosign", id_n, 2),
           "made a secp256k1 key with CKA_SIGN false");
    rv = p11k1_key_find(ctx, U("pkcs11:token=keys;object=nosign"), &k);
    tap_ok(rv == CKR_OK, "the CKA_SIGN=false key is found (%s)", p11k1_last_error());
    rv = k != NULL ? p11k1_key_sign(k, digest, sig) : CKR_GENERAL_ERROR;
    tap_ok(rv == CKR_KEY_FUNCTION_NOT_PERMITTED && strstr(p11k1_last_error(), "may not sign"),
           "CKA_SIGN=false: %s", p11k1_last_error());
    p11k1_key_free(k);
    k = NULL;

    p11k1_key_free(k2);
    p11k1_key_free(gen);
    p11k1_ctx_free(ctx);

    /* other ways to load the module */
    {
        p11k1_config cfg;
        p11k1_config_init(&cfg);
        cfg.module = "softhsm2";
        rv = p11k1_ctx_new(&cfg, &ctx);
        tap_ok(rv == CKR_OK, "module by p11-kit registered name 'softhsm2' (%s)",
               p11k1_last_error());
        if (rv == CKR_OK) {
            rv = p11k1_key_find(ctx, U("pkcs11:token=keys;object=alice"), &k);
            tap_ok(rv == CKR_OK && signs(k), "signs through the registered module");
            p11k1_key_free(k);
            k = NULL;
            p11k1_ctx_free(ctx);
        }
        rv = p11k1_ctx_new(NULL, &ctx);
        tap_ok(rv == CKR_OK, "p11-kit proxy (%s)", p11k1_last_error());
        if (rv == CKR_OK) {
            rv = p11k1_key_find(ctx, U("pkcs11:token=keys;object=alice"), &k);
            tap_ok(rv == CKR_OK && signs(k), "signs through the proxy");
            p11k1_key_free(k);
            k = NULL;
            p11k1_ctx_free(ctx);
        }
        cfg.module = "nosuchmodule";
        rv = p11k1_ctx_new(&cfg, &ctx);
        tap_ok(rv == P11K1_R_MODULE_LOAD && ctx == NULL && strstr(p11k1_last_error(), "nosuch"),
               "unknown module name: %s", p11k1_last_error());
        cfg.module = "/nonexistent/module.so";
        rv = p11k1_ctx_new(&cfg, &ctx);
        tap_ok(rv == P11K1_R_MODULE_LOAD && ctx == NULL, "missing module file: %s",
               p11k1_last_error());
        /* a caller built against another layout, or one not made by p11k1_config_init */
        cfg.module = "softhsm2";
        cfg.struct_size = sizeof(cfg) + 8;
        rv = p11k1_ctx_new(&cfg, &ctx);
        tap_ok(rv == P11K1_R_INVALID_ARGUMENT && ctx == NULL &&
                   strstr(p11k1_last_error(), "p11k1_config: struct_size") != NULL,
               "a p11k1_config of another size is refused naming it: %s", p11k1_last_error());
        cfg.struct_size = 0;
        rv = p11k1_ctx_new(&cfg, &ctx);
        tap_ok(rv == P11K1_R_INVALID_ARGUMENT && ctx == NULL &&
                   strstr(p11k1_last_error(), "p11k1_config_init") != NULL,
               "a p11k1_config not made by init is refused: %s", p11k1_last_error());
        p11k1_config_init(&cfg);
        tap_ok(cfg.struct_size == sizeof(cfg) && cfg.module == NULL && cfg.pin_env == NULL &&
                   cfg.pin_cb == NULL && cfg.pin_cb_arg == NULL,
               "p11k1_config_init: struct_size, the proxy, no PIN source");
    }
    /* module-path in the URI overrides the context's module */
    {
        p11k1_config cfg;
        char u[1024];
        p11k1_config_init(&cfg);
        cfg.module = "/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-trust.so";
        if (p11k1_ctx_new(&cfg, &ctx) == CKR_OK) {
            snprintf(u, sizeof(u), "pkcs11:token=keys;object=alice?module-path=%s&pin-source=%s",
                     tok_module(), pin);
            rv = p11k1_key_find(ctx, u, &k);
            tap_ok(rv == CKR_OK && signs(k), "module-path in the URI (%s)", p11k1_last_error());
            p11k1_key_free(k);
            p11k1_ctx_free(ctx);
        } else {
            tap_diag("p11-kit-trust.so not loadable: %s", p11k1_last_error());
        }
    }
    return tap_done();
}
