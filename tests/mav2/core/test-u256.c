/* SPDX-License-Identifier: Apache-2.0 */
/* test-u256: 256-bit arithmetic and text forms; the fee rule vectors of
 * fees_and_rpc_flow.json (alchemyFeeVectors, bigIntMultiplyVectors); amount units;
 * addresses of secp256k1.json keys and its EIP-55 list; ABI decoders. */
#include <stdlib.h>
#include <string.h>

#include "mav2/core/abi.h"
#include "mav2/core/account.h"
#include "mav2/core/address.h"
#include "mav2/core/error.h"
#include "mav2/core/u256.h"
#include "tap.h"
#include "vectors.h"

static mav2_u256 num(const char *s)
{
    mav2_u256 r;
    if (!mav2_u256_parse(&r, s))
        tap_bail(mav2_last_error());
    return r;
}

static void amount_is(const char *in, const char *want_dec)
{
    mav2_u256 r;
    char dec[MAV2_U256_DEC_MAX];
    int ok = mav2_u256_parse_amount(&r, in);
    if (ok)
        mav2_u256_to_dec(&r, dec);
    tap_ok(ok && strcmp(dec, want_dec) == 0, "amount \"%s\" = %s wei", in, want_dec);
}

static void amount_bad(const char *in)
{
    mav2_u256 r;
    tap_ok(!mav2_u256_parse_amount(&r, in) && *mav2_last_error(), "amount \"%s\" refused: %s", in,
           mav2_last_error());
}

static void test_fees(void)
{
    json_object *v = vec_load("fees_and_rpc_flow.json"), *arr = vec_get(v, "alchemyFeeVectors");
    for (size_t i = 0; i < vec_len(arr); i++) {
        json_object *e = vec_at(arr, i);
        mav2_u256 base = num(vec_str(e, "baseFeePerGas"));
        mav2_u256 rp = num(vec_str(e, "rundler_maxPriorityFeePerGas"));
        mav2_u256 prio, maxfee, t;
        char hex[MAV2_U256_HEX_MAX], dec[MAV2_U256_DEC_MAX];
        /* priority = ceil(rundler x 1.05); maxFee = ceil((ceil(base x 1.5) + priority) x 1.5) */
        int ok = mav2_u256_ceil_mul_dec(&prio, &rp, "1.05") &&
                 mav2_u256_ceil_mul_dec(&t, &base, "1.5") && mav2_u256_add(&t, &t, &prio) &&
                 mav2_u256_ceil_mul_dec(&maxfee, &t, "1.5");
        mav2_u256_to_hex(&prio, hex);
        mav2_u256_to_dec(&prio, dec);
        tap_ok(ok && strcmp(hex, vec_str(e, "maxPriorityFeePerGas")) == 0 &&
                   strcmp(dec, vec_str(e, "maxPriorityFeePerGas_dec")) == 0,
               "fee vector %zu: maxPriorityFeePerGas %s", i, hex);
        mav2_u256_to_hex(&maxfee, hex);
        mav2_u256_to_dec(&maxfee, dec);
        tap_ok(ok && strcmp(hex, vec_str(e, "maxFeePerGas")) == 0 &&
                   strcmp(dec, vec_str(e, "maxFeePerGas_dec")) == 0,
               "fee vector %zu: maxFeePerGas %s", i, hex);
    }
    arr = vec_get(v, "bigIntMultiplyVectors");
    for (size_t i = 0; i < vec_len(arr); i++) {
        json_object *e = vec_at(arr, i);
        /* the multiplier is a JSON number; json-c keeps its source text */
        const char *m = json_object_get_string(vec_get(e, "multiplier"));
        mav2_u256 b = num(vec_str(e, "base")), r, want = num(vec_str(e, "result"));
        tap_ok(mav2_u256_ceil_mul_dec(&r, &b, m) && mav2_u256_cmp(&r, &want) == 0,
               "ceilMul(%s, %s) = %s", vec_str(e, "base"), m, vec_str(e, "result"));
    }
    json_object_put(v);
}

static void test_addresses(void)
{
    json_object *v = vec_load("secp256k1.json"), *arr = vec_get(v, "keys");
    for (size_t i = 0; i < vec_len(arr); i++) {
        json_object *e = vec_at(arr, i);
        uint8_t pub[65], a[20], want[20];
        char s[MAV2_ADDRESS_STR_MAX];
        vec_hex_exact(e, "publicKeyUncompressed", pub, 65);
        tap_ok(mav2_address_from_pubkey(pub, 65, a), "address of key %s", vec_str(e, "name"));
        mav2_address_format(a, s);
        tap_ok(strcmp(s, vec_str(e, "address")) == 0, "EIP-55 address of key %s: %s",
               vec_str(e, "name"), s);
        tap_ok(mav2_address_from_pubkey(pub + 1, 64, want) && memcmp(a, want, 20) == 0,
               "64-byte X||Y form gives the same address");
        tap_ok(mav2_address_parse(vec_str(e, "addressLower"), want) && memcmp(a, want, 20) == 0,
               "lowercase address parses");
        size_t n;
        uint8_t *comp = vec_hex(e, "publicKeyCompressed", &n);
        tap_ok(!mav2_address_from_pubkey(comp, n, a), "compressed key refused: %s",
               mav2_last_error());
        free(comp);
    }
    arr = vec_get(v, "eip55");
    for (size_t i = 0; i < vec_len(arr); i++) {
        json_object *e = vec_at(arr, i);
        uint8_t a[20];
        char s[MAV2_ADDRESS_STR_MAX];
        tap_ok(mav2_address_parse(vec_str(e, "lower"), a), "parse %s", vec_str(e, "lower"));
        mav2_address_format(a, s);
        tap_ok(strcmp(s, vec_str(e, "checksummed")) == 0, "EIP-55 %s", s);
        tap_ok(mav2_address_parse(vec_str(e, "checksummed"), a), "checksummed parses back");
        /* flip the case of one letter: must fail if the address has mixed case */
        char bad[MAV2_ADDRESS_STR_MAX];
        strcpy(bad, vec_str(e, "checksummed"));
        int flipped = 0, lower = 0, upper = 0;
        for (int k = 2; k < 42; k++) {
            lower |= bad[k] >= 'a' && bad[k] <= 'f';
            upper |= bad[k] >= 'A' && bad[k] <= 'F';
        }
        for (int k = 2; k < 42 && !flipped && lower && upper; k++) {
            if (bad[k] >= 'a' && bad[k] <= 'f') {
                bad[k] = (char)(bad[k] - 32);
                flipped = 1;
            }
        }
        if (flipped)
            tap_ok(!mav2_address_parse(bad, a) && strstr(mav2_last_error(), "EIP-55"),
                   "bad checksum refused: %s", mav2_last_error());
    }
    uint8_t a[20];
    tap_ok(!mav2_address_parse("0x1234", a), "short address refused: %s", mav2_last_error());
    tap_ok(!mav2_address_parse("1111111111111111111111111111111111111111", a),
           "address without 0x refused");
    json_object_put(v);
}

static void test_arith(void)
{
    mav2_u256 a, b, r;
    char s[MAV2_U256_DEC_MAX + 2], hex[MAV2_U256_HEX_MAX];
    const char *max =
        "115792089237316195423570985008687907853269984665640564039457584007913129639935";
    tap_ok(mav2_u256_from_dec(&a, max), "parse 2^256-1");
    mav2_u256_to_dec(&a, s);
    tap_ok(strcmp(s, max) == 0, "decimal round trip of 2^256-1");
    mav2_u256_to_hex(&a, hex);
    tap_ok(strcmp(hex, "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff") == 0,
           "hex of 2^256-1");
    tap_ok(
        !mav2_u256_from_dec(
            &b, "115792089237316195423570985008687907853269984665640564039457584007913129639936"),
        "2^256 refused: %s", mav2_last_error());
    mav2_u256_from_u64(&b, 1);
    tap_ok(!mav2_u256_add(&r, &a, &b), "add overflow refused");
    tap_ok(!mav2_u256_mul_u64(&r, &a, 2), "mul overflow refused");
    mav2_u256_from_u64(&r, 0);
    tap_ok(!mav2_u256_sub(&r, &b, &a), "sub underflow refused");
    tap_ok(mav2_u256_sub(&r, &a, &a) && mav2_u256_is_zero(&r), "a - a = 0");
    mav2_u256_to_hex(&r, hex);
    tap_ok(strcmp(hex, "0x0") == 0, "zero is 0x0");
    tap_ok(!mav2_u256_ceil_mul_dec(&r, &a, "1.05"), "ceil-mul overflow refused");
    a = num("0x10000000000000000");
    b = num("18446744073709551616");
    tap_ok(mav2_u256_cmp(&a, &b) == 0, "hex and decimal 2^64 agree");
    tap_ok(!mav2_u256_from_hex(&a, "0x"), "0x alone refused");
    tap_ok(!mav2_u256_from_dec(&a, ""), "empty refused");
    tap_ok(!mav2_u256_from_dec(&a, "-1"), "sign refused");
    tap_ok(!mav2_u256_from_dec(&a, "1 "), "trailing space refused");
    uint8_t be[32];
    a = num("0x0102");
    mav2_u256_to_be32(&a, be);
    tap_ok(be[30] == 1 && be[31] == 2 && be[0] == 0, "big-endian bytes");
    mav2_u256_from_be32(&b, be);
    tap_ok(mav2_u256_cmp(&a, &b) == 0, "big-endian round trip");
    a = num("1500000000000000000");
    mav2_u256_format_units(&a, 18, s);
    tap_ok(strcmp(s, "1.5") == 0, "format_units 1.5 ether (%s)", s);
    a = num("1000000000");
    mav2_u256_format_units(&a, 9, s);
    tap_ok(strcmp(s, "1") == 0, "format_units 1 gwei (%s)", s);
    a = num("5");
    mav2_u256_format_units(&a, 18, s);
    tap_ok(strcmp(s, "0.000000000000000005") == 0, "format_units 5 wei (%s)", s);

    amount_is("0.5ether", "500000000000000000");
    amount_is("1.5gwei", "1500000000");
    amount_is("1ETHER", "1000000000000000000");
    amount_is("42", "42");
    amount_is("42wei", "42");
    amount_is("0x2a", "42");
    amount_is(".5gwei", "500000000");
    amount_is("1.000000000gwei", "1000000000");
    amount_bad("1.5");
    amount_bad("0.0000000001gwei");
    amount_bad("1.gwei");
    amount_is("0.01 ether", "10000000000000000");
    amount_is("1e18", "1000000000000000000");
    amount_is("1e-3ether", "1000000000000000");
    amount_is("1.5e3gwei", "1500000000000");
    amount_is("2finney", "2000000000000000");
    amount_is("3szabo", "3000000000000");
    amount_is("7kwei", "7000");
    amount_is("7mwei", "7000000");
    amount_is("1E3", "1000");
    amount_is("120e-1", "12");
    amount_is("0e-5", "0");
    amount_bad("1e-1");
    amount_bad("1.5e-18ether");
    amount_bad("1e");
    amount_bad("1e+");
    amount_bad("1ether ");
    amount_bad("1  ether x");
    amount_bad("1e2000");
    amount_bad("1.");
    amount_bad("1eth");
    amount_bad("ether");
    amount_bad("");
    amount_bad("1.2.3ether");
    amount_bad("0x2awei");
    amount_bad("-1ether");
    amount_bad("999999999999999999999999999999999999999999999999999999999999999999999999999ether");
}

/* Token amounts scaled by an ERC-20's decimals (send --max-token-amount). */
static void test_units(void)
{
    static const struct {
        const char *in;
        unsigned decimals;
        const char *want; /* NULL: refused */
    } v[] = {
        {"2.5", 6, "2500000"},
        {"5", 6, "5000000"},
        {"0.000001", 6, "1"},
        {"1.5", 18, "1500000000000000000"},
        {".5", 2, "50"},
        {"7", 0, "7"},
        {"0", 6, "0"},
        {"1.50", 2, "150"},
        {"0.0000001", 6, NULL}, /* finer than the token */
        {"1.5", 0, NULL},
        {"1e3", 6, NULL}, /* no exponent */
        {"1.5ether", 18, NULL},
        {"0x10", 6, NULL},
        {"-1", 6, NULL},
        {"1.", 6, NULL},
        {"1.2.3", 6, NULL},
        {"", 6, NULL},
        {"1", 78, NULL},
        {"200000000000000000000000000000000000000000000000000000000000000000000000000000", 0,
         NULL}, /* over 256 bits */
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        mav2_u256 r;
        char dec[MAV2_U256_DEC_MAX] = "";
        int ok = mav2_u256_parse_units(&r, v[i].in, v[i].decimals);
        if (ok)
            mav2_u256_to_dec(&r, dec);
        if (v[i].want != NULL)
            tap_ok(ok && strcmp(dec, v[i].want) == 0, "units \"%s\" with %u decimals = %s (%s)",
                   v[i].in, v[i].decimals, v[i].want, dec);
        else
            tap_ok(!ok && *mav2_last_error(), "units \"%s\" with %u decimals refused: %s", v[i].in,
                   v[i].decimals, mav2_last_error());
    }
}

static void test_abi_decode(void)
{
    /* getValidationData() of a validation with nothing installed (fees_and_rpc_flow.json) */
    json_object *v = vec_load("fees_and_rpc_flow.json"), *log = vec_path(v, "flows.0.rpcLog");
    int found = 0;
    for (size_t i = 0; i < vec_len(log); i++) {
        json_object *e = vec_at(log, i), *dc = vec_opt(e, "decodedCall");
        if (dc == NULL)
            continue;
        size_t n;
        uint8_t *d = vec_hex(e, "result", &n);
        if (strcmp(vec_str(dc, "functionName"), "getValidationData") == 0) {
            mav2_validation_data vd;
            tap_ok(mav2_abi_decode_validation_data(d, n, &vd) && vd.flags == 0 &&
                       vd.n_validation_hooks == 0 && vd.n_execution_hooks == 0 &&
                       vd.n_selectors == 0,
                   "getValidationData result decodes (empty)");
            mav2_validation_data_free(&vd);
            tap_ok(!mav2_abi_decode_validation_data(d, n - 32, &vd), "truncated refused: %s",
                   mav2_last_error());
            found++;
        } else if (strcmp(vec_str(dc, "functionName"), "getNonce") == 0) {
            mav2_u256 nonce, key;
            uint64_t seq;
            tap_ok(mav2_abi_decode_uint256(d, n, &nonce), "getNonce result decodes");
            mav2_nonce_split(&nonce, &key, &seq);
            tap_ok(seq == (uint64_t)vec_int(vec_path(v, "flows.0.mockedNode"),
                                            "entryPointGetNonceSeq"),
                   "getNonce sequence matches the mocked node");
            found++;
        }
        free(d);
    }
    tap_ok(found >= 2, "eth_call results found in the flow log");

    /* a non-empty ValidationDataView built with the encoder decodes back */
    mav2_abi *e = mav2_abi_new(), *t = mav2_abi_new(), *vh = mav2_abi_new(), *xh = mav2_abi_new(),
             *sl = mav2_abi_new();
    uint8_t h25[25], s4[4] = {0xb6, 0x1d, 0x27, 0xf6};
    memset(h25, 0xab, 25);
    mav2_abi_u64(t, 5);
    mav2_abi_bytesn(vh, h25, 25);
    mav2_abi_array(t, vh);
    mav2_abi_bytesn(xh, h25, 25);
    mav2_abi_bytesn(xh, h25, 25);
    mav2_abi_array(t, xh);
    mav2_abi_bytesn(sl, s4, 4);
    mav2_abi_array(t, sl);
    mav2_abi_tuple(e, t);
    mav2_buf b = MAV2_BUF_INIT;
    mav2_validation_data vd;
    tap_ok(mav2_abi_finish(e, &b) && mav2_abi_decode_validation_data(b.data, b.len, &vd) &&
               vd.flags == 5 && vd.n_validation_hooks == 1 && vd.n_execution_hooks == 2 &&
               vd.n_selectors == 1 && memcmp(vd.selectors[0], s4, 4) == 0 &&
               memcmp(vd.execution_hooks[1], h25, 25) == 0,
           "ValidationDataView round trip");
    mav2_validation_data_free(&vd);
    mav2_buf_free(&b);

    /* address return value, upper bytes checked */
    uint8_t w[32] = {0}, a[20];
    memset(w + 12, 0x55, 20);
    tap_ok(mav2_abi_decode_address(w, 32, a) && a[0] == 0x55, "signers() address decodes");
    w[0] = 1;
    tap_ok(!mav2_abi_decode_address(w, 32, a), "dirty address refused");
    /* bytes return value */
    e = mav2_abi_new();
    mav2_abi_bytes(e, (const uint8_t *)"hello", 5);
    mav2_buf out = MAV2_BUF_INIT;
    tap_ok(mav2_abi_finish(e, &out) && mav2_abi_decode_bytes(out.data, out.len, &b) && b.len == 5 &&
               memcmp(b.data, "hello", 5) == 0,
           "bytes return value decodes");
    tap_ok(!mav2_abi_decode_bytes(out.data, 40, &b), "truncated bytes refused");
    mav2_buf_free(&out);
    mav2_buf_free(&b);
    uint8_t sel[4];
    mav2_abi_selector("execute(address,uint256,bytes)", sel);
    tap_ok(memcmp(sel, "\xb6\x1d\x27\xf6", 4) == 0, "selector of execute");
    json_object_put(v);
}

int main(void)
{
    test_arith();
    test_fees();
    test_addresses();
    test_abi_decode();
    test_units();
    return tap_done();
}
