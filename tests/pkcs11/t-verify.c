/* SPDX-License-Identifier: Apache-2.0 */
/* t-verify PUB_HEX DIGEST_HEX SIG_HEX: exit 0 if r||s is a valid secp256k1
 * signature (after normalizing s), for the shell tests. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "token.h"

static int unhex(const char *s, unsigned char *out, size_t n)
{
    if (strlen(s) != 2 * n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1)
            return 0;
        out[i] = (unsigned char)v;
    }
    return 1;
}

int main(int argc, char **argv)
{
    unsigned char pub[65], d[32], sig[64];
    if (argc != 4 || !unhex(argv[1], pub, 65) || !unhex(argv[2], d, 32) ||
        !unhex(argv[3], sig, 64)) {
        fprintf(stderr, "usage: t-verify PUB65_HEX DIGEST32_HEX SIG64_HEX\n");
        return 2;
    }
    if (!tok_sig_ok(pub, d, sig)) {
        fprintf(stderr, "t-verify: signature does not verify\n");
        return 1;
    }
    return 0;
}
