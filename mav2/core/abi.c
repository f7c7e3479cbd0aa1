/* SPDX-License-Identifier: Apache-2.0 */
/* abi.c: ABI encoder builder and return-value decoders (see abi.h). */
#include "mav2/core/abi.h"

#include <stdlib.h>
#include <string.h>

#include "common/keccak.h"
#include "mav2/core/error.h"

typedef struct {
    int dynamic;
    mav2_buf enc; /* static: head words; dynamic: tail encoding */
} abi_item;

struct mav2_abi {
    abi_item *items;
    size_t n, cap;
    int failed;
};

mav2_abi *mav2_abi_new(void)
{
    return calloc(1, sizeof(mav2_abi));
}

void mav2_abi_free(mav2_abi *e)
{
    if (e == NULL)
        return;
    for (size_t i = 0; i < e->n; i++)
        mav2_buf_free(&e->items[i].enc);
    free(e->items);
    free(e);
}

/* New item (zeroed) or NULL with e->failed set. */
static abi_item *abi_push(mav2_abi *e, int dynamic)
{
    if (e == NULL)
        return NULL;
    if (e->failed)
        return NULL;
    if (e->n == e->cap) {
        size_t cap = e->cap ? 2 * e->cap : 8;
        abi_item *p = realloc(e->items, cap * sizeof(*p));
        if (p == NULL) {
            e->failed = 1;
            return NULL;
        }
        e->items = p;
        e->cap = cap;
    }
    abi_item *it = &e->items[e->n++];
    memset(it, 0, sizeof(*it));
    it->dynamic = dynamic;
    return it;
}

static void abi_static(mav2_abi *e, const uint8_t w[32])
{
    abi_item *it = abi_push(e, 0);
    if (it && !mav2_buf_append(&it->enc, w, 32))
        e->failed = 1;
}

void mav2_abi_word(mav2_abi *e, const uint8_t w[32])
{
    abi_static(e, w);
}

void mav2_abi_address(mav2_abi *e, const uint8_t addr[MAV2_ADDRESS_LEN])
{
    uint8_t w[32] = {0};
    memcpy(w + 12, addr, 20);
    abi_static(e, w);
}

void mav2_abi_uint(mav2_abi *e, const mav2_u256 *v)
{
    uint8_t w[32];
    mav2_u256_to_be32(v, w);
    abi_static(e, w);
}

void mav2_abi_u64(mav2_abi *e, uint64_t v)
{
    mav2_u256 u;
    mav2_u256_from_u64(&u, v);
    mav2_abi_uint(e, &u);
}

void mav2_abi_bool(mav2_abi *e, int v)
{
    mav2_abi_u64(e, v ? 1 : 0);
}

void mav2_abi_bytesn(mav2_abi *e, const uint8_t *b, size_t n)
{
    uint8_t w[32] = {0};
    if (n == 0 || n > 32) {
        if (e)
            e->failed = 1;
        return;
    }
    memcpy(w, b, n);
    abi_static(e, w);
}

/* uint256(len) || data || zero padding to 32 */
static int abi_enc_bytes(mav2_buf *out, const uint8_t *b, size_t n)
{
    mav2_u256 len;
    uint8_t w[32];
    mav2_u256_from_u64(&len, n);
    mav2_u256_to_be32(&len, w);
    return mav2_buf_append(out, w, 32) && mav2_buf_append(out, b, n) &&
           mav2_buf_zeros(out, (32 - n % 32) % 32);
}

void mav2_abi_bytes(mav2_abi *e, const uint8_t *b, size_t n)
{
    abi_item *it = abi_push(e, 1);
    if (it && !abi_enc_bytes(&it->enc, b, n))
        e->failed = 1;
}

static int abi_has_dynamic(const mav2_abi *e)
{
    for (size_t i = 0; i < e->n; i++)
        if (e->items[i].dynamic)
            return 1;
    return 0;
}

/* Tuple encoding of e's items appended to out (e kept). */
static int abi_encode(const mav2_abi *e, mav2_buf *out)
{
    size_t head = 0, tail;
    uint8_t w[32];
    if (e->failed)
        return mav2_error_set("ABI encoding failed (out of memory or bad bytesN length)");
    for (size_t i = 0; i < e->n; i++)
        head += e->items[i].dynamic ? 32 : e->items[i].enc.len;
    tail = head;
    for (size_t i = 0; i < e->n; i++) {
        const abi_item *it = &e->items[i];
        if (it->dynamic) {
            mav2_u256 off;
            mav2_u256_from_u64(&off, tail);
            mav2_u256_to_be32(&off, w);
            if (!mav2_buf_append(out, w, 32))
                return 0;
            tail += it->enc.len;
        } else if (!mav2_buf_append(out, it->enc.data, it->enc.len)) {
            return 0;
        }
    }
    for (size_t i = 0; i < e->n; i++)
        if (e->items[i].dynamic && !mav2_buf_append(out, e->items[i].enc.data, e->items[i].enc.len))
            return 0;
    return 1;
}

void mav2_abi_tuple(mav2_abi *e, mav2_abi *child)
{
    if (child == NULL) {
        if (e)
            e->failed = 1;
        return;
    }
    abi_item *it = abi_push(e, abi_has_dynamic(child));
    if (it == NULL || child->failed || !abi_encode(child, &it->enc))
        if (e)
            e->failed = 1;
    mav2_abi_free(child);
}

void mav2_abi_array(mav2_abi *e, mav2_abi *child)
{
    if (child == NULL) {
        if (e)
            e->failed = 1;
        return;
    }
    abi_item *it = abi_push(e, 1);
    if (it) {
        mav2_u256 n;
        uint8_t w[32];
        mav2_u256_from_u64(&n, child->n);
        mav2_u256_to_be32(&n, w);
        if (child->failed || !mav2_buf_append(&it->enc, w, 32) || !abi_encode(child, &it->enc))
            e->failed = 1;
    }
    mav2_abi_free(child);
}

int mav2_abi_finish(mav2_abi *e, mav2_buf *out)
{
    if (e == NULL)
        return mav2_error_set("ABI encoder missing (out of memory?)");
    int ok = abi_encode(e, out);
    mav2_abi_free(e);
    return ok;
}

int mav2_abi_finish_call(mav2_abi *e, const uint8_t selector[4], mav2_buf *out)
{
    if (e == NULL)
        return mav2_error_set("ABI encoder missing (out of memory?)");
    if (!mav2_buf_append(out, selector, 4)) {
        mav2_abi_free(e);
        return 0;
    }
    return mav2_abi_finish(e, out);
}

void mav2_abi_selector(const char *signature, uint8_t out[4])
{
    uint8_t h[32];
    mh_keccak256(signature, strlen(signature), h);
    memcpy(out, h, 4);
}

/* ---- decoding ---------------------------------------------------------------- */

int mav2_abi_get_word(const uint8_t *data, size_t len, size_t i, uint8_t out[32])
{
    if (data == NULL || i >= len / 32 || len - 32 * i < 32)
        return mav2_error_set("ABI data too short: %zu bytes, need word %zu", len, i);
    memcpy(out, data + 32 * i, 32);
    return 1;
}

/* A word used as an offset or length: must fit size_t and stay within len. */
static int abi_get_size(const uint8_t *data, size_t len, size_t byte_off, size_t *out,
                        const char *what)
{
    mav2_u256 v;
    uint64_t x;
    if (byte_off > len || len - byte_off < 32)
        return mav2_error_set("ABI data too short for %s", what);
    mav2_u256_from_be32(&v, data + byte_off);
    if (!mav2_u256_to_u64(&v, &x) || x > len)
        return mav2_error_set("ABI %s out of range", what);
    *out = (size_t)x;
    return 1;
}

int mav2_abi_decode_uint256(const uint8_t *data, size_t len, mav2_u256 *out)
{
    uint8_t w[32];
    if (!mav2_abi_get_word(data, len, 0, w))
        return 0;
    mav2_u256_from_be32(out, w);
    return 1;
}

int mav2_abi_decode_address(const uint8_t *data, size_t len, uint8_t out[MAV2_ADDRESS_LEN])
{
    uint8_t w[32];
    if (!mav2_abi_get_word(data, len, 0, w))
        return 0;
    for (int i = 0; i < 12; i++)
        if (w[i])
            return mav2_error_set("ABI address has non-zero upper bytes");
    memcpy(out, w + 12, 20);
    return 1;
}

/* bytes at byte offset off (relative to data): length word then content */
static int abi_bytes_at(const uint8_t *data, size_t len, size_t off, mav2_buf *out)
{
    size_t n;
    if (!abi_get_size(data, len, off, &n, "bytes length"))
        return 0;
    if (n > len - off - 32)
        return mav2_error_set("ABI bytes length %zu exceeds the data", n);
    return mav2_buf_set(out, data + off + 32, n);
}

int mav2_abi_decode_bytes(const uint8_t *data, size_t len, mav2_buf *out)
{
    size_t off;
    if (!abi_get_size(data, len, 0, &off, "bytes offset"))
        return 0;
    return abi_bytes_at(data, len, off, out);
}

/* Array of fixed-size left-aligned elements (bytes25[] / bytes4[]) at base + rel. */
static int abi_fixed_array(const uint8_t *data, size_t len, size_t base, size_t rel, size_t elem,
                           size_t *n_out, void **out, const char *what)
{
    size_t n, at;
    if (rel > len - base)
        return mav2_error_set("ABI %s offset out of range", what);
    at = base + rel;
    if (!abi_get_size(data, len, at, &n, what))
        return 0;
    if (n > (len - at - 32) / 32)
        return mav2_error_set("ABI %s: %zu elements exceed the data", what, n);
    uint8_t *p = malloc(n ? n * elem : 1);
    if (p == NULL)
        return mav2_error_set("out of memory");
    for (size_t i = 0; i < n; i++) {
        const uint8_t *w = data + at + 32 + 32 * i;
        for (size_t k = elem; k < 32; k++)
            if (w[k]) {
                free(p);
                return mav2_error_set("ABI %s element %zu: non-zero padding", what, i);
            }
        memcpy(p + i * elem, w, elem);
    }
    *n_out = n;
    *out = p;
    return 1;
}

int mav2_abi_decode_validation_data(const uint8_t *data, size_t len, mav2_validation_data *out)
{
    size_t base, o1, o2, o3;
    uint8_t w[32];
    void *p1 = NULL, *p2 = NULL, *p3 = NULL;
    memset(out, 0, sizeof(*out));
    if (data == NULL)
        return mav2_error_set("getValidationData: no data");
    /* one dynamic tuple: offset to it, then its head (flags, three offsets) */
    if (!abi_get_size(data, len, 0, &base, "getValidationData offset"))
        return 0;
    if (base > len || len - base < 128)
        return mav2_error_set("getValidationData: result too short (%zu bytes)", len);
    memcpy(w, data + base, 32);
    for (int i = 0; i < 31; i++)
        if (w[i])
            return mav2_error_set("getValidationData: flags do not fit uint8");
    if (!abi_get_size(data, len, base + 32, &o1, "validationHooks offset") ||
        !abi_get_size(data, len, base + 64, &o2, "executionHooks offset") ||
        !abi_get_size(data, len, base + 96, &o3, "selectors offset"))
        return 0;
    if (!abi_fixed_array(data, len, base, o1, 25, &out->n_validation_hooks, &p1,
                         "validationHooks") ||
        !abi_fixed_array(data, len, base, o2, 25, &out->n_execution_hooks, &p2, "executionHooks") ||
        !abi_fixed_array(data, len, base, o3, 4, &out->n_selectors, &p3, "selectors")) {
        free(p1);
        free(p2);
        memset(out, 0, sizeof(*out));
        return 0;
    }
    out->flags = w[31];
    out->validation_hooks = p1;
    out->execution_hooks = p2;
    out->selectors = p3;
    return 1;
}

void mav2_validation_data_free(mav2_validation_data *vd)
{
    if (vd == NULL)
        return;
    free(vd->validation_hooks);
    free(vd->execution_hooks);
    free(vd->selectors);
    memset(vd, 0, sizeof(*vd));
}
