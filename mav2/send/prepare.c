/* SPDX-License-Identifier: Apache-2.0 */
/* prepare.c: the first half of the send flow (send_int.h): the arguments checked, the
 * chain state read in one batch (chain, code, nonce, deposit, fees, the signing
 * validation), then the op's gas limits and sponsorship. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mav2/core/account.h"
#include "mav2/core/address.h"
#include "mav2/core/error.h"
#include "mav2/net/rpc_caps.h"
#include "mav2/send/bounds.h"
#include "mav2/send/erc20_gas.h"
#include "mav2/send/send_int.h"
#include "mav2/send/sponsor.h"

enum {
    B_CHAIN,
    B_CODE,
    B_NONCE,
    B_DEPOSIT,
    B_BLOCK,
    B_ETH_PRIO,
    B_RUNDLER,
    B_BUNDLER_CHAIN,
    B_VALIDATION,
    B_N
};

/* Runs the picked items of it[] as one batch on rpc. */
static void batch_subset(mav2_rpc *rpc, mav2_rpc_batch_item *it, const int *pick)
{
    mav2_rpc_batch_item sub[B_N];
    int idx[B_N], k = 0;
    for (int i = 0; i < B_N; i++)
        if (pick[i]) {
            sub[k] = it[i];
            idx[k++] = i;
        }
    if (k == 0)
        return;
    mav2_rpc_batch(rpc, sub, (size_t)k);
    for (int j = 0; j < k; j++)
        it[idx[j]] = sub[j];
}

static int parse_chain(json_object *o, uint64_t *out)
{
    mav2_u256 v;
    if (!mav2_send_quantity(o, "eth_chainId", &v) || !mav2_u256_to_u64(&v, out))
        return mav2_error_set("eth_chainId: not a chain id");
    return 1;
}

/* The reads of step 1: which go to the node and which to the bundler (one batch when
 * they are the same client), with their parameters and answers. */
typedef struct {
    mav2_rpc_batch_item it[B_N];
    json_object *pa[B_N];
    int on_node[B_N], on_bundler[B_N];
    int same; /* node and bundler are one client */
    int fees; /* the fees are ours to set (not a Gas Manager's) */
} reads;

/* eth_call params of {to, data} at "latest" */
static void call_params(json_object *pa, const uint8_t to[MAV2_ADDRESS_LEN], const uint8_t *data,
                        size_t len)
{
    json_object *call = json_object_new_object();
    json_object_object_add(call, "data", mav2_send_json_hex(data, len));
    json_object_object_add(call, "to", mav2_send_json_address(to));
    json_object_array_add(pa, call);
    json_object_array_add(pa, json_object_new_string("latest"));
}

static void reads_pick(const mav2_send_ctx *c, reads *rd)
{
    const mav2_send_params *p = c->p;
    rd->same = c->node == c->bundler;
    rd->fees = p->gas_policy_id == NULL; /* the Gas Manager sets the fees */
    for (int i = 0; i < B_N; i++) {
        rd->on_node[i] = i <= B_NONCE || (rd->fees && (i == B_BLOCK || i == B_ETH_PRIO));
        rd->on_bundler[i] = (i == B_RUNDLER && rd->fees) || i == B_BUNDLER_CHAIN;
    }
    rd->on_node[B_DEPOSIT] = rd->fees && p->paymaster_url == NULL && p->verification_gas_extra > 0;
    rd->on_node[B_VALIDATION] = p->entity_id != 0; /* the owner (entity 0) has no hooks */
    if (rd->same) { /* one batch; the bundler's chain id is the node's */
        rd->on_node[B_RUNDLER] = rd->on_bundler[B_RUNDLER];
        memset(rd->on_bundler, 0, sizeof(rd->on_bundler));
    }
}

/* The nonce c->known gives, when the flow may take it (never with a shared state). */
static const mav2_u256 *known_nonce(const mav2_send_ctx *c)
{
    const mav2_send_known *k = c->known;
    return k != NULL && k->have_nonce && c->p->state == NULL ? &k->nonce : NULL;
}

/* What c->known holds is not read; nor is the deposit (known.h). */
static void reads_skip_known(const mav2_send_ctx *c, reads *rd)
{
    const mav2_send_known *k = c->known;
    if (k == NULL)
        return;
    if (k->chain_id != 0)
        rd->on_node[B_CHAIN] = rd->on_bundler[B_BUNDLER_CHAIN] = 0;
    if (k->deployed)
        rd->on_node[B_CODE] = 0;
    if (known_nonce(c) != NULL)
        rd->on_node[B_NONCE] = 0;
    rd->on_node[B_DEPOSIT] = 0;
    if (k->have_fees)
        rd->on_node[B_BLOCK] = rd->on_node[B_ETH_PRIO] = rd->on_node[B_RUNDLER] =
            rd->on_bundler[B_RUNDLER] = 0;
    if (k->have_validation)
        rd->on_node[B_VALIDATION] = 0;
}

/* The requests of step 1 (rd picked); 0 if out of memory. */
static int reads_make(mav2_send_ctx *c, reads *rd)
{
    static const char *const method[B_N] = {"eth_chainId",
                                            "eth_getCode",
                                            "eth_call",
                                            "eth_call",
                                            "eth_getBlockByNumber",
                                            "eth_maxPriorityFeePerGas",
                                            "rundler_maxPriorityFeePerGas",
                                            "eth_chainId",
                                            "eth_call"};
    const mav2_send_params *p = c->p;
    mav2_buf cd = MAV2_BUF_INIT;
    uint8_t bal[36] = {0x70, 0xa0, 0x82, 0x31}; /* EntryPoint.balanceOf(account) */

    if (!mav2_calldata_get_nonce(p->account, &c->key, &cd))
        return 0;
    memcpy(bal + 16, p->account, 20);
    for (int i = 0; i < B_N; i++) {
        rd->pa[i] = json_object_new_array();
        rd->it[i].method = method[i];
    }
    json_object_array_add(rd->pa[B_CODE], mav2_send_json_address(p->account));
    json_object_array_add(rd->pa[B_CODE], json_object_new_string("latest"));
    call_params(rd->pa[B_NONCE], c->ep, cd.data, cd.len);
    call_params(rd->pa[B_DEPOSIT], c->ep, bal, sizeof(bal));
    json_object_array_add(rd->pa[B_BLOCK], json_object_new_string("latest"));
    json_object_array_add(rd->pa[B_BLOCK], json_object_new_boolean(0));
    mav2_buf_free(&cd);
    if (rd->on_node[B_VALIDATION] && (json_object_put(rd->pa[B_VALIDATION]),
                                      rd->pa[B_VALIDATION] = mav2_send_policy_params(c)) == NULL)
        return mav2_error_set("out of memory");
    for (int i = 0; i < B_N; i++)
        rd->it[i].params = rd->pa[i];
    return 1;
}

/* The first failed call of those step 1 cannot do without, as r's outcome; 1 if none. */
static int reads_ok(mav2_send_ctx *c, const reads *rd)
{
    const mav2_rpc_error *bad = NULL;
    const char *bad_method = NULL;
    for (int i = B_CHAIN; i <= B_BLOCK && bad == NULL; i++) {
        if (rd->on_node[i] && i != B_DEPOSIT && rd->it[i].error.status != MAV2_RPC_OK) {
            bad = &rd->it[i].error;
            bad_method = rd->it[i].method;
        }
    }
    if (bad == NULL && rd->on_bundler[B_BUNDLER_CHAIN] &&
        rd->it[B_BUNDLER_CHAIN].error.status != MAV2_RPC_OK) {
        bad = &rd->it[B_BUNDLER_CHAIN].error;
        bad_method = "bundler eth_chainId";
    }
    return bad == NULL || mav2_send_call_failed(c->r, bad, bad_method, c->p->entity_id);
}

/* The node's chain (the expected one, when given) and the bundler's, the same. */
static int read_chains(mav2_send_ctx *c, const reads *rd)
{
    const mav2_send_params *p = c->p;
    uint64_t bc;
    if (!rd->on_node[B_CHAIN] && c->known != NULL)
        c->chain_id = c->known->chain_id;
    else if (!parse_chain(rd->it[B_CHAIN].result, &c->chain_id))
        return 0;
    if (p->chain_id != 0 && p->chain_id != c->chain_id) {
        c->r->outcome = MAV2_SEND_INVALID;
        return mav2_error_set("the node is on chain %llu, not the expected chain %llu",
                              (unsigned long long)c->chain_id, (unsigned long long)p->chain_id);
    }
    if (!rd->on_bundler[B_BUNDLER_CHAIN])
        return 1;
    if (!parse_chain(rd->it[B_BUNDLER_CHAIN].result, &bc))
        return 0;
    if (bc != c->chain_id) {
        c->r->outcome = MAV2_SEND_INVALID;
        return mav2_error_set("the bundler is on chain %llu but the node on chain %llu",
                              (unsigned long long)bc, (unsigned long long)c->chain_id);
    }
    return 1;
}

/* The signing validation known (known.h), as if read. */
static int read_known_validation(mav2_send_ctx *c)
{
    json_object *v;
    int ok;
    if (c->known->validation == NULL)
        return 1;
    v = json_object_new_string(c->known->validation);
    ok = v != NULL && mav2_send_policy_read(c, v);
    json_object_put(v);
    return ok;
}

/* Code, validation, nonce and deposit from the answers (or c->known). */
static int read_account(mav2_send_ctx *c, const reads *rd)
{
    const mav2_rpc_batch_item *it = rd->it;
    if (!rd->on_node[B_CODE] && c->known != NULL)
        c->deployed = 1;
    else if (!json_object_is_type(it[B_CODE].result, json_type_string))
        return mav2_error_set("eth_getCode: not a hex string");
    else
        c->deployed = strlen(json_object_get_string(it[B_CODE].result)) > 2;
    if (rd->on_node[B_VALIDATION]) {
        if (it[B_VALIDATION].error.status != MAV2_RPC_OK)
            return mav2_send_call_failed(c->r, &it[B_VALIDATION].error, "getValidationData",
                                         c->p->entity_id);
        if (!mav2_send_policy_read(c, it[B_VALIDATION].result))
            return 0;
    } else if (c->known != NULL && c->known->have_validation && !read_known_validation(c))
        return 0;
    c->nonce_cached = known_nonce(c) != NULL;
    if (c->nonce_cached)
        c->onchain_nonce = *known_nonce(c);
    else if (!mav2_send_quantity(it[B_NONCE].result, "EntryPoint.getNonce", &c->onchain_nonce))
        return 0;
    c->have_deposit = rd->on_node[B_DEPOSIT] && it[B_DEPOSIT].error.status == MAV2_RPC_OK &&
                      mav2_send_quantity(it[B_DEPOSIT].result, "EntryPoint.balanceOf", &c->deposit);
    return 1;
}

/* Base fee and priority hints from the answers into k (have_fees set). */
static int read_hints(mav2_send_ctx *c, const reads *rd, mav2_send_known *k)
{
    const mav2_rpc_batch_item *it = rd->it;
    if (!mav2_send_quantity(mav2_send_member(it[B_BLOCK].result, "baseFeePerGas"),
                            "latest block baseFeePerGas", &k->base_fee))
        return 0;
    k->have_rundler =
        it[B_RUNDLER].error.status == MAV2_RPC_OK &&
        mav2_send_quantity(it[B_RUNDLER].result, "rundler_maxPriorityFeePerGas", &k->rundler);
    k->have_eth_prio =
        !k->have_rundler && it[B_ETH_PRIO].error.status == MAV2_RPC_OK &&
        mav2_send_quantity(it[B_ETH_PRIO].result, "eth_maxPriorityFeePerGas", &k->eth_prio);
    if (!k->have_rundler && !k->have_eth_prio)
        return mav2_send_call_failed(c->r, &it[B_ETH_PRIO].error, "eth_maxPriorityFeePerGas",
                                     c->p->entity_id);
    k->have_fees = 1;
    return 1;
}

/* Base fee and priority hint from the answers (or c->known), the fees computed (out of
 * bounds: c->fees_refused, still 1). */
static int read_fees(mav2_send_ctx *c, const reads *rd)
{
    mav2_send_known got;
    const mav2_send_known *k = &got;
    mav2_send_params q;
    if (c->known != NULL && c->known->have_fees)
        k = c->known;
    else if (!read_hints(c, rd, &got))
        return 0;
    c->base_fee = k->base_fee;
    c->r->outcome = MAV2_SEND_INVALID;
    q = *c->p; /* the ceilings of the chain the node is on */
    q.chain_id = c->chain_id;
    c->fees_refused[0] = '\0';
    if (!mav2_fees_compute(&c->base_fee, k->have_rundler ? &k->rundler : NULL,
                           k->have_eth_prio ? &k->eth_prio : NULL, &q, &c->max_fee, &c->max_prio))
        snprintf(c->fees_refused, sizeof(c->fees_refused), "%s", mav2_last_error());
    mav2_error_clear();
    return 1;
}

/* Step 1: chain, code, nonce, base fee, priority hints, batched. */
int mav2_send_prepare(mav2_send_ctx *c)
{
    reads rd;
    int ok = 0;

    memset(&rd, 0, sizeof(rd));
    reads_pick(c, &rd);
    reads_skip_known(c, &rd);
    if (!reads_make(c, &rd))
        goto done;
    /* one batch when node and bundler are the same client, else one each */
    batch_subset(c->node, rd.it, rd.on_node);
    batch_subset(c->bundler, rd.it, rd.on_bundler);
    if (!reads_ok(c, &rd))
        goto done;
    c->r->outcome = MAV2_SEND_NETWORK; /* malformed answers below */
    ok = read_chains(c, &rd) && read_account(c, &rd) && (!rd.fees || read_fees(c, &rd));
done:
    mav2_rpc_batch_clear(rd.it, B_N);
    for (int i = 0; i < B_N; i++)
        json_object_put(rd.pa[i]);
    return ok;
}

/* What mav2_send_known_read asked for, from the answers into k. */
static int known_fill(mav2_send_ctx *c, const reads *rd, mav2_send_known *k)
{
    const mav2_rpc_batch_item *it = rd->it;
    mav2_send_known got = *k;
    if (!read_chains(c, rd))
        return 0;
    got.chain_id = c->chain_id;
    if (rd->on_node[B_CODE] && !json_object_is_type(it[B_CODE].result, json_type_string))
        return mav2_error_set("eth_getCode: not a hex string");
    if (rd->on_node[B_CODE])
        got.deployed = strlen(json_object_get_string(it[B_CODE].result)) > 2;
    if (rd->fees && !read_hints(c, rd, &got))
        return 0;
    if (rd->on_node[B_VALIDATION]) {
        if (it[B_VALIDATION].error.status != MAV2_RPC_OK)
            return mav2_send_call_failed(c->r, &it[B_VALIDATION].error, "getValidationData",
                                         c->p->entity_id);
        if (!json_object_is_type(it[B_VALIDATION].result, json_type_string) ||
            (got.validation = strdup(json_object_get_string(it[B_VALIDATION].result))) == NULL)
            return mav2_error_set("getValidationData: not a hex string");
        free(k->validation);
    }
    got.have_validation = 1;
    *k = got;
    return 1;
}

int mav2_send_known_read(mav2_rpc *node, mav2_rpc *bundler, const mav2_send_params *p,
                         mav2_send_known *k)
{
    mav2_send_ctx c;
    mav2_send_result r;
    mav2_send_known want = *k;
    reads rd;
    int ok = 0;
    if (node == NULL || bundler == NULL || k == NULL || !mav2_send_params_check(p))
        return mav2_error_set("send: missing node, bundler or parameters");
    memset(&c, 0, sizeof(c));
    memset(&r, 0, sizeof(r));
    memset(&rd, 0, sizeof(rd));
    c.node = node;
    c.bundler = bundler;
    c.p = p;
    c.r = &r;
    c.ep = p->entry_point ? p->entry_point : mav2_entry_point_v07;
    want.have_fees = want.have_validation = want.have_nonce = 0; /* read afresh */
    c.known = &want;
    if (!mav2_nonce_key(&c.key, &p->lane, p->entity_id, p->nonce_options))
        return 0;
    reads_pick(&c, &rd);
    reads_skip_known(&c, &rd);
    rd.on_node[B_NONCE] = 0; /* a lane's own */
    if (reads_make(&c, &rd)) {
        batch_subset(c.node, rd.it, rd.on_node);
        batch_subset(c.bundler, rd.it, rd.on_bundler);
        ok = reads_ok(&c, &rd) && known_fill(&c, &rd, k);
    }
    mav2_rpc_batch_clear(rd.it, B_N);
    for (int i = 0; i < B_N; i++)
        json_object_put(rd.pa[i]);
    return ok;
}

int mav2_send_known_copy(mav2_send_known *dst, const mav2_send_known *src)
{
    *dst = *src;
    if (src->validation != NULL && (dst->validation = strdup(src->validation)) == NULL)
        return mav2_error_set("out of memory");
    return 1;
}

void mav2_send_known_clear(mav2_send_known *k)
{
    free(k->validation);
    memset(k, 0, sizeof(*k));
}

/* Step 2: estimate with the stub signature and fill the gas limits. */
static int estimate(mav2_send_ctx *c, mav2_userop *op)
{
    json_object *j = NULL, *params, *res = NULL;
    int ok;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (!mav2_userop_to_json(op, &j)) {
            c->r->outcome = MAV2_SEND_INVALID;
            return 0;
        }
        if (attempt == 0) { /* as the reference client: gas fields left for the bundler */
            json_object_object_del(j, "callGasLimit");
            json_object_object_del(j, "verificationGasLimit");
            json_object_object_del(j, "preVerificationGas");
            if (!(c->pm_given & MAV2_SPONSOR_PM_VGL))
                json_object_object_del(j, "paymasterVerificationGasLimit");
            if (!(c->pm_given & MAV2_SPONSOR_PM_POST))
                json_object_object_del(j, "paymasterPostOpGasLimit");
        }
        params = mav2_send_op_params(j, c->ep);
        ok = mav2_rpc_call(c->bundler, "eth_estimateUserOperationGas", params, &res);
        json_object_put(params);
        if (ok)
            break;
        /* a bundler insisting on the gas fields gets them as 0x0 */
        if (attempt == 0 && mav2_rpc_last_error(c->bundler)->code == MAV2_RPC_INVALID_PARAMS &&
            mav2_rpc_last_error(c->bundler)->status == MAV2_RPC_E_RPC)
            continue;
        return mav2_send_call_failed(c->r, mav2_rpc_last_error(c->bundler),
                                     "eth_estimateUserOperationGas", c->p->entity_id);
    }
    c->r->outcome = MAV2_SEND_NETWORK;
    ok = mav2_send_quantity(mav2_send_member(res, "preVerificationGas"),
                            "estimate preVerificationGas", &op->pre_verification_gas) &&
         mav2_send_quantity(mav2_send_member(res, "verificationGasLimit"),
                            "estimate verificationGasLimit", &op->verification_gas_limit) &&
         mav2_send_quantity(mav2_send_member(res, "callGasLimit"), "estimate callGasLimit",
                            &op->call_gas_limit);
    if (ok && op->has_paymaster && !(c->pm_given & MAV2_SPONSOR_PM_VGL) &&
        mav2_send_member(res, "paymasterVerificationGasLimit") != NULL)
        ok = mav2_send_quantity(mav2_send_member(res, "paymasterVerificationGasLimit"),
                                "estimate paymasterVerificationGasLimit",
                                &op->paymaster_verification_gas_limit);
    if (ok && op->has_paymaster && !(c->pm_given & MAV2_SPONSOR_PM_POST) &&
        mav2_send_member(res, "paymasterPostOpGasLimit") != NULL)
        ok = mav2_send_quantity(mav2_send_member(res, "paymasterPostOpGasLimit"),
                                "estimate paymasterPostOpGasLimit",
                                &op->paymaster_post_op_gas_limit);
    json_object_put(res);
    return ok;
}

/* The verification gas margin (send.h, verification_gas_extra): when the account pays
 * and its deposit (unknown = 0) is below the op's maximum cost with the margin. */
static int add_margin(mav2_send_ctx *c, mav2_userop *op)
{
    mav2_u256 extra, gas, cost;
    uint64_t g;
    if (op->has_paymaster || c->p->verification_gas_extra == 0)
        return 1;
    mav2_u256_from_u64(&extra, c->p->verification_gas_extra);
    if (!mav2_u256_add(&gas, &op->verification_gas_limit, &extra) ||
        !mav2_u256_add(&gas, &gas, &op->call_gas_limit) ||
        !mav2_u256_add(&gas, &gas, &op->pre_verification_gas))
        return mav2_error_prefix("gas limits");
    if (c->have_deposit && mav2_u256_to_u64(&gas, &g) &&
        mav2_u256_mul_u64(&cost, &op->max_fee_per_gas, g) && mav2_u256_cmp(&c->deposit, &cost) >= 0)
        return 1;
    return mav2_u256_add(&op->verification_gas_limit, &op->verification_gas_limit, &extra) ||
           mav2_error_prefix("verificationGasLimit");
}

/* ERC-7677 call with op in the JSON-RPC form (stub: without the gas limits the bundler
 * has not estimated yet, as for the estimate). */
int mav2_send_sponsor_7677(mav2_send_ctx *c, mav2_userop *op, int final)
{
    json_object *j = NULL;
    int ok;
    c->r->outcome = MAV2_SEND_INVALID;
    if (!mav2_userop_to_json(op, &j))
        return 0;
    if (!final) {
        json_object_object_del(j, "callGasLimit");
        json_object_object_del(j, "verificationGasLimit");
        json_object_object_del(j, "preVerificationGas");
    }
    ok = mav2_sponsor_erc7677(c->pm, final, c->p, c->ep, c->chain_id, j, op, &c->pm_given,
                              final ? NULL : &c->pm_final, &c->r->outcome);
    json_object_put(j);
    return ok;
}

/* Gas limits, fees and sponsorship of op (fees already set unless a Gas Manager). */
static int gas_and_sponsor(mav2_send_ctx *c, mav2_userop *op)
{
    if (c->p->gas_policy_id != NULL) {
        if (!mav2_sponsor_gas_manager(c->bundler, c->p, c->ep, op, NULL, NULL, &c->r->outcome))
            return 0;
        c->r->outcome = MAV2_SEND_INVALID;
        if (!mav2_bounds_check_gas(c->p, c->chain_id, op))
            return 0;
        mav2_send_progress(c->p, MAV2_STAGE_ESTIMATED, "gas manager");
        return 1;
    }
    if (c->pm != NULL && !mav2_send_sponsor_7677(c, op, 0))
        return 0;
    if (!estimate(c, op) || !add_margin(c, op))
        return 0;
    if (c->pm != NULL && !c->pm_final && !mav2_send_sponsor_7677(c, op, 1))
        return 0;
    c->r->outcome = MAV2_SEND_INVALID;
    if (!mav2_bounds_check_gas(c->p, c->chain_id, op))
        return 0;
    mav2_send_progress(c->p, MAV2_STAGE_ESTIMATED, NULL);
    return 1;
}

static int check_params(const mav2_send_params *p)
{
    if (!mav2_send_params_check(p))
        return 0;
    if (p->sign == NULL && !p->unsigned_only)
        return mav2_error_set("send: no signer callback");
    if (p->call_data == NULL && p->call_data_len != 0)
        return mav2_error_set("send: call data missing");
    if (p->factory != NULL && p->factory_data == NULL && p->factory_data_len != 0)
        return mav2_error_set("send: factory data missing");
    if (p->paymaster_url != NULL && p->gas_policy_id != NULL)
        return mav2_error_set("send: a paymaster URL and a gas policy exclude each other");
    if (p->gas_policy_id != NULL && *p->gas_policy_id == '\0')
        return mav2_error_set("send: empty gas policy id");
    return mav2_erc20_check_params(p) && mav2_sponsor_check_context(p->paymaster_context);
}

/* Common start of mav2_send and mav2_send_replace: arguments, nonce key, journal dir. */
int mav2_send_begin(mav2_send_ctx *c, mav2_rpc *node, mav2_rpc *bundler, const mav2_send_params *p,
                    mav2_send_result *r)
{
    memset(c, 0, sizeof(*c));
    c->lock_fd = -1;
    c->started_ms = mav2_send_now_ms();
    if (r == NULL)
        return mav2_error_set("send: no result");
    memset(r, 0, sizeof(*r));
    r->outcome = MAV2_SEND_INVALID;
    if (node == NULL || bundler == NULL || p == NULL)
        return mav2_error_set("send: missing node, bundler or parameters");
    if (!check_params(p))
        return 0;
    c->node = node;
    c->bundler = bundler;
    c->p = p;
    c->r = r;
    c->ep = p->entry_point ? p->entry_point : mav2_entry_point_v07;
    c->journal = !p->no_journal;
    c->before_n = mav2_rpc_requests_sent(node);
    c->before_b = node == bundler ? 0 : mav2_rpc_requests_sent(bundler);
    if (!mav2_nonce_key(&c->key, &p->lane, p->entity_id, p->nonce_options) ||
        !mav2_send_jcheck_params(p, &c->key))
        return 0;
    if (p->paymaster_url != NULL) {
        mav2_rpc_options o; /* the bundler's deadline */
        mav2_rpc_options_init(&o);
        o.deadline_ms = mav2_rpc_deadline(bundler);
        if ((c->pm = mav2_rpc_new(p->paymaster_url, &o)) == NULL)
            return mav2_error_set("send: bad paymaster URL (want http:// or https://)");
    }
    if (c->journal) {
        if (p->state_dir != NULL)
            snprintf(c->dir, sizeof(c->dir), "%s", p->state_dir);
        else if (!mav2_journal_default_dir(c->dir, sizeof(c->dir)))
            return 0;
        mav2_rpc_caps_persist(mav2_rpc_url(bundler), c->dir); /* rpc_caps.h */
        mav2_rpc_caps_persist(mav2_rpc_url(node), c->dir);
        /* held from reading the nonce until the op is sent (or found journaled) */
        if (!mav2_send_jlock(c))
            return 0;
    }
    return 1;
}

/* Common end: request count, success flag and message. Returns ok. */
int mav2_send_finish(mav2_send_ctx *c, mav2_send_result *r, int ok)
{
    mav2_send_unlock(c);
    mav2_validation_data_free(&c->vd);
    json_object_put(c->intent);
    json_object_put(c->replaced);
    c->intent = c->replaced = NULL;
    if (r == NULL) {
        mav2_rpc_free(c->pm);
        return ok;
    }
    if (c->node != NULL)
        r->http_requests =
            mav2_rpc_requests_sent(c->node) - c->before_n +
            (c->node == c->bundler ? 0 : mav2_rpc_requests_sent(c->bundler) - c->before_b) +
            (c->pm != NULL ? mav2_rpc_requests_sent(c->pm) : 0);
    mav2_rpc_free(c->pm);
    c->pm = NULL;
    r->success = ok;
    if (ok)
        snprintf(r->message, sizeof(r->message), "%s", c->note);
    else if (c->note[0] != '\0')
        snprintf(r->message, sizeof(r->message), "%s; %s", mav2_last_error(), c->note);
    else
        snprintf(r->message, sizeof(r->message), "%s", mav2_last_error());
    return ok;
}

int mav2_send_build_op(mav2_send_ctx *c, mav2_userop *op)
{
    const mav2_send_params *p = c->p;
    uint8_t stub[MAV2_USEROP_SIG_LEN];

    memcpy(op->sender, p->account, 20);
    op->nonce = c->onchain_nonce;
    if (!c->deployed) {
        if (p->factory == NULL) {
            char a[MAV2_ADDRESS_STR_MAX];
            mav2_address_format(p->account, a);
            mav2_error_set("account %s has no code on chain %llu and no factory was given", a,
                           (unsigned long long)c->chain_id);
            return 0;
        }
        op->has_factory = 1;
        memcpy(op->factory, p->factory, 20);
        if (!mav2_buf_set(&op->factory_data, p->factory_data, p->factory_data_len))
            return 0;
    }
    mav2_stub_signature(stub);
    if (!mav2_buf_set(&op->call_data, p->call_data, p->call_data_len) ||
        !mav2_buf_set(&op->signature, p->sig_prefix, p->sig_prefix_len) ||
        !mav2_buf_append(&op->signature, stub, sizeof(stub)) || !mav2_send_erc20_approve(c, op) ||
        !mav2_send_policy_apply(c, &op->call_data))
        return 0;
    op->max_fee_per_gas = c->max_fee;
    op->max_priority_fee_per_gas = c->max_prio;
    if (!gas_and_sponsor(c, op))
        return 0;
    return 1;
}
