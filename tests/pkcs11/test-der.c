/* SPDX-License-Identifier: Apache-2.0 */
/* test-der: CKA_EC_PARAMS, CKA_EC_POINT and signature decoding (pkcs11/der.c). */
#include "config.h"

#include <string.h>

#include "pkcs11/der.h"
#include "tap.h"

static const unsigned char point[65] = {
    0x04, 0x79, 0xbe, 0x66, 0x7e, 0xf9, 0xdc, 0xbb, 0xac, 0x55, 0xa0, 0x62, 0x95,
    0xce, 0x87, 0x0b, 0x07, 0x02, 0x9b, 0xfc, 0xdb, 0x2d, 0xce, 0x28, 0xd9, 0x59,
    0xf2, 0x81, 0x5b, 0x16, 0xf8, 0x17, 0x98, 0x48, 0x3a, 0xda, 0x77, 0x26, 0xa3,
    0xc4, 0x65, 0x5d, 0xa4, 0xfb, 0xfc, 0x0e, 0x11, 0x08, 0xa8, 0xfd, 0x17, 0xb4,
    0x48, 0xa6, 0x85, 0x54, 0x19, 0x9c, 0x47, 0xd0, 0x8f, 0xfb, 0x10, 0xd4, 0xb8};

static void test_params(void)
{
    static const unsigned char k1[] = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a};
    static const unsigned char p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48,
                                         0xce, 0x3d, 0x03, 0x01, 0x07};
    static const unsigned char odd[] = {0x06, 0x03, 0x2b, 0x65, 0x70};
    static const unsigned char expl[] = {0x30, 0x03, 0x02, 0x01, 0x01};
    char name[64];

    tap_ok(p11k1_der_is_secp256k1(k1, sizeof(k1)), "secp256k1 OID recognized");
    tap_ok(!p11k1_der_is_secp256k1(k1, sizeof(k1) - 1), "truncated OID is not secp256k1");
    tap_ok(!p11k1_der_is_secp256k1(p256, sizeof(p256)), "prime256v1 is not secp256k1");
    tap_ok(!p11k1_der_is_secp256k1(NULL, 0), "no params is not secp256k1");
    p11k1_der_curve_name(p256, sizeof(p256), name, sizeof(name));
    tap_ok(strstr(name, "prime256v1") != NULL, "prime256v1 named (%s)", name);
    p11k1_der_curve_name(odd, sizeof(odd), name, sizeof(name));
    tap_ok(strcmp(name, "curve OID 1.3.101.112") == 0, "unknown OID in dotted form (%s)", name);
    p11k1_der_curve_name(expl, sizeof(expl), name, sizeof(name));
    tap_ok(strstr(name, "explicit") != NULL, "explicit parameters named (%s)", name);
}

static void test_point(void)
{
    unsigned char in[80], out[65];

    memset(out, 0, sizeof(out));
    tap_ok(p11k1_der_ec_point(point, 65, out) && memcmp(out, point, 65) == 0,
           "raw 65-byte point accepted");
    in[0] = 0x04;
    in[1] = 0x41;
    memcpy(in + 2, point, 65);
    memset(out, 0, sizeof(out));
    tap_ok(p11k1_der_ec_point(in, 67, out) && memcmp(out, point, 65) == 0,
           "DER OCTET STRING point accepted");
    tap_ok(!p11k1_der_ec_point(in, 66, out), "truncated DER point refused");
    tap_ok(!p11k1_der_ec_point(in, 68, out), "DER point with trailing byte refused");
    in[2] = 0x02;
    tap_ok(!p11k1_der_ec_point(in, 67, out), "compressed point inside DER refused");
    tap_ok(!p11k1_der_ec_point(point, 64, out), "64-byte raw point refused");
    in[0] = 0x04;
    in[1] = 0x81; /* long form for 65: not minimal */
    in[2] = 0x41;
    memcpy(in + 3, point, 65);
    tap_ok(!p11k1_der_ec_point(in, 68, out), "non-minimal DER length refused");
    tap_ok(!p11k1_der_ec_point(NULL, 65, out), "NULL refused");
}

static void test_sig(void)
{
    unsigned char der[80], rs[64];
    size_t n = 0;
    /* r = 0x80 || 31 x 0x11 (needs a 0 pad), s = 0x01 (short) */
    der[n++] = 0x30;
    der[n++] = 2 + 33 + 2 + 1;
    der[n++] = 0x02;
    der[n++] = 33;
    der[n++] = 0x00;
    der[n++] = 0x80;
    memset(der + n, 0x11, 31);
    n += 31;
    der[n++] = 0x02;
    der[n++] = 1;
    der[n++] = 0x01;
    tap_ok(p11k1_der_sig_to_rs(der, n, rs), "DER signature decoded");
    tap_ok(rs[0] == 0x80 && rs[31] == 0x11 && rs[32] == 0 && rs[62] == 0 && rs[63] == 1,
           "r and s right-aligned into r||s");
    tap_ok(!p11k1_der_sig_to_rs(der, n - 1, rs), "truncated DER signature refused");
    der[4] = 0x01;
    tap_ok(!p11k1_der_sig_to_rs(der, n, rs), "33-byte r refused");
}

int main(void)
{
    test_params();
    test_point();
    test_sig();
    return tap_done();
}
