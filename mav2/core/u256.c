/* SPDX-License-Identifier: Apache-2.0 */
/* u256.c: 256-bit unsigned arithmetic and text forms (see u256.h). */
#include "mav2/core/u256.h"

#include <string.h>

#include "mav2/core/error.h"

typedef unsigned __int128 u128;

void mav2_u256_from_u64(mav2_u256 *r, uint64_t v)
{
    r->w[0] = v;
    r->w[1] = r->w[2] = r->w[3] = 0;
}

int mav2_u256_to_u64(const mav2_u256 *a, uint64_t *v)
{
    if (a->w[1] | a->w[2] | a->w[3])
        return 0;
    *v = a->w[0];
    return 1;
}

int mav2_u256_is_zero(const mav2_u256 *a)
{
    return (a->w[0] | a->w[1] | a->w[2] | a->w[3]) == 0;
}

unsigned mav2_u256_bits(const mav2_u256 *a)
{
    for (int i = 3; i >= 0; i--)
        if (a->w[i])
            return (unsigned)(64 * i + 64 - __builtin_clzll(a->w[i]));
    return 0;
}

int mav2_u256_cmp(const mav2_u256 *a, const mav2_u256 *b)
{
    for (int i = 3; i >= 0; i--) {
        if (a->w[i] != b->w[i])
            return a->w[i] < b->w[i] ? -1 : 1;
    }
    return 0;
}

void mav2_u256_to_be32(const mav2_u256 *a, uint8_t out[32])
{
    for (int i = 0; i < 32; i++)
        out[31 - i] = (uint8_t)(a->w[i / 8] >> (8 * (i % 8)));
}

void mav2_u256_from_be32(mav2_u256 *r, const uint8_t in[32])
{
    mav2_u256_from_be(r, in, 32);
}

int mav2_u256_from_be(mav2_u256 *r, const uint8_t *in, size_t len)
{
    if (len > 32)
        return mav2_error_set("integer of %zu bytes does not fit 256 bits", len);
    mav2_u256 v = {{0, 0, 0, 0}};
    for (size_t i = 0; i < len; i++) {
        size_t bit = 8 * (len - 1 - i);
        v.w[bit / 64] |= (uint64_t)in[i] << (bit % 64);
    }
    *r = v;
    return 1;
}

int mav2_u256_to_be(const mav2_u256 *a, uint8_t *out, size_t n)
{
    uint8_t full[32];
    if (n > 32 || mav2_u256_bits(a) > 8 * n)
        return mav2_error_set("value does not fit %zu bits", 8 * n);
    mav2_u256_to_be32(a, full);
    memcpy(out, full + 32 - n, n);
    return 1;
}

int mav2_u256_add(mav2_u256 *r, const mav2_u256 *a, const mav2_u256 *b)
{
    mav2_u256 t;
    u128 c = 0;
    for (int i = 0; i < 4; i++) {
        c += (u128)a->w[i] + b->w[i];
        t.w[i] = (uint64_t)c;
        c >>= 64;
    }
    if (c)
        return mav2_error_set("overflow: sum exceeds 256 bits");
    *r = t;
    return 1;
}

int mav2_u256_sub(mav2_u256 *r, const mav2_u256 *a, const mav2_u256 *b)
{
    if (mav2_u256_cmp(a, b) < 0)
        return mav2_error_set("underflow: difference is negative");
    mav2_u256 t;
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
        u128 d = (u128)a->w[i] - b->w[i] - borrow;
        t.w[i] = (uint64_t)d;
        borrow = (uint64_t)(d >> 127);
    }
    *r = t;
    return 1;
}

int mav2_u256_mul_u64(mav2_u256 *r, const mav2_u256 *a, uint64_t m)
{
    mav2_u256 t;
    u128 c = 0;
    for (int i = 0; i < 4; i++) {
        c += (u128)a->w[i] * m;
        t.w[i] = (uint64_t)c;
        c >>= 64;
    }
    if (c)
        return mav2_error_set("overflow: product exceeds 256 bits");
    *r = t;
    return 1;
}

int mav2_u256_div_u64(mav2_u256 *r, const mav2_u256 *a, uint64_t d, uint64_t *rem)
{
    if (d == 0)
        return mav2_error_set("division by zero");
    mav2_u256 t;
    u128 rm = 0;
    for (int i = 3; i >= 0; i--) {
        u128 cur = (rm << 64) | a->w[i];
        t.w[i] = (uint64_t)(cur / d);
        rm = cur % d;
    }
    *r = t;
    if (rem)
        *rem = (uint64_t)rm;
    return 1;
}

void mav2_u256_max(mav2_u256 *r, const mav2_u256 *a, const mav2_u256 *b)
{
    *r = mav2_u256_cmp(a, b) >= 0 ? *a : *b;
}

/* r = r * 10 + digit, overflow checked */
static int dec_push(mav2_u256 *r, unsigned digit)
{
    mav2_u256 d;
    mav2_u256_from_u64(&d, digit);
    return mav2_u256_mul_u64(r, r, 10) && mav2_u256_add(r, r, &d);
}

/* Parses s[0..n) as decimal digits (n >= 1). */
static int dec_parse_n(mav2_u256 *r, const char *s, size_t n, const char *whole)
{
    mav2_u256 v = {{0, 0, 0, 0}};
    if (n == 0)
        return mav2_error_set("\"%.80s\": no digits", whole);
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return mav2_error_set("\"%.80s\": invalid decimal digit '%c'", whole, s[i]);
        if (!dec_push(&v, (unsigned)(s[i] - '0')))
            return mav2_error_set("\"%.80s\": exceeds 256 bits", whole);
    }
    *r = v;
    return 1;
}

int mav2_u256_from_dec(mav2_u256 *r, const char *s)
{
    if (s == NULL)
        return mav2_error_set("number missing");
    return dec_parse_n(r, s, strlen(s), s);
}

int mav2_u256_from_hex(mav2_u256 *r, const char *s)
{
    if (s == NULL)
        return mav2_error_set("number missing");
    if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
        return mav2_error_set("\"%.80s\": hex quantity without 0x prefix", s);
    const char *d = s + 2;
    size_t n = strlen(d);
    if (n == 0)
        return mav2_error_set("\"%.80s\": no hex digits", s);
    while (n > 64 && *d == '0') {
        d++;
        n--;
    }
    if (n > 64)
        return mav2_error_set("\"%.80s\": exceeds 256 bits", s);
    mav2_u256 v = {{0, 0, 0, 0}};
    for (size_t i = 0; i < n; i++) {
        char c = d[i];
        unsigned x;
        if (c >= '0' && c <= '9')
            x = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            x = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            x = (unsigned)(c - 'A' + 10);
        else
            return mav2_error_set("\"%.80s\": invalid hex digit '%c'", s, c);
        size_t bit = 4 * (n - 1 - i);
        v.w[bit / 64] |= (uint64_t)x << (bit % 64);
    }
    *r = v;
    return 1;
}

int mav2_u256_parse(mav2_u256 *r, const char *s)
{
    if (s && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        return mav2_u256_from_hex(r, s);
    return mav2_u256_from_dec(r, s);
}

static int ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
        if (x != *b)
            return 0;
    }
    return *a == *b;
}

/* Decimal "int[.frac]" scaled by 10^decimals; extra fraction digits must be zero. */
static int dec_scaled(mav2_u256 *r, const char *s, size_t n, unsigned decimals, const char *whole)
{
    const char *dot = memchr(s, '.', n);
    size_t ni = dot ? (size_t)(dot - s) : n;
    size_t nf = dot ? n - ni - 1 : 0;
    mav2_u256 v;
    if (dot && nf == 0)
        return mav2_error_set("\"%.80s\": no digits after the decimal point", whole);
    if (ni == 0 && !dot)
        return mav2_error_set("\"%.80s\": no digits", whole);
    if (ni == 0)
        mav2_u256_from_u64(&v, 0);
    else if (!dec_parse_n(&v, s, ni, whole))
        return 0;
    for (size_t i = 0; i < nf; i++) {
        char c = dot[1 + i];
        if (c < '0' || c > '9')
            return mav2_error_set("\"%.80s\": invalid decimal digit '%c'", whole, c);
        if (i >= decimals && c != '0')
            return mav2_error_set("\"%.80s\": more than %u decimals", whole, decimals);
    }
    for (unsigned i = 0; i < decimals; i++) {
        unsigned digit = i < nf ? (unsigned)(dot[1 + i] - '0') : 0;
        if (!dec_push(&v, digit))
            return mav2_error_set("\"%.80s\": exceeds 256 bits", whole);
    }
    *r = v;
    return 1;
}

/* Unit names and their decimals (case-insensitive). */
static int unit_decimals(const char *u, int *out)
{
    static const struct {
        const char *name;
        int decimals;
    } units[] = {{"wei", 0},    {"kwei", 3},    {"mwei", 6},  {"gwei", 9},
                 {"szabo", 12}, {"finney", 15}, {"ether", 18}};
    for (size_t k = 0; k < sizeof(units) / sizeof(units[0]); k++)
        if (ieq(u, units[k].name)) {
            *out = units[k].decimals;
            return 1;
        }
    return 0;
}

/* "D[.F][e[+-]X]" (n chars of s) times 10^decimals as a decimal digit string in out:
 * the point moved; a non-zero digit left after it is refused (no rounding). */
static int scaled_digits(const char *s, size_t n, int decimals, char *out, size_t cap,
                         const char *whole)
{
    const char *e = memchr(s, 'e', n);
    size_t nm = e ? (size_t)(e - s) : n, nd = 0;
    char d[160];
    long point = -1, x = 0, at;
    for (size_t i = 0; i < nm; i++) {
        if (s[i] == '.') {
            if (point >= 0)
                return mav2_error_set("\"%.80s\": more than one decimal point", whole);
            point = (long)nd;
            continue;
        }
        if (s[i] < '0' || s[i] > '9' || nd + 1 >= sizeof(d))
            return mav2_error_set("\"%.80s\": not a number", whole);
        d[nd++] = s[i];
    }
    if (nd == 0 || (point >= 0 && (size_t)point == nd))
        return mav2_error_set("\"%.80s\": no digits", whole);
    if (e != NULL) {
        const char *p = e + 1;
        int neg = *p == '-';
        p += *p == '-' || *p == '+';
        if (p >= s + n)
            return mav2_error_set("\"%.80s\": no digits in the exponent", whole);
        for (; p < s + n; p++) {
            if (*p < '0' || *p > '9' || x > 1000)
                return mav2_error_set("\"%.80s\": bad exponent", whole);
            x = x * 10 + (*p - '0');
        }
        x = neg ? -x : x;
    }
    at = (point >= 0 ? point : (long)nd) + decimals + x; /* digits before the new point */
    for (long i = at > 0 ? at : 0; i < (long)nd; i++)
        if (d[i] != '0')
            return mav2_error_set("\"%.80s\": not a whole number of wei", whole);
    if (at <= 0) {
        out[0] = '\0';
        return 1;
    }
    if ((size_t)at >= cap)
        return mav2_error_set("\"%.80s\": exceeds 256 bits", whole);
    for (long i = 0; i < at; i++)
        out[i] = i < (long)nd ? d[i] : '0';
    out[at] = '\0';
    return 1;
}

/* Whether s[n] continues "D[.F][e[+-]X]". */
static int number_char(const char *s, size_t n)
{
    char c = s[n], next = c != '\0' ? s[n + 1] : '\0';
    if ((c >= '0' && c <= '9') || c == '.')
        return 1;
    if ((c == 'e' || c == 'E') && n > 0)
        return (next >= '0' && next <= '9') || next == '-' || next == '+';
    return (c == '-' || c == '+') && n > 0 && (s[n - 1] == 'e' || s[n - 1] == 'E');
}

int mav2_u256_parse_amount(mav2_u256 *r, const char *s)
{
    char digits[160] = "", low[160];
    int decimals = 0;
    size_t n = 0, u;
    if (s == NULL || *s == '\0')
        return mav2_error_set("amount missing");
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        return mav2_u256_from_hex(r, s);
    while (number_char(s, n))
        n++;
    u = n + strspn(s + n, " ");
    if (s[u] != '\0' && !unit_decimals(s + u, &decimals))
        return mav2_error_set("\"%.80s\": unknown unit \"%.20s\" (wei, kwei, mwei, gwei, szabo, "
                              "finney, ether)",
                              s, s + u);
    if (s[u] == '\0' && u != n)
        return mav2_error_set("\"%.80s\": trailing space", s);
    if (n >= sizeof(low))
        return mav2_error_set("\"%.80s\": too long", s);
    for (size_t i = 0; i < n; i++)
        low[i] = s[i] == 'E' ? 'e' : s[i];
    low[n] = '\0';
    if (!scaled_digits(low, n, decimals, digits, sizeof(digits), s))
        return 0;
    if (digits[0] == '\0') {
        mav2_u256_from_u64(r, 0);
        return 1;
    }
    return dec_parse_n(r, digits, strlen(digits), s);
}

int mav2_u256_parse_units(mav2_u256 *r, const char *s, unsigned decimals)
{
    char digits[160] = "";
    const char *dot;
    size_t n;
    if (s == NULL || *s == '\0')
        return mav2_error_set("amount missing");
    n = strlen(s);
    if (decimals > 77)
        return mav2_error_set("%u decimals: too many", decimals);
    if (strspn(s, "0123456789.") != n)
        return mav2_error_set("\"%.80s\": not a decimal number", s);
    dot = strchr(s, '.');
    if (dot != NULL && strlen(dot + 1) > decimals)
        return mav2_error_set("\"%.80s\": more than %u decimals", s, decimals);
    if (!scaled_digits(s, n, (int)decimals, digits, sizeof(digits), s))
        return 0;
    if (digits[0] == '\0') {
        mav2_u256_from_u64(r, 0);
        return 1;
    }
    return dec_parse_n(r, digits, strlen(digits), s);
}

void mav2_u256_to_dec(const mav2_u256 *a, char *out)
{
    char tmp[MAV2_U256_DEC_MAX];
    size_t n = 0;
    mav2_u256 v = *a;
    do {
        uint64_t rem;
        mav2_u256_div_u64(&v, &v, 10, &rem);
        tmp[n++] = (char)('0' + rem);
    } while (!mav2_u256_is_zero(&v));
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
}

void mav2_u256_to_hex(const mav2_u256 *a, char *out)
{
    static const char digits[] = "0123456789abcdef";
    unsigned bits = mav2_u256_bits(a);
    unsigned nd = bits ? (bits + 3) / 4 : 1;
    out[0] = '0';
    out[1] = 'x';
    for (unsigned i = 0; i < nd; i++) {
        unsigned bit = 4 * (nd - 1 - i);
        out[2 + i] = digits[(a->w[bit / 64] >> (bit % 64)) & 15];
    }
    out[2 + nd] = '\0';
}

void mav2_u256_format_units(const mav2_u256 *a, unsigned decimals, char *out)
{
    char dec[MAV2_U256_DEC_MAX];
    mav2_u256_to_dec(a, dec);
    size_t n = strlen(dec);
    if (decimals == 0) {
        memcpy(out, dec, n + 1);
        return;
    }
    char *p = out;
    if (n <= decimals) {
        *p++ = '0';
        *p++ = '.';
        for (size_t i = n; i < decimals; i++)
            *p++ = '0';
        memcpy(p, dec, n);
        p += n;
    } else {
        memcpy(p, dec, n - decimals);
        p += n - decimals;
        *p++ = '.';
        memcpy(p, dec + n - decimals, decimals);
        p += decimals;
    }
    while (p[-1] == '0')
        p--;
    if (p[-1] == '.')
        p--;
    *p = '\0';
}

int mav2_u256_ceil_mul_dec(mav2_u256 *r, const mav2_u256 *a, const char *factor)
{
    if (factor == NULL)
        return mav2_error_set("factor missing");
    const char *dot = strchr(factor, '.');
    unsigned d = dot ? (unsigned)strlen(dot + 1) : 0;
    mav2_u256 f, scale, t;
    uint64_t fm, sc = 1;
    if (d > 18)
        return mav2_error_set("factor \"%.40s\": more than 18 decimals", factor);
    for (unsigned i = 0; i < d; i++)
        sc *= 10;
    if (!dec_scaled(&f, factor, strlen(factor), d, factor))
        return 0;
    if (!mav2_u256_to_u64(&f, &fm))
        return mav2_error_set("factor \"%.40s\" too large", factor);
    mav2_u256_from_u64(&scale, sc - 1);
    if (!mav2_u256_mul_u64(&t, a, fm) || !mav2_u256_add(&t, &t, &scale))
        return mav2_error_set("overflow: %s x factor %s exceeds 256 bits", "value", factor);
    return mav2_u256_div_u64(r, &t, sc, NULL);
}
