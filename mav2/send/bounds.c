/* SPDX-License-Identifier: Apache-2.0 */
/* bounds.c: per-chain bounds and the gas-limit checks of the send flow (bounds.h), and
 * its cost cap (mav2_send_check_max_cost, send_int.h). */
#include "config.h"

#include "mav2/send/bounds.h"

#include <stdlib.h>
#include <string.h>

#include "mav2/core/error.h"
#include "mav2/send/send_int.h"

static const mav2_chain_bounds chains[] = {
    {1, "Ethereum", "0.05ether", "100gwei", "2"},
    {11155111, "Sepolia", "0.1ether", "100gwei", "2"},
    {17000, "Holesky", "0.1ether", "100gwei", "2"},
    {560048, "Hoodi", "0.1ether", "100gwei", "2"},
    {137, "Polygon", "5ether", "5000gwei", "2"},
    {80002, "Polygon Amoy", "5ether", "5000gwei", "2"},
    {10, "OP Mainnet", "0.01ether", "10gwei", "100"},
    {8453, "Base", "0.01ether", "10gwei", "100"},
    {11155420, "OP Sepolia", "0.01ether", "10gwei", "100"},
    {84532, "Base Sepolia", "0.01ether", "10gwei", "100"},
    {42161, "Arbitrum One", "0.01ether", "10gwei", "0"},
    {421614, "Arbitrum Sepolia", "0.01ether", "10gwei", "0"},
    {31337, "local devnet", "1ether", "100gwei", "2"},
};
static const mav2_chain_bounds generic = {0, "other chain", "0.05ether", "100gwei", "20"};

const mav2_chain_bounds *mav2_chain_bounds_for(uint64_t chain_id)
{
    for (size_t i = 0; i < sizeof(chains) / sizeof(chains[0]); i++)
        if (chains[i].chain_id == chain_id)
            return &chains[i];
    return &generic;
}

void mav2_bounds_max_cost(const mav2_send_params *p, uint64_t chain_id, mav2_u256 *cap)
{
    if (!mav2_u256_is_zero(&p->max_cost_wei))
        *cap = p->max_cost_wei;
    else if (!mav2_u256_parse_amount(cap, mav2_chain_bounds_for(chain_id)->max_cost))
        mav2_u256_from_u64(cap, 0); /* not reached: the table parses */
}

void mav2_bounds_max_priority_fee(const mav2_send_params *p, uint64_t chain_id, mav2_u256 *ceiling)
{
    if (p != NULL && !mav2_u256_is_zero(&p->max_priority_fee_wei))
        *ceiling = p->max_priority_fee_wei;
    else if (!mav2_u256_parse_amount(ceiling, mav2_chain_bounds_for(chain_id)->max_priority_fee))
        mav2_u256_from_u64(ceiling, 0);
}

/* ---- the preVerificationGas formula ------------------------------------------------ */

typedef struct {
    uint64_t cost;  /* zero byte 4, non-zero 16 */
    uint64_t bytes; /* length of the encoding */
} enc_cost;

static void add_bytes(enc_cost *e, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        e->cost += b[i] == 0 ? 4 : 16;
    e->bytes += n;
}

static void add_zeros(enc_cost *e, size_t n)
{
    e->cost += 4 * (uint64_t)n;
    e->bytes += n;
}

static void add_word_u64(enc_cost *e, uint64_t v)
{
    uint8_t w[32] = {0};
    for (int i = 0; i < 8; i++)
        w[31 - i] = (uint8_t)(v >> (8 * i));
    add_bytes(e, w, 32);
}

static size_t padded(size_t n)
{
    return (n + 31) / 32 * 32;
}

/* A dynamic bytes field's tail: length word, data, zero padding. */
static void add_tail(enc_cost *e, const uint8_t *b, size_t n)
{
    add_word_u64(e, n);
    add_bytes(e, b, n);
    add_zeros(e, padded(n) - n);
}

int mav2_bounds_pvg_formula(const mav2_userop *op, mav2_u256 *out)
{
    mav2_packed_userop pk;
    enc_cost e = {0, 0};
    uint8_t w[32], *sig;
    size_t sig_len = op->signature.len > 65 ? op->signature.len : 65;
    size_t off = 9 * 32, tails[4];

    /* the signature counted as non-zero bytes: a deferred grant (grant.h) makes it long */
    if (sig_len > 65536)
        return mav2_error_set("signature: %zu bytes is too long for a user op", sig_len);
    if ((sig = malloc(sig_len)) == NULL)
        return mav2_error_set("out of memory");
    if (!mav2_userop_pack(op, &pk)) {
        free(sig);
        return 0;
    }
    memset(sig, 1, sig_len);
    tails[0] = pk.init_code.len;
    tails[1] = op->call_data.len;
    tails[2] = pk.paymaster_and_data.len;
    tails[3] = sig_len;
    memset(w, 0, 12);
    memcpy(w + 12, op->sender, 20);
    add_bytes(&e, w, 32);
    mav2_u256_to_be32(&op->nonce, w);
    add_bytes(&e, w, 32);
    add_word_u64(&e, off); /* initCode */
    off += 32 + padded(tails[0]);
    add_word_u64(&e, off); /* callData */
    off += 32 + padded(tails[1]);
    add_bytes(&e, pk.account_gas_limits, 32);
    add_word_u64(&e, 21000); /* preVerificationGas */
    add_bytes(&e, pk.gas_fees, 32);
    add_word_u64(&e, off); /* paymasterAndData */
    off += 32 + padded(tails[2]);
    add_word_u64(&e, off); /* signature */
    add_tail(&e, pk.init_code.data, tails[0]);
    add_tail(&e, op->call_data.data, tails[1]);
    add_tail(&e, pk.paymaster_and_data.data, tails[2]);
    add_tail(&e, sig, tails[3]);
    free(sig);
    mav2_packed_userop_clear(&pk);
    mav2_u256_from_u64(out, e.cost + 21000 + 18300 + 4 * ((e.bytes + 31) / 32));
    return 1;
}

/* ---- the checks --------------------------------------------------------------------- */

static int over_u64(const char *field, const mav2_u256 *v, uint64_t max, const char *how)
{
    mav2_u256 m;
    char vs[MAV2_U256_DEC_MAX];
    if (max == 0)
        return 1;
    mav2_u256_from_u64(&m, max);
    if (mav2_u256_cmp(v, &m) <= 0)
        return 1;
    mav2_u256_to_dec(v, vs);
    return mav2_error_set("%s %s is over the bound %llu (%s): not signing", field, vs,
                          (unsigned long long)max, how);
}

static int check_pvg(const mav2_send_params *p, uint64_t chain_id, const mav2_userop *op)
{
    const char *mul = p->pvg_max_mul ? p->pvg_max_mul : mav2_chain_bounds_for(chain_id)->pvg_mul;
    mav2_u256 formula, bound;
    char vs[MAV2_U256_DEC_MAX], bs[MAV2_U256_DEC_MAX], fs[MAV2_U256_DEC_MAX];
    if (strcmp(mul, "0") == 0)
        return 1;
    if (!mav2_bounds_pvg_formula(op, &formula))
        return mav2_error_prefix("preVerificationGas bound");
    if (!mav2_u256_ceil_mul_dec(&bound, &formula, mul))
        return mav2_error_prefix("preVerificationGas margin \"%s\"", mul);
    if (mav2_u256_cmp(&op->pre_verification_gas, &bound) <= 0)
        return 1;
    mav2_u256_to_dec(&op->pre_verification_gas, vs);
    mav2_u256_to_dec(&bound, bs);
    mav2_u256_to_dec(&formula, fs);
    return mav2_error_set("preVerificationGas %s is over the bound %s (the calldata-cost "
                          "formula's %s x %s, --pvg-margin): not signing",
                          vs, bs, fs, mul);
}

int mav2_bounds_check_gas(const mav2_send_params *p, uint64_t chain_id, const mav2_userop *op)
{
    if (!over_u64("verificationGasLimit", &op->verification_gas_limit, p->max_verification_gas,
                  "--max-verification-gas") ||
        !over_u64("callGasLimit", &op->call_gas_limit, p->max_call_gas, "--max-call-gas"))
        return 0;
    if (op->has_paymaster &&
        (!over_u64("paymasterVerificationGasLimit", &op->paymaster_verification_gas_limit,
                   p->max_paymaster_gas, "--max-paymaster-gas") ||
         !over_u64("paymasterPostOpGasLimit", &op->paymaster_post_op_gas_limit,
                   p->max_paymaster_gas, "--max-paymaster-gas")))
        return 0;
    return check_pvg(p, chain_id, op);
}

/* r = a * b; 0 on overflow. b taken 64 bits at a time from the low end. */
static int mul_u256(mav2_u256 *r, const mav2_u256 *a, const mav2_u256 *b)
{
    uint8_t be[32];
    uint64_t limb[4] = {0, 0, 0, 0};
    mav2_u256 acc, shifted = *a, t;
    int top = -1;
    mav2_u256_to_be32(b, be);
    for (int k = 0; k < 4; k++) {
        for (int i = 0; i < 8; i++)
            limb[k] = limb[k] << 8 | be[31 - 8 * k - 7 + i];
        if (limb[k] != 0)
            top = k;
    }
    mav2_u256_from_u64(&acc, 0);
    for (int k = 0; k <= top; k++) {
        if (k > 0 && (!mav2_u256_mul_u64(&shifted, &shifted, (uint64_t)1 << 32) ||
                      !mav2_u256_mul_u64(&shifted, &shifted, (uint64_t)1 << 32)))
            return 0;
        if (limb[k] != 0 &&
            (!mav2_u256_mul_u64(&t, &shifted, limb[k]) || !mav2_u256_add(&acc, &acc, &t)))
            return 0;
    }
    *r = acc;
    return 1;
}

int mav2_bounds_op_max_cost(const mav2_userop *op, mav2_u256 *cost)
{
    const mav2_u256 *limits[] = {&op->verification_gas_limit, &op->pre_verification_gas,
                                 &op->paymaster_verification_gas_limit,
                                 &op->paymaster_post_op_gas_limit};
    mav2_u256 gas = op->call_gas_limit;
    for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++)
        if (!mav2_u256_add(&gas, &gas, limits[i]))
            return 0;
    return mul_u256(cost, &gas, &op->max_fee_per_gas);
}

/* params.max_cost_wei (zero: the chain's default): refuses (INVALID) an op the account
 * pays whose maximum cost (all five gas limits x maxFeePerGas; overflow counts as
 * over) exceeds the cap. */
int mav2_send_check_max_cost(const mav2_send_ctx *c, const mav2_userop *op)
{
    char cost_s[MAV2_U256_DEC_MAX + 2], cap_s[MAV2_U256_DEC_MAX + 2];
    mav2_u256 cost, cap;
    int ok;
    if (c->fees_refused[0] != '\0') {
        c->r->outcome = MAV2_SEND_INVALID;
        return mav2_error_set("%s", c->fees_refused);
    }
    if (op->has_paymaster)
        return 1;
    mav2_bounds_max_cost(c->p, c->chain_id, &cap);
    ok = mav2_bounds_op_max_cost(op, &cost);
    if (ok && mav2_u256_cmp(&cost, &cap) <= 0)
        return 1;
    c->r->outcome = MAV2_SEND_INVALID;
    mav2_u256_format_units(&cap, 18, cap_s);
    if (ok) {
        mav2_u256_format_units(&cost, 18, cost_s);
        return mav2_error_set("the op may cost up to %s ETH, over --max-cost %s ETH", cost_s,
                              cap_s);
    }
    return mav2_error_set("the op may cost up to more than 2^256 wei, over --max-cost %s ETH",
                          cap_s);
}
