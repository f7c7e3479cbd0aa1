/* SPDX-License-Identifier: Apache-2.0 */
/* test-k1fast: the signer's scalar inverse mod n and the finishing step built on it.
 *
 * The inverse is checked by multiplying back through libsecp256k1 (a a^-1 = 1) on
 * edge values and random scalars; the finishing step (mav2_sig_from_der) against
 * libsecp256k1's own recoverable signatures: the same v, and a changed s refused. */
#include <string.h>

#include <openssl/rand.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "mav2/keys/k1fast.h"
#include "mav2/keys/signer.h"
#include "tap.h"

static const unsigned char N_BE[32] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};

/* a - k for a small k (no borrow past the low byte for the values used) */
static void n_minus(unsigned k, unsigned char out[32])
{
    memcpy(out, N_BE, 32);
    out[31] = (unsigned char)(out[31] - k);
}

/* 1 if a a^-1 = 1 and (a^-1)^-1 = a */
static int inverse_holds(const unsigned char a[32])
{
    static const unsigned char one[32] = {[31] = 1};
    unsigned char inv[32], back[32], prod[32];

    if (!mav2_k1_scalar_inverse(a, inv) || !mav2_k1_scalar_inverse(inv, back))
        return 0;
    memcpy(prod, a, 32);
    return secp256k1_ec_seckey_tweak_mul(secp256k1_context_static, prod, inv) &&
           memcmp(prod, one, 32) == 0 && memcmp(back, a, 32) == 0;
}

static void check_inverse(void)
{
    unsigned char a[32], inv[32], ff[32];
    int bad = 0, n = 0;

    memset(a, 0, 32);
    tap_ok(!mav2_k1_scalar_inverse(a, inv), "inverse of 0 refused");
    tap_ok(!mav2_k1_scalar_inverse(N_BE, inv), "inverse of n refused");
    memset(ff, 0xff, 32);
    tap_ok(!mav2_k1_scalar_inverse(ff, inv), "inverse of 2^256 - 1 refused");
    a[31] = 1;
    tap_ok(mav2_k1_scalar_inverse(a, inv) && memcmp(inv, a, 32) == 0, "1^-1 = 1");
    n_minus(1, a);
    tap_ok(mav2_k1_scalar_inverse(a, inv) && memcmp(inv, a, 32) == 0, "(n-1)^-1 = n-1");
    for (int bit = 0; bit < 256; bit++, n++) { /* powers of two: long runs of even steps */
        memset(a, 0, 32);
        a[31 - bit / 8] = (unsigned char)(1u << (bit % 8));
        bad += !inverse_holds(a);
    }
    for (unsigned k = 1; k <= 64; k++, n++) {
        n_minus(k, a);
        bad += !inverse_holds(a);
    }
    for (int i = 0; i < 20000; i++, n++) {
        if (RAND_bytes(a, 32) != 1)
            break;
        a[0] &= (unsigned char)(i % 3 == 0 ? 0x00 : 0xff); /* some short values too */
        if (memcmp(a, N_BE, 32) >= 0 || !memcmp(a, (unsigned char[32]){0}, 32))
            continue;
        bad += !inverse_holds(a);
    }
    tap_ok(bad == 0, "a a^-1 = 1 and (a^-1)^-1 = a for %d scalars (%d wrong)", n, bad);
}

/* r || s as DER */
static size_t der_of(const secp256k1_context *ctx, const unsigned char rs[64], unsigned char *der)
{
    secp256k1_ecdsa_signature sig;
    size_t len = 80;

    return secp256k1_ecdsa_signature_parse_compact(ctx, &sig, rs) &&
                   secp256k1_ecdsa_signature_serialize_der(ctx, der, &len, &sig)
               ? len
               : 0;
}

static void check_finishing(void)
{
    secp256k1_context *ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    int wrong_v = 0, accepted_bad = 0, v_seen[2] = {0, 0}, n = 0;

    for (int i = 0; i < 400; i++, n++) {
        unsigned char sk[32], digest[32], rs[64], der[80], pub[65], out[65];
        secp256k1_ecdsa_recoverable_signature rsig;
        secp256k1_pubkey pk;
        size_t pl = sizeof(pub), dl;
        int recid;

        if (RAND_bytes(sk, 32) != 1 || RAND_bytes(digest, 32) != 1 ||
            !secp256k1_ec_pubkey_create(ctx, &pk, sk) ||
            !secp256k1_ec_pubkey_serialize(ctx, pub, &pl, &pk, SECP256K1_EC_UNCOMPRESSED) ||
            !secp256k1_ecdsa_sign_recoverable(ctx, &rsig, digest, sk, NULL, NULL))
            break;
        secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, rs, &recid, &rsig);
        dl = der_of(ctx, rs, der);
        if (!mav2_sig_from_der(der, dl, digest, pub, out) || out[64] != 27 + recid ||
            memcmp(out, rs, 64) != 0)
            wrong_v++;
        else
            v_seen[recid & 1]++;
        rs[63] ^= 1; /* another s: no longer a signature of digest by pub */
        dl = der_of(ctx, rs, der);
        accepted_bad += dl != 0 && mav2_sig_from_der(der, dl, digest, pub, out);
    }
    secp256k1_context_destroy(ctx);
    tap_ok(n == 400 && wrong_v == 0, "mav2_sig_from_der: r, s and v of %d libsecp256k1 signatures",
           n);
    tap_ok(v_seen[0] > 0 && v_seen[1] > 0, "both recovery ids seen (%d, %d)", v_seen[0], v_seen[1]);
    tap_ok(accepted_bad == 0, "a changed s is refused (%d accepted)", accepted_bad);
}

int main(void)
{
    check_inverse();
    check_finishing();
    return tap_done();
}
