/* SPDX-License-Identifier: Apache-2.0 */
/* prov-removed.c: the token goes away under a process that holds its key.
 *   prov-removed URI TOKEN_DIR
 * loads the key at URI (provider from OPENSSL_CONF), signs, renames the
 * SoftHSM2 token directory away (the token is gone), signs again and checks
 * what lands on OpenSSL's error queue: one line saying the token is gone. */
#include <stdio.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/store.h>

#include "tap.h"

static EVP_PKEY *load_key(const char *uri)
{
    OSSL_STORE_CTX *st = OSSL_STORE_open(uri, NULL, NULL, NULL, NULL);
    EVP_PKEY *pkey = NULL;

    while (st != NULL && pkey == NULL && !OSSL_STORE_eof(st)) {
        OSSL_STORE_INFO *info = OSSL_STORE_load(st);
        if (info != NULL && OSSL_STORE_INFO_get_type(info) == OSSL_STORE_INFO_PKEY)
            pkey = OSSL_STORE_INFO_get1_PKEY(info);
        OSSL_STORE_INFO_free(info);
    }
    OSSL_STORE_close(st);
    return pkey;
}

static int sign(EVP_PKEY *pkey)
{
    unsigned char d[32], sig[80];
    size_t siglen = sizeof(sig);
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    int ok;

    memset(d, 0x33, sizeof(d));
    ok = c != NULL && EVP_PKEY_sign_init(c) == 1 && EVP_PKEY_sign(c, sig, &siglen, d, 32) == 1;
    EVP_PKEY_CTX_free(c);
    return ok;
}

int main(int argc, char **argv)
{
    EVP_PKEY *pkey;
    char gone[4096], line[512] = "";
    unsigned long e;
    const char *data = NULL;
    int flags = 0, n_p11k1 = 0;

    if (argc != 3)
        tap_bail("usage: prov-removed URI TOKEN_DIR");
    pkey = load_key(argv[1]);
    if (!tap_ok(pkey != NULL && sign(pkey), "the key signs while the token is there")) {
        ERR_print_errors_fp(stdout);
        EVP_PKEY_free(pkey);
        return tap_done();
    }
    snprintf(gone, sizeof(gone), "%s.gone", argv[2]);
    tap_ok(rename(argv[2], gone) == 0, "token directory moved away");
    ERR_clear_error();
    tap_ok(!sign(pkey), "signing fails once the token is gone");
    while ((e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
        char reason[256];

        ERR_error_string_n(e, reason, sizeof(reason));
        tap_diag("queue: %s: %s", reason, (flags & ERR_TXT_STRING) ? data : "");
        if (strstr(reason, ":p11k1:") != NULL)
            n_p11k1++;
        if (strstr(reason, "token removed") != NULL && line[0] == '\0')
            snprintf(line, sizeof(line), "%s: %s", reason, (flags & ERR_TXT_STRING) ? data : "");
    }
    tap_ok(line[0] != '\0', "the error queue says the token was removed");
    tap_ok(n_p11k1 == 1 && strchr(line, '\n') == NULL, "in one line: %s", line);
    tap_ok(rename(gone, argv[2]) == 0, "token directory back");
    EVP_PKEY_free(pkey);
    return tap_done();
}
