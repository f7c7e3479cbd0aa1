/* SPDX-License-Identifier: Apache-2.0 */
/* test-key: mav2_key_load + signer on keys OpenSSL stores hold.
 *
 *   test-key                         PEM / DER files from the default provider
 *   test-key token URI N ADDRESS     N signatures through a token key (run by
 *                                    test-token-sign.sh with the p11k1 provider)
 *   test-key recover-userop HASH SIG prints who made a 67-byte user-op signature
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "common/hex.h"
#include "mav2/core/account.h"
#include "mav2/core/error.h"
#include "mav2/keys/key.h"
#include "mav2/keys/signer.h"
#include "tap.h"

static char dir[] = "/tmp/mav2-test-key.XXXXXX";

static void path_in(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", dir, name);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0)
        tap_bail("cannot write a temp file");
}

static void write_pem(const char *path, EVP_PKEY *k, int which, const char *pass)
{
    FILE *f = fopen(path, "w");
    int ok;
    if (f == NULL)
        tap_bail("cannot write a temp file");
    if (which == 0)
        ok = PEM_write_PUBKEY(f, k);
    else if (pass != NULL)
        ok = PEM_write_PrivateKey(f, k, EVP_aes_256_cbc(), NULL, 0, NULL, (void *)pass);
    else
        ok = PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
    if (!ok || fclose(f) != 0)
        tap_bail("cannot write a PEM file");
}

/* Signs a random digest and checks low s and recovery to the signer's address. */
static int sign_and_recover(mav2_signer *s)
{
    unsigned char digest[32], sig[MAV2_SIG65_LEN], addr[20];
    if (RAND_bytes(digest, sizeof(digest)) != 1 || !mav2_signer_sign_digest(s, digest, sig))
        return 0;
    return mav2_sig_is_low_s(sig) && (sig[64] == 27 || sig[64] == 28) &&
           mav2_sig_recover(digest, sig, NULL, addr) &&
           memcmp(addr, mav2_signer_address(s), 20) == 0;
}

static void priv_opts(mav2_key_opts *o, const char *pin_file)
{
    mav2_key_opts_init(o);
    o->flags = MAV2_KEY_PRIVATE;
    o->pin_file = pin_file;
}

static int load_ok(const char *uri, const mav2_key_opts *o, EVP_PKEY *want, const char *what)
{
    EVP_PKEY *k = NULL;
    int ok = mav2_key_load(uri, o, &k);
    if (!ok)
        tap_diag("%s: %s", what, mav2_last_error());
    ok = tap_ok(ok && EVP_PKEY_eq(k, want) == 1, "%s: loads the same key", what);
    EVP_PKEY_free(k);
    return ok;
}

static void load_fails(const char *uri, const mav2_key_opts *o, const char *needle,
                       const char *what)
{
    EVP_PKEY *k = NULL;
    int ok = mav2_key_load(uri, o, &k);
    tap_ok(!ok && k == NULL, "%s: refused", what);
    tap_ok(strstr(mav2_last_error(), needle) != NULL, "%s: message names \"%s\": %s", what, needle,
           mav2_last_error());
    EVP_PKEY_free(k);
}

static int test_files(void)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "secp256k1");
    EVP_PKEY *p256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    char plain[512], enc[512], pub[512], pin[512], badpin[512], p256f[512], uri[600];
    mav2_key_opts priv, priv_pin, priv_bad;
    EVP_PKEY *got = NULL;
    mav2_signer *s;
    char want_addr[MAV2_ADDRESS_STR_MAX];

    if (k == NULL || p256 == NULL || mkdtemp(dir) == NULL)
        tap_bail("setup");
    path_in(plain, sizeof(plain), "k.pem");
    path_in(enc, sizeof(enc), "k-enc.pem");
    path_in(pub, sizeof(pub), "pub.pem");
    path_in(pin, sizeof(pin), "pin");
    path_in(badpin, sizeof(badpin), "badpin");
    path_in(p256f, sizeof(p256f), "p256.pem");
    write_pem(plain, k, 1, NULL);
    write_pem(enc, k, 1, "correct horse");
    write_pem(pub, k, 0, NULL);
    write_pem(p256f, p256, 1, NULL);
    write_file(pin, "correct horse\n");
    write_file(badpin, "wrong\n");
    priv_opts(&priv, NULL);
    priv_opts(&priv_pin, pin);
    priv_opts(&priv_bad, badpin);

    tap_ok(mav2_pkey_address(k, NULL, want_addr), "address of the generated key");
    load_ok(plain, NULL, k, "PEM path");
    load_ok(plain, &priv, k, "PEM path, private required");
    snprintf(uri, sizeof(uri), "file:%s", plain);
    load_ok(uri, &priv, k, "file: URI");
    load_ok(pub, NULL, k, "public PEM for an address");
    load_fails(pub, &priv, "private", "public PEM when signing");
    load_ok(enc, &priv_pin, k, "encrypted PEM with a pin file");
    load_fails(enc, &priv, "PIN or passphrase", "encrypted PEM without a PIN");
    load_fails(enc, &priv_bad, "cannot", "encrypted PEM with a wrong passphrase");
    {
        /* a first line longer than the reader's buffer is refused, not cut: the
         * cut passphrase (255 x 'a') would otherwise open this key */
        char longpass[256], longline[302], longenc[512], longpin[512];
        mav2_key_opts priv_long = priv;
        memset(longpass, 'a', 255);
        longpass[255] = '\0';
        memset(longline, 'a', 300);
        longline[300] = '\n';
        longline[301] = '\0';
        path_in(longenc, sizeof(longenc), "k-long.pem");
        path_in(longpin, sizeof(longpin), "longpin");
        write_pem(longenc, k, 1, longpass);
        write_file(longpin, longline);
        priv_long.pin_file = longpin;
        load_fails(longenc, &priv_long, "", "a 300-byte pin file is refused, not cut to 255");
    }
    load_fails(p256f, &priv, "secp256k1", "P-256 PEM");
    load_fails("/nonexistent/key.pem", &priv, "/nonexistent/key.pem", "missing file");
    load_fails("", &priv, "no key", "empty URI");
    {
        /* a caller built against another layout: refused before anything is read */
        mav2_key_opts pub_opts, grown;
        mav2_key_opts_init(&pub_opts);
        tap_ok(pub_opts.struct_size == sizeof(pub_opts) && pub_opts.flags == MAV2_KEY_PUBLIC &&
                   pub_opts.pin_file == NULL && pub_opts.interactive == 0 && pub_opts.propq == NULL,
               "mav2_key_opts_init: struct_size and the defaults (public, no PIN, no prompt)");
        load_ok(pub, &pub_opts, k, "public PEM with the init defaults");
        grown = priv_pin;
        grown.struct_size = sizeof(grown) + 8;
        load_fails(enc, &grown, "mav2_key_opts: struct_size", "a mav2_key_opts of another size");
        grown.struct_size = 0;
        load_fails(enc, &grown, "mav2_key_opts_init", "a mav2_key_opts not made by init");
    }

    if (mav2_key_load(plain, &priv, &got)) {
        char a[MAV2_ADDRESS_STR_MAX];
        s = mav2_signer_new(got);
        tap_ok(s != NULL && strcmp(mav2_signer_address_str(s), want_addr) == 0,
               "signer of the loaded key has the key's address %s", want_addr);
        tap_ok(s != NULL && sign_and_recover(s), "loaded PEM key signs, recovers to its address");
        tap_ok(mav2_pkey_address(got, NULL, a) && strcmp(a, want_addr) == 0, "address again");
        mav2_signer_free(s);
        EVP_PKEY_free(got);
    } else {
        tap_ok(0, "load the PEM key to sign: %s", mav2_last_error());
    }
    unlink(plain);
    unlink(enc);
    unlink(pub);
    unlink(pin);
    unlink(badpin);
    unlink(p256f);
    rmdir(dir);
    EVP_PKEY_free(k);
    EVP_PKEY_free(p256);
    return tap_done();
}

/* Token key through whatever provider serves uri: n signatures, each low s and
 * recovering to the token key's address; the raw EVP signatures are counted to
 * show that normalization had work to do. */
static int test_token(const char *uri, int n, const char *want_addr)
{
    mav2_key_opts o;
    EVP_PKEY *k = NULL;
    mav2_signer *s;
    int good = 0, high = 0;

    priv_opts(&o, NULL);
    if (!tap_ok(mav2_key_load(uri, &o, &k), "token key loads through OSSL_STORE")) {
        tap_diag("%s", mav2_last_error());
        return tap_done();
    }
    s = mav2_signer_new(k);
    tap_ok(s != NULL, "signer on the token key");
    if (s == NULL) {
        tap_diag("%s", mav2_last_error());
        EVP_PKEY_free(k);
        return tap_done();
    }
    tap_ok(strcmp(mav2_signer_address_str(s), want_addr) == 0, "token key address %s (want %s)",
           mav2_signer_address_str(s), want_addr);
    for (int i = 0; i < n; i++) {
        unsigned char digest[32], der[80], rs[64];
        size_t der_len = sizeof(der);
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL);
        int flipped = 0;
        const unsigned char *p = der;
        ECDSA_SIG *es;

        if (sign_and_recover(s))
            good++;
        else
            tap_diag("signature %d: %s", i, mav2_last_error());
        /* raw signature from the same key, to count high s */
        RAND_bytes(digest, sizeof(digest));
        if (ctx != NULL && EVP_PKEY_sign_init(ctx) > 0 &&
            EVP_PKEY_sign(ctx, der, &der_len, digest, 32) > 0 &&
            (es = d2i_ECDSA_SIG(NULL, &p, (long)der_len)) != NULL) {
            const BIGNUM *r, *sv;
            ECDSA_SIG_get0(es, &r, &sv);
            if (BN_bn2binpad(r, rs, 32) == 32 && BN_bn2binpad(sv, rs + 32, 32) == 32 &&
                mav2_sig_normalize(rs, &flipped) && flipped)
                high++;
            ECDSA_SIG_free(es);
        }
        EVP_PKEY_CTX_free(ctx);
    }
    tap_ok(good == n, "%d of %d token signatures low-s and recovering to the key", good, n);
    tap_ok(n < 20 || (high > 0 && high < n), "raw token signatures: %d of %d high-s", high, n);
    mav2_signer_free(s);
    EVP_PKEY_free(k);
    return tap_done();
}

/* Prints the address that signed a 67-byte user-op signature over userOpHash. */
static int recover_userop(const char *hash_hex, const char *sig_hex)
{
    unsigned char hash[32], sig[MAV2_USEROP_SIG_LEN], digest[32], addr[20];
    char s[MAV2_ADDRESS_STR_MAX];

    if (!mh_hex_decode_exact(hash_hex, hash, 32, NULL) ||
        !mh_hex_decode_exact(sig_hex, sig, sizeof(sig), NULL) || sig[0] != 0xff || sig[1] != 0 ||
        !mav2_sig_is_low_s(sig + 2)) {
        fprintf(stderr, "recover-userop: bad input\n");
        return 1;
    }
    mav2_userop_digest(hash, digest);
    if (!mav2_sig_recover(digest, sig + 2, NULL, addr)) {
        fprintf(stderr, "recover-userop: %s\n", mav2_last_error());
        return 1;
    }
    mav2_address_format(addr, s);
    printf("%s\n", s);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "recover-userop") == 0)
        return recover_userop(argv[2], argv[3]);
    if (argc == 5 && strcmp(argv[1], "token") == 0)
        return test_token(argv[2], atoi(argv[3]), argv[4]);
    if (argc != 1)
        tap_bail("usage: test-key [token URI N ADDRESS]");
    return test_files();
}
