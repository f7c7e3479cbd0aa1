/* SPDX-License-Identifier: Apache-2.0 */
/* abi_sig.c: call data from a function signature and text arguments, as foundry's
 * `cast calldata` takes them (abi.h, mav2_abi_encode_call). A small recursive type
 * parser and the standard head/tail encoder; values are text: numbers in decimal, hex
 * or with units, [a,b] for arrays, (a,b) for tuples, "..." for strings with commas. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "common/keccak.h"
#include "mav2/core/abi.h"
#include "mav2/core/address.h"
#include "mav2/core/error.h"
#include "mav2/core/u256.h"

typedef enum {
    T_UINT,
    T_INT,
    T_ADDRESS,
    T_BOOL,
    T_BYTESN,
    T_BYTES,
    T_STRING,
    T_TUPLE,
    T_ARRAY
} kind;

typedef struct type {
    kind k;
    unsigned bits;     /* T_UINT / T_INT: 8..256; T_BYTESN: 1..32 bytes */
    long len;          /* T_ARRAY: element count, -1 for T[] */
    struct type *elem; /* T_ARRAY */
    struct type **m;   /* T_TUPLE members */
    size_t n;
} type;

#define MAX_DEPTH 16

static void type_free(type *t)
{
    if (t == NULL)
        return;
    type_free(t->elem);
    for (size_t i = 0; i < t->n; i++)
        type_free(t->m[i]);
    free(t->m);
    free(t);
}

static int dynamic(const type *t)
{
    if (t->k == T_BYTES || t->k == T_STRING || (t->k == T_ARRAY && t->len < 0))
        return 1;
    if (t->k == T_ARRAY)
        return dynamic(t->elem);
    for (size_t i = 0; t->k == T_TUPLE && i < t->n; i++)
        if (dynamic(t->m[i]))
            return 1;
    return 0;
}

/* ---- types ------------------------------------------------------------------------ */

static int canon_append(mav2_buf *c, const char *s, size_t n)
{
    return c == NULL || mav2_buf_append(c, (const uint8_t *)s, n);
}

static type *parse_type(const char **s, mav2_buf *canon, int depth);

static type *parse_tuple(const char **s, mav2_buf *canon, int depth)
{
    type *t = calloc(1, sizeof(*t)), **m;
    if (t == NULL)
        return mav2_error_set("out of memory"), NULL;
    t->k = T_TUPLE;
    (*s)++;
    canon_append(canon, "(", 1);
    while (**s != ')') {
        if (t->n > 0) {
            if (**s != ',')
                return type_free(t), mav2_error_set("signature: want ',' or ')' at \"%.20s\"", *s),
                       NULL;
            (*s)++;
            canon_append(canon, ",", 1);
        }
        if ((m = realloc(t->m, (t->n + 1) * sizeof(*m))) == NULL)
            return type_free(t), mav2_error_set("out of memory"), NULL;
        t->m = m;
        if ((t->m[t->n] = parse_type(s, canon, depth + 1)) == NULL)
            return type_free(t), NULL;
        t->n++;
    }
    (*s)++;
    canon_append(canon, ")", 1);
    return t;
}

/* "uint", "uint8".."uint256", "int..", "bytes1".."bytes32", ... */
static int parse_base(const char *w, size_t n, type *t)
{
    static const struct {
        const char *name;
        kind k;
    } fixed[] = {
        {"address", T_ADDRESS}, {"bool", T_BOOL}, {"string", T_STRING}, {"bytes", T_BYTES}};
    size_t pre;
    unsigned long v = 0;
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        if (strlen(fixed[i].name) == n && memcmp(w, fixed[i].name, n) == 0) {
            t->k = fixed[i].k;
            return 1;
        }
    if (n >= 4 && memcmp(w, "uint", 4) == 0)
        t->k = T_UINT, pre = 4;
    else if (n >= 3 && memcmp(w, "int", 3) == 0)
        t->k = T_INT, pre = 3;
    else if (n > 5 && memcmp(w, "bytes", 5) == 0)
        t->k = T_BYTESN, pre = 5;
    else
        return 0;
    if (pre == n && t->k != T_BYTESN) {
        t->bits = 256;
        return 1;
    }
    for (size_t i = pre; i < n; i++) {
        if (w[i] < '0' || w[i] > '9' || v > 1000)
            return 0;
        v = v * 10 + (unsigned long)(w[i] - '0');
    }
    t->bits = (unsigned)v;
    return t->k == T_BYTESN ? v >= 1 && v <= 32 : v >= 8 && v <= 256 && v % 8 == 0;
}

static type *array_suffixes(const char **s, mav2_buf *canon, type *t)
{
    while (**s == '[') {
        type *a = calloc(1, sizeof(*a));
        char *end;
        if (a == NULL)
            return type_free(t), mav2_error_set("out of memory"), NULL;
        a->k = T_ARRAY;
        a->elem = t;
        t = a;
        (*s)++;
        a->len = -1;
        if (**s != ']') {
            a->len = strtol(*s, &end, 10);
            if (end == *s || a->len < 0 || a->len > 4096 || *end != ']')
                return type_free(t), mav2_error_set("signature: bad array size at \"%.20s\"", *s),
                       NULL;
            canon_append(canon, "[", 1);
            canon_append(canon, *s, (size_t)(end - *s));
            canon_append(canon, "]", 1);
            *s = end;
        } else {
            canon_append(canon, "[]", 2);
        }
        (*s)++;
    }
    return t;
}

static type *parse_type(const char **s, mav2_buf *canon, int depth)
{
    type *t;
    size_t n;
    char num[8];
    if (depth > MAX_DEPTH)
        return mav2_error_set("signature: nested too deep"), NULL;
    if (**s == '(') {
        if ((t = parse_tuple(s, canon, depth)) == NULL)
            return NULL;
        return array_suffixes(s, canon, t);
    }
    n = strspn(*s, "abcdefghijklmnopqrstuvwxyz0123456789");
    if ((t = calloc(1, sizeof(*t))) == NULL)
        return mav2_error_set("out of memory"), NULL;
    if (n == 0 || !parse_base(*s, n, t)) {
        mav2_error_set("signature: unknown type \"%.*s\"", (int)(n ? n : 1), *s);
        return type_free(t), NULL;
    }
    canon_append(canon, *s, n);
    if ((t->k == T_UINT && n == 4) || (t->k == T_INT && n == 3)) { /* uint -> uint256 */
        snprintf(num, sizeof(num), "%u", t->bits);
        canon_append(canon, num, strlen(num));
    }
    *s += n;
    return array_suffixes(s, canon, t);
}

/* ---- values ----------------------------------------------------------------------- */

/* The end of one value starting at s: up to a ',' or the closer at depth 0. */
static const char *value_end(const char *s)
{
    int depth = 0, quoted = 0;
    for (; *s != '\0'; s++) {
        if (quoted) {
            if (*s == '\\' && s[1] != '\0')
                s++;
            else if (*s == '"')
                quoted = 0;
            continue;
        }
        if (*s == '"')
            quoted = 1;
        else if (*s == '[' || *s == '(')
            depth++;
        else if ((*s == ']' || *s == ')') && depth-- == 0)
            return s;
        else if (*s == ',' && depth == 0)
            return s;
    }
    return s;
}

static int put_word(mav2_buf *out, const uint8_t w[32])
{
    return mav2_buf_append(out, w, 32);
}

static int enc_value(const type *t, const char *v, size_t n, mav2_buf *out, int depth);

/* The n items of "[a,b]" / "(a,b)" text (brackets included) into items / lens. */
static int split_items(const char *v, size_t n, char open, char close, const char ***items,
                       size_t **lens, size_t *count)
{
    const char *p = v + 1, *end = v + n - 1, *e;
    *items = NULL;
    *lens = NULL;
    *count = 0;
    if (n < 2 || v[0] != open || *end != close)
        return mav2_error_set("argument \"%.*s\": want %c...%c", (int)(n < 40 ? n : 40), v, open,
                              close);
    while (p < end) {
        const char **ni;
        size_t *nl;
        e = value_end(p);
        if (e > end)
            e = end;
        if ((ni = realloc(*items, (*count + 1) * sizeof(*ni))) == NULL ||
            (*items = ni, (nl = realloc(*lens, (*count + 1) * sizeof(*nl))) == NULL))
            return mav2_error_set("out of memory");
        *lens = nl;
        (*items)[*count] = p;
        (*lens)[(*count)++] = (size_t)(e - p);
        p = e < end ? e + 1 : e;
    }
    return 1;
}

static int enc_tuple_items(type *const *ts, const type *same, const char **items,
                           const size_t *lens, size_t n, mav2_buf *out, int depth)
{
    mav2_buf head = MAV2_BUF_INIT, tail = MAV2_BUF_INIT, one = MAV2_BUF_INIT;
    size_t head_len = 0;
    int ok = 1;
    for (size_t i = 0; i < n; i++) {
        const type *t = same != NULL ? same : ts[i];
        head_len += dynamic(t) ? 32 : 0;
    }
    for (size_t i = 0; ok && i < n; i++) {
        const type *t = same != NULL ? same : ts[i];
        one.len = 0;
        ok = enc_value(t, items[i], lens[i], &one, depth + 1);
        if (ok && !dynamic(t))
            head_len += one.len;
    }
    for (size_t i = 0; ok && i < n; i++) {
        const type *t = same != NULL ? same : ts[i];
        one.len = 0;
        ok = enc_value(t, items[i], lens[i], &one, depth + 1);
        if (ok && dynamic(t)) {
            uint8_t w[32] = {0};
            mav2_u256 off;
            mav2_u256_from_u64(&off, head_len + tail.len);
            mav2_u256_to_be32(&off, w);
            ok = put_word(&head, w) && mav2_buf_append(&tail, one.data, one.len);
        } else if (ok) {
            ok = mav2_buf_append(&head, one.data, one.len);
        }
    }
    ok = ok && mav2_buf_append(out, head.data, head.len) &&
         mav2_buf_append(out, tail.data, tail.len);
    mav2_buf_free(&head);
    mav2_buf_free(&tail);
    mav2_buf_free(&one);
    return ok;
}

static int enc_composite(const type *t, const char *v, size_t n, mav2_buf *out, int depth)
{
    const char **items;
    size_t *lens, count;
    uint8_t w[32] = {0};
    mav2_u256 len;
    int ok = split_items(v, n, t->k == T_TUPLE ? '(' : '[', t->k == T_TUPLE ? ')' : ']', &items,
                         &lens, &count);
    if (ok && t->k == T_TUPLE && count != t->n)
        ok = mav2_error_set("tuple \"%.*s\": %zu values for %zu members", (int)(n < 40 ? n : 40), v,
                            count, t->n);
    if (ok && t->k == T_ARRAY && t->len >= 0 && count != (size_t)t->len)
        ok = mav2_error_set("array \"%.*s\": %zu values for %ld", (int)(n < 40 ? n : 40), v, count,
                            t->len);
    if (ok && t->k == T_ARRAY && t->len < 0) {
        mav2_u256_from_u64(&len, count);
        mav2_u256_to_be32(&len, w);
        ok = put_word(out, w);
    }
    if (ok)
        ok =
            enc_tuple_items(t->m, t->k == T_ARRAY ? t->elem : NULL, items, lens, count, out, depth);
    free(items);
    free(lens);
    return ok;
}

static int enc_int(const type *t, const char *v, mav2_buf *out)
{
    uint8_t w[32];
    mav2_u256 x;
    int neg = t->k == T_INT && *v == '-';
    unsigned limit = t->k == T_INT ? t->bits - 1 : t->bits;
    if (!mav2_u256_parse_amount(&x, v + neg))
        return mav2_error_prefix("%s%u", t->k == T_INT ? "int" : "uint", t->bits);
    /* |x| < 2^limit, or == 2^(bits-1) for the most negative int */
    if (mav2_u256_bits(&x) > limit &&
        !(neg && mav2_u256_bits(&x) == limit + 1 && x.w[limit / 64] == (uint64_t)1 << (limit % 64)))
        return mav2_error_set("\"%s\" does not fit %s%u", v, t->k == T_INT ? "int" : "uint",
                              t->bits);
    mav2_u256_to_be32(&x, w);
    if (neg && !mav2_u256_is_zero(&x)) { /* two's complement over 256 bits */
        int carry = 1;
        for (int i = 31; i >= 0; i--) {
            unsigned b = (uint8_t)~w[i] + (unsigned)carry;
            w[i] = (uint8_t)b;
            carry = b >> 8;
        }
    }
    return put_word(out, w);
}

static int enc_dyn_bytes(const uint8_t *b, size_t n, mav2_buf *out)
{
    uint8_t w[32] = {0};
    mav2_u256 len;
    mav2_u256_from_u64(&len, n);
    mav2_u256_to_be32(&len, w);
    if (!put_word(out, w) || !mav2_buf_append(out, b, n))
        return 0;
    memset(w, 0, 32);
    return n % 32 == 0 || mav2_buf_append(out, w, 32 - n % 32);
}

/* A string value: "..." with \" and \\ escapes, or the text as is. */
static int enc_string(const char *v, size_t n, mav2_buf *out)
{
    mav2_buf s = MAV2_BUF_INIT;
    int ok = 1;
    if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
        for (size_t i = 1; ok && i + 1 < n; i++) {
            if (v[i] == '\\' && i + 2 < n)
                i++;
            ok = mav2_buf_append(&s, (const uint8_t *)&v[i], 1);
        }
    } else {
        ok = mav2_buf_append(&s, (const uint8_t *)v, n);
    }
    ok = ok && enc_dyn_bytes(s.data, s.len, out);
    mav2_buf_free(&s);
    return ok;
}

static int enc_scalar(const type *t, const char *v, mav2_buf *out)
{
    uint8_t w[32] = {0}, *b = NULL;
    size_t n = 0;
    const char *why = NULL;
    int ok;
    switch (t->k) {
    case T_UINT:
    case T_INT:
        return enc_int(t, v, out);
    case T_ADDRESS:
        if (!mav2_address_parse(v, w + 12))
            return mav2_error_prefix("address \"%.50s\"", v);
        return put_word(out, w);
    case T_BOOL:
        if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
            return mav2_error_set("bool: \"%.50s\" is not true or false", v);
        w[31] = v[0] == 't';
        return put_word(out, w);
    case T_BYTESN:
        if (!mh_hex_decode_exact(v, w, t->bits, &why))
            return mav2_error_set("bytes%u: \"%.50s\": %s", t->bits, v, why);
        return put_word(out, w);
    default: /* T_BYTES */
        if (!mh_hex_decode_alloc(v, &b, &n, &why))
            return mav2_error_set("bytes: \"%.50s\": %s", v, why);
        ok = enc_dyn_bytes(b, n, out);
        free(b);
        return ok;
    }
}

static int enc_value(const type *t, const char *v, size_t n, mav2_buf *out, int depth)
{
    char *z;
    int ok;
    if (depth > MAX_DEPTH)
        return mav2_error_set("argument nested too deep");
    if (t->k == T_TUPLE || t->k == T_ARRAY)
        return enc_composite(t, v, n, out, depth);
    if (t->k == T_STRING)
        return enc_string(v, n, out);
    if ((z = malloc(n + 1)) == NULL)
        return mav2_error_set("out of memory");
    memcpy(z, v, n);
    z[n] = '\0';
    ok = enc_scalar(t, z, out);
    free(z);
    return ok;
}

/* ---- the call ----------------------------------------------------------------------- */

int mav2_abi_encode_call(const char *sig, const char *const *args, size_t n, mav2_buf *out)
{
    const char *s = sig, *open;
    mav2_buf canon = MAV2_BUF_INIT;
    size_t *lens = NULL;
    uint8_t h[32];
    type *t;
    int ok;
    if (sig == NULL || out == NULL || (args == NULL && n))
        return mav2_error_set("encode call: argument missing");
    open = strchr(sig, '(');
    if (open == NULL || open == sig ||
        strspn(sig, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$") !=
            (size_t)(open - sig))
        return mav2_error_set("signature \"%.60s\": want name(type,...)", sig);
    s = open;
    ok = mav2_buf_append(&canon, (const uint8_t *)sig, (size_t)(open - sig));
    t = ok ? parse_tuple(&s, &canon, 0) : NULL;
    if (t == NULL || *s != '\0') {
        if (t != NULL)
            mav2_error_set("signature \"%.60s\": text after the closing ')'", sig);
        type_free(t);
        mav2_buf_free(&canon);
        return 0;
    }
    if (ok && n != t->n)
        ok = mav2_error_set("%.*s takes %zu arguments, %zu given", (int)canon.len,
                            (const char *)canon.data, t->n, n);
    if (ok && (lens = calloc(n ? n : 1, sizeof(*lens))) == NULL)
        ok = mav2_error_set("out of memory");
    for (size_t i = 0; ok && i < n; i++)
        lens[i] = strlen(args[i]);
    mh_keccak256(canon.data, canon.len, h);
    ok = ok && mav2_buf_append(out, h, 4) &&
         enc_tuple_items(t->m, NULL, (const char **)args, lens, n, out, 0);
    free(lens);
    type_free(t);
    mav2_buf_free(&canon);
    return ok;
}

int mav2_abi_encode_call_spec(const char *spec, mav2_buf *out)
{
    const char *p = spec != NULL ? strchr(spec, '(') : NULL, *e;
    char *sig = NULL, **args = NULL;
    size_t n = 0;
    int depth = 0, ok = 1;
    if (p == NULL)
        return mav2_error_set("\"%.60s\": want name(type,...),arg,...", spec ? spec : "");
    for (; *p != '\0'; p++) /* the signature ends at its matching ')' */
        if ((*p == '(' && ++depth) || (*p == ')' && --depth == 0))
            if (depth == 0)
                break;
    if (*p != ')')
        return mav2_error_set("\"%.60s\": the signature has no closing ')'", spec);
    if ((sig = strndup(spec, (size_t)(p + 1 - spec))) == NULL)
        return mav2_error_set("out of memory");
    p++;
    if (*p != '\0' && *p != ',')
        ok = mav2_error_set("\"%.60s\": want ',' after the signature", spec);
    while (ok && *p == ',') {
        char **na = realloc(args, (n + 1) * sizeof(*na));
        e = value_end(++p);
        if (na == NULL || (args = na, (args[n] = strndup(p, (size_t)(e - p))) == NULL)) {
            ok = mav2_error_set("out of memory");
            break;
        }
        n++;
        p = e;
        if (*p != '\0' && *p != ',')
            ok = mav2_error_set("\"%.60s\": unbalanced brackets in the arguments", spec);
    }
    ok = ok && mav2_abi_encode_call(sig, (const char *const *)args, n, out);
    for (size_t i = 0; i < n; i++)
        free(args[i]);
    free(args);
    free(sig);
    return ok;
}

/* ---- decoding ----------------------------------------------------------------------- */

typedef struct {
    const uint8_t *d; /* the arguments (after the selector) */
    size_t len;
} blob;

static size_t static_size(const type *t)
{
    size_t n = 0;
    if (t->k == T_ARRAY)
        return (size_t)t->len * static_size(t->elem);
    if (t->k != T_TUPLE)
        return 32;
    for (size_t i = 0; i < t->n; i++)
        n += dynamic(t->m[i]) ? 32 : static_size(t->m[i]);
    return n;
}

static int word_at(const blob *b, size_t at, uint8_t w[32])
{
    if (at > b->len || b->len - at < 32)
        return mav2_error_set("data too short at byte %zu", at);
    memcpy(w, b->d + at, 32);
    return 1;
}

static int size_at(const blob *b, size_t at, size_t *out)
{
    uint8_t w[32];
    mav2_u256 v;
    uint64_t x;
    if (!word_at(b, at, w))
        return 0;
    mav2_u256_from_be32(&v, w);
    if (!mav2_u256_to_u64(&v, &x) || x > b->len)
        return mav2_error_set("offset or length %s at byte %zu out of range", "word", at);
    *out = (size_t)x;
    return 1;
}

static int put_text(mav2_buf *out, const char *s)
{
    return mav2_buf_append(out, (const uint8_t *)s, strlen(s));
}

static int dec_int(const type *t, const uint8_t w[32], mav2_buf *out)
{
    char dec[MAV2_U256_DEC_MAX + 1];
    mav2_u256 v;
    int neg = t->k == T_INT && (w[0] & 0x80);
    uint8_t x[32];
    unsigned lead = (256 - t->bits) / 8;
    for (unsigned i = 0; i < lead; i++) /* zero or, for a negative int, sign extension */
        if (w[i] != (neg ? 0xff : 0x00))
            return mav2_error_set("a %s%u value out of range", t->k == T_INT ? "int" : "uint",
                                  t->bits);
    if (neg && lead < 32 && !(w[lead] & 0x80))
        return mav2_error_set("an int%u value out of range", t->bits);
    memcpy(x, w, 32);
    if (neg) { /* magnitude: two's complement back */
        int carry = 1;
        for (int i = 31; i >= 0; i--) {
            unsigned b = (uint8_t)~x[i] + (unsigned)carry;
            x[i] = (uint8_t)b;
            carry = b >> 8;
        }
    }
    mav2_u256_from_be32(&v, x);
    mav2_u256_to_dec(&v, dec);
    return (!neg || put_text(out, "-")) && put_text(out, dec);
}

static int put_hex(mav2_buf *out, const uint8_t *b, size_t n)
{
    size_t sz = mh_hex_encoded_size(n, 1);
    char *h = malloc(sz);
    int ok = h != NULL && mh_hex_encode(b, n, h, sz, 1) && put_text(out, h);
    free(h);
    return ok ? 1 : mav2_error_set("out of memory");
}

static int dec_string(const uint8_t *s, size_t n, mav2_buf *out)
{
    int ok = put_text(out, "\"");
    for (size_t i = 0; ok && i < n; i++)
        ok = ((s[i] == '"' || s[i] == '\\') ? put_text(out, "\\") : 1) &&
             mav2_buf_append(out, &s[i], 1);
    return ok && put_text(out, "\"");
}

static int dec_scalar(const type *t, const blob *b, size_t at, mav2_buf *out)
{
    uint8_t w[32];
    char a[MAV2_ADDRESS_STR_MAX];
    if (!word_at(b, at, w))
        return 0;
    switch (t->k) {
    case T_UINT:
    case T_INT:
        return dec_int(t, w, out);
    case T_ADDRESS:
        for (int i = 0; i < 12; i++)
            if (w[i])
                return mav2_error_set("an address with non-zero upper bytes");
        mav2_address_format(w + 12, a);
        return put_text(out, a);
    case T_BOOL:
        for (int i = 0; i < 31; i++)
            if (w[i])
                return mav2_error_set("a bool that is not 0 or 1");
        if (w[31] > 1)
            return mav2_error_set("a bool that is not 0 or 1");
        return put_text(out, w[31] ? "true" : "false");
    default: /* T_BYTESN */
        for (unsigned i = t->bits; i < 32; i++)
            if (w[i])
                return mav2_error_set("a bytes%u with non-zero padding", t->bits);
        return put_hex(out, w, t->bits);
    }
}

static int dec_value(const type *t, const blob *b, size_t at, mav2_buf *out, int depth);

/* count items of type elem laid out as a tuple block at blk (text "(...)"/"[...]"). */
static int dec_items(type *const *ts, const type *same, size_t count, const blob *blk,
                     const char *open_close, mav2_buf *out, int depth)
{
    size_t pos = 0;
    int ok = mav2_buf_append(out, (const uint8_t *)open_close, 1);
    if (same != NULL && count > blk->len / 32 + 1)
        return mav2_error_set("%zu items do not fit the data", count);
    for (size_t i = 0; ok && i < count; i++) {
        const type *t = same != NULL ? same : ts[i];
        ok = (i == 0 || put_text(out, ",")) && dec_value(t, blk, pos, out, depth + 1);
        pos += dynamic(t) ? 32 : static_size(t);
    }
    return ok && mav2_buf_append(out, (const uint8_t *)open_close + 1, 1);
}

static int dec_value(const type *t, const blob *b, size_t at, mav2_buf *out, int depth)
{
    blob sub;
    size_t off, n;
    if (depth > MAX_DEPTH)
        return mav2_error_set("nested too deep");
    if (!dynamic(t)) {
        if (t->k == T_TUPLE || t->k == T_ARRAY) {
            sub.d = b->d + (at <= b->len ? at : b->len);
            sub.len = at <= b->len ? b->len - at : 0;
            return t->k == T_TUPLE
                       ? dec_items(t->m, NULL, t->n, &sub, "()", out, depth)
                       : dec_items(NULL, t->elem, (size_t)t->len, &sub, "[]", out, depth);
        }
        return dec_scalar(t, b, at, out);
    }
    if (!size_at(b, at, &off))
        return 0;
    sub.d = b->d + off;
    sub.len = b->len - off;
    if (t->k == T_TUPLE)
        return dec_items(t->m, NULL, t->n, &sub, "()", out, depth);
    if (t->k == T_ARRAY && t->len >= 0)
        return dec_items(NULL, t->elem, (size_t)t->len, &sub, "[]", out, depth);
    if (!size_at(&sub, 0, &n) || n > sub.len - 32)
        return mav2_error_set("a length at byte %zu out of range", off);
    if (t->k == T_ARRAY) {
        blob items = {sub.d + 32, sub.len - 32};
        return dec_items(NULL, t->elem, n, &items, "[]", out, depth);
    }
    return t->k == T_STRING ? dec_string(sub.d + 32, n, out) : put_hex(out, sub.d + 32, n);
}

int mav2_abi_decode_call(const char *sig, const uint8_t *data, size_t len, mav2_buf *out, size_t *n)
{
    const char *s, *open;
    mav2_buf canon = MAV2_BUF_INIT;
    uint8_t h[32];
    type *t;
    int ok;
    blob b;
    if (sig == NULL || out == NULL || n == NULL || (data == NULL && len))
        return mav2_error_set("decode call: argument missing");
    open = strchr(sig, '(');
    if (open == NULL || open == sig)
        return mav2_error_set("signature \"%.60s\": want name(type,...)", sig);
    s = open;
    ok = mav2_buf_append(&canon, (const uint8_t *)sig, (size_t)(open - sig));
    t = ok ? parse_tuple(&s, &canon, 0) : NULL;
    if (t == NULL || *s != '\0') {
        if (t != NULL)
            mav2_error_set("signature \"%.60s\": text after the closing ')'", sig);
        type_free(t);
        mav2_buf_free(&canon);
        return 0;
    }
    mh_keccak256(canon.data, canon.len, h);
    if (len < 4 || memcmp(data, h, 4) != 0)
        ok =
            mav2_error_set("the data does not start with the selector of %.*s (0x%02x%02x%02x%02x)",
                           (int)canon.len, (const char *)canon.data, h[0], h[1], h[2], h[3]);
    b.d = data + (len >= 4 ? 4 : len);
    b.len = len >= 4 ? len - 4 : 0;
    *n = t->n;
    ok = ok && dec_items(t->m, NULL, t->n, &b, "()", out, 0);
    type_free(t);
    mav2_buf_free(&canon);
    return ok;
}

int mav2_abi_split_args(const char *text, size_t len, char ***items, size_t *n)
{
    const char *p = text, *end = text + len, *e;
    *items = NULL;
    *n = 0;
    if (len < 2 || text[0] != '(' || end[-1] != ')')
        return mav2_error_set("want (a,b,...)");
    p++;
    end--;
    while (p < end) {
        char **ni = realloc(*items, (*n + 1) * sizeof(*ni));
        if (ni == NULL)
            return mav2_error_set("out of memory");
        *items = ni;
        e = value_end(p);
        if (e > end)
            e = end;
        if (((*items)[*n] = strndup(p, (size_t)(e - p))) == NULL)
            return mav2_error_set("out of memory");
        (*n)++;
        p = e < end ? e + 1 : e;
    }
    return 1;
}
