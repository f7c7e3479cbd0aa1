/* SPDX-License-Identifier: Apache-2.0 */
/* userop.c: ERC-4337 v0.7 user operation: packing, hashing, JSON-RPC form (see userop.h). */
#include "mav2/core/userop.h"
#include "mav2/core/userop_json.h"

#include <string.h>

#include "common/hex.h"
#include "common/keccak.h"
#include "mav2/core/address.h"
#include "mav2/core/error.h"

const uint8_t mav2_entry_point_v07[MAV2_ADDRESS_LEN] = {0x00, 0x00, 0x00, 0x00, 0x71, 0x72, 0x7d,
                                                        0xe2, 0x2e, 0x5e, 0x9d, 0x8b, 0xaf, 0x0e,
                                                        0xda, 0xc6, 0xf3, 0x7d, 0xa0, 0x32};
const uint8_t mav2_entry_point_v08[MAV2_ADDRESS_LEN] = {0x43, 0x37, 0x08, 0x4d, 0x9e, 0x25, 0x5f,
                                                        0xf0, 0x70, 0x24, 0x61, 0xcf, 0x88, 0x95,
                                                        0xce, 0x9e, 0x3b, 0x5f, 0xf1, 0x08};

void mav2_userop_init(mav2_userop *op)
{
    memset(op, 0, sizeof(*op));
}

void mav2_userop_clear(mav2_userop *op)
{
    if (op == NULL)
        return;
    mav2_buf_free(&op->factory_data);
    mav2_buf_free(&op->call_data);
    mav2_buf_free(&op->paymaster_data);
    mav2_buf_free(&op->signature);
    memset(op, 0, sizeof(*op));
}

int mav2_userop_copy(mav2_userop *dst, const mav2_userop *src)
{
    *dst = *src;
    memset(&dst->factory_data, 0, sizeof(mav2_buf));
    memset(&dst->call_data, 0, sizeof(mav2_buf));
    memset(&dst->paymaster_data, 0, sizeof(mav2_buf));
    memset(&dst->signature, 0, sizeof(mav2_buf));
    if (!mav2_buf_set(&dst->factory_data, src->factory_data.data, src->factory_data.len) ||
        !mav2_buf_set(&dst->call_data, src->call_data.data, src->call_data.len) ||
        !mav2_buf_set(&dst->paymaster_data, src->paymaster_data.data, src->paymaster_data.len) ||
        !mav2_buf_set(&dst->signature, src->signature.data, src->signature.len)) {
        mav2_userop_clear(dst);
        return 0;
    }
    return 1;
}

static int put_u128(const mav2_u256 *v, uint8_t out[16], const char *field)
{
    if (mav2_u256_bits(v) > 128)
        return mav2_error_set("%s: exceeds uint128", field);
    return mav2_u256_to_be(v, out, 16);
}

void mav2_packed_userop_clear(mav2_packed_userop *p)
{
    if (p == NULL)
        return;
    mav2_buf_free(&p->init_code);
    mav2_buf_free(&p->paymaster_and_data);
    memset(p, 0, sizeof(*p));
}

int mav2_userop_pack(const mav2_userop *op, mav2_packed_userop *out)
{
    uint8_t pm[52];
    memset(out, 0, sizeof(*out));
    if (op == NULL)
        return mav2_error_set("user op missing");
    if (!put_u128(&op->verification_gas_limit, out->account_gas_limits, "verificationGasLimit") ||
        !put_u128(&op->call_gas_limit, out->account_gas_limits + 16, "callGasLimit") ||
        !put_u128(&op->max_priority_fee_per_gas, out->gas_fees, "maxPriorityFeePerGas") ||
        !put_u128(&op->max_fee_per_gas, out->gas_fees + 16, "maxFeePerGas"))
        return 0;
    mav2_u256_to_be32(&op->pre_verification_gas, out->pre_verification_gas);
    if (op->has_factory &&
        (!mav2_buf_append(&out->init_code, op->factory, 20) ||
         !mav2_buf_append(&out->init_code, op->factory_data.data, op->factory_data.len)))
        goto fail;
    if (op->has_paymaster) {
        memcpy(pm, op->paymaster, 20);
        if (!put_u128(&op->paymaster_verification_gas_limit, pm + 20,
                      "paymasterVerificationGasLimit") ||
            !put_u128(&op->paymaster_post_op_gas_limit, pm + 36, "paymasterPostOpGasLimit") ||
            !mav2_buf_append(&out->paymaster_and_data, pm, sizeof(pm)) ||
            !mav2_buf_append(&out->paymaster_and_data, op->paymaster_data.data,
                             op->paymaster_data.len))
            goto fail;
    }
    return 1;
fail:
    mav2_packed_userop_clear(out);
    return 0;
}

/* The eight static words both hashes encode (v0.7 inner; v0.8 struct after its typehash). */
static int userop_words(const mav2_userop *op, uint8_t w[8 * 32])
{
    mav2_packed_userop p;
    if (!mav2_userop_pack(op, &p))
        return 0;
    memset(w, 0, 32);
    memcpy(w + 12, op->sender, 20);
    mav2_u256_to_be32(&op->nonce, w + 32);
    mh_keccak256(p.init_code.data, p.init_code.len, w + 64);
    mh_keccak256(op->call_data.data, op->call_data.len, w + 96);
    memcpy(w + 128, p.account_gas_limits, 32);
    memcpy(w + 160, p.pre_verification_gas, 32);
    memcpy(w + 192, p.gas_fees, 32);
    mh_keccak256(p.paymaster_and_data.data, p.paymaster_and_data.len, w + 224);
    mav2_packed_userop_clear(&p);
    return 1;
}

int mav2_userop_inner_hash(const mav2_userop *op, uint8_t out[32])
{
    uint8_t w[8 * 32];
    if (!userop_words(op, w))
        return 0;
    mh_keccak256(w, sizeof(w), out);
    return 1;
}

int mav2_userop_hash(const mav2_userop *op, const uint8_t entry_point[MAV2_ADDRESS_LEN],
                     uint64_t chain_id, uint8_t out[32])
{
    uint8_t w[96] = {0};
    mav2_u256 c;
    if (entry_point == NULL)
        return mav2_error_set("entry point missing");
    if (!mav2_userop_inner_hash(op, w))
        return 0;
    memcpy(w + 44, entry_point, 20);
    mav2_u256_from_u64(&c, chain_id);
    mav2_u256_to_be32(&c, w + 64);
    mh_keccak256(w, sizeof(w), out);
    return 1;
}

static void ksz(const char *s, uint8_t out[32])
{
    mh_keccak256(s, strlen(s), out);
}

int mav2_userop_hash_v08(const mav2_userop *op, const uint8_t entry_point[MAV2_ADDRESS_LEN],
                         uint64_t chain_id, uint8_t out[32])
{
    uint8_t s[9 * 32], d[5 * 32] = {0}, m[66];
    mav2_u256 c;
    if (entry_point == NULL)
        return mav2_error_set("entry point missing");
    ksz("PackedUserOperation(address sender,uint256 nonce,bytes initCode,bytes callData,"
        "bytes32 accountGasLimits,uint256 preVerificationGas,bytes32 gasFees,"
        "bytes paymasterAndData)",
        s);
    if (!userop_words(op, s + 32))
        return 0;
    ksz("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)", d);
    ksz("ERC4337", d + 32);
    ksz("1", d + 64);
    mav2_u256_from_u64(&c, chain_id);
    mav2_u256_to_be32(&c, d + 96);
    memcpy(d + 140, entry_point, 20);
    m[0] = 0x19;
    m[1] = 0x01;
    mh_keccak256(d, sizeof(d), m + 2);
    mh_keccak256(s, sizeof(s), m + 34);
    mh_keccak256(m, sizeof(m), out);
    return 1;
}

/* ---- JSON ------------------------------------------------------------------ */

static int json_add(json_object *o, const char *key, const char *val)
{
    json_object *s = json_object_new_string(val);
    if (s == NULL || json_object_object_add(o, key, s) != 0) {
        json_object_put(s);
        return mav2_error_set("out of memory");
    }
    return 1;
}

static int json_add_qty(json_object *o, const char *key, const mav2_u256 *v)
{
    char hex[MAV2_U256_HEX_MAX];
    mav2_u256_to_hex(v, hex);
    return json_add(o, key, hex);
}

static int json_add_addr(json_object *o, const char *key, const uint8_t a[MAV2_ADDRESS_LEN])
{
    char s[MAV2_ADDRESS_STR_MAX];
    mav2_address_format(a, s);
    return json_add(o, key, s);
}

static int json_add_bytes(json_object *o, const char *key, const mav2_buf *b)
{
    size_t n = mh_hex_encoded_size(b->len, 1);
    char *s = malloc(n);
    if (s == NULL)
        return mav2_error_set("out of memory");
    mh_hex_encode(b->data, b->len, s, n, 1);
    int ok = json_add(o, key, s);
    free(s);
    return ok;
}

int mav2_userop_to_json(const mav2_userop *op, json_object **out)
{
    json_object *o = json_object_new_object();
    if (o == NULL)
        return mav2_error_set("out of memory");
    int ok = json_add_addr(o, "sender", op->sender) && json_add_qty(o, "nonce", &op->nonce);
    if (ok && op->has_factory)
        ok = json_add_addr(o, "factory", op->factory) &&
             json_add_bytes(o, "factoryData", &op->factory_data);
    ok = ok && json_add_bytes(o, "callData", &op->call_data) &&
         json_add_qty(o, "callGasLimit", &op->call_gas_limit) &&
         json_add_qty(o, "verificationGasLimit", &op->verification_gas_limit) &&
         json_add_qty(o, "preVerificationGas", &op->pre_verification_gas) &&
         json_add_qty(o, "maxFeePerGas", &op->max_fee_per_gas) &&
         json_add_qty(o, "maxPriorityFeePerGas", &op->max_priority_fee_per_gas);
    if (ok && op->has_paymaster)
        ok = json_add_addr(o, "paymaster", op->paymaster) &&
             json_add_qty(o, "paymasterVerificationGasLimit",
                          &op->paymaster_verification_gas_limit) &&
             json_add_qty(o, "paymasterPostOpGasLimit", &op->paymaster_post_op_gas_limit) &&
             json_add_bytes(o, "paymasterData", &op->paymaster_data);
    ok = ok && json_add_bytes(o, "signature", &op->signature);
    if (!ok) {
        json_object_put(o);
        return 0;
    }
    *out = o;
    return 1;
}

enum { F_ADDR, F_QTY, F_QTY128, F_BYTES };

enum {
    K_SENDER,
    K_NONCE,
    K_FACTORY,
    K_FACTORY_DATA,
    K_CALL_DATA,
    K_CGL,
    K_VGL,
    K_PVG,
    K_MAX_FEE,
    K_MAX_PRIO,
    K_PM,
    K_PM_VGL,
    K_PM_POGL,
    K_PM_DATA,
    K_SIGNATURE,
    K_COUNT
};

static const struct {
    const char *name;
    int kind;
} userop_keys[K_COUNT] = {
    [K_SENDER] = {"sender", F_ADDR},
    [K_NONCE] = {"nonce", F_QTY},
    [K_FACTORY] = {"factory", F_ADDR},
    [K_FACTORY_DATA] = {"factoryData", F_BYTES},
    [K_CALL_DATA] = {"callData", F_BYTES},
    [K_CGL] = {"callGasLimit", F_QTY128},
    [K_VGL] = {"verificationGasLimit", F_QTY128},
    [K_PVG] = {"preVerificationGas", F_QTY},
    [K_MAX_FEE] = {"maxFeePerGas", F_QTY128},
    [K_MAX_PRIO] = {"maxPriorityFeePerGas", F_QTY128},
    [K_PM] = {"paymaster", F_ADDR},
    [K_PM_VGL] = {"paymasterVerificationGasLimit", F_QTY128},
    [K_PM_POGL] = {"paymasterPostOpGasLimit", F_QTY128},
    [K_PM_DATA] = {"paymasterData", F_BYTES},
    [K_SIGNATURE] = {"signature", F_BYTES},
};

/* Where key k is stored in op. */
static void *userop_slot(mav2_userop *op, int k)
{
    switch (k) {
    case K_SENDER:
        return op->sender;
    case K_NONCE:
        return &op->nonce;
    case K_FACTORY:
        return op->factory;
    case K_FACTORY_DATA:
        return &op->factory_data;
    case K_CALL_DATA:
        return &op->call_data;
    case K_CGL:
        return &op->call_gas_limit;
    case K_VGL:
        return &op->verification_gas_limit;
    case K_PVG:
        return &op->pre_verification_gas;
    case K_MAX_FEE:
        return &op->max_fee_per_gas;
    case K_MAX_PRIO:
        return &op->max_priority_fee_per_gas;
    case K_PM:
        return op->paymaster;
    case K_PM_VGL:
        return &op->paymaster_verification_gas_limit;
    case K_PM_POGL:
        return &op->paymaster_post_op_gas_limit;
    case K_PM_DATA:
        return &op->paymaster_data;
    default:
        return &op->signature;
    }
}

static int parse_field(mav2_userop *op, int k, const char *s)
{
    const char *name = userop_keys[k].name;
    void *slot = userop_slot(op, k);
    const char *why = NULL;
    switch (userop_keys[k].kind) {
    case F_ADDR:
        if (!mav2_address_parse(s, slot))
            return mav2_error_prefix("%s", name);
        return 1;
    case F_QTY:
    case F_QTY128:
        if (!mav2_u256_from_hex(slot, s))
            return mav2_error_prefix("%s", name);
        if (userop_keys[k].kind == F_QTY128 && mav2_u256_bits(slot) > 128)
            return mav2_error_set("%s: %.80s exceeds uint128", name, s);
        return 1;
    default: {
        mav2_buf *b = slot;
        uint8_t *p = NULL;
        size_t n = 0;
        if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
            return mav2_error_set("%s: bytes without 0x prefix", name);
        if (!mh_hex_decode_alloc(s, &p, &n, &why))
            return mav2_error_set("%s: %s", name, why);
        mav2_buf_free(b);
        b->data = p;
        b->len = b->cap = n;
        return 1;
    }
    }
}

int mav2_userop_from_json(mav2_userop *op, json_object *obj)
{
    int seen[K_COUNT] = {0};
    static const int required[] = {K_SENDER, K_NONCE,   K_CALL_DATA, K_CGL,      K_VGL,
                                   K_PVG,    K_MAX_FEE, K_MAX_PRIO,  K_SIGNATURE};
    mav2_userop_init(op);
    if (obj == NULL || !json_object_is_type(obj, json_type_object))
        return mav2_error_set("user operation: not a JSON object");
    json_object_object_foreach(obj, key, val)
    {
        int k;
        for (k = 0; k < K_COUNT; k++)
            if (strcmp(key, userop_keys[k].name) == 0)
                break;
        if (k == K_COUNT)
            return mav2_error_set("user operation: unknown field \"%.60s\"", key);
        if (val == NULL || json_object_is_type(val, json_type_null))
            continue;
        if (!json_object_is_type(val, json_type_string))
            return mav2_error_set("%s: not a string", key);
        if (!parse_field(op, k, json_object_get_string(val)))
            return 0;
        seen[k] = 1;
    }
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
        if (!seen[required[i]])
            return mav2_error_set("%s: missing", userop_keys[required[i]].name);
    if (seen[K_FACTORY_DATA] && !seen[K_FACTORY])
        return mav2_error_set("factoryData: present without factory");
    if (seen[K_FACTORY] && !seen[K_FACTORY_DATA])
        return mav2_error_set("factoryData: missing (factory is set)");
    for (int k = K_PM_VGL; k <= K_PM_DATA; k++) {
        if (seen[k] && !seen[K_PM])
            return mav2_error_set("%s: present without paymaster", userop_keys[k].name);
        if (seen[K_PM] && !seen[k])
            return mav2_error_set("%s: missing (paymaster is set)", userop_keys[k].name);
    }
    op->has_factory = seen[K_FACTORY];
    op->has_paymaster = seen[K_PM];
    return 1;
}

/* json-c keeps the last of two equal keys: a file reviewed with one callData could be
 * signed with another. Run on text json-c accepted: finds the top-level keys. */
static int top_level_keys_unique(const char *json, size_t len)
{
    const char *keys[64];
    size_t key_len[64], n_keys = 0;
    int depth = 0;

    for (size_t i = 0; i < len; i++) {
        char c = json[i];
        if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            depth--;
        } else if (c == '"') {
            size_t start = ++i;
            int escaped = 0;
            while (i < len && json[i] != '"') {
                if (json[i] == '\\') {
                    escaped = 1;
                    i++;
                }
                i++;
            }
            size_t j = i + 1;
            while (j < len &&
                   (json[j] == ' ' || json[j] == '\t' || json[j] == '\n' || json[j] == '\r'))
                j++;
            if (depth != 1 || j >= len || json[j] != ':')
                continue;
            if (escaped)
                return mav2_error_set("user operation: field names must not use escapes");
            for (size_t k = 0; k < n_keys; k++)
                if (key_len[k] == i - start && memcmp(keys[k], json + start, i - start) == 0)
                    return mav2_error_set("user operation: field \"%.*s\" given twice",
                                          (int)(i - start), json + start);
            if (n_keys == sizeof(keys) / sizeof(keys[0]))
                return mav2_error_set("user operation: too many fields");
            keys[n_keys] = json + start;
            key_len[n_keys++] = i - start;
        }
    }
    return 1;
}

int mav2_userop_from_json_string(mav2_userop *op, const char *json)
{
    mav2_userop_init(op);
    if (json == NULL)
        return mav2_error_set("user operation: no JSON");
    size_t len = strlen(json);
    json_tokener *tok = json_tokener_new();
    if (tok == NULL)
        return mav2_error_set("out of memory");
    /* no comments, trailing commas or single quotes in what gets signed */
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    json_object *obj = json_tokener_parse_ex(tok, json, (int)(len > 0x7fffffff ? 0x7fffffff : len));
    enum json_tokener_error err = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (obj == NULL || err != json_tokener_success) {
        json_object_put(obj);
        return mav2_error_set("user operation: invalid JSON (%s)", json_tokener_error_desc(err));
    }
    while (end < len &&
           (json[end] == ' ' || json[end] == '\n' || json[end] == '\t' || json[end] == '\r'))
        end++;
    if (end != len) {
        json_object_put(obj);
        return mav2_error_set("user operation: trailing data after the JSON object");
    }
    if (!top_level_keys_unique(json, len)) {
        json_object_put(obj);
        return 0;
    }
    int ok = mav2_userop_from_json(op, obj);
    json_object_put(obj);
    return ok;
}
