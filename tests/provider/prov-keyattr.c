/* SPDX-License-Identifier: Apache-2.0 */
/* prov-keyattr.c: the p11k1 key parameters that tell how a token key's private
 * half is kept, read as an application does (OSSL_STORE_open, then
 * EVP_PKEY_get_int_param; the provider comes from OPENSSL_CONF):
 *   prov-keyattr URI|FILE...
 * prints one line per key: how many of the five names EVP_PKEY_gettable_params
 * lists, then NAME=VALUE for each (VALUE "absent" when the key does not give
 * it). Exit 1 if a key does not load. */
#include <stdio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/store.h>

static const char *const names[] = {"pkcs11_sensitive", "pkcs11_always_sensitive",
                                    "pkcs11_extractable", "pkcs11_never_extractable",
                                    "pkcs11_local"};

static EVP_PKEY *load_key(const char *uri)
{
    OSSL_STORE_CTX *st = OSSL_STORE_open(uri, NULL, NULL, NULL, NULL);
    EVP_PKEY *pkey = NULL;

    while (st != NULL && pkey == NULL && !OSSL_STORE_eof(st)) {
        OSSL_STORE_INFO *info = OSSL_STORE_load(st);
        int t = info != NULL ? OSSL_STORE_INFO_get_type(info) : 0;
        if (t == OSSL_STORE_INFO_PKEY)
            pkey = OSSL_STORE_INFO_get1_PKEY(info);
        else if (t == OSSL_STORE_INFO_PUBKEY)
            pkey = OSSL_STORE_INFO_get1_PUBKEY(info);
        OSSL_STORE_INFO_free(info);
    }
    OSSL_STORE_close(st);
    return pkey;
}

int main(int argc, char **argv)
{
    int rc = 0;

    for (int i = 1; i < argc; i++) {
        EVP_PKEY *pkey = load_key(argv[i]);
        const OSSL_PARAM *g;
        int listed = 0;

        if (pkey == NULL) {
            fprintf(stderr, "cannot load %s\n", argv[i]);
            ERR_print_errors_fp(stderr);
            rc = 1;
            continue;
        }
        g = EVP_PKEY_gettable_params(pkey);
        for (size_t j = 0; j < sizeof(names) / sizeof(names[0]); j++)
            listed += g != NULL && OSSL_PARAM_locate_const(g, names[j]) != NULL;
        printf("gettable=%d", listed);
        for (size_t j = 0; j < sizeof(names) / sizeof(names[0]); j++) {
            int v = -1;
            if (EVP_PKEY_get_int_param(pkey, names[j], &v) == 1)
                printf(" %s=%d", names[j], v);
            else
                printf(" %s=absent", names[j]);
        }
        printf("\n");
        EVP_PKEY_free(pkey);
    }
    return rc;
}
