/* SPDX-License-Identifier: Apache-2.0 */
/* account.c: MAv2 nonce keys, signatures, account call data, factory (see account.h).
 * Installing validations and permission hooks live in install.c. */
#include "mav2/core/account.h"

#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "common/keccak.h"
#include "mav2/core/abi.h"
#include "mav2/core/error.h"

const uint8_t mav2_addr_factory[MAV2_ADDRESS_LEN] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x17,
                                                     0xc6, 0x1b, 0x5b, 0xee, 0x81, 0x05, 0x0e,
                                                     0xc8, 0xef, 0xc9, 0xc6, 0xfe, 0xcd};
const uint8_t mav2_addr_ma_impl[MAV2_ADDRESS_LEN] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
                                                     0x37, 0x7b, 0x26, 0xb1, 0xed, 0xa7, 0xb0,
                                                     0xbc, 0x37, 0x1c, 0x60, 0xdd, 0x4f};
const uint8_t mav2_addr_sma_bytecode_impl[MAV2_ADDRESS_LEN] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc5, 0xa9, 0x08, 0x90,
    0x39, 0x57, 0x0d, 0xd3, 0x64, 0x55, 0xb5, 0xc0, 0x73, 0x83};
const uint8_t mav2_addr_single_signer[MAV2_ADDRESS_LEN] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x99,
                                                           0xde, 0x0b, 0xf6, 0xfa, 0x90, 0xde, 0xb8,
                                                           0x51, 0xe2, 0xa2, 0xdf, 0x7d, 0x83};
const uint8_t mav2_addr_time_range[MAV2_ADDRESS_LEN] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x82,
                                                        0xb8, 0xe2, 0x01, 0x2b, 0xe9, 0x14, 0xdf,
                                                        0xa4, 0xf6, 0x2a, 0x05, 0x73, 0xea};
const uint8_t mav2_addr_native_token_limit[MAV2_ADDRESS_LEN] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xe5, 0x41, 0xf0,
    0xd0, 0x90, 0x86, 0x8f, 0xbe, 0x24, 0xb5, 0x9f, 0xbe, 0x06};
const uint8_t mav2_addr_allowlist[MAV2_ADDRESS_LEN] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x3e, 0x82,
                                                       0x64, 0x73, 0xa3, 0x13, 0xe6, 0x00, 0xb5,
                                                       0xb9, 0xb7, 0x91, 0xf5, 0xa5, 0x9a};
const uint8_t mav2_addr_paymaster_guard[MAV2_ADDRESS_LEN] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1a, 0xa7, 0xa7, 0xf7,
    0xe2, 0x9a, 0xbe, 0x0b, 0xe0, 0x6c, 0x72, 0xfd, 0x42, 0xa1};

/* ---- nonce ---------------------------------------------------------------------- */

static void u256_shl(mav2_u256 *r, const mav2_u256 *a, unsigned s)
{
    mav2_u256 t = {{0, 0, 0, 0}};
    unsigned limbs = s / 64, bits = s % 64;
    for (int i = 3; i >= (int)limbs; i--) {
        t.w[i] = a->w[i - limbs] << bits;
        if (bits && i - (int)limbs - 1 >= 0)
            t.w[i] |= a->w[i - limbs - 1] >> (64 - bits);
    }
    *r = t;
}

static void u256_shr(mav2_u256 *r, const mav2_u256 *a, unsigned s)
{
    mav2_u256 t = {{0, 0, 0, 0}};
    unsigned limbs = s / 64, bits = s % 64;
    for (unsigned i = 0; i + limbs < 4; i++) {
        t.w[i] = a->w[i + limbs] >> bits;
        if (bits && i + limbs + 1 < 4)
            t.w[i] |= a->w[i + limbs + 1] << (64 - bits);
    }
    *r = t;
}

int mav2_nonce_key(mav2_u256 *key, const mav2_u256 *lane, uint32_t entity_id, uint8_t options)
{
    mav2_u256 k = {{0, 0, 0, 0}};
    if (lane) {
        if (mav2_u256_bits(lane) > 152)
            return mav2_error_set("nonce key lane exceeds 152 bits");
        u256_shl(&k, lane, 40);
    }
    k.w[0] |= (uint64_t)entity_id << 8 | options;
    *key = k;
    return 1;
}

int mav2_nonce_full(mav2_u256 *nonce, const mav2_u256 *key, uint64_t seq)
{
    if (mav2_u256_bits(key) > 192)
        return mav2_error_set("nonce key exceeds 192 bits");
    u256_shl(nonce, key, 64);
    nonce->w[0] = seq;
    return 1;
}

void mav2_nonce_split(const mav2_u256 *nonce, mav2_u256 *key, uint64_t *seq)
{
    if (seq)
        *seq = nonce->w[0];
    if (key)
        u256_shr(key, nonce, 64);
}

void mav2_nonce_key_parts(const mav2_u256 *key, mav2_u256 *lane, uint32_t *entity_id,
                          uint8_t *options)
{
    if (lane)
        u256_shr(lane, key, 40);
    if (entity_id)
        *entity_id = (uint32_t)(key->w[0] >> 8);
    if (options)
        *options = (uint8_t)key->w[0];
}

int mav2_calldata_get_nonce(const uint8_t sender[MAV2_ADDRESS_LEN], const mav2_u256 *key,
                            mav2_buf *out)
{
    if (mav2_u256_bits(key) > 192)
        return mav2_error_set("nonce key exceeds 192 bits");
    mav2_abi *e = mav2_abi_new();
    mav2_abi_address(e, sender);
    mav2_abi_uint(e, key);
    return mav2_abi_finish_call(e, (const uint8_t *)MAV2_SEL_GET_NONCE, out);
}

/* ---- signatures ----------------------------------------------------------------- */

/* secp256k1 n / 2, big-endian */
static const uint8_t half_n[32] = {0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                   0xff, 0xff, 0xff, 0xff, 0xff, 0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4,
                                   0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0};

int mav2_sig65_check(const uint8_t sig65[MAV2_SIG65_LEN])
{
    if (sig65 == NULL)
        return mav2_error_set("signature missing");
    if (sig65[64] != 27 && sig65[64] != 28)
        return mav2_error_set("signature: v must be 27 or 28, got %u", sig65[64]);
    if (memcmp(sig65 + 32, half_n, 32) > 0)
        return mav2_error_set("signature: s is high (s > n/2), the module rejects it");
    return 1;
}

void mav2_userop_digest(const uint8_t user_op_hash[32], uint8_t out[32])
{
    mh_eip191_hash(user_op_hash, 32, out);
}

int mav2_userop_signature(const uint8_t sig65[MAV2_SIG65_LEN], uint8_t out[MAV2_USEROP_SIG_LEN])
{
    if (!mav2_sig65_check(sig65))
        return 0;
    out[0] = 0xff;
    out[1] = 0x00;
    memcpy(out + 2, sig65, MAV2_SIG65_LEN);
    return 1;
}

void mav2_stub_signature(uint8_t out[MAV2_USEROP_SIG_LEN])
{
    static const char stub[] =
        "0xff00fffffffffffffffffffffffffffffff0000000000000000000000000000000"
        "007aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1c";
    mh_hex_decode_exact(stub, out, MAV2_USEROP_SIG_LEN, NULL);
}

int mav2_replay_safe_hash(const uint8_t hash[32], uint64_t chain_id,
                          const uint8_t account[MAV2_ADDRESS_LEN], uint32_t entity_id,
                          const uint8_t *module, uint8_t out[32])
{
    static const char t_rs[] = "ReplaySafeHash(bytes32 hash)";
    static const char t_d0[] = "EIP712Domain(uint256 chainId,address verifyingContract)";
    static const char t_d1[] =
        "EIP712Domain(uint256 chainId,address verifyingContract,bytes32 salt)";
    uint8_t s[64], d[128] = {0}, m[66];
    mav2_u256 c;
    size_t dlen;
    if (hash == NULL || account == NULL)
        return mav2_error_set("replay-safe hash: hash or account missing");
    mh_keccak256(t_rs, sizeof(t_rs) - 1, s);
    memcpy(s + 32, hash, 32);
    mav2_u256_from_u64(&c, chain_id);
    mav2_u256_to_be32(&c, d + 32);
    if (entity_id == 0) {
        mh_keccak256(t_d0, sizeof(t_d0) - 1, d);
        memcpy(d + 76, account, 20);
        dlen = 96;
    } else {
        mh_keccak256(t_d1, sizeof(t_d1) - 1, d);
        memcpy(d + 76, module ? module : mav2_addr_single_signer, 20);
        memcpy(d + 108, account, 20);
        dlen = 128;
    }
    m[0] = 0x19;
    m[1] = 0x01;
    mh_keccak256(d, dlen, m + 2);
    mh_keccak256(s, sizeof(s), m + 34);
    mh_keccak256(m, sizeof(m), out);
    return 1;
}

int mav2_1271_signature(uint32_t entity_id, const uint8_t sig65[MAV2_SIG65_LEN],
                        uint8_t out[MAV2_1271_SIG_LEN])
{
    if (!mav2_sig65_check(sig65))
        return 0;
    out[0] = 0x00;
    out[1] = (uint8_t)(entity_id >> 24);
    out[2] = (uint8_t)(entity_id >> 16);
    out[3] = (uint8_t)(entity_id >> 8);
    out[4] = (uint8_t)entity_id;
    out[5] = 0xff;
    out[6] = 0x00;
    memcpy(out + 7, sig65, MAV2_SIG65_LEN);
    return 1;
}

/* ---- account call data ---------------------------------------------------------- */

int mav2_calldata_execute(const mav2_call *call, mav2_buf *out)
{
    if (call == NULL || (call->data == NULL && call->data_len))
        return mav2_error_set("execute: call missing");
    mav2_abi *e = mav2_abi_new();
    mav2_abi_address(e, call->target);
    mav2_abi_uint(e, &call->value);
    mav2_abi_bytes(e, call->data, call->data_len);
    return mav2_abi_finish_call(e, (const uint8_t *)MAV2_SEL_EXECUTE, out);
}

int mav2_calldata_execute_batch(const mav2_call *calls, size_t n, mav2_buf *out)
{
    if (calls == NULL && n)
        return mav2_error_set("executeBatch: calls missing");
    mav2_abi *e = mav2_abi_new(), *arr = mav2_abi_new();
    for (size_t i = 0; i < n; i++) {
        mav2_abi *t = mav2_abi_new();
        mav2_abi_address(t, calls[i].target);
        mav2_abi_uint(t, &calls[i].value);
        mav2_abi_bytes(t, calls[i].data, calls[i].data_len);
        mav2_abi_tuple(arr, t);
    }
    mav2_abi_array(e, arr);
    return mav2_abi_finish_call(e, (const uint8_t *)MAV2_SEL_EXECUTE_BATCH, out);
}

int mav2_calldata_exec_user_op(const uint8_t *data, size_t len, mav2_buf *out)
{
    return mav2_buf_append(out, MAV2_SEL_EXECUTE_USER_OP, 4) && mav2_buf_append(out, data, len);
}

int mav2_calldata_for_calls(const uint8_t account[MAV2_ADDRESS_LEN], const mav2_call *calls,
                            size_t n, int exec_hooks, mav2_buf *out)
{
    mav2_buf inner = MAV2_BUF_INIT;
    int ok;
    if (calls == NULL || n == 0)
        return mav2_error_set("no calls to make");
    if (n == 1 && account && memcmp(calls[0].target, account, 20) == 0 &&
        mav2_u256_is_zero(&calls[0].value))
        ok = mav2_buf_append(&inner, calls[0].data, calls[0].data_len);
    else if (n == 1)
        ok = mav2_calldata_execute(&calls[0], &inner);
    else
        ok = mav2_calldata_execute_batch(calls, n, &inner);
    if (ok) {
        if (exec_hooks)
            ok = mav2_calldata_exec_user_op(inner.data, inner.len, out);
        else
            ok = mav2_buf_append(out, inner.data, inner.len);
    }
    mav2_buf_free(&inner);
    return ok;
}

/* A word of d at off used as an offset or length: fits and stays within len. */
static int word_size(const uint8_t *d, size_t len, size_t off, size_t *out)
{
    mav2_u256 v;
    uint64_t x;
    if (off > len || len - off < 32)
        return mav2_error_set("call data too short");
    mav2_u256_from_be32(&v, d + off);
    if (!mav2_u256_to_u64(&v, &x) || x > len)
        return mav2_error_set("call data: offset or length out of range");
    *out = (size_t)x;
    return 1;
}

/* (address target, uint256 value, bytes data) at byte t of a (head-relative) block d. */
static int decode_call(const uint8_t *d, size_t len, size_t t, mav2_call *c)
{
    size_t off, n;
    if (t > len || len - t < 96)
        return mav2_error_set("call data too short");
    for (int i = 0; i < 12; i++)
        if (d[t + i])
            return mav2_error_set("call data: target has non-zero upper bytes");
    memcpy(c->target, d + t + 12, 20);
    mav2_u256_from_be32(&c->value, d + t + 32);
    if (!word_size(d, len, t + 64, &off) || off > len - t ||
        !word_size(d, len, t + off, &n) || n > len - t - off - 32)
        return mav2_error_set("call data: bad bytes in a call");
    c->data = d + t + off + 32;
    c->data_len = n;
    return 1;
}

static int decode_batch(const uint8_t *a, size_t len, mav2_call **calls, size_t *n)
{
    size_t arr, count, rel;
    if (!word_size(a, len, 0, &arr) || !word_size(a, len, arr, &count))
        return 0;
    if (count == 0 || count > (len - arr - 32) / 32)
        return mav2_error_set("executeBatch: %zu calls do not fit the data", count);
    if ((*calls = calloc(count, sizeof(**calls))) == NULL)
        return mav2_error_set("out of memory");
    for (size_t i = 0; i < count; i++) {
        const uint8_t *base = a + arr + 32;
        size_t blen = len - arr - 32;
        if (!word_size(base, blen, 32 * i, &rel) || !decode_call(base, blen, rel, &(*calls)[i])) {
            free(*calls);
            *calls = NULL;
            return 0;
        }
    }
    *n = count;
    return 1;
}

int mav2_calldata_decode_calls(const uint8_t *cd, size_t len, mav2_call **calls, size_t *n)
{
    if (calls == NULL || n == NULL || (cd == NULL && len))
        return mav2_error_set("decode calls: argument missing");
    *calls = NULL;
    *n = 0;
    if (len >= 4 && memcmp(cd, MAV2_SEL_EXECUTE_USER_OP, 4) == 0) {
        cd += 4;
        len -= 4;
    }
    if (len < 4)
        return 1;
    if (memcmp(cd, MAV2_SEL_EXECUTE, 4) == 0) {
        if ((*calls = calloc(1, sizeof(**calls))) == NULL)
            return mav2_error_set("out of memory");
        if (!decode_call(cd + 4, len - 4, 0, *calls)) {
            free(*calls);
            *calls = NULL;
            return 0;
        }
        *n = 1;
        return 1;
    }
    if (memcmp(cd, MAV2_SEL_EXECUTE_BATCH, 4) == 0)
        return decode_batch(cd + 4, len - 4, calls, n);
    return 1;
}

/* ---- factory and counterfactual address --------------------------------------- */

int mav2_factory_data_sma(const uint8_t owner[MAV2_ADDRESS_LEN], const mav2_u256 *salt,
                          mav2_buf *out)
{
    if (owner == NULL || salt == NULL)
        return mav2_error_set("factory data: owner or salt missing");
    mav2_abi *e = mav2_abi_new();
    mav2_abi_address(e, owner);
    mav2_abi_uint(e, salt);
    return mav2_abi_finish_call(e, (const uint8_t *)MAV2_SEL_CREATE_SMA, out);
}

int mav2_factory_data_ma(const uint8_t owner[MAV2_ADDRESS_LEN], const mav2_u256 *salt,
                         uint32_t entity_id, mav2_buf *out)
{
    if (owner == NULL || salt == NULL)
        return mav2_error_set("factory data: owner or salt missing");
    mav2_abi *e = mav2_abi_new();
    mav2_abi_address(e, owner);
    mav2_abi_uint(e, salt);
    mav2_abi_u64(e, entity_id);
    return mav2_abi_finish_call(e, (const uint8_t *)MAV2_SEL_CREATE_ACCOUNT, out);
}

int mav2_init_code(const uint8_t *factory, const uint8_t *factory_data, size_t len, mav2_buf *out)
{
    return mav2_buf_append(out, factory ? factory : mav2_addr_factory, 20) &&
           mav2_buf_append(out, factory_data, len);
}

void mav2_create2_address(const uint8_t deployer[MAV2_ADDRESS_LEN], const uint8_t salt[32],
                          const uint8_t init_code_hash[32], uint8_t out[MAV2_ADDRESS_LEN])
{
    uint8_t p[85], h[32];
    p[0] = 0xff;
    memcpy(p + 1, deployer, 20);
    memcpy(p + 21, salt, 32);
    memcpy(p + 53, init_code_hash, 32);
    mh_keccak256(p, sizeof(p), h);
    memcpy(out, h + 12, 20);
}

int mav2_sma_address(const uint8_t *factory, const uint8_t *impl,
                     const uint8_t owner[MAV2_ADDRESS_LEN], const mav2_u256 *salt,
                     uint8_t out[MAV2_ADDRESS_LEN])
{
    /* ERC-1967 proxy init code of the semi-modular account (impl and owner spliced in) */
    static const uint8_t pre[] = {0x61, 0x00, 0x51, 0x3d, 0x81, 0x60, 0x23, 0x3d, 0x39, 0x73};
    static const char mid_hex[] = "60095155f3363d3d373d3d363d7f360894a13ba1a3210667c828492db98d"
                                  "ca3e2076cc3735a920a3ca505d382bbc545af43d6000803e6038573d6000"
                                  "fd5b3d6000f3";
    uint8_t mid[(sizeof(mid_hex) - 1) / 2], code[sizeof(pre) + 20 + sizeof(mid) + 20];
    uint8_t s[56], csalt[32], ch[32];
    if (owner == NULL || salt == NULL)
        return mav2_error_set("account address: owner or salt missing");
    mh_hex_decode_exact(mid_hex, mid, sizeof(mid), NULL);
    memcpy(code, pre, sizeof(pre));
    memcpy(code + sizeof(pre), impl ? impl : mav2_addr_sma_bytecode_impl, 20);
    memcpy(code + sizeof(pre) + 20, mid, sizeof(mid));
    memcpy(code + sizeof(pre) + 20 + sizeof(mid), owner, 20);
    mh_keccak256(code, sizeof(code), ch);
    memcpy(s, owner, 20);
    mav2_u256_to_be32(salt, s + 20);
    memset(s + 52, 0xff, 4);
    mh_keccak256(s, sizeof(s), csalt);
    mav2_create2_address(factory ? factory : mav2_addr_factory, csalt, ch, out);
    return 1;
}
