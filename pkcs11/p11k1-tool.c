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

static const char usage_text[] =
    "usage: p11k1-tool [-m MODULE] [-e PIN_ENV] keygen TOKEN_URI LABEL [ID_HEX]"
    " | list URI | pubkey KEY_URI | sign KEY_URI DIGEST_HEX\n";

/* p11k1-tool --help; p11k1-tool(1) is made from it (tools/mkdoc.sh). */
static const char help_text[] =
    "NAME\n"
    "    p11k1-tool - secp256k1 keys in PKCS#11 tokens, through libp11k1\n"
    "\n"
    "SYNOPSIS\n"
    "    p11k1-tool [-m MODULE] [-e PIN_ENV] keygen TOKEN_URI LABEL [ID_HEX]\n"
    "    p11k1-tool [-m MODULE] [-e PIN_ENV] list URI\n"
    "    p11k1-tool [-m MODULE] [-e PIN_ENV] pubkey KEY_URI\n"
    "    p11k1-tool [-m MODULE] [-e PIN_ENV] sign KEY_URI DIGEST_HEX\n"
    "    p11k1-tool --help\n"
    "\n"
    "DESCRIPTION\n"
    "    keygen makes a key pair on the token (the private key sensitive, not\n"
    "    extractable); list prints the keys a URI matches; pubkey prints a key's\n"
    "    uncompressed public key; sign signs a 32-byte digest on the token and\n"
    "    prints r || s (64 bytes, s as the token made it). Keys are named by RFC\n"
    "    7512 pkcs11: URIs; keygen and list print each key as URI, public key and\n"
    "    \"sign\" or \"public\", tab-separated. Output is hex.\n"
    "\n"
    "OPTIONS\n"
    "    -m MODULE            the PKCS#11 module: a path or a p11-kit module name\n"
    "                         (default: the p11-kit proxy, every registered module)\n"
    "    -e PIN_ENV           the name of an environment variable holding the user\n"
    "                         PIN (else a pin-source or pin-value in the URI)\n"
    "    -h, --help           this text\n"
    "\n"
    "EXIT STATUS\n"
    "    0 ok, 1 an error (one line on stderr), 2 usage error\n"
    "\n"
    "EXAMPLES\n"
    "    p11k1-tool -m /usr/lib/softhsm/libsofthsm2.so -e PIN keygen \\\n"
    "      'pkcs11:token=hsm' sk1 01\n"
    "    p11k1-tool list 'pkcs11:token=hsm'\n";

static int usage(void)
{
    fputs(usage_text, stderr);
    return 2;
}

int main(int argc, char **argv)
{
    p11k1_config cfg;
    p11k1_ctx *ctx = NULL;
    p11k1_key *key = NULL;
    int opt, ret = 0;
    const char *cmd;

    p11k1_config_init(&cfg);
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
        return fputs(help_text, stdout) == EOF || fflush(stdout) == EOF;
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
