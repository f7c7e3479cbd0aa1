/* SPDX-License-Identifier: Apache-2.0 */
/* der.c: EC parameter, EC point and ECDSA signature decoding (see der.h). */
#include "config.h"

#include "der.h"

#include <stdio.h>
#include <string.h>

const unsigned char p11k1_der_secp256k1[7] = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a};

int p11k1_der_is_secp256k1(const unsigned char *params, size_t len)
{
    return params != NULL && len == sizeof(p11k1_der_secp256k1) &&
           memcmp(params, p11k1_der_secp256k1, len) == 0;
}

/* Reads a tag and a definite length; *hdr is the header size. */
static int der_header(const unsigned char *in, size_t len, unsigned char tag, size_t *body,
                      size_t *hdr)
{
    size_t n, i;
    if (len < 2 || in[0] != tag)
        return 0;
    if (in[1] < 0x80) {
        *body = in[1];
        *hdr = 2;
    } else {
        n = in[1] & 0x7f;
        if (n == 0 || n > 2 || len < 2 + n)
            return 0;
        *body = 0;
        for (i = 0; i < n; i++)
            *body = (*body << 8) | in[2 + i];
        if (*body < 0x80)
            return 0; /* not minimal */
        *hdr = 2 + n;
    }
    return *body <= len - *hdr;
}

static const struct {
    unsigned char oid[10];
    size_t len;
    const char *name;
} known_curves[] = {
    {{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07}, 8, "prime256v1 (P-256)"},
    {{0x2b, 0x81, 0x04, 0x00, 0x22}, 5, "secp384r1 (P-384)"},
    {{0x2b, 0x81, 0x04, 0x00, 0x23}, 5, "secp521r1 (P-521)"},
    {{0x2b, 0x81, 0x04, 0x00, 0x0a}, 5, "secp256k1"},
    {{0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07}, 9, "brainpoolP256r1"},
};

void p11k1_der_curve_name(const unsigned char *params, size_t len, char *buf, size_t buf_len)
{
    size_t body, hdr, i, off;
    unsigned long arc = 0;
    if (params == NULL || len == 0) {
        snprintf(buf, buf_len, "no curve parameters");
        return;
    }
    if (params[0] == 0x30) {
        snprintf(buf, buf_len, "explicit curve parameters");
        return;
    }
    if (!der_header(params, len, 0x06, &body, &hdr) || hdr + body != len || body == 0) {
        snprintf(buf, buf_len, "unparsable curve parameters");
        return;
    }
    for (i = 0; i < sizeof(known_curves) / sizeof(known_curves[0]); i++) {
        if (known_curves[i].len == body && memcmp(known_curves[i].oid, params + hdr, body) == 0) {
            snprintf(buf, buf_len, "%s", known_curves[i].name);
            return;
        }
    }
    off = (size_t)snprintf(buf, buf_len, "curve OID %u.%u", params[hdr] / 40, params[hdr] % 40);
    for (i = 1; i < body && off < buf_len; i++) {
        arc = (arc << 7) | (params[hdr + i] & 0x7f);
        if (!(params[hdr + i] & 0x80)) {
            off += (size_t)snprintf(buf + off, buf_len - off, ".%lu", arc);
            arc = 0;
        }
    }
}

int p11k1_der_ec_point(const unsigned char *in, size_t len, unsigned char out[65])
{
    size_t body, hdr;
    if (in == NULL)
        return 0;
    if (len == 65 && in[0] == 0x04) {
        memcpy(out, in, 65);
        return 1;
    }
    if (der_header(in, len, 0x04, &body, &hdr) && hdr + body == len && body == 65 &&
        in[hdr] == 0x04) {
        memcpy(out, in + hdr, 65);
        return 1;
    }
    return 0;
}

/* One positive INTEGER of at most 32 significant bytes, right-aligned into out. */
static int der_uint32(const unsigned char **in, size_t *len, unsigned char out[32])
{
    size_t body, hdr;
    const unsigned char *p;
    if (!der_header(*in, *len, 0x02, &body, &hdr) || body == 0)
        return 0;
    p = *in + hdr;
    if (p[0] & 0x80)
        return 0; /* negative */
    if (body > 1 && p[0] == 0 && !(p[1] & 0x80))
        return 0; /* not minimal */
    *in += hdr + body;
    *len -= hdr + body;
    while (body > 0 && p[0] == 0) {
        p++;
        body--;
    }
    if (body > 32)
        return 0;
    memset(out, 0, 32);
    memcpy(out + 32 - body, p, body);
    return 1;
}

int p11k1_der_sig_to_rs(const unsigned char *in, size_t len, unsigned char out[64])
{
    size_t body, hdr;
    if (in == NULL || !der_header(in, len, 0x30, &body, &hdr) || hdr + body != len)
        return 0;
    in += hdr;
    len = body;
    if (!der_uint32(&in, &len, out) || !der_uint32(&in, &len, out + 32))
        return 0;
    return len == 0;
}
