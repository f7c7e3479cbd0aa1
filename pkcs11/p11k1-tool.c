/* SPDX-License-Identifier: Apache-2.0 */
/* p11k1-tool: command-line access to libp11k1 for users and tests.
 *
 *   p11k1-tool [-m MODULE] [-e PIN_ENV] keygen TOKEN_URI LABEL [ID_HEX]
 *   p11k1-tool [-m MODULE] [-e PIN_ENV] list URI
 *   p11k1-tool [-m MODULE] [-e PIN_ENV] pubkey KEY_URI
 *   p11k1-tool [-m MODULE] [-e PIN_ENV] sign KEY_URI DIGEST_HEX
 *
 * MODULE is a module path or p11-kit name (default: the p11-kit proxy). Output
 * is hex; errors are one line on stderr and exit status 1. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pkcs11/p11k1.h"

static void put_hex(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        printf("%02x", p[i]);
}

static int from_hex(const char *s, unsigned char *out, size_t max, size_t *len)
{
    size_t n = strlen(s);
    if (n % 2 != 0 || n / 2 > max)
        return 0;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1 || !strchr("0123456789abcdefABCDEF", s[2 * i]) ||
            !strchr("0123456789abcdefABCDEF", s[2 * i + 1]))
            return 0;
        out[i] = (unsigned char)v;
    }
    *len = n / 2;
    return 1;
}

static int fail(const char *what)
{
    fprintf(stderr, "p11k1-tool: %s: %s\n", what, p11k1_last_error());
    return 1;
}

static void show_key(const p11k1_key *k)
{
    unsigned char pub[65];
    char *uri = p11k1_key_uri(k);
    p11k1_key_public(k, pub);
    printf("%s\t", uri ? uri : "?");
    put_hex(pub, 65);
    printf("\t%s\n", p11k1_key_can_sign(k) ? "sign" : "public");
    free(uri);
}

static int usage(void)
{
    fprintf(stderr, "usage: p11k1-tool [-m MODULE] [-e PIN_ENV] keygen TOKEN_URI LABEL [ID_HEX]"
                    " | list URI | pubkey KEY_URI | sign KEY_URI DIGEST_HEX\n");
    return 2;
}

int main(int argc, char **argv)
{
    p11k1_config cfg = {NULL, NULL, NULL, NULL};
    p11k1_ctx *ctx = NULL;
    p11k1_key *key = NULL;
    int opt, ret = 0;
    const char *cmd;

    while ((opt = getopt(argc, argv, "m:e:")) != -1) {
        if (opt == 'm')
            cfg.module = optarg;
        else if (opt == 'e')
            cfg.pin_env = optarg;
        else
            return usage();
    }
    if (argc - optind < 2)
        return usage();
    cmd = argv[optind];
    if (p11k1_ctx_new(&cfg, &ctx) != CKR_OK)
        return fail("loading the module");
    if (strcmp(cmd, "keygen") == 0 && argc - optind >= 3) {
        unsigned char id[64];
        size_t id_len = 0;
        if (argc - optind >= 4 && !from_hex(argv[optind + 3], id, sizeof(id), &id_len)) {
            fprintf(stderr, "p11k1-tool: id is not hex of at most 64 bytes\n");
            ret = 1;
        } else if (p11k1_key_generate(ctx, argv[optind + 1], argv[optind + 2], id_len ? id : NULL,
                                      id_len, &key) != CKR_OK) {
            ret = fail("keygen");
        } else {
            show_key(key);
        }
    } else if (strcmp(cmd, "list") == 0) {
        p11k1_key **keys;
        size_t n;
        if (p11k1_key_list(ctx, argv[optind + 1], &keys, &n) != CKR_OK) {
            ret = fail("list");
        } else {
            for (size_t i = 0; i < n; i++)
                show_key(keys[i]);
            p11k1_key_list_free(keys, n);
        }
    } else if (strcmp(cmd, "pubkey") == 0) {
        unsigned char pub[65];
        if (p11k1_key_find(ctx, argv[optind + 1], &key) != CKR_OK) {
            ret = fail("pubkey");
        } else {
            p11k1_key_public(key, pub);
            put_hex(pub, 65);
            printf("\n");
        }
    } else if (strcmp(cmd, "sign") == 0 && argc - optind >= 3) {
        unsigned char digest[32], sig[64];
        size_t len;
        if (!from_hex(argv[optind + 2], digest, sizeof(digest), &len) || len != 32) {
            fprintf(stderr, "p11k1-tool: the digest must be 64 hex digits\n");
            ret = 1;
        } else if (p11k1_key_find(ctx, argv[optind + 1], &key) != CKR_OK) {
            ret = fail("sign");
        } else if (p11k1_key_sign(key, digest, sig) != CKR_OK) {
            ret = fail("sign");
        } else {
            put_hex(sig, 64);
            printf("\n");
        }
    } else {
        ret = usage();
    }
    p11k1_key_free(key);
    p11k1_ctx_free(ctx);
    return ret;
}
