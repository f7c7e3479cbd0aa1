/* SPDX-License-Identifier: Apache-2.0 */
/* test-keycopy: signatures use one session copy of the key per session epoch,
 * made again after the pool's sessions or the login were lost and in a forked
 * child; off by p11k1_ctx_set_key_cache(ctx, 0) and when the token refuses. */
#include "config.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "token.h"

static CK_FUNCTION_LIST *raw;
static CK_SLOT_ID slot;
static char spy_log[300];
static int spying;

static int sign_ok(p11k1_key *k, unsigned char tag)
{
    unsigned char d[32], sig[64], pub[65];
    memset(d, tag, sizeof(d));
    if (p11k1_key_sign(k, d, sig) != CKR_OK) {
        tap_diag("sign: %s", p11k1_last_error());
        return 0;
    }
    p11k1_key_public(k, pub);
    return tok_sig_ok(pub, d, sig);
}

static int signs(p11k1_key *k, int n)
{
    int ok = 0;
    for (int i = 0; i < n; i++)
        ok += sign_ok(k, (unsigned char)(i + 1));
    return ok == n;
}

/* Private-key objects the module holds, session objects (token == 0) or token
 * objects, as a session of our own sees them; -1 if it cannot look. */
static int private_keys(CK_BBOOL token)
{
    CK_OBJECT_CLASS klass = CKO_PRIVATE_KEY;
    CK_ATTRIBUTE tmpl[] = {{CKA_TOKEN, &token, sizeof(token)}, {CKA_CLASS, &klass, sizeof(klass)}};
    CK_OBJECT_HANDLE objs[16];
    CK_ULONG n = 0;
    CK_SESSION_HANDLE s;
    int ok;

    if (raw->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s) != CKR_OK)
        return -1;
    ok = raw->C_FindObjectsInit(s, tmpl, 2) == CKR_OK &&
         raw->C_FindObjects(s, objs, 16, &n) == CKR_OK && raw->C_FindObjectsFinal(s) == CKR_OK;
    raw->C_CloseSession(s);
    return ok ? (int)n : -1;
}

static int copies_made(void)
{
    return tok_count_lines(spy_log, "C_CopyObject");
}

static void check_copies(int want_session, int want_made, const char *what)
{
    int n = private_keys(CK_FALSE);
    tap_ok(n == want_session, "%s: %d session copy of the key (%d)", what, want_session, n);
    if (spying)
        tap_ok(copies_made() == want_made, "%s: C_CopyObject called %d times in all (%d)", what,
               want_made, copies_made());
    else
        tap_skip("C_CopyObject counted", "pkcs11-spy.so not found (configure --with-pkcs11-spy)");
}

/* The child inherits the parent's sessions (and may still see the parent's
 * copy), but must not sign with them: it makes one copy of its own. */
static int child_checks(p11k1_key *k)
{
    int before = private_keys(CK_FALSE), ok = signs(k, 3), after = private_keys(CK_FALSE);
    if (!ok || after != before + 1)
        fprintf(stderr, "child: signs %d, session copies %d -> %d\n", ok, before, after);
    return ok && after == before + 1;
}

static void check_fork(p11k1_key *k)
{
    int status;
    pid_t pid;

    fflush(stdout);
    pid = fork();
    if (pid < 0)
        tap_bail("fork failed");
    if (pid == 0)
        _exit(child_checks(k) ? 0 : 1);
    tap_ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
           "forked child: signatures verify, with one copy of its own");
    tap_ok(signs(k, 3), "parent signs on after the child");
    tap_ok(private_keys(CK_FALSE) == 1, "parent: still its one session copy (%d)",
           private_keys(CK_FALSE));
}

/* A second key on the token, generated with CKA_COPYABLE false. */
static int nocopy_key(const char *pin)
{
    static const unsigned char k1[] = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a};
    CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
    CK_MECHANISM mech = {CKM_EC_KEY_PAIR_GEN, NULL, 0};
    CK_ATTRIBUTE pub_t[] = {{CKA_TOKEN, &yes, sizeof(yes)},
                            {CKA_LABEL, "nc", 2},
                            {CKA_ID, "nc", 2},
                            {CKA_EC_PARAMS, (void *)k1, sizeof(k1)}};
    CK_ATTRIBUTE priv_t[] = {{CKA_TOKEN, &yes, sizeof(yes)}, {CKA_PRIVATE, &yes, sizeof(yes)},
                             {CKA_SIGN, &yes, sizeof(yes)},  {CKA_COPYABLE, &no, sizeof(no)},
                             {CKA_LABEL, "nc", 2},           {CKA_ID, "nc", 2}};
    CK_OBJECT_HANDLE pub, priv;
    CK_SESSION_HANDLE s;
    CK_RV rv;

    (void)pin; /* the pool is logged in already: login is per application */
    if (raw->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s) != CKR_OK)
        return 0;
    rv = raw->C_GenerateKeyPair(s, &mech, pub_t, 4, priv_t, 6, &pub, &priv);
    raw->C_CloseSession(s);
    if (rv != CKR_OK)
        tap_diag("C_GenerateKeyPair with CKA_COPYABLE false: %s", p11k1_rv_name(rv));
    return rv == CKR_OK;
}

static void setup(p11k1_ctx **ctx)
{
    p11k1_config cfg;
    const char *spy = tok_spy();
    CK_C_GetFunctionList get;
    void *dl;

    p11k1_config_init(&cfg);
    cfg.module = tok_module();
    if (spy) {
        snprintf(spy_log, sizeof(spy_log), "%s/spy.log", tok_dir());
        setenv("PKCS11SPY", tok_module(), 1);
        setenv("PKCS11SPY_OUTPUT", spy_log, 1);
        cfg.module = spy;
        spying = 1;
    }
    if (p11k1_ctx_new(&cfg, ctx) != CKR_OK)
        tap_bail(p11k1_last_error());
    /* the module's own function list, the same instance p11-kit loaded */
    dl = dlopen(tok_module(), RTLD_NOW | RTLD_NOLOAD);
    *(void **)&get = dl ? dlsym(dl, "C_GetFunctionList") : NULL;
    if (get == NULL || get(&raw) != CKR_OK)
        tap_bail("cannot reach the module's C_GetFunctionList");
}

int main(void)
{
    const char *pin = tok_init("kc");
    p11k1_ctx *ctx;
    p11k1_key *k = NULL, *k2 = NULL;
    CK_SESSION_HANDLE s;
    char uri[600];

    setup(&ctx);
    snprintf(uri, sizeof(uri), "pkcs11:token=kc?pin-source=%s", pin);
    if (p11k1_key_generate(ctx, uri, "c", NULL, 0, &k) != CKR_OK)
        tap_bail(p11k1_last_error());
    slot = p11k1_key_slot_id(k);

    p11k1_ctx_set_key_cache(ctx, 0);
    tap_ok(signs(k, 5), "cache off: signatures verify");
    check_copies(0, 0, "cache off");

    p11k1_ctx_set_key_cache(ctx, 1);
    tap_ok(signs(k, 20), "cache on: signatures verify");
    check_copies(1, 1, "20 signatures");
    tap_ok(private_keys(CK_TRUE) == 1, "one token key: the copy is no token object");
    tap_ok(p11k1_key_find(ctx, uri, &k2) == CKR_OK && sign_ok(k2, 9),
           "\"the only key on the token\" still finds one key (copies are not keys on the token)");
    p11k1_key_free(k2);
    check_copies(1, 1, "second key object for the same key");

    tap_ok(raw->C_CloseAllSessions(slot) == CKR_OK, "closed all sessions behind the pool's back");
    tap_ok(signs(k, 5), "signatures verify after C_CloseAllSessions");
    check_copies(1, 2, "after C_CloseAllSessions");

    if (raw->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s) == CKR_OK) {
        raw->C_Logout(s);
        raw->C_CloseSession(s);
    }
    tap_ok(signs(k, 5), "signatures verify after a C_Logout behind the pool's back (re-login)");
    check_copies(1, 3, "after the re-login");

    check_fork(k);

    if (nocopy_key(pin)) {
        snprintf(uri, sizeof(uri), "pkcs11:token=kc;object=nc?pin-source=%s", pin);
        raw->C_CloseAllSessions(slot);
        tap_ok(p11k1_key_find(ctx, uri, &k2) == CKR_OK && signs(k2, 5),
               "CKA_COPYABLE false: signatures verify with the token object");
        tap_ok(private_keys(CK_FALSE) == 0, "CKA_COPYABLE false: no session copy (%d)",
               private_keys(CK_FALSE));
        p11k1_key_free(k2);
    } else {
        tap_skip("token refusing the copy (2 checks)", "no key with CKA_COPYABLE false");
    }
    p11k1_key_free(k);
    p11k1_ctx_free(ctx);
    return tap_done();
}
