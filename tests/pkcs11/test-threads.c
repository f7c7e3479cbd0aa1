/* SPDX-License-Identifier: Apache-2.0 */
/* test-threads: 8 threads x 500 signatures with one key (x 50 under make
 * check-valgrind, MH_VALGRIND), all valid, one login (counted with pkcs11-spy when it
 * is installed). */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "token.h"

#define THREADS       8
#define SIGS          500
#define SIGS_VALGRIND 50 /* valgrind runs the threads one at a time, ~50x slower */

static int sigs = SIGS;

static p11k1_key *key;
static unsigned char pub[65];

struct result {
    int index;
    int signed_ok, valid;
    char error[256];
};

static void *worker(void *arg)
{
    struct result *r = arg;
    for (int i = 0; i < sigs; i++) {
        unsigned char d[32], sig[64];
        memset(d, 0, sizeof(d));
        d[0] = (unsigned char)r->index;
        d[1] = (unsigned char)(i >> 8);
        d[2] = (unsigned char)i;
        d[31] = 0x5a;
        if (p11k1_key_sign(key, d, sig) != CKR_OK) {
            snprintf(r->error, sizeof(r->error), "%s", p11k1_last_error());
            continue;
        }
        r->signed_ok++;
        r->valid += tok_sig_ok(pub, d, sig);
    }
    return NULL;
}

int main(void)
{
    const char *pin = tok_init("threads");
    p11k1_config cfg;
    p11k1_ctx *ctx = NULL;
    pthread_t t[THREADS];
    struct result r[THREADS];
    if (getenv("MH_VALGRIND") != NULL)
        sigs = SIGS_VALGRIND;
    char uri[600], log[300];
    const char *spy = tok_spy();
    int total = 0, valid = 0;
    unsigned char d[32] = {0}, sig[64] = {0};

    p11k1_config_init(&cfg);
    cfg.module = tok_module();
    if (spy) {
        snprintf(log, sizeof(log), "%s/spy.log", tok_dir());
        setenv("PKCS11SPY", tok_module(), 1);
        setenv("PKCS11SPY_OUTPUT", log, 1);
        cfg.module = spy;
    }
    if (p11k1_ctx_new(&cfg, &ctx) != CKR_OK)
        tap_bail(p11k1_last_error());
    snprintf(uri, sizeof(uri), "pkcs11:token=threads?pin-source=%s", pin);
    if (p11k1_key_generate(ctx, uri, "t", NULL, 0, &key) != CKR_OK)
        tap_bail(p11k1_last_error());
    p11k1_key_public(key, pub);
    tok_sig_ok(pub, d, sig); /* creates the verify context before the threads */

    for (int i = 0; i < THREADS; i++) {
        memset(&r[i], 0, sizeof(r[i]));
        r[i].index = i;
        pthread_create(&t[i], NULL, worker, &r[i]);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        total += r[i].signed_ok;
        valid += r[i].valid;
        if (r[i].error[0])
            tap_diag("thread %d: %s", i, r[i].error);
    }
    tap_ok(total == THREADS * sigs, "%d of %d signatures made", total, THREADS * sigs);
    tap_ok(valid == THREADS * sigs, "%d of %d signatures verify", valid, THREADS * sigs);
    if (spy) {
        int logins = tok_count_lines(log, "C_Login"), opens = tok_count_lines(log, "C_OpenSession");
        tap_ok(logins == 1, "one C_Login for all threads (%d)", logins);
        tap_ok(opens >= 1 && opens <= THREADS + 1, "sessions pooled: %d C_OpenSession", opens);
        tap_ok(tok_count_lines(log, "C_SignInit") == THREADS * sigs,
               "one C_SignInit per signature (%d)", tok_count_lines(log, "C_SignInit"));
    } else {
        tap_skip("one C_Login for all threads, sessions pooled (3 checks counted with "
                 "pkcs11-spy)",
                 "pkcs11-spy.so not found (configure --with-pkcs11-spy)");
    }
    p11k1_key_free(key);
    p11k1_ctx_free(ctx);
    return tap_done();
}
