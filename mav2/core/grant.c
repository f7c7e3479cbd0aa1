/* SPDX-License-Identifier: Apache-2.0 */
/* grant.c: deferred grant byte formats (see grant.h). */
#include "mav2/core/grant.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "common/keccak.h"
#include "mav2/core/error.h"

void mav2_grant_init(mav2_grant *g)
{
    memset(g, 0, sizeof(*g));
    g->owner_global = 1;
}

void mav2_grant_clear(mav2_grant *g)
{
    if (g == NULL)
        return;
    mav2_buf_free(&g->call);
    mav2_grant_init(g);
}

int mav2_grant_nonce(mav2_u256 *nonce, const mav2_u256 *lane, uint32_t entity_id, int global,
                     uint64_t seq)
{
    mav2_u256 key;
    uint8_t opt = MAV2_NONCE_DEFERRED | (global ? MAV2_NONCE_GLOBAL : 0);
    if (entity_id == 0)
        return mav2_error_set("grant: entity 0 is the owner, not a session key");
    return mav2_nonce_key(&key, lane, entity_id, opt) && mav2_nonce_full(nonce, &key, seq);
}

void mav2_grant_nonce_parts(const mav2_grant *g, mav2_u256 *lane, uint32_t *entity_id,
                            uint8_t *options, uint64_t *seq)
{
    mav2_u256 key;
    mav2_nonce_split(&g->nonce, &key, seq);
    mav2_nonce_key_parts(&key, lane, entity_id, options);
}

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int mav2_grant_digest(uint64_t chain_id, const uint8_t account[MAV2_ADDRESS_LEN],
                      const mav2_u256 *nonce, uint64_t deadline, const uint8_t *call,
                      size_t call_len, uint8_t out[32])
{
    static const char t_dom[] = "EIP712Domain(uint256 chainId,address verifyingContract)";
    static const char t_da[] = "DeferredAction(uint256 nonce,uint48 deadline,bytes call)";
    uint8_t d[96] = {0}, s[128] = {0}, m[66];
    mav2_u256 v;
    if (account == NULL || nonce == NULL || (call == NULL && call_len != 0))
        return mav2_error_set("grant digest: account, nonce or call missing");
    if (deadline > MAV2_GRANT_DEADLINE_MAX)
        return mav2_error_set("grant digest: the deadline does not fit 48 bits");
    mh_keccak256(t_dom, sizeof(t_dom) - 1, d);
    mav2_u256_from_u64(&v, chain_id);
    mav2_u256_to_be32(&v, d + 32);
    memcpy(d + 76, account, 20);
    mh_keccak256(t_da, sizeof(t_da) - 1, s);
    mav2_u256_to_be32(nonce, s + 32);
    mav2_u256_from_u64(&v, deadline);
    mav2_u256_to_be32(&v, s + 64);
    mh_keccak256(call, call_len, s + 96);
    m[0] = 0x19;
    m[1] = 0x01;
    mh_keccak256(d, sizeof(d), m + 2);
    mh_keccak256(s, sizeof(s), m + 34);
    mh_keccak256(m, sizeof(m), out);
    return 1;
}

int mav2_grant_owner_signature(const uint8_t sig65[MAV2_SIG65_LEN],
                               uint8_t out[MAV2_GRANT_OWNER_SIG_LEN])
{
    if (!mav2_sig65_check(sig65))
        return mav2_error_prefix("owner signature");
    out[0] = 0x00;
    memcpy(out + 1, sig65, MAV2_SIG65_LEN);
    return 1;
}

int mav2_grant_encoded(const mav2_grant *g, mav2_buf *out)
{
    uint8_t head[MAV2_GRANT_LOCATOR_LEN + 6] = {0};
    if (g->deadline > MAV2_GRANT_DEADLINE_MAX)
        return mav2_error_set("grant: the deadline does not fit 48 bits");
    if (g->call.len < 4)
        return mav2_error_set("grant: no call data");
    put_u32(head + 16, g->owner_entity);
    head[20] = g->owner_global ? 0x01 : 0x00;
    for (int i = 0; i < 6; i++)
        head[21 + i] = (uint8_t)(g->deadline >> (8 * (5 - i)));
    out->len = 0;
    return mav2_buf_append(out, head, sizeof(head)) &&
           mav2_buf_append(out, g->call.data, g->call.len);
}

int mav2_grant_sig_prefix(const mav2_grant *g, mav2_buf *out)
{
    mav2_buf enc = MAV2_BUF_INIT;
    uint8_t n[4];
    int ok = mav2_grant_encoded(g, &enc) && enc.len <= UINT32_MAX;
    out->len = 0;
    if (ok) {
        put_u32(n, (uint32_t)enc.len);
        ok = mav2_buf_append(out, n, 4) && mav2_buf_append(out, enc.data, enc.len);
        put_u32(n, MAV2_GRANT_OWNER_SIG_LEN);
        ok = ok && mav2_buf_append(out, n, 4) &&
             mav2_buf_append(out, g->owner_sig, MAV2_GRANT_OWNER_SIG_LEN);
    }
    mav2_buf_free(&enc);
    return ok;
}

int mav2_grant_serialize(const mav2_grant *g, mav2_buf *out)
{
    mav2_buf pre = MAV2_BUF_INIT;
    uint8_t head[33];
    int ok;
    head[0] = g->exec_hooks ? 0x01 : 0x00;
    mav2_u256_to_be32(&g->nonce, head + 1);
    ok = mav2_grant_sig_prefix(g, &pre);
    out->len = 0;
    ok = ok && mav2_buf_append(out, head, sizeof(head)) && mav2_buf_append(out, pre.data, pre.len);
    mav2_buf_free(&pre);
    return ok;
}

int mav2_grant_to_hex(const mav2_grant *g, char **out)
{
    mav2_buf b = MAV2_BUF_INIT;
    size_t cap;
    *out = NULL;
    if (!mav2_grant_serialize(g, &b))
        return 0;
    cap = mh_hex_encoded_size(b.len, 1);
    if ((*out = malloc(cap)) == NULL) {
        mav2_buf_free(&b);
        return mav2_error_set("out of memory");
    }
    mh_hex_encode(b.data, b.len, *out, cap, 1);
    mav2_buf_free(&b);
    return 1;
}

/* ownerLocator: a non-direct-call validation (entity << 8 | global?1), nothing above. */
static int parse_locator(const uint8_t *p, mav2_grant *g)
{
    for (int i = 0; i < 16; i++)
        if (p[i] != 0)
            return mav2_error_set("grant: the owner locator names a direct-call validation, "
                                  "which a grant cannot use");
    if ((p[20] & ~MAV2_NONCE_GLOBAL) != 0)
        return mav2_error_set("grant: owner locator options 0x%02x (want 0x00 or 0x01)", p[20]);
    g->owner_entity = get_u32(p + 16);
    g->owner_global = p[20] & MAV2_NONCE_GLOBAL;
    return 1;
}

static int parse_encoded(const uint8_t *p, size_t n, mav2_grant *g)
{
    if (n < MAV2_GRANT_LOCATOR_LEN + 6 + 4)
        return mav2_error_set("grant: encoded part of %zu bytes is too short for a locator, "
                              "a deadline and a call",
                              n);
    if (!parse_locator(p, g))
        return 0;
    g->deadline = 0;
    for (int i = 0; i < 6; i++)
        g->deadline = g->deadline << 8 | p[MAV2_GRANT_LOCATOR_LEN + i];
    return mav2_buf_set(&g->call, p + MAV2_GRANT_LOCATOR_LEN + 6, n - MAV2_GRANT_LOCATOR_LEN - 6);
}

static int parse_all(const uint8_t *d, size_t len, mav2_grant *g)
{
    size_t n, off;
    uint8_t opt;
    if (len < 33 + 4)
        return mav2_error_set("grant: %zu bytes is too short", len);
    if (d[0] > 1)
        return mav2_error_set("grant: flag byte 0x%02x (want 0x00 or 0x01)", d[0]);
    g->exec_hooks = d[0];
    mav2_u256_from_be32(&g->nonce, d + 1);
    mav2_grant_nonce_parts(g, NULL, NULL, &opt, NULL);
    if (!(opt & MAV2_NONCE_DEFERRED) || (opt & MAV2_NONCE_DIRECT))
        return mav2_error_set("grant: nonce options 0x%02x lack the deferred bit 0x02 or name "
                              "a direct call",
                              opt);
    n = get_u32(d + 33);
    off = 37;
    if (n > len - off)
        return mav2_error_set("grant: encoded length %zu exceeds the %zu bytes left", n, len - off);
    if (!parse_encoded(d + off, n, g))
        return 0;
    off += n;
    if (len - off < 4)
        return mav2_error_set("grant: the owner signature length is missing");
    n = get_u32(d + off);
    off += 4;
    if (n != MAV2_GRANT_OWNER_SIG_LEN)
        return mav2_error_set("grant: owner signature of %zu bytes (want 66: 0x00 || r || s || v)",
                              n);
    if (len - off != n)
        return mav2_error_set("grant: %zu bytes where the 66-byte owner signature ends it",
                              len - off);
    if (d[off] != 0x00)
        return mav2_error_set("grant: owner signature type 0x%02x (want 0x00, an EOA)", d[off]);
    memcpy(g->owner_sig, d + off, n);
    return 1;
}

int mav2_grant_parse(const uint8_t *data, size_t len, mav2_grant *g)
{
    if (g == NULL)
        return mav2_error_set("grant: no output");
    mav2_grant_clear(g);
    if (data == NULL && len != 0)
        return mav2_error_set("grant: no data");
    if (!parse_all(data, len, g)) {
        mav2_grant_clear(g);
        return 0;
    }
    return 1;
}

int mav2_grant_parse_hex(const char *hex, mav2_grant *g)
{
    uint8_t *b = NULL;
    size_t n = 0, len;
    const char *why = NULL;
    char *s;
    int ok;
    if (hex == NULL)
        return mav2_error_set("grant: no text");
    while (isspace((unsigned char)*hex))
        hex++;
    len = strlen(hex);
    while (len > 0 && isspace((unsigned char)hex[len - 1]))
        len--;
    if ((s = malloc(len + 1)) == NULL)
        return mav2_error_set("out of memory");
    memcpy(s, hex, len);
    s[len] = '\0';
    ok = mh_hex_decode_alloc(s, &b, &n, &why);
    free(s);
    if (!ok) {
        mav2_grant_clear(g);
        return mav2_error_set("grant: not hex (%s)", why ? why : "bad digits");
    }
    ok = mav2_grant_parse(b, n, g);
    free(b);
    return ok;
}
