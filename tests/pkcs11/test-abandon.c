/* SPDX-License-Identifier: Apache-2.0 */
/* test-abandon: p11k1_ctx_abandon frees a context without calling into the
 * module (counted with OpenSC's pkcs11-spy: no call at all, also not the
 * C_Initialize a forked child's p11k1_ctx_free would make), and the module
 * stays initialized and usable by a fresh context. Leaks are checked by
 * `make check-valgrind` and the sanitizer build. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "token.h"

#define URI "pkcs11:token=abandon;object=k?pin-value=1234"

static const unsigned char digest[32] = {9, 8, 7, 6, 5, 4, 3, 2, 1};

/* A context on module with the key found and one signature made (sessions
 * open, logged in): what a process holds when it exits. */
static p11k1_ctx *busy_ctx(const char *module)
{
    p11k1_config cfg;
    p11k1_ctx *ctx = NULL;
    p11k1_key *k = NULL;
    unsigned char sig[64], pub[65];
    int ok;

    p11k1_config_init(&cfg);
    cfg.module = module;
    ok = p11k1_ctx_new(&cfg, &ctx) == CKR_OK && p11k1_key_find(ctx, URI, &k) == CKR_OK &&
         p11k1_key_sign(k, digest, sig) == CKR_OK;

    if (ok) {
        p11k1_key_public(k, pub);
        ok = tok_sig_ok(pub, digest, sig);
    }
    tap_ok(ok, "%s: find and sign (%s)", module, p11k1_last_error());
    p11k1_key_free(k);
    if (!ok)
        tap_bail("no usable context");
    return ctx;
}

static void test_plain(void)
{
    p11k1_ctx *ctx = busy_ctx(tok_module());

    p11k1_ctx_abandon(ctx);
    p11k1_ctx_abandon(NULL);
    /* not finalized: a new context (p11-kit counts its initialization) works */
    ctx = busy_ctx(tok_module());
    p11k1_ctx_free(ctx);
    ctx = busy_ctx(tok_module());
    p11k1_ctx_free(ctx);
}

static void test_spy(void)
{
    const char *spy = tok_spy();
    char log[300];
    p11k1_ctx *ctx;
    pid_t pid;
    int calls, st = -1;

    if (spy == NULL) {
        tap_skip("abandon makes no module call (7 checks counted with pkcs11-spy)",
                 "pkcs11-spy.so not found (configure --with-pkcs11-spy)");
        return;
    }
    snprintf(log, sizeof(log), "%s/spy.log", tok_dir());
    setenv("PKCS11SPY", tok_module(), 1);
    setenv("PKCS11SPY_OUTPUT", log, 1);

    ctx = busy_ctx(spy);
    calls = tok_count_lines(log, ": C_");
    tap_ok(calls > 0 && tok_count_lines(log, "C_Login") == 1, "the spy sees the calls (%d)", calls);

    /* a forked child's p11k1_ctx_free would C_Initialize first */
    pid = fork();
    if (pid == 0) {
        p11k1_ctx_abandon(ctx);
        _exit(0);
    }
    tap_ok(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
           "abandon in a forked child exits cleanly");
    tap_ok(tok_count_lines(log, ": C_") == calls, "no module call from the child (%d, was %d)",
           tok_count_lines(log, ": C_"), calls);

    p11k1_ctx_abandon(ctx);
    tap_ok(tok_count_lines(log, ": C_") == calls, "no module call from abandon (%d, was %d)",
           tok_count_lines(log, ": C_"), calls);
    tap_ok(tok_count_lines(log, "C_CloseSession") == 0 && tok_count_lines(log, "C_Finalize") == 0,
           "no C_CloseSession, no C_Finalize");

    ctx = busy_ctx(spy);
    tap_ok(tok_count_lines(log, "C_Initialize") == 1,
           "the module stayed initialized: a fresh context does not initialize it again");
    p11k1_ctx_free(ctx);
    tap_ok(tok_count_lines(log, "C_Finalize") == 0,
           "freeing the fresh context does not finalize what the abandoned one initialized");
    unsetenv("PKCS11SPY");
}

int main(void)
{
    p11k1_ctx *ctx;
    p11k1_key *k = NULL;
    CK_RV rv;

    tok_init("abandon");
    ctx = tok_ctx();
    rv = p11k1_key_generate(ctx, "pkcs11:token=abandon?pin-value=1234", "k", NULL, 0, &k);
    tap_ok(rv == CKR_OK, "generate (%s)", p11k1_last_error());
    p11k1_key_free(k);
    p11k1_ctx_free(ctx);

    test_spy();
    test_plain();
    return tap_done();
}
