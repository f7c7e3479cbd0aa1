/* SPDX-License-Identifier: Apache-2.0 */
/* k1fast: scalar arithmetic mod n for the recovery-id check, software signing. */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/provider.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "mav2/keys/k1fast.h"

/* secp256k1 group order n, 64-bit limbs, least significant first. */
static const uint64_t N[4] = {0xbfd25e8cd0364141ULL, 0xbaaedce6af48a03bULL, 0xfffffffffffffffeULL,
                              0xffffffffffffffffULL};

static void load_be(const unsigned char b[32], uint64_t x[4])
{
    for (int i = 0; i < 4; i++) {
        x[i] = 0;
        for (int j = 0; j < 8; j++)
            x[i] = x[i] << 8 | b[(3 - i) * 8 + j];
    }
}

static void store_be(const uint64_t x[4], unsigned char b[32])
{
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 8; j++)
            b[(3 - i) * 8 + j] = (unsigned char)(x[i] >> (56 - 8 * j));
}

static int cmp4(const uint64_t a[4], const uint64_t b[4])
{
    for (int i = 3; i >= 0; i--)
        if (a[i] != b[i])
            return a[i] > b[i] ? 1 : -1;
    return 0;
}

/* out = a + b; returns the carry. out may be a or b. */
static unsigned add4(const uint64_t a[4], const uint64_t b[4], uint64_t out[4])
{
    unsigned __int128 acc = 0;
    for (int i = 0; i < 4; i++) {
        acc += (unsigned __int128)a[i] + b[i];
        out[i] = (uint64_t)acc;
        acc >>= 64;
    }
    return (unsigned)acc;
}

/* out = a - b; returns the borrow. out may be a or b. */
static unsigned sub4(const uint64_t a[4], const uint64_t b[4], uint64_t out[4])
{
    unsigned borrow = 0;
    for (int i = 0; i < 4; i++) {
        uint64_t d = a[i] - b[i] - borrow;
        borrow = a[i] < b[i] || (a[i] == b[i] && borrow);
        out[i] = d;
    }
    return borrow;
}

static void shr1(uint64_t x[4], unsigned top)
{
    for (int i = 0; i < 3; i++)
        x[i] = x[i] >> 1 | x[i + 1] << 63;
    x[3] = x[3] >> 1 | (uint64_t)top << 63;
}

static int is_one(const uint64_t x[4])
{
    return x[0] == 1 && x[1] == 0 && x[2] == 0 && x[3] == 0;
}

/* Halves u until it is odd, halving x mod n alongside (x + n when x is odd). */
static void halve(uint64_t u[4], uint64_t x[4])
{
    while (!(u[0] & 1)) {
        shr1(u, 0);
        shr1(x, x[0] & 1 ? add4(x, N, x) : 0);
    }
}

/* x = x - y mod n, both below n. */
static void sub_mod(uint64_t x[4], const uint64_t y[4])
{
    if (sub4(x, y, x))
        add4(x, N, x);
}

/* out = a^-1 mod n for a in [1, n-1]: binary extended Euclid (a is public). */
static void inv_mod_n(const uint64_t a[4], uint64_t out[4])
{
    uint64_t u[4], v[4], x1[4] = {1, 0, 0, 0}, x2[4] = {0, 0, 0, 0};

    memcpy(u, a, sizeof(u));
    memcpy(v, N, sizeof(v));
    while (!is_one(u) && !is_one(v)) {
        halve(u, x1);
        halve(v, x2);
        if (cmp4(u, v) >= 0) {
            sub4(u, v, u);
            sub_mod(x1, x2);
        } else {
            sub4(v, u, v);
            sub_mod(x2, x1);
        }
    }
    memcpy(out, is_one(u) ? x1 : x2, sizeof(x1));
}

/* x = x * y mod n through libsecp256k1 (both in [1, n-1]). */
static int mul_mod_n(unsigned char x[32], const unsigned char y[32])
{
    return secp256k1_ec_seckey_tweak_mul(secp256k1_context_static, x, y);
}

int mav2_k1_nonce_point_call(const unsigned char digest[32], const unsigned char rs[64],
                             const unsigned char pub[65], unsigned char sig[64], int *recid,
                             unsigned char msg[32])
{
    static const uint64_t zero[4] = {0, 0, 0, 0};
    uint64_t qx[4], sv[4], z[4], si[4];
    unsigned char sib[32];

    load_be(pub + 1, qx);
    load_be(rs + 32, sv);
    load_be(digest, z);
    if (cmp4(qx, zero) == 0 || cmp4(qx, N) >= 0 || cmp4(sv, zero) == 0 || cmp4(sv, N) >= 0)
        return 0;
    if (cmp4(z, N) >= 0)
        sub4(z, N, z);
    inv_mod_n(sv, si);
    store_be(si, sib);
    /* s' = Qx * r / s: R' = Q (x = Qx, y's parity as the recovery id) */
    memcpy(sig, pub + 1, 32);
    if (!mul_mod_n(sig, rs) || !mul_mod_n(sig, sib))
        return 0;
    memcpy(sig + 32, sig, 32);
    memcpy(sig, pub + 1, 32);
    *recid = pub[64] & 1;
    /* z' = -Qx * z / s, so that -z'/Qx = z/s */
    if (cmp4(z, zero) == 0) {
        memset(msg, 0, 32);
        return 1;
    }
    store_be(z, msg);
    return mul_mod_n(msg, pub + 1) && mul_mod_n(msg, sib) &&
           secp256k1_ec_seckey_negate(secp256k1_context_static, msg);
}

static secp256k1_context *sign_ctx;
static pthread_once_t sign_once = PTHREAD_ONCE_INIT;

static void sign_ctx_init(void)
{
    unsigned char seed[32];

    sign_ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    if (sign_ctx != NULL && (getrandom(seed, sizeof(seed), 0) != (ssize_t)sizeof(seed) ||
                             !secp256k1_context_randomize(sign_ctx, seed))) {
        secp256k1_context_destroy(sign_ctx);
        sign_ctx = NULL;
    }
    explicit_bzero(seed, sizeof(seed));
}

const secp256k1_context *mav2_k1_sign_ctx(void)
{
    pthread_once(&sign_once, sign_ctx_init);
    return sign_ctx;
}

/* The private scalar, when OpenSSL's default provider holds it. */
static int soft_scalar(EVP_PKEY *pkey, unsigned char d[32])
{
    const OSSL_PROVIDER *prov = EVP_PKEY_get0_provider(pkey);
    BIGNUM *bn = NULL;
    int ok;

    if (prov == NULL || strcmp(OSSL_PROVIDER_get0_name(prov), "default") != 0)
        return 0;
    ERR_set_mark();
    ok =
        EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &bn) && BN_bn2binpad(bn, d, 32) == 32;
    ERR_pop_to_mark();
    BN_clear_free(bn);
    return ok;
}

int mav2_k1_soft_usable(EVP_PKEY *pkey, const unsigned char pub[65])
{
    const secp256k1_context *ctx = mav2_k1_sign_ctx();
    unsigned char d[32], got[65];
    size_t len = sizeof(got);
    secp256k1_pubkey pk;
    int ok;

    ok = ctx != NULL && soft_scalar(pkey, d) && secp256k1_ec_pubkey_create(ctx, &pk, d) &&
         secp256k1_ec_pubkey_serialize(ctx, got, &len, &pk, SECP256K1_EC_UNCOMPRESSED) &&
         memcmp(got, pub, sizeof(got)) == 0;
    explicit_bzero(d, sizeof(d));
    return ok;
}

int mav2_k1_soft_sign(EVP_PKEY *pkey, const unsigned char digest[32], unsigned char sig[65])
{
    const secp256k1_context *ctx = mav2_k1_sign_ctx();
    secp256k1_ecdsa_recoverable_signature rs;
    unsigned char d[32];
    int recid = 0, ok;

    ok = ctx != NULL && soft_scalar(pkey, d) &&
         secp256k1_ecdsa_sign_recoverable(ctx, &rs, digest, d, NULL, NULL);
    explicit_bzero(d, sizeof(d));
    if (!ok)
        return 0;
    secp256k1_ecdsa_recoverable_signature_serialize_compact(secp256k1_context_static, sig, &recid,
                                                            &rs);
    sig[64] = (unsigned char)(27 + recid);
    return 1;
}
