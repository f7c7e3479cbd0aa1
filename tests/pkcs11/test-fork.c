/* SPDX-License-Identifier: Apache-2.0 */
/* test-fork: a forked child re-initializes the module and signs with its own
 * sessions; the parent keeps working. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "token.h"

static int sign_ok(p11k1_key *k, unsigned char tag)
{
    unsigned char d[32], sig[64], pub[65];
    memset(d, tag, sizeof(d));
    if (p11k1_key_sign(k, d, sig) != CKR_OK) {
        fprintf(stderr, "sign: %s\n", p11k1_last_error());
        return 0;
    }
    p11k1_key_public(k, pub);
    return tok_sig_ok(pub, d, sig);
}

/* Runs fn in a child; 1 if it exited 0. */
static int in_child(int (*fn)(p11k1_ctx *, p11k1_key *), p11k1_ctx *ctx, p11k1_key *k)
{
    int status;
    pid_t pid;
    fflush(stdout);
    pid = fork();
    if (pid < 0)
        tap_bail("fork failed");
    if (pid == 0)
        _exit(fn(ctx, k) ? 0 : 1);
    return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int child_sign(p11k1_ctx *ctx, p11k1_key *k)
{
    int ok = sign_ok(k, 0x21) && sign_ok(k, 0x22);
    p11k1_ctx_free(ctx);
    (void)k;
    return ok;
}

static const char *uri;

static int child_find_sign(p11k1_ctx *ctx, p11k1_key *k)
{
    p11k1_key *k2 = NULL;
    int ok = p11k1_key_find(ctx, uri, &k2) == CKR_OK && sign_ok(k2, 0x31);
    p11k1_key_free(k2);
    (void)k;
    return ok;
}

static int child_new_ctx(p11k1_ctx *ctx, p11k1_key *k)
{
    p11k1_ctx *c2 = tok_ctx();
    p11k1_key *k2 = NULL;
    int ok = p11k1_key_find(c2, uri, &k2) == CKR_OK && sign_ok(k2, 0x41);
    p11k1_key_free(k2);
    p11k1_ctx_free(c2);
    (void)ctx;
    (void)k;
    return ok;
}

int main(void)
{
    const char *pin = tok_init("fork");
    p11k1_ctx *ctx = tok_ctx();
    p11k1_key *k = NULL;
    char buf[600];

    snprintf(buf, sizeof(buf), "pkcs11:token=fork;object=f?pin-source=%s", pin);
    uri = buf;
    if (p11k1_key_generate(ctx, "pkcs11:token=fork?pin-value=1234", "f", NULL, 0, &k) != CKR_OK)
        tap_bail(p11k1_last_error());
    tap_ok(sign_ok(k, 0x11), "parent signs before fork");
    tap_ok(in_child(child_sign, ctx, k), "child signs with the parent's key object");
    tap_ok(sign_ok(k, 0x12), "parent still signs");
    tap_ok(in_child(child_find_sign, ctx, k), "child finds the key again and signs");
    tap_ok(in_child(child_new_ctx, ctx, k), "child with a new context signs");
    tap_ok(sign_ok(k, 0x13) && sign_ok(k, 0x14), "parent still signs after three children");
    p11k1_key_free(k);
    p11k1_ctx_free(ctx);
    return tap_done();
}
