/* SPDX-License-Identifier: Apache-2.0 */
/* test-bounds.c: what the send flow checks the network's numbers against before signing
 * (bounds.h, send.h): gas limits of the estimate and the paymaster, the
 * preVerificationGas formula, the fee cap and priority-fee ceiling, the default cost
 * cap per chain, and the chain id of node and bundler. Against the mock node + bundler
 * of sendmock.c (fees_and_rpc_flow.json's Alchemy flow) misbehaving on purpose. */
#include "sendmock.h"
#include "mav2/send/bounds.h"
#include "mav2/core/error.h"
#include "mav2/send/send.h"
#include "mav2/core/userop.h"
#include "tap.h"
#include "vectors.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    mock m;
    th_server *s;
    mav2_rpc *rpc;
} fixture;

static void fx_start(fixture *f)
{
    mock_init(&f->m, flow);
    f->s = th_start(mock_handler, &f->m);
    f->rpc = client(f->s);
}

static void fx_stop(fixture *f)
{
    mav2_rpc_free(f->rpc);
    th_stop(f->s);
    mock_free(&f->m);
}

/* Params of the logged flow with the library's default bounds (the fee cap on). */
static void bounded_params(mav2_send_params *p)
{
    params_for_flow(p);
    p->fee_cap_base_mul = "2";
}

/* Nothing signed, sent or journaled. */
static int untouched(const fixture *f, const mav2_send_params *p)
{
    return signer.calls == 0 && count_calls(&f->m, "eth_sendUserOperation") == 0 &&
           journal_has(p, NULL) == 0;
}

static const char *sent_field(const fixture *f, const char *k)
{
    json_object *op = json_object_array_get_idx(call_params(&f->m, "eth_sendUserOperation", 0), 0);
    json_object *v = NULL;
    if (op == NULL || !json_object_object_get_ex(op, k, &v))
        return "";
    return json_object_get_string(v);
}

/* The logged op: the reference formula gives 43776 (the logged estimate is 45776). */
static void test_pvg_formula(void)
{
    json_object *j = json_object_array_get_idx(vec_get(flow, "eth_sendUserOperation_params"), 0);
    mav2_userop op;
    mav2_u256 v, want;
    mav2_userop_init(&op);
    mav2_u256_from_u64(&want, 43776);
    tap_ok(mav2_userop_from_json(&op, j) && mav2_bounds_pvg_formula(&op, &v) &&
               mav2_u256_cmp(&v, &want) == 0,
           "pvg formula: the logged op costs 43776");
    mav2_buf_set(&op.signature, "", 0); /* a 65-byte dummy stands in: the same cost */
    tap_ok(mav2_bounds_pvg_formula(&op, &v) && mav2_u256_cmp(&v, &want) <= 0,
           "pvg formula: an empty signature counts as 65 non-zero bytes");
    mav2_userop_clear(&op);
}

/* Inflated gas limits from the bundler: refused before signing, naming the field, the
 * value and the bound; a raised bound lets the op through. */
static void test_gas_limits(void)
{
    fixture f;
    mav2_send_params p;
    mav2_send_result r;
    int ok;
    fx_start(&f);

    f.m.estimate_pvg = "0x17d7840"; /* 25000000 */
    bounded_params(&p);
    ok = mav2_send(f.rpc, f.rpc, &p, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_INVALID && untouched(&f, &p) &&
               strstr(r.message, "preVerificationGas 25000000 is over the bound 87528"),
           "gas: preVerificationGas 25M refused: %s", r.message);
    mav2_send_result_clear(&r);

    mock_reset_calls(&f.m);
    f.m.estimate_pvg = "0x155e8"; /* 87528: the bound itself (43764 x 2: the op's fees) */
    bounded_params(&p);
    ok = mav2_send(f.rpc, f.rpc, &p, &r);
    tap_ok(ok && r.outcome == MAV2_SEND_INCLUDED, "gas: preVerificationGas at the bound sent (%s)",
           r.message);
    mav2_send_result_clear(&r);

    mock_reset_calls(&f.m);
    f.m.estimate_pvg = "0x17d7840";
    bounded_params(&p);
    p.pvg_max_mul = "600";
    ok = mav2_send(f.rpc, f.rpc, &p, &r);
    tap_ok(ok && r.outcome == MAV2_SEND_INCLUDED, "gas: a wider pvg margin lets it through (%s)",
           r.message);
    mav2_send_result_clear(&r);
    f.m.estimate_pvg = NULL;

    mock_reset_calls(&f.m);
    f.m.estimate_call_gas = "0x4c4b40"; /* 5000000 */
    bounded_params(&p);
    ok = mav2_send(f.rpc, f.rpc, &p, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_INVALID && untouched(&f, &p) &&
               strstr(r.message, "callGasLimit 5000000 is over the bound 3000000"),
           "gas: callGasLimit 5M refused: %s", r.message);
    mav2_send_result_clear(&r);

    mock_reset_calls(&f.m);
    bounded_params(&p);
    p.max_call_gas = 6000000;
    ok = mav2_send(f.rpc, f.rpc, &p, &r);
    tap_ok(ok && strcmp(sent_field(&f, "callGasLimit"), "0x4c4b40") == 0,
           "gas: a raised call gas ceiling lets it through (%s)", r.message);
    mav2_send_result_clear(&r);
    f.m.estimate_call_gas = NULL;

    mock_reset_calls(&f.m);
    f.m.estimate_vgl = "0x1e8480"; /* 2000000 */
    bounded_params(&p);
    ok = mav2_send(f.rpc, f.rpc, &p, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_INVALID && untouched(&f, &p) &&
               strstr(r.message, "verificationGasLimit 2000000 is over the bound 1500000"),
           "gas: verificationGasLimit 2M refused: %s", r.message);
    mav2_send_result_clear(&r);
    f.m.estimate_vgl = NULL;

    /* the unsigned op is held to the bounds too */
    mock_reset_calls(&f.m);
    f.m.estimate_pvg = "0x17d7840";
    bounded_params(&p);
    p.unsigned_only = 1;
    ok = mav2_send(f.rpc, f.rpc, &p, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_INVALID && r.user_op == NULL &&
               strstr(r.message, "preVerificationGas 25000000"),
           "gas: unsigned op over the bound refused: %s", r.message);
    mav2_send_result_clear(&r);
    f.m.estimate_pvg = NULL;
    fx_stop(&f);
}

/* A paymaster's gas limit over the ceiling (ERC-7677 stub) is refused too. */
static void test_paymaster_limits(void)
{
    fixture f, pm;
    mav2_send_params p;
    mav2_send_result r;
    int ok;
    fx_start(&f);
    fx_start(&pm); /* its own server: the fixture serves one connection at a time */
    pm.m.pm_final = 1;
    pm.m.pm_vgl = "0x989680"; /* 10000000 */
    bounded_params(&p);
    p.paymaster_url = th_url(pm.s);
    ok = mav2_send(f.rpc, f.rpc, &p, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_INVALID && untouched(&f, &p) &&
               strstr(r.message, "paymasterVerificationGasLimit 10000000 is over the bound 500000"),
           "paymaster: verification gas 10M refused: %s", r.message);
    mav2_send_result_clear(&r);

    mock_reset_calls(&f.m);
    pm.m.pm_vgl = NULL;
    bounded_params(&p);
    p.paymaster_url = th_url(pm.s);
    ok = mav2_send(f.rpc, f.rpc, &p, &r);
    tap_ok(ok && r.outcome == MAV2_SEND_INCLUDED, "paymaster: 70000 within the bound (%s)",
           r.message);
    mav2_send_result_clear(&r);
    fx_stop(&pm);
    fx_stop(&f);
}

/* maxFeePerGas <= 2 x base fee + priority fee; the priority fee under its ceiling. */
static void test_fees(void)
{
    fixture f;
    mav2_send_params p;
    mav2_send_result r;
    mav2_u256 base, hint, fee, prio, want;
    int ok;

    /* the Alchemy rule alone gives 4612500000; base 1 gwei, priority 1575000000 */
    mav2_u256_from_u64(&base, 1000000000);
    mav2_u256_from_u64(&hint, 1500000000);
    mav2_u256_from_u64(&want, 3575000000u);
    tap_ok(mav2_fees_compute(&base, &hint, NULL, NULL, &fee, &prio) &&
               mav2_u256_cmp(&fee, &want) == 0,
           "fees: maxFeePerGas capped at 2 x base + priority (defaults)");

    fx_start(&f);
    bounded_params(&p);
    ok = mav2_send(f.rpc, f.rpc, &p, &r);
    tap_ok(ok && strcmp(sent_field(&f, "maxFeePerGas"), "0xd5162bc0") == 0 &&
               strcmp(sent_field(&f, "maxPriorityFeePerGas"), "0x5de097c0") == 0,
           "fees: the op sent pays at most 2 x base + priority (%s, %s)",
           sent_field(&f, "maxFeePerGas"), sent_field(&f, "maxPriorityFeePerGas"));
    mav2_send_result_clear(&r);

    mock_reset_calls(&f.m);
    f.m.rundler_hint = "0x3dd87bd8400"; /* 4250 gwei */
    bounded_params(&p);
    ok = mav2_send(f.rpc, f.rpc, &p, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_INVALID && untouched(&f, &p) &&
               strstr(r.message, "maxPriorityFeePerGas 4462.5 gwei is over the ceiling 100 gwei"),
           "fees: an absurd priority fee refused: %s", r.message);
    mav2_send_result_clear(&r);

    mock_reset_calls(&f.m);
    bounded_params(&p);
    mav2_u256_parse_amount(&p.max_priority_fee_wei, "5000gwei");
    mav2_u256_parse_amount(&p.max_cost_wei, "100ether"); /* ~1 ETH at 4464.5 gwei */
    ok = mav2_send(f.rpc, f.rpc, &p, &r);
    tap_ok(ok && strcmp(sent_field(&f, "maxPriorityFeePerGas"), "0x40f01ba3100") == 0,
           "fees: a raised ceiling lets it through (%s)", r.message);
    mav2_send_result_clear(&r);

    /* an op journaled before the fees went wild is still awaited (nothing signed) */
    mock_reset_calls(&f.m);
    f.m.rundler_hint = NULL;
    f.m.receipt_nulls = -1;
    bounded_params(&p);
    p.wait_timeout_ms = 0;
    ok = mav2_send(f.rpc, f.rpc, &p, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_TIMEOUT && journal_has(&p, NULL) == 1,
           "fees: an op sent and journaled (%s)", r.message);
    mav2_send_result_clear(&r);
    mock_reset_calls(&f.m);
    f.m.rundler_hint = "0x3dd87bd8400";
    f.m.receipt_nulls = 0;
    bounded_params(&p);
    ok = mav2_send(f.rpc, f.rpc, &p, &r);
    tap_ok(ok && r.resumed && r.outcome == MAV2_SEND_INCLUDED && signer.calls == 0 &&
               journal_has(&p, NULL) == 0,
           "fees: out of bounds now, the journaled op is still resumed (%s)", r.message);
    mav2_send_result_clear(&r);
    f.m.rundler_hint = NULL;
    fx_stop(&f);
}

/* No max_cost_wei: the chain's default cap (Sepolia: 0.1 ETH) still refuses. */
static void test_default_cost_cap(void)
{
    fixture f;
    mav2_send_params p;
    mav2_send_result r;
    int ok;
    fx_start(&f);
    f.m.estimate_call_gas = "0x3b9aca00"; /* 10^9 gas x 3.575 gwei = 3.575 ETH */
    bounded_params(&p);
    p.max_call_gas = 0;
    ok = mav2_send(f.rpc, f.rpc, &p, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_INVALID && untouched(&f, &p) &&
               strstr(r.message, "the op may cost up to 3.5") &&
               strstr(r.message, "over --max-cost 0.1 ETH"),
           "cost: the default cap of the chain refuses: %s", r.message);
    mav2_send_result_clear(&r);

    mock_reset_calls(&f.m);
    bounded_params(&p);
    p.max_call_gas = 0;
    mav2_u256_parse_amount(&p.max_cost_wei, "4ether");
    ok = mav2_send(f.rpc, f.rpc, &p, &r);
    tap_ok(ok && r.outcome == MAV2_SEND_INCLUDED, "cost: max_cost_wei raises it (%s)", r.message);
    mav2_send_result_clear(&r);
    fx_stop(&f);
    tap_ok(strcmp(mav2_chain_bounds_for(1)->max_cost, "0.05ether") == 0 &&
               strcmp(mav2_chain_bounds_for(987654321)->name, "other chain") == 0,
           "cost: the chain table (Ethereum 0.05, other chains generic)");
}

/* Node and bundler are both asked; they must agree with each other and the expected
 * chain; one eth_chainId per server, in the batches made anyway. */
static void test_chain_id(void)
{
    fixture fn, fb;
    mav2_send_params p;
    mav2_send_result r;
    int ok, n;
    fx_start(&fn);
    fx_start(&fb);

    fb.m.chain_error = 1;
    bounded_params(&p);
    ok = mav2_send(fn.rpc, fb.rpc, &p, &r);
    tap_ok(!ok && untouched(&fb, &p) && signer.calls == 0 && strstr(r.message, "eth_chainId"),
           "chain: a bundler that does not say its chain is refused: %s", r.message);
    mav2_send_result_clear(&r);
    fb.m.chain_error = 0;

    mock_reset_calls(&fn.m);
    mock_reset_calls(&fb.m);
    fb.m.chain_id = "0x1";
    bounded_params(&p);
    ok = mav2_send(fn.rpc, fb.rpc, &p, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_INVALID && untouched(&fb, &p) &&
               strstr(r.message, "bundler is on chain 1 but the node on chain 11155111"),
           "chain: bundler on another chain refused: %s", r.message);
    mav2_send_result_clear(&r);

    mock_reset_calls(&fn.m);
    mock_reset_calls(&fb.m);
    fn.m.chain_id = "0x1"; /* both say chain 1, the caller expects Sepolia */
    bounded_params(&p);
    ok = mav2_send(fn.rpc, fb.rpc, &p, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_INVALID && untouched(&fb, &p) &&
               strstr(r.message, "chain 1, not the expected chain 11155111"),
           "chain: node and bundler agreeing on the wrong chain refused: %s", r.message);
    mav2_send_result_clear(&r);
    fn.m.chain_id = fb.m.chain_id = NULL;

    mock_reset_calls(&fn.m);
    mock_reset_calls(&fb.m);
    bounded_params(&p);
    n = th_requests(fn.s);
    ok = mav2_send(fn.rpc, fb.rpc, &p, &r);
    tap_ok(ok && count_calls(&fn.m, "eth_chainId") == 1 && count_calls(&fb.m, "eth_chainId") == 1 &&
               th_requests(fn.s) == n + 1,
           "chain: one eth_chainId each, in the first batches (%s)", r.message);
    mav2_send_result_clear(&r);
    fx_stop(&fb);
    fx_stop(&fn);
}

int main(void)
{
    json_object *v = sm_setup(0);
    test_pvg_formula();
    test_gas_limits();
    test_paymaster_limits();
    test_fees();
    test_default_cost_cap();
    test_chain_id();
    sm_cleanup(v);
    return tap_done();
}
