/* SPDX-License-Identifier: Apache-2.0 */
/* test-hex: strict hex codec of common/hex.h (round trip, prefix, every rejection). */
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "tap.h"

static void reject(const char *in, size_t cap, const char *want_why)
{
    uint8_t buf[8];
    size_t n = 99;
    const char *why = NULL;
    int ok = mh_hex_decode(in, buf, cap, &n, &why);
    tap_ok(!ok && why && strcmp(why, want_why) == 0, "decode \"%s\" rejected: %s (got %s)",
           in ? in : "(null)", want_why, why ? why : "-");
}

int main(void)
{
    uint8_t buf[8], *p = NULL;
    size_t n = 0;
    char s[32];
    const char *why = NULL;

    tap_ok(mh_hex_decode("0xDEADbeef", buf, sizeof(buf), &n, &why) && n == 4 &&
               memcmp(buf, "\xde\xad\xbe\xef", 4) == 0,
           "decode 0xDEADbeef (mixed case)");
    tap_ok(mh_hex_decode("0Xff00", buf, sizeof(buf), &n, &why) && n == 2 && buf[0] == 0xff,
           "decode 0X prefix");
    tap_ok(mh_hex_decode("0102", buf, sizeof(buf), &n, &why) && n == 2 && buf[1] == 2,
           "decode without prefix");
    tap_ok(mh_hex_decode("0x", buf, sizeof(buf), &n, &why) && n == 0, "decode 0x -> empty");
    tap_ok(mh_hex_decode("", buf, sizeof(buf), &n, &why) && n == 0, "decode \"\" -> empty");
    reject("0x123", sizeof(buf), "odd number of hex digits");
    reject("0x12g4", sizeof(buf), "invalid hex digit");
    reject("0x 1234", sizeof(buf), "invalid hex digit");
    reject("0x0x12", sizeof(buf), "invalid hex digit");
    reject("-12", sizeof(buf), "invalid hex digit");
    reject("0x010203", 2, "too long");
    reject(NULL, sizeof(buf), "missing");
    tap_ok(mh_hex_decode_exact("0x0102", buf, 2, &why), "decode_exact 2 bytes");
    tap_ok(!mh_hex_decode_exact("0x010203", buf, 2, &why) && strcmp(why, "wrong length") == 0,
           "decode_exact rejects 3 bytes for 2");
    tap_ok(!mh_hex_decode_exact("0x01", buf, 2, &why) && strcmp(why, "wrong length") == 0,
           "decode_exact rejects 1 byte for 2");
    tap_ok(mh_hex_decode_alloc("0xabcdef", &p, &n, &why) && n == 3 && p[2] == 0xef, "decode_alloc");
    free(p);
    p = NULL;
    tap_ok(mh_hex_decode_alloc("0x", &p, &n, &why) && n == 0 && p != NULL, "decode_alloc empty");
    free(p);
    tap_ok(!mh_hex_decode_alloc("0xabc", &p, &n, &why), "decode_alloc rejects odd");

    tap_ok(mh_hex_encode((const uint8_t *)"\x00\xff\x10", 3, s, sizeof(s), 1) &&
               strcmp(s, "0x00ff10") == 0,
           "encode with prefix, lowercase");
    tap_ok(mh_hex_encode((const uint8_t *)"\xab", 1, s, sizeof(s), 0) && strcmp(s, "ab") == 0,
           "encode without prefix");
    tap_ok(mh_hex_encode(NULL, 0, s, sizeof(s), 1) && strcmp(s, "0x") == 0, "encode empty");
    tap_ok(!mh_hex_encode((const uint8_t *)"\xab\xcd", 2, s, 6, 1), "encode: buffer too small");
    tap_ok(mh_hex_encode((const uint8_t *)"\xab\xcd", 2, s, 7, 1), "encode: exact buffer size");

    /* round trip of every byte value */
    uint8_t all[256], back[256];
    char big[2 * 256 + 3];
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    tap_ok(mh_hex_encode(all, 256, big, sizeof(big), 1) &&
               mh_hex_decode(big, back, sizeof(back), &n, &why) && n == 256 &&
               memcmp(all, back, 256) == 0,
           "round trip of all 256 byte values");
    return tap_done();
}
