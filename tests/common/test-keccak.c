/* SPDX-License-Identifier: Apache-2.0 */
/* test-keccak: Keccak-256 (one-shot and incremental) and EIP-191 against keccak.json. */
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "common/keccak.h"
#include "tap.h"
#include "vectors.h"

static void check_incremental(const uint8_t *in, size_t len, const uint8_t *want, const char *name)
{
    /* feed in uneven pieces so every partial-block path runs */
    static const size_t steps[] = {1, 7, 64, 135, 136, 137, 3};
    mh_keccak256_ctx c;
    uint8_t got[32];
    size_t off = 0, k = 0;
    mh_keccak256_init(&c);
    while (off < len) {
        size_t n = steps[k++ % (sizeof(steps) / sizeof(steps[0]))];
        if (n > len - off)
            n = len - off;
        mh_keccak256_update(&c, in + off, n);
        off += n;
    }
    mh_keccak256_final(&c, got);
    tap_mem_eq(got, want, 32, name);
}

int main(void)
{
    json_object *v = vec_load("keccak.json");
    json_object *arr = vec_get(v, "keccak256");
    char what[256];

    for (size_t i = 0; i < vec_len(arr); i++) {
        json_object *e = vec_at(arr, i);
        size_t len = (size_t)vec_int(e, "inputLength"), n;
        uint8_t want[32], got[32], *in;
        vec_hex_exact(e, "keccak256", want, 32);
        if (vec_opt(e, "inputHex")) {
            in = vec_hex(e, "inputHex", &n);
            tap_ok(n == len, "%s: inputHex has inputLength bytes", vec_name(e, i));
        } else {
            /* described, not inlined: "N x 0x61" */
            const char *d = vec_str(e, "inputDescription");
            tap_ok(strstr(d, "0x61") != NULL, "%s: described input is 0x61 bytes", vec_name(e, i));
            in = malloc(len ? len : 1);
            memset(in, 0x61, len);
        }
        mh_keccak256(in, len, got);
        snprintf(what, sizeof(what), "keccak256 %s (one-shot)", vec_name(e, i));
        tap_mem_eq(got, want, 32, what);
        snprintf(what, sizeof(what), "keccak256 %s (incremental)", vec_name(e, i));
        check_incremental(in, len, want, what);
        free(in);
    }

    arr = vec_get(v, "eip191PersonalMessage");
    for (size_t i = 0; i < vec_len(arr); i++) {
        json_object *e = vec_at(arr, i);
        const char *kind = vec_str(e, "messageKind");
        const char *msg = vec_str(e, "message");
        uint8_t want[32], got[32], *m, *pre;
        size_t mlen, prelen;
        vec_hex_exact(e, "eip191Hash", want, 32);
        if (strncmp(kind, "raw", 3) == 0) {
            m = vec_hex(e, "message", &mlen);
        } else {
            mlen = strlen(msg);
            m = malloc(mlen + 1);
            memcpy(m, msg, mlen + 1);
        }
        mh_eip191_hash(m, mlen, got);
        snprintf(what, sizeof(what), "eip191 %.40s (%s)", msg, kind);
        tap_mem_eq(got, want, 32, what);
        pre = vec_hex(e, "preimage", &prelen);
        mh_keccak256(pre, prelen, got);
        snprintf(what, sizeof(what), "keccak256(preimage) %.40s", msg);
        tap_mem_eq(got, want, 32, what);
        tap_ok(prelen > mlen && memcmp(pre + prelen - mlen, m, mlen) == 0 && pre[0] == 0x19,
               "preimage ends with the message: %.40s", msg);
        free(m);
        free(pre);
    }
    json_object_put(v);
    return tap_done();
}
