/* SPDX-License-Identifier: Apache-2.0 */
/* sponsor.c: paymaster sponsorship for the send flow (see sponsor.h). */
#include "config.h"

#include "mav2/send/sponsor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "mav2/core/account.h"
#include "mav2/core/address.h"
#include "mav2/core/error.h"

int mav2_sponsor_check_context(const char *text)
{
    json_object *o;
    int ok;
    if (text == NULL)
        return 1;
    o = json_tokener_parse(text);
    ok = o != NULL && json_object_is_type(o, json_type_object);
    json_object_put(o);
    return ok ? 1 : mav2_error_set("paymaster context: not a JSON object");
}

static int failed(mav2_rpc *rpc, const char *method, mav2_send_outcome *outcome)
{
    const mav2_rpc_error *e = mav2_rpc_last_error(rpc);
    char why[1024];
    if (e->status == MAV2_RPC_E_RPC) {
        *outcome = MAV2_SEND_REJECTED;
        mav2_explain_error(e, 0, why, sizeof(why));
        return mav2_error_set("%s: %s", method, why);
    }
    *outcome = MAV2_SEND_NETWORK;
    return mav2_error_set("%s: %s", method, e->message);
}

static json_object *member(json_object *o, const char *k)
{
    json_object *v = NULL;
    if (o == NULL || !json_object_object_get_ex(o, k, &v) || json_object_is_type(v, json_type_null))
        return NULL;
    return v;
}

/* Reads the quantity k of res into out if present: 1 = set, 0 = absent, -1 = bad. */
static int opt_quantity(json_object *res, const char *k, mav2_u256 *out)
{
    json_object *v = member(res, k);
    if (v == NULL)
        return 0;
    if (!json_object_is_type(v, json_type_string) ||
        !mav2_u256_from_hex(out, json_object_get_string(v))) {
        mav2_error_set("%s: not a hex quantity", k);
        return -1;
    }
    return 1;
}

/* The paymaster fields of a sponsor's answer into op (paymaster required). */
static int apply_paymaster(json_object *res, mav2_userop *op, int *given)
{
    json_object *pm = member(res, "paymaster"), *data = member(res, "paymasterData");
    uint8_t *bytes = NULL;
    size_t n = 0;
    const char *why = NULL;
    int g;
    if (pm == NULL || !json_object_is_type(pm, json_type_string) ||
        !mav2_address_parse(json_object_get_string(pm), op->paymaster))
        return mav2_error_set("paymaster: missing or not an address");
    if (data != NULL && (!json_object_is_type(data, json_type_string) ||
                         !mh_hex_decode_alloc(json_object_get_string(data), &bytes, &n, &why)))
        return mav2_error_set("paymasterData: %s", why ? why : "not a hex string");
    op->has_paymaster = 1;
    if (data != NULL) {
        int ok = mav2_buf_set(&op->paymaster_data, bytes, n);
        free(bytes);
        if (!ok)
            return 0;
    }
    if ((g = opt_quantity(res, "paymasterVerificationGasLimit",
                          &op->paymaster_verification_gas_limit)) < 0)
        return 0;
    if (g > 0 && given)
        *given |= MAV2_SPONSOR_PM_VGL;
    if ((g = opt_quantity(res, "paymasterPostOpGasLimit", &op->paymaster_post_op_gas_limit)) < 0)
        return 0;
    if (g > 0 && given)
        *given |= MAV2_SPONSOR_PM_POST;
    return 1;
}

static json_object *jaddr(const uint8_t a[MAV2_ADDRESS_LEN])
{
    char s[MAV2_ADDRESS_STR_MAX];
    mav2_address_format(a, s);
    return json_object_new_string(s);
}

void mav2_sponsor_erc20_context(json_object *ctx, const mav2_send_params *p)
{
    json_object *e;
    char s[MAV2_U256_HEX_MAX];
    if (p->paymaster_token == NULL)
        return;
    e = json_object_new_object();
    json_object_object_add(e, "tokenAddress", jaddr(p->paymaster_token));
    if (p->max_token_amount != NULL) {
        mav2_u256_to_hex(p->max_token_amount, s);
        json_object_object_add(e, "maxTokenAmount", json_object_new_string(s));
    }
    json_object_object_add(ctx, "erc20Context", e);
}

int mav2_sponsor_erc7677(mav2_rpc *pm, int final, const mav2_send_params *p,
                         const uint8_t ep[MAV2_ADDRESS_LEN], uint64_t chain_id,
                         json_object *op_json, mav2_userop *op, int *given, int *is_final,
                         mav2_send_outcome *outcome)
{
    const char *method = final ? "pm_getPaymasterData" : "pm_getPaymasterStubData";
    json_object *params = json_object_new_array(), *ctx, *res = NULL, *v;
    char chain[MAV2_U256_HEX_MAX];
    mav2_u256 c;
    int ok;

    ctx = p->paymaster_context ? json_tokener_parse(p->paymaster_context) : NULL;
    if (ctx == NULL)
        ctx = json_object_new_object();
    mav2_sponsor_erc20_context(ctx, p);
    mav2_u256_from_u64(&c, chain_id);
    mav2_u256_to_hex(&c, chain);
    json_object_array_add(params, json_object_get(op_json));
    json_object_array_add(params, jaddr(ep));
    json_object_array_add(params, json_object_new_string(chain));
    json_object_array_add(params, ctx);
    ok = mav2_rpc_call(pm, method, params, &res);
    json_object_put(params);
    if (!ok)
        return failed(pm, method, outcome);
    *outcome = MAV2_SEND_NETWORK;
    if (!json_object_is_type(res, json_type_object)) {
        json_object_put(res);
        return mav2_error_set("%s: the answer is not an object", method);
    }
    ok = apply_paymaster(res, op, given);
    if (ok && is_final != NULL)
        *is_final = (v = member(res, "isFinal")) != NULL &&
                    json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v);
    json_object_put(res);
    return ok ? 1 : mav2_error_prefix("%s", method);
}

/* {"multiplier": m} with m written as given ("1.5" stays 1.5 on the wire). */
static json_object *multiplier(const char *m)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "multiplier", json_object_new_double_s(strtod(m, NULL), m));
    return o;
}

static json_object *quantity(const mav2_u256 *v)
{
    char s[MAV2_U256_HEX_MAX];
    mav2_u256_to_hex(v, s);
    return json_object_new_string(s);
}

int mav2_sponsor_gas_manager(mav2_rpc *bundler, const mav2_send_params *p,
                             const uint8_t ep[MAV2_ADDRESS_LEN], mav2_userop *op,
                             const mav2_u256 *fee, const mav2_u256 *prio,
                             mav2_send_outcome *outcome)
{
    static const char *const keep[] = {"sender",      "nonce",    "factory",
                                       "factoryData", "callData", "signature"};
    static const char *const method = "alchemy_requestGasAndPaymasterAndData";
    json_object *uo = NULL, *slim, *req, *ov, *params, *res = NULL, *sig = NULL;
    uint8_t stub[MAV2_USEROP_SIG_LEN];
    char hex[2 * MAV2_USEROP_SIG_LEN + 3];
    int ok;

    *outcome = MAV2_SEND_INVALID;
    mav2_stub_signature(stub);
    if (!mav2_buf_set(&op->signature, stub, sizeof(stub)) || !mav2_userop_to_json(op, &uo))
        return 0;
    mh_hex_encode(stub, sizeof(stub), hex, sizeof(hex), 1);
    slim = json_object_new_object();
    for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
        if ((sig = member(uo, keep[i])) != NULL)
            json_object_object_add(slim, keep[i], json_object_get(sig));
    json_object_put(uo);
    ov = json_object_new_object();
    if (fee != NULL && prio != NULL) {
        json_object_object_add(ov, "maxFeePerGas", quantity(fee));
        json_object_object_add(ov, "maxPriorityFeePerGas", quantity(prio));
    } else {
        json_object_object_add(ov, "maxFeePerGas",
                               multiplier(p->max_fee_mul ? p->max_fee_mul : "1.5"));
        json_object_object_add(ov, "maxPriorityFeePerGas",
                               multiplier(p->priority_mul ? p->priority_mul : "1.05"));
    }
    req = json_object_new_object();
    json_object_object_add(req, "policyId", json_object_new_string(p->gas_policy_id));
    json_object_object_add(req, "entryPoint", jaddr(ep));
    json_object_object_add(req, "userOperation", slim);
    json_object_object_add(req, "dummySignature", json_object_new_string(hex));
    json_object_object_add(req, "overrides", ov);
    params = json_object_new_array();
    json_object_array_add(params, req);
    ok = mav2_rpc_call(bundler, method, params, &res);
    json_object_put(params);
    if (!ok)
        return failed(bundler, method, outcome);
    *outcome = MAV2_SEND_NETWORK;
    ok = json_object_is_type(res, json_type_object) && apply_paymaster(res, op, NULL);
    if (ok) {
        static const char *const need[] = {"callGasLimit", "verificationGasLimit",
                                           "preVerificationGas", "maxFeePerGas",
                                           "maxPriorityFeePerGas"};
        mav2_u256 *dst[] = {&op->call_gas_limit, &op->verification_gas_limit,
                            &op->pre_verification_gas, &op->max_fee_per_gas,
                            &op->max_priority_fee_per_gas};
        for (size_t i = 0; ok && i < sizeof(need) / sizeof(need[0]); i++)
            if (opt_quantity(res, need[i], dst[i]) != 1) {
                mav2_error_set("%s: missing or not a hex quantity", need[i]);
                ok = 0;
            }
    } else if (!json_object_is_type(res, json_type_object)) {
        mav2_error_set("the answer is not an object");
    }
    json_object_put(res);
    return ok ? 1 : mav2_error_prefix("%s", method);
}
