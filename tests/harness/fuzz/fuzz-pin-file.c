/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: PIN files. The input is the content of a PIN file, read by
 * libp11k1's pin-source reader (pkcs11/pin.c) and by mav2's --pin-source reader
 * (through mav2_key_load of a passphrase-protected key, passphrase "1234"). Both
 * take the first line (to "\n", a trailing "\r" dropped) when it is 1 .. 255 bytes
 * and refuse anything else: never cut, never a part of it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "mav2/keys/key.h"
#include "pkcs11/pin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[256], pin_path[300], key_path[300];

static void cleanup(void)
{
    unlink(pin_path);
    unlink(key_path);
    rmdir(dir);
}

/* A secp256k1 key in a traditional (cheap to try) PEM encrypted with "1234". */
static void setup(void)
{
    EVP_PKEY *k = EVP_EC_gen("secp256k1");
    BIO *b;

    snprintf(dir, sizeof(dir), "%s/mav2-fuzz-pin.XXXXXX",
             getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
    if (k == NULL || mkdtemp(dir) == NULL)
        abort();
    snprintf(pin_path, sizeof(pin_path), "%s/pin", dir);
    snprintf(key_path, sizeof(key_path), "%s/key.pem", dir);
    b = BIO_new_file(key_path, "w");
    if (b == NULL || !PEM_write_bio_PrivateKey_traditional(b, k, EVP_aes_128_cbc(),
                                                           (unsigned char *)"1234", 4, NULL, NULL))
        abort();
    BIO_free(b);
    EVP_PKEY_free(k);
    atexit(cleanup);
}

/* Length of the PIN mav2 must take from data (the first line, ended by "\n",
 * "\r" or NUL), or -1 when it must refuse it. */
static long mav2_len(const uint8_t *data, size_t size)
{
    size_t n = 0;
    while (n < size && data[n] != '\n' && data[n] != '\0' && data[n] != '\r')
        n++;
    return n == 0 || n > 255 ? -1 : (long)n;
}

/* Same for libp11k1: the line ends at "\n" or NUL, one "\r" before it dropped. */
static long p11k1_len(const uint8_t *data, size_t size)
{
    size_t n = 0;
    while (n < size && data[n] != '\n' && data[n] != '\0')
        n++;
    if (n > 0 && data[n - 1] == '\r')
        n--;
    return n == 0 || n > 255 ? -1 : (long)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mav2_key_opts o;
    p11k1_pin pin;
    EVP_PKEY *k = NULL;
    long want;
    FILE *f;
    int ok;

    if (dir[0] == '\0')
        setup();
    f = fopen(pin_path, "w");
    if (f == NULL || (size > 0 && fwrite(data, 1, size, f) != size))
        abort();
    fclose(f);
    want = p11k1_len(data, size);
    ok = p11k1_pin_from_source(pin_path, &pin) == CKR_OK;
    if (ok != (want >= 0) || (ok && ((long)pin.len != want || memcmp(pin.buf, data, pin.len) != 0)))
        abort();
    p11k1_pin_wipe(&pin);

    /* mav2: the key opens exactly when the first line is "1234" */
    want = mav2_len(data, size);
    mav2_key_opts_init(&o);
    o.flags = MAV2_KEY_PRIVATE;
    o.pin_file = pin_path;
    ok = mav2_key_load(key_path, &o, &k);
    if (ok != (want == 4 && memcmp(data, "1234", 4) == 0))
        abort();
    EVP_PKEY_free(k);
    return 0;
}
