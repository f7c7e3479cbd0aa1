/* SPDX-License-Identifier: Apache-2.0 */
/* send.c: the user-op send flow (see send.h). */
#include "config.h"

#include "mav2/send/send.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "mav2/core/account.h"
#include "mav2/core/address.h"
#include "mav2/send/bounds.h"
#include "mav2/core/error.h"
#include "mav2/net/journal.h"
#include "mav2/net/rpc_caps.h"
#include "mav2/send/send_int.h"
#include "mav2/send/sponsor.h"
#include "mav2/core/userop.h"

void mav2_send_params_init(mav2_send_params *p)
{
    memset(p, 0, sizeof(*p));
    p->nonce_options = MAV2_NONCE_GLOBAL;
    p->entity_id = 1;
    p->priority_mul = "1.05";
    p->base_mul = "1.5";
    p->max_fee_mul = "1.5";
    p->generic_base_mul = "1.2";
    p->poll_initial_ms = 0; /* the chain's block time */
    p->poll_factor_x1000 = 1500;
    p->poll_max_ms = 15000;
    p->wait_timeout_ms = 120000;
    p->verification_gas_extra = 40000;
    p->max_verification_gas = 1500000;
    p->max_call_gas = 3000000;
    p->max_paymaster_gas = 500000;
    p->fee_cap_base_mul = "2";
}

void mav2_send_result_clear(mav2_send_result *r)
{
    json_object_put(r->receipt);
    json_object_put(r->user_op);
    memset(r, 0, sizeof(*r));
}

/* ---- small helpers --------------------------------------------------------------- */

void mav2_send_progress(const mav2_send_params *p, mav2_send_stage st, const char *detail)
{
    if (p != NULL && p->progress != NULL)
        p->progress(p->progress_ctx, st, detail);
}

static json_object *jstr_hex(const uint8_t *b, size_t n)
{
    char *s = malloc(2 * n + 3);
    json_object *o;
    mh_hex_encode(b, n, s, 2 * n + 3, 1);
    o = json_object_new_string(s);
    free(s);
    return o;
}

static json_object *jaddr(const uint8_t a[20])
{
    char s[MAV2_ADDRESS_STR_MAX];
    mav2_address_format(a, s);
    return json_object_new_string(s);
}

int mav2_send_quantity(json_object *o, const char *what, mav2_u256 *out)
{
    if (o == NULL || !json_object_is_type(o, json_type_string))
        return mav2_error_set("%s: missing or not a hex string", what);
    if (!mav2_u256_from_hex(out, json_object_get_string(o)))
        return mav2_error_prefix("%s", what);
    return 1;
}

json_object *mav2_send_member(json_object *o, const char *k)
{
    json_object *v = NULL;
    if (o == NULL || !json_object_object_get_ex(o, k, &v))
        return NULL;
    return v;
}

int mav2_send_call_failed(mav2_send_result *r, const mav2_rpc_error *e, const char *method,
                          uint32_t entity)
{
    char why[1024];
    if (e->status == MAV2_RPC_E_DEADLINE &&
        (r->have_hash || strcmp(method, "eth_getUserOperationReceipt") == 0)) {
        r->outcome = MAV2_SEND_TIMEOUT; /* signed: it may be pending */
        return mav2_error_set("%s: %s", method, e->message);
    }
    if (e->status == MAV2_RPC_E_RPC) {
        r->outcome = MAV2_SEND_REJECTED;
        mav2_explain_error(e, entity, why, sizeof(why));
        return mav2_error_set("%s: %s", method, why);
    }
    r->outcome = MAV2_SEND_NETWORK;
    return mav2_error_set("%s: %s", method, e->message);
}

/* ---- the flow -------------------------------------------------------------------- */

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

void mav2_send_unlock(mav2_send_ctx *c)
{
    mav2_journal_unlock(c->lock_fd);
    c->lock_fd = -1;
}

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

/* Step 1: chain, code, nonce, base fee, priority hints, batched. */
int mav2_send_prepare(mav2_send_ctx *c)
{
    const mav2_send_params *p = c->p;
    mav2_rpc_batch_item it[B_N];
    mav2_buf cd = MAV2_BUF_INIT;
    json_object *call, *pa[B_N];
    int same = c->node == c->bundler, ok = 0;
    mav2_u256 rundler, ethp;
    mav2_send_params q;
    int have_rundler = 0, have_ethp = 0, on_node[B_N], on_bundler[B_N];
    int fees = p->gas_policy_id == NULL; /* the Gas Manager sets the fees */
    const mav2_rpc_error *bad = NULL;
    const char *bad_method = NULL;
    uint8_t bal[36] = {0x70, 0xa0, 0x82, 0x31}; /* EntryPoint.balanceOf(account) */

    if (!mav2_calldata_get_nonce(p->account, &c->key, &cd))
        return 0;
    memcpy(bal + 16, p->account, 20);
    for (int i = 0; i < B_N; i++) {
        on_node[i] = i <= B_NONCE || (fees && (i == B_BLOCK || i == B_ETH_PRIO));
        on_bundler[i] = (i == B_RUNDLER && fees) || i == B_BUNDLER_CHAIN;
    }
    on_node[B_DEPOSIT] = fees && p->paymaster_url == NULL && p->verification_gas_extra > 0;
    on_node[B_VALIDATION] = p->entity_id != 0; /* the owner (entity 0) has no hooks */
    if (same) {                                /* one batch; the bundler's chain id is the node's */
        on_node[B_RUNDLER] = on_bundler[B_RUNDLER];
        memset(on_bundler, 0, sizeof(on_bundler));
    }
    memset(it, 0, sizeof(it));
    for (int i = 0; i < B_N; i++)
        pa[i] = json_object_new_array();
    json_object_array_add(pa[B_CODE], jaddr(p->account));
    json_object_array_add(pa[B_CODE], json_object_new_string("latest"));
    call = json_object_new_object();
    json_object_object_add(call, "data", jstr_hex(cd.data, cd.len));
    json_object_object_add(call, "to", jaddr(c->ep));
    json_object_array_add(pa[B_NONCE], call);
    json_object_array_add(pa[B_NONCE], json_object_new_string("latest"));
    call = json_object_new_object();
    json_object_object_add(call, "data", jstr_hex(bal, sizeof(bal)));
    json_object_object_add(call, "to", jaddr(c->ep));
    json_object_array_add(pa[B_DEPOSIT], call);
    json_object_array_add(pa[B_DEPOSIT], json_object_new_string("latest"));
    json_object_array_add(pa[B_BLOCK], json_object_new_string("latest"));
    json_object_array_add(pa[B_BLOCK], json_object_new_boolean(0));
    mav2_buf_free(&cd);
    if (on_node[B_VALIDATION] && (json_object_put(pa[B_VALIDATION]),
                                  pa[B_VALIDATION] = mav2_send_policy_params(c)) == NULL) {
        mav2_error_set("out of memory");
        goto done;
    }
    it[B_VALIDATION].method = "eth_call";
    it[B_CHAIN].method = "eth_chainId";
    it[B_CODE].method = "eth_getCode";
    it[B_NONCE].method = "eth_call";
    it[B_DEPOSIT].method = "eth_call";
    it[B_BLOCK].method = "eth_getBlockByNumber";
    it[B_ETH_PRIO].method = "eth_maxPriorityFeePerGas";
    it[B_RUNDLER].method = "rundler_maxPriorityFeePerGas";
    it[B_BUNDLER_CHAIN].method = "eth_chainId";
    for (int i = 0; i < B_N; i++)
        it[i].params = pa[i];

    /* one batch when node and bundler are the same client, else one each */
    batch_subset(c->node, it, on_node);
    batch_subset(c->bundler, it, on_bundler);

    for (int i = B_CHAIN; i <= B_BLOCK && bad == NULL; i++) {
        if (on_node[i] && i != B_DEPOSIT && it[i].error.status != MAV2_RPC_OK) {
            bad = &it[i].error;
            bad_method = it[i].method;
        }
    }
    if (bad == NULL && !same && it[B_BUNDLER_CHAIN].error.status != MAV2_RPC_OK) {
        bad = &it[B_BUNDLER_CHAIN].error;
        bad_method = "bundler eth_chainId";
    }
    if (bad != NULL) {
        mav2_send_call_failed(c->r, bad, bad_method, p->entity_id);
        goto done;
    }
    c->r->outcome = MAV2_SEND_NETWORK; /* malformed answers below */
    if (!parse_chain(it[B_CHAIN].result, &c->chain_id))
        goto done;
    if (p->chain_id != 0 && p->chain_id != c->chain_id) {
        c->r->outcome = MAV2_SEND_INVALID;
        mav2_error_set("the node is on chain %llu, not the expected chain %llu",
                       (unsigned long long)c->chain_id, (unsigned long long)p->chain_id);
        goto done;
    }
    if (!same) {
        uint64_t bc;
        if (!parse_chain(it[B_BUNDLER_CHAIN].result, &bc))
            goto done;
        if (bc != c->chain_id) {
            c->r->outcome = MAV2_SEND_INVALID;
            mav2_error_set("the bundler is on chain %llu but the node on chain %llu",
                           (unsigned long long)bc, (unsigned long long)c->chain_id);
            goto done;
        }
    }
    if (!json_object_is_type(it[B_CODE].result, json_type_string)) {
        mav2_error_set("eth_getCode: not a hex string");
        goto done;
    }
    c->deployed = strlen(json_object_get_string(it[B_CODE].result)) > 2;
    if (on_node[B_VALIDATION]) {
        if (it[B_VALIDATION].error.status != MAV2_RPC_OK) {
            mav2_send_call_failed(c->r, &it[B_VALIDATION].error, "getValidationData", p->entity_id);
            goto done;
        }
        if (!mav2_send_policy_read(c, it[B_VALIDATION].result))
            goto done;
    }
    if (!mav2_send_quantity(it[B_NONCE].result, "EntryPoint.getNonce", &c->onchain_nonce))
        goto done;
    c->have_deposit = on_node[B_DEPOSIT] && it[B_DEPOSIT].error.status == MAV2_RPC_OK &&
                      mav2_send_quantity(it[B_DEPOSIT].result, "EntryPoint.balanceOf", &c->deposit);
    if (!fees) {
        ok = 1;
        goto done;
    }
    if (!mav2_send_quantity(mav2_send_member(it[B_BLOCK].result, "baseFeePerGas"),
                            "latest block baseFeePerGas", &c->base_fee))
        goto done;
    if (it[B_RUNDLER].error.status == MAV2_RPC_OK &&
        mav2_send_quantity(it[B_RUNDLER].result, "rundler_maxPriorityFeePerGas", &rundler))
        have_rundler = 1;
    if (!have_rundler && it[B_ETH_PRIO].error.status == MAV2_RPC_OK &&
        mav2_send_quantity(it[B_ETH_PRIO].result, "eth_maxPriorityFeePerGas", &ethp))
        have_ethp = 1;
    if (!have_rundler && !have_ethp) {
        mav2_send_call_failed(c->r, &it[B_ETH_PRIO].error, "eth_maxPriorityFeePerGas",
                              p->entity_id);
        goto done;
    }
    c->r->outcome = MAV2_SEND_INVALID;
    q = *p; /* the ceilings of the chain the node is on */
    q.chain_id = c->chain_id;
    c->fees_refused[0] = '\0';
    if (!mav2_fees_compute(&c->base_fee, have_rundler ? &rundler : NULL, have_ethp ? &ethp : NULL,
                           &q, &c->max_fee, &c->max_prio))
        snprintf(c->fees_refused, sizeof(c->fees_refused), "%s", mav2_last_error());
    mav2_error_clear();
    ok = 1;
done:
    mav2_rpc_batch_clear(it, B_N);
    for (int i = 0; i < B_N; i++)
        json_object_put(pa[i]);
    return ok;
}

static json_object *op_params(json_object *op, const uint8_t *ep)
{
    json_object *a = json_object_new_array();
    json_object_array_add(a, op);
    json_object_array_add(a, jaddr(ep));
    return a;
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
        params = op_params(j, c->ep);
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

/* Step 4: eth_sendUserOperation. */
static int submit(mav2_send_ctx *c, const uint8_t hash[32], uint8_t sent_hash[32])
{
    json_object *params = op_params(json_object_get(c->r->user_op), c->ep), *res = NULL;
    const mav2_rpc_error *e;
    int ok = mav2_rpc_call(c->bundler, "eth_sendUserOperation", params, &res);
    json_object_put(params);
    memcpy(sent_hash, hash, 32);
    if (ok) {
        char hex[67];
        if (!json_object_is_type(res, json_type_string) ||
            !mh_hex_decode_exact(json_object_get_string(res), sent_hash, 32, NULL)) {
            json_object_put(res);
            c->r->outcome = MAV2_SEND_NETWORK;
            return mav2_error_set("eth_sendUserOperation: the answer is not a 32-byte hash");
        }
        json_object_put(res);
        mh_hex_encode(sent_hash, 32, hex, sizeof(hex), 1);
        mav2_send_progress(c->p, MAV2_STAGE_SENT, hex);
        return 1;
    }
    e = mav2_rpc_last_error(c->bundler);
    /* a retried POST that had reached the bundler the first time */
    if (e->status == MAV2_RPC_E_RPC && (strstr(e->message, "already known") != NULL ||
                                        strstr(e->message, "Already known") != NULL)) {
        mav2_send_progress(c->p, MAV2_STAGE_SENT, "already known to the bundler");
        return 1;
    }
    mav2_send_call_failed(c->r, e, "eth_sendUserOperation", c->p->entity_id);
    if (c->r->outcome == MAV2_SEND_REJECTED && c->journal)
        mav2_journal_remove(c->dir, c->chain_id, c->p->account, &c->key);
    else if (c->journal)
        mav2_error_prefix("the op may have reached the bundler; run again to resume waiting");
    return 0;
}

static int check_params(const mav2_send_params *p)
{
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
    return mav2_sponsor_check_context(p->paymaster_context);
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
    if (!mav2_nonce_key(&c->key, &p->lane, p->entity_id, p->nonce_options))
        return 0;
    if (p->paymaster_url != NULL) {
        mav2_rpc_options o; /* the bundler's deadline */
        mav2_rpc_options_default(&o);
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
        if (!mav2_journal_lock(c->dir, p->account, &c->key, &c->lock_fd))
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

/* The bundler answered eth_sendUserOperation with sent, not our hash (ours_hex): its
 * hash computation is not ours (another entry point or chain). The op is sent: it is
 * awaited under the bundler's hash, journaled under it (e, lane still locked), and
 * reported in c->note (r->message). */
static void hash_differs(mav2_send_ctx *c, mav2_journal_entry *e, const char *ours_hex,
                         const uint8_t sent[32])
{
    char hex[67];
    int n;
    mh_hex_encode(sent, 32, hex, sizeof(hex), 1);
    n = snprintf(c->note, sizeof(c->note),
                 "the bundler's userOpHash %s differs from ours %s (another entry point or "
                 "chain?); awaited under the bundler's",
                 hex, ours_hex);
    if (c->journal) {
        memcpy(e->user_op_hash, sent, 32);
        if (!mav2_journal_put(c->dir, e) && n > 0 && (size_t)n < sizeof(c->note))
            snprintf(c->note + n, sizeof(c->note) - (size_t)n, " (journal not updated)");
    }
}

/* Signs op (gas and fees set), journals it, sends it and waits: the second half of
 * mav2_send and mav2_send_replace. */
int mav2_send_sign_send_wait(mav2_send_ctx *c, mav2_userop *op)
{
    const mav2_send_params *p = c->p;
    mav2_send_result *r = c->r;
    mav2_journal_entry je;
    mav2_buf sig = MAV2_BUF_INIT, final = MAV2_BUF_INIT;
    uint8_t hash[32], sent[32];
    char hex[67];
    int ok = 0;

    memset(&je, 0, sizeof(je));
    r->outcome = MAV2_SEND_INVALID;
    if (!mav2_send_check_max_cost(c, op))
        goto out;
    if (memcmp(c->ep, mav2_entry_point_v08, 20) == 0
            ? !mav2_userop_hash_v08(op, c->ep, c->chain_id, hash)
            : !mav2_userop_hash(op, c->ep, c->chain_id, hash))
        goto out;
    if (!mav2_buf_append(&sig, p->sig_prefix, p->sig_prefix_len) ||
        !p->sign(p->sign_ctx, hash, &final)) {
        mav2_error_prefix("signing the user op");
        goto out;
    }
    if (!mav2_buf_append(&sig, final.data, final.len))
        goto out;
    json_object_put(r->user_op);
    r->user_op = NULL;
    if (!mav2_buf_set(&op->signature, sig.data, sig.len) || !mav2_userop_to_json(op, &r->user_op))
        goto out;
    memcpy(r->user_op_hash, hash, 32);
    r->have_hash = 1;
    r->nonce = op->nonce;
    mh_hex_encode(hash, 32, hex, sizeof(hex), 1);
    mav2_send_progress(p, MAV2_STAGE_SIGNED, hex);

    if (c->journal) {
        je.chain_id = c->chain_id;
        memcpy(je.account, p->account, 20);
        je.nonce_key = c->key;
        je.nonce = op->nonce;
        memcpy(je.user_op_hash, hash, 32);
        memcpy(je.op_hash, hash, 32);
        memcpy(je.entry_point, c->ep, 20);
        je.intent = json_object_get(c->intent);
        je.replaced = json_object_get(c->replaced);
        snprintf(je.bundler, sizeof(je.bundler), "%s", mav2_rpc_url_redacted(c->bundler));
        je.user_op = json_object_get(r->user_op);
        if (!mav2_journal_put(c->dir, &je)) {
            mav2_error_prefix("not sending (the journal protects against double sends)");
            goto out;
        }
    }
    ok = submit(c, hash, sent);
    if (ok && memcmp(sent, hash, 32) != 0) {
        hash_differs(c, &je, hex, sent);
        mh_hex_encode(sent, 32, hex, sizeof(hex), 1);
    }
    mav2_send_unlock(c);
    if (!ok)
        goto out;
    ok = 0;
    memcpy(r->user_op_hash, sent, 32);
    if (p->wait_timeout_ms < 0) {
        r->outcome = MAV2_SEND_SUBMITTED;
        ok = 1;
        goto out;
    }
    if (p->replace_after_ms > 0 && p->replace_after_ms < p->wait_timeout_ms) {
        mav2_send_params first = *p;
        first.wait_timeout_ms = p->replace_after_ms;
        first.poll_initial_ms = mav2_send_first_poll_ms(p, c->chain_id);
        ok = mav2_send_wait(c->bundler, sent, &first, r, 1);
        if (!ok && r->outcome == MAV2_SEND_TIMEOUT) {
            ok = mav2_send_replace_pending(c, op, sent);
            goto out;
        }
    } else {
        mav2_send_params w = *p;
        w.poll_initial_ms = mav2_send_first_poll_ms(p, c->chain_id);
        ok = mav2_send_wait(c->bundler, sent, &w, r, 1);
    }
    if (c->journal && (r->outcome == MAV2_SEND_INCLUDED || r->outcome == MAV2_SEND_REVERTED))
        mav2_journal_remove_op(c->dir, c->chain_id, p->account, &c->key, sent);
    else if (!ok && r->outcome == MAV2_SEND_NETWORK)
        mav2_error_prefix("user op %s was sent, but waiting for it failed%s", hex,
                          c->journal ? " (run again to resume)" : "");
out:
    mav2_buf_free(&sig);
    mav2_buf_free(&final);
    mav2_journal_entry_clear(&je);
    return ok;
}

/* params.unsigned_only: the op with its stub signature and its hash, nothing sent. */
static int unsigned_result(mav2_send_ctx *c, mav2_userop *op)
{
    mav2_send_result *r = c->r;
    if (memcmp(c->ep, mav2_entry_point_v08, 20) == 0
            ? !mav2_userop_hash_v08(op, c->ep, c->chain_id, r->user_op_hash)
            : !mav2_userop_hash(op, c->ep, c->chain_id, r->user_op_hash))
        return 0;
    json_object_put(r->user_op);
    r->user_op = NULL;
    if (!mav2_userop_to_json(op, &r->user_op))
        return 0;
    r->have_hash = 1;
    r->nonce = op->nonce;
    r->outcome = MAV2_SEND_UNSIGNED;
    return 1;
}

int mav2_send(mav2_rpc *node, mav2_rpc *bundler, const mav2_send_params *p, mav2_send_result *r)
{
    mav2_send_ctx c;
    mav2_send_params rest;
    uint8_t busy[32] = {0}; /* the hash of the other intent's op last waited for */
    mav2_userop op;
    mav2_journal_entry je;
    uint8_t stub[MAV2_USEROP_SIG_LEN];
    int ok = 0, found = 0;

    mav2_userop_init(&op);
    memset(&je, 0, sizeof(je));
    if (!mav2_send_begin(&c, node, bundler, p, r) || !mav2_send_prepare(&c))
        goto out;
    r->outcome = MAV2_SEND_INVALID;
    c.intent = mav2_send_intent(p, c.ep);
    while (c.journal && !p->unsigned_only) {
        if (!mav2_journal_get(c.dir, c.chain_id, p->account, &c.key, &je, &found))
            goto out;
        if (!found || p->force_new)
            break;
        if (mav2_send_same_intent(&c, &je)) {
            ok = mav2_send_resume(&c, &je);
            goto out;
        }
        if (memcmp(je.user_op_hash, busy, 32) == 0) { /* settled, yet its entry stayed */
            mav2_error_set("journal: the entry of the settled user op could not be removed");
            goto out;
        }
        memcpy(busy, je.user_op_hash, 32);
        if (!mav2_send_await_busy(&c, &je))
            goto out;
        mav2_journal_entry_clear(&je);
        if (p->wait_timeout_ms >= 0) { /* the rest of the wait is this op's */
            long left = p->wait_timeout_ms - (mav2_send_now_ms() - c.started_ms);
            rest = *p;
            rest.wait_timeout_ms = left > 0 ? left : 0;
            c.p = &rest;
        }
        r->outcome = MAV2_SEND_INVALID;
    }
    mav2_send_progress(p, MAV2_STAGE_PREPARED, NULL);

    memcpy(op.sender, p->account, 20);
    op.nonce = c.onchain_nonce;
    if (!c.deployed) {
        if (p->factory == NULL) {
            char a[MAV2_ADDRESS_STR_MAX];
            mav2_address_format(p->account, a);
            mav2_error_set("account %s has no code on chain %llu and no factory was given", a,
                           (unsigned long long)c.chain_id);
            goto out;
        }
        op.has_factory = 1;
        memcpy(op.factory, p->factory, 20);
        if (!mav2_buf_set(&op.factory_data, p->factory_data, p->factory_data_len))
            goto out;
    }
    mav2_stub_signature(stub);
    if (!mav2_buf_set(&op.call_data, p->call_data, p->call_data_len) ||
        !mav2_buf_set(&op.signature, p->sig_prefix, p->sig_prefix_len) ||
        !mav2_buf_append(&op.signature, stub, sizeof(stub)) ||
        !mav2_send_policy_apply(&c, &op.call_data))
        goto out;
    op.max_fee_per_gas = c.max_fee;
    op.max_priority_fee_per_gas = c.max_prio;
    if (!gas_and_sponsor(&c, &op))
        goto out;
    ok = p->unsigned_only ? mav2_send_check_max_cost(&c, &op) && unsigned_result(&c, &op)
                          : mav2_send_sign_send_wait(&c, &op);
out:
    mav2_userop_clear(&op);
    mav2_journal_entry_clear(&je);
    return mav2_send_finish(&c, r, ok);
}

int mav2_send_urls(const char *rpc_url, const char *bundler_url, const mav2_rpc_options *opt,
                   const mav2_send_params *p, mav2_send_result *r)
{
    mav2_rpc *node, *bundler;
    int ok;
    if (r != NULL) {
        memset(r, 0, sizeof(*r));
        r->outcome = MAV2_SEND_INVALID;
    }
    node = mav2_rpc_new(rpc_url, opt);
    if (node == NULL) {
        mav2_error_set("send: bad RPC URL (want http:// or https://)");
        return mav2_send_finish(&(mav2_send_ctx){0}, r, 0);
    }
    bundler = node;
    if (bundler_url != NULL && strcmp(bundler_url, rpc_url) != 0 &&
        (bundler = mav2_rpc_new(bundler_url, opt)) == NULL) {
        mav2_rpc_free(node);
        mav2_error_set("send: bad bundler URL (want http:// or https://)");
        return mav2_send_finish(&(mav2_send_ctx){0}, r, 0);
    }
    ok = mav2_send(node, bundler, p, r);
    if (bundler != node)
        mav2_rpc_free(bundler);
    mav2_rpc_free(node);
    return ok;
}
