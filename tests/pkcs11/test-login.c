/* SPDX-License-Identifier: Apache-2.0 */
/* test-login: PIN sources (pin-source, file:, pin-value, environment,
 * callback), a wrong PIN (clear error, one C_Login, token not locked, no
 * automatic retry), counted with OpenSC's pkcs11-spy. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "token.h"

static const unsigned char digest[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11,
                                         12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                                         23, 24, 25, 26, 27, 28, 29, 30, 31};
static const char *pin_file;
static char spy_log[300];

/* New context, find "k" with uri, sign, check; 1 if all worked. */
static int find_sign(const p11k1_config *cfg, const char *uri)
{
    p11k1_ctx *ctx = NULL;
    p11k1_key *k = NULL;
    unsigned char sig[64], pub[65];
    int ok = p11k1_ctx_new(cfg, &ctx) == CKR_OK && p11k1_key_find(ctx, uri, &k) == CKR_OK &&
             p11k1_key_sign(k, digest, sig) == CKR_OK;
    if (!ok)
        tap_diag("%s", p11k1_last_error());
    if (ok) {
        p11k1_key_public(k, pub);
        ok = tok_sig_ok(pub, digest, sig);
    }
    p11k1_key_free(k);
    p11k1_ctx_free(ctx);
    return ok;
}

static int cb_calls;
static char cb_label[64];

static int pin_cb(char *buf, size_t len, const char *label, void *arg)
{
    cb_calls++;
    snprintf(cb_label, sizeof(cb_label), "%s", label);
    if (arg == NULL)
        return 0;
    snprintf(buf, len, "%s", (const char *)arg);
    return 1;
}

static void write_pin(const char *pin)
{
    FILE *f = fopen(pin_file, "w");
    if (f == NULL)
        tap_bail("cannot rewrite the PIN file");
    fprintf(f, "%s\n", pin);
    fclose(f);
}

/* Logs out behind the pool's back (login state is per application). */
static void logout(p11k1_key *k)
{
    CK_FUNCTION_LIST *f = p11k1_key_module(k);
    CK_SESSION_HANDLE s;
    if (f->C_OpenSession(p11k1_key_slot_id(k), CKF_SERIAL_SESSION, NULL, NULL, &s) == CKR_OK) {
        f->C_Logout(s);
        f->C_CloseSession(s);
    }
}

static int token_locked(p11k1_key *k)
{
    CK_TOKEN_INFO ti;
    CK_FUNCTION_LIST *f = p11k1_key_module(k);
    return f->C_GetTokenInfo(p11k1_key_slot_id(k), &ti) != CKR_OK ||
           (ti.flags & CKF_USER_PIN_LOCKED) != 0;
}

static void test_spy(void)
{
    p11k1_config cfg;
    p11k1_ctx *ctx = NULL;
    p11k1_key *k = NULL;
    unsigned char sig[64];
    char uri[600];
    CK_RV rv;

    p11k1_config_init(&cfg);
    cfg.module = tok_spy();
    if (cfg.module == NULL) {
        tap_skip("one C_Login per wrong PIN, no retries (14 checks counted with pkcs11-spy)",
                 "pkcs11-spy.so not found (configure --with-pkcs11-spy)");
        return;
    }
    snprintf(spy_log, sizeof(spy_log), "%s/spy.log", tok_dir());
    setenv("PKCS11SPY", tok_module(), 1);
    setenv("PKCS11SPY_OUTPUT", spy_log, 1);
    if (p11k1_ctx_new(&cfg, &ctx) != CKR_OK)
        tap_bail(p11k1_last_error());

    rv = p11k1_key_find(ctx, "pkcs11:token=login;object=k?pin-value=999999", &k);
    tap_ok(rv == CKR_PIN_INCORRECT, "wrong PIN: CKR_PIN_INCORRECT");
    tap_ok(strstr(p11k1_last_error(), "PIN incorrect for token 'login' (CKR_PIN_INCORRECT); "
                                      "the token reports: ") != NULL,
           "wrong PIN message: %s", p11k1_last_error());
    tap_ok(strstr(p11k1_last_error(), "999999") == NULL, "the PIN is not in the message");
    tap_ok(tok_count_lines(spy_log, "C_Login") == 1, "exactly one C_Login for the wrong PIN (%d)",
           tok_count_lines(spy_log, "C_Login"));

    snprintf(uri, sizeof(uri), "pkcs11:token=login;object=k?pin-source=%s", pin_file);
    rv = p11k1_key_find(ctx, uri, &k);
    tap_ok(rv == CKR_OK, "right PIN afterwards works (%s)", p11k1_last_error());
    if (k == NULL)
        tap_bail("no key");
    tap_ok(!token_locked(k), "token not locked");
    tap_ok(p11k1_key_sign(k, digest, sig) == CKR_OK, "signs");
    tap_ok(tok_count_lines(spy_log, "C_Login") == 2, "two C_Login so far");

    /* logged out behind our back: one re-login from the pin-source */
    logout(k);
    tap_ok(p11k1_key_sign(k, digest, sig) == CKR_OK, "re-login after C_Logout (%s)",
           p11k1_last_error());
    tap_ok(tok_count_lines(spy_log, "C_Login") == 3, "one C_Login for the re-login");

    /* the PIN file now holds a wrong PIN: one attempt, then no retries */
    write_pin("000000");
    logout(k);
    rv = p11k1_key_sign(k, digest, sig);
    tap_ok(rv == CKR_PIN_INCORRECT, "re-login with a wrong PIN fails: %s", p11k1_last_error());
    rv = p11k1_key_sign(k, digest, sig);
    tap_ok(rv == CKR_PIN_INCORRECT && strstr(p11k1_last_error(), "not trying it again"),
           "second sign does not retry it: %s", p11k1_last_error());
    tap_ok(tok_count_lines(spy_log, "C_Login") == 4, "one C_Login for both signatures (%d)",
           tok_count_lines(spy_log, "C_Login"));
    tap_ok(!token_locked(k), "token still not locked");
    write_pin("1234");
    p11k1_key_free(k);
    k = NULL;
    rv = p11k1_key_find(ctx, uri, &k);
    tap_ok(rv == CKR_OK && p11k1_key_sign(k, digest, sig) == CKR_OK,
           "a new find with the right PIN works again (%s)", p11k1_last_error());
    p11k1_key_free(k);
    p11k1_ctx_free(ctx);
    unsetenv("PKCS11SPY");
}

int main(void)
{
    p11k1_config cfg;
    p11k1_ctx *ctx;
    p11k1_key *k = NULL;
    char uri[600];
    CK_RV rv;

    p11k1_config_init(&cfg);
    pin_file = tok_init("login");
    cfg.module = tok_module();
    ctx = tok_ctx();
    rv = p11k1_key_generate(ctx, "pkcs11:token=login?pin-value=1234", "k", NULL, 0, &k);
    tap_ok(rv == CKR_OK, "generate with pin-value (%s)", p11k1_last_error());
    p11k1_key_free(k);
    k = NULL;
    p11k1_ctx_free(ctx);

    /* nothing gives a PIN */
    rv = p11k1_ctx_new(&cfg, &ctx);
    if (rv != CKR_OK)
        tap_bail("ctx");
    rv = p11k1_key_find(ctx, "pkcs11:token=login;object=k", &k);
    tap_ok(rv == P11K1_R_NO_PIN && strstr(p11k1_last_error(), "needs a PIN"), "no PIN anywhere: %s",
           p11k1_last_error());
    rv = p11k1_key_find(ctx, "pkcs11:token=login;object=k;type=public", &k);
    tap_ok(rv == CKR_OK && !p11k1_key_can_sign(k), "type=public needs no PIN, cannot sign");
    p11k1_key_free(k);
    p11k1_ctx_free(ctx);

    snprintf(uri, sizeof(uri), "pkcs11:token=login;object=k?pin-source=%s", pin_file);
    tap_ok(find_sign(&cfg, uri), "pin-source file");
    snprintf(uri, sizeof(uri), "pkcs11:token=login;object=k?pin-source=file:%s", pin_file);
    tap_ok(find_sign(&cfg, uri), "pin-source with file: prefix");
    tap_ok(find_sign(&cfg, "pkcs11:token=login;object=k?pin-value=1234"), "pin-value");
    setenv("P11K1_TEST_PIN", "1234", 1);
    cfg.pin_env = "P11K1_TEST_PIN";
    tap_ok(find_sign(&cfg, "pkcs11:token=login;object=k"), "PIN from the environment");
    cfg.pin_env = NULL;
    cfg.pin_cb = pin_cb;
    cfg.pin_cb_arg = "1234";
    tap_ok(find_sign(&cfg, "pkcs11:token=login;object=k"), "PIN from the callback");
    tap_ok(cb_calls == 1 && strcmp(cb_label, "login") == 0,
           "callback called once with the token label");
    cfg.pin_cb_arg = NULL;
    tap_ok(!find_sign(&cfg, "pkcs11:token=login;object=k"), "callback giving up fails");
    tap_ok(strstr(p11k1_last_error(), "callback") != NULL, "and says so: %s", p11k1_last_error());
    cfg.pin_cb = NULL;
    snprintf(uri, sizeof(uri), "pkcs11:token=login;object=k?pin-source=%s/nope", tok_dir());
    tap_ok(!find_sign(&cfg, uri) && strstr(p11k1_last_error(), "/nope"),
           "unreadable pin-source named: %s", p11k1_last_error());

    test_spy();
    return tap_done();
}
