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

/* Signed integers in five 62-bit limbs, least significant first: limbs 0-3 in
 * [0, 2^62), limb 4 signed (value = sum v[i] 2^(62 i)). */
typedef struct {
    int64_t v[5];
} s62;

#define M62 ((int64_t)0x3fffffffffffffff)

static const s62 N62 = {{0x3fd25e8cd0364141LL, 0x2abb739abd2280eeLL, 0x3fffffffffffffebLL,
                         0x3fffffffffffffffLL, 0xffLL}};

static void s62_from(const uint64_t x[4], s62 *r)
{
    r->v[0] = (int64_t)(x[0] & (uint64_t)M62);
    r->v[1] = (int64_t)((x[0] >> 62 | x[1] << 2) & (uint64_t)M62);
    r->v[2] = (int64_t)((x[1] >> 60 | x[2] << 4) & (uint64_t)M62);
    r->v[3] = (int64_t)((x[2] >> 58 | x[3] << 6) & (uint64_t)M62);
    r->v[4] = (int64_t)(x[3] >> 56);
}

static void s62_to(const s62 *a, uint64_t x[4])
{
    x[0] = (uint64_t)a->v[0] | (uint64_t)a->v[1] << 62;
    x[1] = (uint64_t)a->v[1] >> 2 | (uint64_t)a->v[2] << 60;
    x[2] = (uint64_t)a->v[2] >> 4 | (uint64_t)a->v[3] << 58;
    x[3] = (uint64_t)a->v[3] >> 6 | (uint64_t)a->v[4] << 56;
}

/* 62 divsteps (Bernstein-Yang) on the low bits of f and g: the matrix t with
 * 2^62 (f', g') = t (f, g). Variable time (the inputs are public): a run of
 * even g is one shift. delta is carried across calls. */
static void divsteps62(int64_t *delta, uint64_t f, uint64_t g, int64_t t[4])
{
    int64_t u = 1, v = 0, q = 0, r = 1, d = *delta;
    int left = 62;

    for (;;) {
        int z = __builtin_ctzll(g | UINT64_MAX << left); /* g even: halve it */
        g >>= z;
        u *= (int64_t)1 << z;
        v *= (int64_t)1 << z;
        d += z;
        left -= z;
        if (left == 0)
            break;
        if (d > 0) { /* (delta, f, g) <- (1 - delta, g, (g - f) / 2) */
            uint64_t of = f;
            int64_t ou = u, ov = v;
            f = g;
            g -= of;
            u = q;
            v = r;
            q -= ou;
            r -= ov;
            d = 1 - d;
        } else { /* (delta, f, g) <- (1 + delta, f, (g + f) / 2) */
            g += f;
            q += u;
            r += v;
            d++;
        }
        g >>= 1;
        u *= 2;
        v *= 2;
        if (--left == 0)
            break;
    }
    *delta = d;
    t[0] = u;
    t[1] = v;
    t[2] = q;
    t[3] = r;
}

/* out = (a x + b y + m N) / 2^62, exact by the choice of m (0 when mod is 0). */
static void s62_combine(int64_t a, const s62 *x, int64_t b, const s62 *y, int64_t m, s62 *out)
{
    __int128 acc = (__int128)a * x->v[0] + (__int128)b * y->v[0] + (__int128)m * N62.v[0];
    acc >>= 62;
    for (int i = 1; i < 5; i++) {
        acc += (__int128)a * x->v[i] + (__int128)b * y->v[i] + (__int128)m * N62.v[i];
        out->v[i - 1] = (int64_t)acc & M62;
        acc >>= 62;
    }
    out->v[4] = (int64_t)acc;
}

/* m making a x0 + b y0 + m N0 divisible by 2^62. */
static int64_t s62_fix(int64_t a, const s62 *x, int64_t b, const s62 *y)
{
    static const uint64_t NINV = 0xb4f20099aa774ec1ULL; /* N^-1 mod 2^64 */
    uint64_t t = (uint64_t)a * (uint64_t)x->v[0] + (uint64_t)b * (uint64_t)y->v[0];
    return (int64_t)((0 - t * NINV) & (uint64_t)M62);
}

static int s62_is_zero(const s62 *a)
{
    return (a->v[0] | a->v[1] | a->v[2] | a->v[3] | a->v[4]) == 0;
}

/* a = a + k N for k = +1 or -1. */
static void s62_add_n(s62 *a, int k)
{
    int64_t carry = 0;
    for (int i = 0; i < 4; i++) {
        int64_t s = a->v[i] + k * N62.v[i] + carry;
        a->v[i] = s & M62;
        carry = s >> 62;
    }
    a->v[4] += k * N62.v[4] + carry;
}

static int s62_below_n(const s62 *a)
{
    for (int i = 4; i >= 0; i--)
        if (a->v[i] != N62.v[i])
            return a->v[i] < N62.v[i];
    return 0;
}

/* out = a^-1 mod n for a in [1, n-1], variable time (a is public): divsteps
 * from (f, g) = (n, a) until g = 0, tracking f = d a and g = e a mod n. */
static int inv_mod_n(const uint64_t a[4], uint64_t out[4])
{
    s62 f = N62, g, d = {{0}}, e = {{1}}, nf, ng;
    int64_t delta = 1, t[4];
    int rounds = 0;

    s62_from(a, &g);
    while (!s62_is_zero(&g)) {
        if (++rounds > 16) /* the divsteps bound for 256 bits is 12 rounds */
            return 0;
        divsteps62(&delta, (uint64_t)f.v[0] | (uint64_t)f.v[1] << 62,
                   (uint64_t)g.v[0] | (uint64_t)g.v[1] << 62, t);
        s62_combine(t[0], &f, t[1], &g, 0, &nf);
        s62_combine(t[2], &f, t[3], &g, 0, &ng);
        f = nf;
        g = ng;
        s62_combine(t[0], &d, t[1], &e, s62_fix(t[0], &d, t[1], &e), &nf);
        s62_combine(t[2], &d, t[3], &e, s62_fix(t[2], &d, t[3], &e), &ng);
        d = nf;
        e = ng;
    }
    if (f.v[4] < 0) { /* f = -1: a^-1 = -d */
        for (int i = 0; i < 5; i++)
            d.v[i] = -d.v[i];
        s62_add_n(&d, 0); /* renormalize the limbs */
    }
    while (d.v[4] < 0)
        s62_add_n(&d, 1);
    while (!s62_below_n(&d))
        s62_add_n(&d, -1);
    s62_to(&d, out);
    return 1;
}

int mav2_k1_scalar_inverse(const unsigned char a[32], unsigned char out[32])
{
    static const uint64_t zero[4] = {0, 0, 0, 0};
    uint64_t x[4], r[4];

    load_be(a, x);
    if (cmp4(x, zero) == 0 || cmp4(x, N) >= 0 || !inv_mod_n(x, r))
        return 0;
    store_be(r, out);
    return 1;
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
    if (!inv_mod_n(sv, si))
        return 0;
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
