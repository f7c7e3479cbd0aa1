/* SPDX-License-Identifier: Apache-2.0 */
/* erc20_gas.c: gas paid in an ERC-20 token (see erc20_gas.h). */
#include "config.h"

#include "mav2/send/erc20_gas.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mav2/core/account.h"
#include "mav2/core/address.h"
#include "mav2/core/error.h"
#include "mav2/net/rpc.h"
#include "mav2/send/sponsor.h"

#define SEL_ALLOWANCE 0xdd, 0x62, 0xed, 0x3e /* allowance(address,address) */
#define SEL_APPROVE   0x09, 0x5e, 0xa7, 0xb3 /* approve(address,uint256) */

int mav2_erc20_check_params(const mav2_send_params *p)
{
    if (p->paymaster_token != NULL && p->paymaster_url == NULL)
        return mav2_error_set("send: a paymaster token needs an ERC-7677 paymaster URL");
    if (p->max_token_amount != NULL && p->paymaster_token == NULL)
        return mav2_error_set("send: a maximum token amount needs a paymaster token");
    return 1;
}

void mav2_erc20_intent_add(json_object *o, const mav2_send_params *p)
{
    json_object *ctx = json_object_new_object();
    mav2_sponsor_erc20_context(ctx, p);
    if (json_object_object_length(ctx) > 0)
        json_object_object_add(o, "erc20Context", ctx);
    else
        json_object_put(ctx);
}

/* The paymaster the service names in its stub answer for op (without gas limits). */
static int stub_paymaster(mav2_send_ctx *c, mav2_userop *op, uint8_t pm[20])
{
    json_object *j = NULL;
    int ok;
    c->r->outcome = MAV2_SEND_INVALID;
    if (!mav2_userop_to_json(op, &j))
        return 0;
    json_object_object_del(j, "callGasLimit");
    json_object_object_del(j, "verificationGasLimit");
    json_object_object_del(j, "preVerificationGas");
    ok =
        mav2_sponsor_erc7677(c->pm, 0, c->p, c->ep, c->chain_id, j, op, NULL, NULL, &c->r->outcome);
    json_object_put(j);
    if (ok)
        memcpy(pm, op->paymaster, 20);
    return ok;
}

/* allowance(account, spender) of the token into out. */
static int read_allowance(mav2_send_ctx *c, const uint8_t spender[20], mav2_u256 *out)
{
    uint8_t q[68] = {SEL_ALLOWANCE};
    mav2_buf ans = MAV2_BUF_INIT;
    int ok;
    memcpy(q + 16, c->p->account, 20);
    memcpy(q + 48, spender, 20);
    if (!mav2_eth_call(c->node, c->p->paymaster_token, q, sizeof(q), &ans))
        return mav2_send_call_failed(c->r, mav2_rpc_last_error(c->node), "token allowance",
                                     c->p->entity_id);
    ok = ans.len == 32 && mav2_u256_from_be(out, ans.data, 32);
    mav2_buf_free(&ans);
    if (!ok) {
        c->r->outcome = MAV2_SEND_INVALID;
        return mav2_error_set("token allowance: not a uint256 answer (is the token an ERC-20?)");
    }
    return 1;
}

/* op's calls with approve(spender, amount) on the token in front. */
static int batch_approve(mav2_send_ctx *c, mav2_userop *op, const uint8_t spender[20])
{
    uint8_t data[68] = {SEL_APPROVE};
    mav2_call *calls = NULL, *all;
    mav2_buf cd = MAV2_BUF_INIT;
    size_t n = 0;
    int hooks, ok;
    memcpy(data + 16, spender, 20);
    mav2_u256_to_be(c->p->max_token_amount, data + 36, 32);
    if (!mav2_calldata_decode_calls(op->call_data.data, op->call_data.len, &calls, &n))
        return 0;
    if (n == 0)
        return mav2_error_set("the approve for the paymaster can only go in front of execute "
                              "or executeBatch calls");
    if ((all = calloc(n + 1, sizeof(*all))) == NULL) {
        free(calls);
        return mav2_error_set("out of memory");
    }
    memcpy(all[0].target, c->p->paymaster_token, 20);
    mav2_u256_from_u64(&all[0].value, 0);
    all[0].data = data;
    all[0].data_len = sizeof(data);
    memcpy(all + 1, calls, n * sizeof(*calls));
    hooks = op->call_data.len >= 4 && memcmp(op->call_data.data, MAV2_SEL_EXECUTE_USER_OP, 4) == 0;
    ok = mav2_calldata_for_calls(c->p->account, all, n + 1, hooks, &cd);
    free(all);
    free(calls);
    if (!ok)
        return 0;
    mav2_buf_free(&op->call_data);
    op->call_data = cd;
    return 1;
}

static void clear_paymaster(mav2_send_ctx *c, mav2_userop *op)
{
    op->has_paymaster = 0;
    memset(op->paymaster, 0, 20);
    mav2_buf_free(&op->paymaster_data);
    mav2_u256_from_u64(&op->paymaster_verification_gas_limit, 0);
    mav2_u256_from_u64(&op->paymaster_post_op_gas_limit, 0);
    c->pm_given = 0;
    c->pm_final = 0;
}

int mav2_send_erc20_approve(mav2_send_ctx *c, mav2_userop *op)
{
    const mav2_send_params *p = c->p;
    uint8_t spender[20];
    char pm[MAV2_ADDRESS_STR_MAX], tok[MAV2_ADDRESS_STR_MAX], amount[MAV2_U256_DEC_MAX];
    mav2_u256 allowance;
    if (p->paymaster_token == NULL)
        return 1;
    if (!stub_paymaster(c, op, spender))
        return 0;
    clear_paymaster(c, op);
    if (!read_allowance(c, spender, &allowance))
        return 0;
    c->r->outcome = MAV2_SEND_INVALID;
    mav2_address_format(spender, pm);
    mav2_address_format(p->paymaster_token, tok);
    if (p->max_token_amount == NULL)
        return !mav2_u256_is_zero(&allowance) ||
               mav2_error_set("the account has no allowance of token %s for the paymaster %s, "
                              "and no maximum token amount to approve",
                              tok, pm);
    if (mav2_u256_cmp(&allowance, p->max_token_amount) >= 0)
        return 1;
    if (!batch_approve(c, op, spender))
        return 0;
    mav2_u256_to_dec(p->max_token_amount, amount);
    snprintf(c->note, sizeof(c->note), "approve(%s, %s) of token %s batched in front of the calls",
             pm, amount, tok);
    return 1;
}
