/* SPDX-License-Identifier: Apache-2.0 */
/* test-send.c: the send flow (send.h) and its journal (journal.h) against a mock node +
 * bundler on the loopback HTTP fixture (httpd.h). The mock answers with the results
 * logged in fees_and_rpc_flow.json's Alchemy flow, and the requests we send are checked
 * against the logged requests (method and params) where they are deterministic. The mock
 * is in sendmock.c; sponsored sends, replace-after and send_many are in test-sponsor.c. */
#include "sendmock.h"
#include "mav2/core/account.h"
#include "mav2/core/error.h"
#include "mav2/net/journal.h"
#include "mav2/send/send.h"
#include "mav2/core/userop.h"
#include "tap.h"
#include "vectors.h"

#include "common/hex.h"
#include "common/keccak.h"

#include <json-c/json.h>
#include <limits.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- tests ------------------------------------------------------------------------ */

/* The logged Alchemy flow: same requests, same op, same hash, same signature. */
static void test_logged_flow(void)
{
    mock m;
    th_server *s;
    mav2_rpc *rpc;
    mav2_send_params p;
    mav2_send_result r;
    json_object *log = vec_get(flow, "rpcLog");
    static const char *checked[] = {"eth_getCode",
                                    "eth_getBlockByNumber",
                                    "rundler_maxPriorityFeePerGas",
                                    "eth_estimateUserOperationGas",
                                    "eth_sendUserOperation",
                                    "eth_getUserOperationReceipt"};
    uint8_t want_hash[32];
    mav2_u256 one;
    int ok;

    mock_init(&m, flow);
    m.receipt_nulls = 1;
    s = th_start(mock_handler, &m);
    rpc = client(s);
    params_for_flow(&p);
    ok = mav2_send(rpc, rpc, &p, &r);
    tap_ok(ok && r.outcome == MAV2_SEND_INCLUDED && r.success && r.message[0] == '\0',
           "logged flow: included (%s)", r.message);
    vec_hex_exact(flow, "userOpHash_recomputed", want_hash, 32);
    tap_mem_eq(r.user_op_hash, want_hash, 32, "logged flow: userOpHash");
    tap_ok(strcmp(r.tx_hash, vec_str(flow, "waitForUserOperationTransaction_result")) == 0,
           "logged flow: transaction hash %s", r.tx_hash);
    mav2_u256_from_u64(&one, 1);
    tap_ok(r.block_number == 16 && mav2_u256_cmp(&r.actual_gas_cost, &one) == 0,
           "logged flow: block 16, actual gas cost 1 wei");
    for (size_t i = 0; i < sizeof(checked) / sizeof(checked[0]); i++) {
        for (int nth = 0; nth < 2; nth++) {
            json_object *want = NULL, *got = call_params(&m, checked[i], nth);
            int k = 0;
            for (size_t j = 0; j < json_object_array_length(log); j++) {
                json_object *e = json_object_array_get_idx(log, j);
                if (strcmp(vec_str(e, "method"), checked[i]) == 0 && k++ == nth)
                    want = vec_get(e, "params");
            }
            if (want == NULL || (nth == 1 && strcmp(checked[i], "eth_getCode") == 0))
                continue;
            tap_ok(got != NULL && jeq(got, want), "logged flow: %s #%d params as logged",
                   checked[i], nth + 1);
        }
    }
    tap_ok(jeq(call_params(&m, "eth_call", 0), vec_get(logged(log, "eth_call", 1), "params")),
           "logged flow: EntryPoint.getNonce(account, 0x101) call as logged");
    tap_ok(jeq_text(r.user_op,
                    json_object_array_get_idx(vec_get(flow, "eth_sendUserOperation_params"), 0)),
           "logged flow: result user op = the logged eth_sendUserOperation op");
    tap_ok(count_calls(&m, "eth_chainId") == 1 && count_calls(&m, "eth_maxPriorityFeePerGas") == 1,
           "logged flow: chain id and generic fee hint asked in the same batch");
    tap_ok(th_requests(s) == 5 && r.http_requests == 5,
           "logged flow: 5 HTTP round trips (batch, estimate, send, 2 polls): %d / %lu",
           th_requests(s), r.http_requests);
    tap_ok(th_connections(s) == 1, "logged flow: one keep-alive connection");
    tap_ok(signer.calls == 1, "logged flow: signed once");
    tap_ok(strcmp(stages, "PESTWWI") == 0, "logged flow: progress stages %s", stages);
    tap_ok(journal_has(&p, NULL) == 0, "logged flow: journal entry cleared once included");
    mav2_send_result_clear(&r);
    mav2_rpc_free(rpc);
    th_stop(s);
    mock_free(&m);
}

/* No rundler_maxPriorityFeePerGas: eth_maxPriorityFeePerGas + baseFee * 1.2. */
static void test_generic_fees(void)
{
    mock m;
    th_server *s;
    mav2_rpc *rpc;
    mav2_send_params p;
    mav2_send_result r;
    json_object *op, *v;
    int ok;
    mock_init(&m, flow);
    m.rundler = 0;
    s = th_start(mock_handler, &m);
    rpc = client(s);
    params_for_flow(&p);
    ok = mav2_send(rpc, rpc, &p, &r);
    op = json_object_array_get_idx(call_params(&m, "eth_estimateUserOperationGas", 0), 0);
    tap_ok(ok, "generic fees: included (%s)", r.message);
    /* 1e9 * 1.2 + 1e9 = 2.2e9 = 0x83215600 */
    tap_ok(json_object_object_get_ex(op, "maxFeePerGas", &v) &&
               strcmp(json_object_get_string(v), "0x83215600") == 0 &&
               json_object_object_get_ex(op, "maxPriorityFeePerGas", &v) &&
               strcmp(json_object_get_string(v), "0x3b9aca00") == 0,
           "generic fees: maxFee = ceil(base * 1.2) + eth_maxPriorityFeePerGas");
    mav2_send_result_clear(&r);
    mav2_rpc_free(rpc);
    th_stop(s);
    mock_free(&m);
}

/* Node and bundler on different URLs. */
static void test_two_urls(void)
{
    mock mn, mb;
    th_server *sn, *sb;
    mav2_rpc *node, *bundler;
    mav2_send_params p;
    mav2_send_result r;
    int ok;
    mock_init(&mn, flow);
    mock_init(&mb, flow);
    sn = th_start(mock_handler, &mn);
    sb = th_start(mock_handler, &mb);
    node = client(sn);
    bundler = client(sb);
    params_for_flow(&p);
    ok = mav2_send(node, bundler, &p, &r);
    tap_ok(ok && r.outcome == MAV2_SEND_INCLUDED, "two URLs: included (%s)", r.message);
    tap_ok(th_requests(sn) == 1 && count_calls(&mn, "eth_getCode") == 1 &&
               count_calls(&mn, "eth_sendUserOperation") == 0 &&
               count_calls(&mn, "rundler_maxPriorityFeePerGas") == 0,
           "two URLs: the node gets one batch of node methods only");
    tap_ok(th_requests(sb) == 4 && count_calls(&mb, "eth_chainId") == 1 &&
               count_calls(&mb, "eth_getCode") == 0 &&
               count_calls(&mb, "eth_sendUserOperation") == 1,
           "two URLs: the bundler gets its batch (chain id check), estimate, send, poll (%d)",
           th_requests(sb));
    tap_ok(r.http_requests == 5, "two URLs: 5 requests counted over both clients");
    mav2_send_result_clear(&r);
    mav2_rpc_free(node);
    mav2_rpc_free(bundler);
    th_stop(sn);
    th_stop(sb);
    mock_free(&mn);
    mock_free(&mb);
}

static void test_send_urls(void)
{
    mock m;
    th_server *s;
    mav2_send_params p;
    mav2_send_result r;
    int ok;
    mock_init(&m, flow);
    s = th_start(mock_handler, &m);
    params_for_flow(&p);
    ok = mav2_send_urls(th_url(s), NULL, NULL, &p, &r);
    tap_ok(ok && th_requests(s) == 4, "mav2_send_urls: one client, included in 4 requests");
    mav2_send_result_clear(&r);
    ok = mav2_send_urls("ftp://x", NULL, NULL, &p, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_INVALID && strstr(r.message, "RPC URL"),
           "mav2_send_urls: bad URL: %s", r.message);
    th_stop(s);
    mock_free(&m);
}

/* Each failure class gets its own outcome and one sentence. */
static void test_failures(void)
{
    mock m;
    th_server *s;
    mav2_rpc *rpc;
    mav2_send_params p;
    mav2_send_result r;
    int ok;
    mock_init(&m, flow);
    s = th_start(mock_handler, &m);
    rpc = client(s);

    params_for_flow(&p);
    p.chain_id = 1;
    ok = mav2_send(rpc, rpc, &p, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_INVALID && strstr(r.message, "chain 11155111") &&
               strstr(r.message, "expected chain 1") &&
               count_calls(&m, "eth_estimateUserOperationGas") == 0,
           "chain mismatch: invalid, nothing estimated: %s", r.message);
    mav2_send_result_clear(&r);

    mock_reset_calls(&m);
    m.code = "0x";
    params_for_flow(&p);
    ok = mav2_send(rpc, rpc, &p, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_INVALID && strstr(r.message, "no code") &&
               strstr(r.message, "factory"),
           "not deployed, no factory: %s", r.message);
    mav2_send_result_clear(&r);

    mock_reset_calls(&m);
    {
        static const uint8_t factory[20] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x0f, 0xac, 0x70, 0x11};
        static const uint8_t fdata[4] = {1, 2, 3, 4};
        json_object *op, *v;
        p.factory = factory;
        p.factory_data = fdata;
        p.factory_data_len = sizeof(fdata);
        ok = mav2_send(rpc, rpc, &p, &r);
        op = json_object_array_get_idx(call_params(&m, "eth_sendUserOperation", 0), 0);
        tap_ok(ok && json_object_object_get_ex(op, "factoryData", &v) &&
                   strcmp(json_object_get_string(v), "0x01020304") == 0 &&
                   json_object_object_get_ex(op, "factory", &v),
               "not deployed with a factory: factory and factoryData sent (%s)", r.message);
        mav2_send_result_clear(&r);
    }
    m.code = NULL;

    mock_reset_calls(&m);
    m.estimate_error =
        "{\"code\":-32500,\"message\":\"validation reverted: AA24 signature error\"}";
    params_for_flow(&p);
    p.entity_id = 7;
    ok = mav2_send(rpc, rpc, &p, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_REJECTED && signer.calls == 0 &&
               strstr(r.message, "eth_estimateUserOperationGas: the signature does not match the "
                                 "session key installed for entity 7"),
           "estimate rejected (AA24): rejected, not signed: %s", r.message);
    mav2_send_result_clear(&r);
    m.estimate_error = NULL;

    mock_reset_calls(&m);
    m.send_error = "{\"code\":-32602,\"message\":\"AA25 invalid account nonce\"}";
    params_for_flow(&p);
    ok = mav2_send(rpc, rpc, &p, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_REJECTED && strstr(r.message, "invalid nonce") &&
               journal_has(&p, NULL) == 0,
           "send rejected (AA25): rejected, journal entry dropped: %s", r.message);
    mav2_send_result_clear(&r);
    m.send_error = NULL;

    mock_reset_calls(&m);
    params_for_flow(&p);
    signer.fail = 1;
    ok = mav2_send(rpc, rpc, &p, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_INVALID &&
               strcmp(r.message, "signing the user op: token not present") == 0 &&
               count_calls(&m, "eth_sendUserOperation") == 0,
           "signer failure: invalid, nothing sent: %s", r.message);
    mav2_send_result_clear(&r);

    mav2_rpc_free(rpc);
    rpc = client(NULL); /* nothing listens there */
    params_for_flow(&p);
    ok = mav2_send(rpc, rpc, &p, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_NETWORK && !strstr(r.message, "secret"),
           "network down: network outcome: %s", r.message);
    mav2_send_result_clear(&r);

    params_for_flow(&p);
    p.sign = NULL;
    ok = mav2_send(rpc, rpc, &p, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_INVALID && strstr(r.message, "signer"),
           "no signer callback: %s", r.message);
    mav2_send_result_clear(&r);
    mav2_rpc_free(rpc);
    th_stop(s);
    mock_free(&m);
}

/* params.max_cost_wei: an inflated estimate over the cap is neither signed, journaled
 * nor sent; the same op under a cap it fits goes through. */
static void test_max_cost(void)
{
    mock m;
    th_server *s;
    mav2_rpc *rpc;
    mav2_send_params p;
    mav2_send_result r;
    int ok;
    mock_init(&m, flow);
    s = th_start(mock_handler, &m);
    rpc = client(s);

    m.estimate_call_gas = "0xe8d4a51000"; /* 10^12 gas */
    params_for_flow(&p);
    p.max_call_gas = 0; /* the cost cap alone */
    tap_ok(mav2_u256_parse_amount(&p.max_cost_wei, "0.01ether"), "max cost: 0.01ether parsed");
    ok = mav2_send(rpc, rpc, &p, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_INVALID && signer.calls == 0 &&
               count_calls(&m, "eth_sendUserOperation") == 0 && journal_has(&p, NULL) == 0 &&
               strstr(r.message, "the op may cost up to ") &&
               strstr(r.message, " ETH, over --max-cost 0.01 ETH"),
           "max cost: inflated estimate refused, nothing signed, journaled or sent: %s", r.message);
    mav2_send_result_clear(&r);

    mock_reset_calls(&m);
    m.estimate_call_gas = NULL;
    params_for_flow(&p);
    mav2_u256_parse_amount(&p.max_cost_wei, "1000ether");
    ok = mav2_send(rpc, rpc, &p, &r);
    tap_ok(ok && r.outcome == MAV2_SEND_INCLUDED && count_calls(&m, "eth_sendUserOperation") == 1,
           "max cost: an op within the cap is sent (%s)", r.message);
    mav2_send_result_clear(&r);

    /* a cost past 2^256 wei is over any cap */
    mock_reset_calls(&m);
    m.estimate_call_gas = "0x8000000000000000000000000000000000000000000000000000000000000000";
    params_for_flow(&p);
    p.max_call_gas = 0;
    p.pvg_max_mul = "0"; /* the formula packs the op: 2^255 does not fit uint128 */
    mav2_u256_parse_amount(&p.max_cost_wei, "1000ether");
    ok = mav2_send(rpc, rpc, &p, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_INVALID && signer.calls == 0 &&
               strstr(r.message, "more than 2^256 wei, over --max-cost 1000 ETH"),
           "max cost: overflow counts as over the cap: %s", r.message);
    mav2_send_result_clear(&r);
    m.estimate_call_gas = NULL;

    /* the unsigned op is held to the cap too */
    mock_reset_calls(&m);
    m.estimate_call_gas = "0xe8d4a51000";
    params_for_flow(&p);
    p.unsigned_only = 1;
    p.max_call_gas = 0;
    mav2_u256_parse_amount(&p.max_cost_wei, "0.01ether");
    ok = mav2_send(rpc, rpc, &p, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_INVALID && r.user_op == NULL &&
               strstr(r.message, "over --max-cost 0.01 ETH"),
           "max cost: unsigned op over the cap refused: %s", r.message);
    mav2_send_result_clear(&r);
    m.estimate_call_gas = NULL;

    /* replace_after: the first op (~0.00084 ETH) fits, its 1.1x replacement does not:
     * not replaced, the first op awaited (here never included: timeout, still journaled) */
    mock_reset_calls(&m);
    m.receipt_nulls = -1;
    params_for_flow(&p);
    p.replace_after_ms = 30;
    p.wait_timeout_ms = 120;
    mav2_u256_parse_amount(&p.max_cost_wei, "0.0009ether");
    ok = mav2_send(rpc, rpc, &p, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_TIMEOUT && signer.calls == 1 &&
               count_calls(&m, "eth_sendUserOperation") == 1 && journal_has(&p, NULL) == 1 &&
               strstr(r.message, "not replaced: the op may cost up to ") &&
               strstr(r.message, "over --max-cost 0.0009 ETH"),
           "max cost: replacement over the cap not made, first op awaited: %s", r.message);
    mav2_send_result_clear(&r);
    {
        mav2_u256 key;
        mav2_nonce_key(&key, &p.lane, p.entity_id, p.nonce_options);
        mav2_journal_remove(state_dir, CHAIN_ID, p.account, &key);
    }
    m.receipt_nulls = 0;

    mav2_rpc_free(rpc);
    th_stop(s);
    mock_free(&m);
}

/* eth_sendUserOperation failed after journaling (cut: the connection closed before the
 * bundler had the op; else a garbage answer): a rerun sends the same signed op again
 * (same hash) since the bundler does not know it, and it is included. */
static void test_undelivered(mock *m, mav2_rpc *rpc, int cut)
{
    const char *how = cut ? "connection cut" : "garbage answer";
    mav2_send_params p;
    mav2_send_result r;
    json_object *first_op;
    uint8_t first[32];
    int ok;
    mock_reset_calls(m);
    m->drop_send = cut;
    m->send_garbage = !cut;
    params_for_flow(&p);
    ok = mav2_send(rpc, rpc, &p, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_NETWORK && journal_has(&p, NULL) == 1,
           "undelivered (%s): network outcome, entry kept: %s", how, r.message);
    memcpy(first, r.user_op_hash, 32);
    first_op = json_tokener_parse(r.user_op);
    mav2_send_result_clear(&r);
    m->drop_send = m->send_garbage = 0;
    json_object_put(m->known); /* earlier subtests sent ops of the same bytes */
    m->known = json_object_new_array();
    mock_reset_calls(m);
    m->receipt_nulls = 0;
    params_for_flow(&p);
    ok = mav2_send(rpc, rpc, &p, &r);
    tap_ok(ok && r.resumed && r.outcome == MAV2_SEND_INCLUDED && signer.calls == 0 &&
               count_calls(m, "eth_getUserOperationByHash") == 1 &&
               count_calls(m, "eth_sendUserOperation") == 1 &&
               jeq(json_object_array_get_idx(call_params(m, "eth_sendUserOperation", 0), 0),
                   first_op) &&
               memcmp(r.user_op_hash, first, 32) == 0 &&
               strcasecmp(json_object_get_string(json_object_array_get_idx(m->sent_hashes, 0)),
                          vec_str(flow, "userOpHash_recomputed")) == 0,
           "undelivered (%s): rerun sends the same signed op again (same hash), included (%s)", how,
           r.message);
    tap_ok(strncmp(stages, "RTW", 3) == 0 && journal_has(&p, NULL) == 0,
           "undelivered (%s): resumed, sent, entry cleared (%s)", how, stages);
    json_object_put(first_op);
    mav2_send_result_clear(&r);
}

/* The journaled op is unknown to the bundler because it was being bundled just then:
 * sending it again is refused (its nonce is used now), and the chain says the nonce
 * moved on: its receipt settles it, no error. */
static void test_went_in_meanwhile(mock *m, mav2_rpc *rpc)
{
    mav2_send_params p;
    mav2_send_result r;
    uint8_t first[32];
    int ok;
    mock_reset_calls(m);
    m->drop_send = 1;
    params_for_flow(&p);
    ok = mav2_send(rpc, rpc, &p, &r);
    memcpy(first, r.user_op_hash, 32);
    mav2_send_result_clear(&r);
    m->drop_send = 0;
    json_object_put(m->known);
    m->known = json_object_new_array();
    mock_reset_calls(m);
    m->receipt_nulls = 0;
    m->send_error = "{\"code\":-32500,\"message\":\"AA25 invalid account nonce\"}";
    m->nonce_after_send = "0x0000000000000000000000000000000000000000000001010000000000000004";
    params_for_flow(&p);
    ok = !ok && mav2_send(rpc, rpc, &p, &r);
    tap_ok(ok && r.resumed && r.outcome == MAV2_SEND_INCLUDED && signer.calls == 0 &&
               count_calls(m, "eth_sendUserOperation") == 1 &&
               memcmp(r.user_op_hash, first, 32) == 0 && journal_has(&p, NULL) == 0,
           "sent again while it went in: refused, the nonce moved on, its receipt settles it, "
           "entry cleared (%s)",
           r.message);
    m->send_error = NULL;
    m->nonce_after_send = NULL;
    mav2_send_result_clear(&r);
}

/* Another intent (other call data) on a lane where an op is pending: never resumed as
 * if it were this one; waited for, then this op is made with the next nonce; a timeout
 * while waiting names the pending op and how to resolve it. */
static void test_busy_lane(void)
{
    mock m;
    th_server *s;
    mav2_rpc *rpc;
    mav2_send_params p;
    mav2_send_result r;
    mav2_journal_entry e;
    uint8_t a_hash[32], cd_b[sizeof(call_data)];
    char a_hex[67], path[512];
    json_object *sent, *v;
    int ok;
    mock_init(&m, flow);
    m.nonce_follows = 1;
    s = th_start(mock_handler, &m);
    rpc = client(s);
    memcpy(cd_b, call_data, call_data_len);
    cd_b[call_data_len - 1] ^= 0x01; /* B pays another amount */

    m.receipt_nulls = -1;
    params_for_flow(&p);
    p.wait_timeout_ms = 40;
    ok = mav2_send(rpc, rpc, &p, &r); /* A: sent, not included in time */
    memcpy(a_hash, r.user_op_hash, 32);
    mh_hex_encode(a_hash, 32, a_hex, sizeof(a_hex), 1);
    tap_ok(!ok && r.outcome == MAV2_SEND_TIMEOUT && journal_has(&p, NULL) == 1,
           "busy lane: op A pending and journaled");
    mav2_send_result_clear(&r);

    mock_reset_calls(&m);
    params_for_flow(&p);
    p.call_data = cd_b;
    p.wait_timeout_ms = 40;
    ok = mav2_send(rpc, rpc, &p, &r); /* B while A is still pending */
    tap_ok(!ok && !r.success && r.outcome == MAV2_SEND_TIMEOUT && !r.resumed && signer.calls == 0 &&
               count_calls(&m, "eth_sendUserOperation") == 0 && strchr(stages, 'B') != NULL &&
               strchr(stages, 'R') == NULL,
           "busy lane: B is not A: A awaited, nothing signed or sent for B (%s)", stages);
    tap_ok(strstr(r.message, a_hex) && strstr(r.message, "mav2 receipt") &&
               strstr(r.message, "mav2 replace") && strstr(r.message, "not sent"),
           "busy lane: the timeout names A and how to resolve it: %s", r.message);
    tap_ok(journal_has(&p, &e) == 1 && memcmp(e.user_op_hash, a_hash, 32) == 0,
           "busy lane: the journal still holds A");
    mav2_journal_entry_clear(&e);
    mav2_send_result_clear(&r);

    mock_reset_calls(&m);
    m.receipt_nulls = 0;
    params_for_flow(&p);
    p.call_data = cd_b;
    ok = mav2_send(rpc, rpc, &p, &r); /* A goes in: then B with the next nonce */
    sent = json_object_array_get_idx(call_params(&m, "eth_sendUserOperation", 0), 0);
    tap_ok(ok && r.success && r.outcome == MAV2_SEND_INCLUDED && !r.resumed && signer.calls == 1 &&
               count_calls(&m, "eth_sendUserOperation") == 1 &&
               memcmp(r.user_op_hash, a_hash, 32) != 0,
           "busy lane: A included, then B signed, sent and included (%s)", r.message);
    tap_ok(
        sent != NULL && json_object_object_get_ex(sent, "nonce", &v) &&
            strcmp(json_object_get_string(v), "0x1010000000000000004") == 0 &&
            json_object_object_get_ex(sent, "callData", &v) &&
            json_object_get_string(v)[2 * call_data_len + 1] !=
                vec_str(json_object_array_get_idx(vec_get(flow, "eth_sendUserOperation_params"), 0),
                        "callData")[2 * call_data_len + 1],
        "busy lane: B has the next nonce and its own call data");
    tap_ok(strchr(stages, 'B') != NULL && strchr(stages, 'R') == NULL && journal_has(&p, NULL) == 0,
           "busy lane: progress %s, journal empty", stages);
    mav2_send_result_clear(&r);

    /* an entry file others may write is refused: nothing signed, bad input */
    mock_reset_calls(&m);
    m.receipt_nulls = -1;
    params_for_flow(&p);
    p.wait_timeout_ms = -1;
    ok = mav2_send(rpc, rpc, &p, &r);
    mav2_send_result_clear(&r);
    snprintf(path, sizeof(path), "%s/pending-%u-%s-%s.json", state_dir, CHAIN_ID,
             "5555555555555555555555555555555555555555", "101");
    chmod(path, 0666);
    params_for_flow(&p);
    ok = ok && !mav2_send(rpc, rpc, &p, &r);
    tap_ok(ok && r.outcome == MAV2_SEND_INVALID && signer.calls == 0 &&
               strstr(r.message, "writable by group or others"),
           "journal file writable by others: refused, nothing signed: %s", r.message);
    mav2_send_result_clear(&r);
    unlink(path);

    mav2_rpc_free(rpc);
    th_stop(s);
    mock_free(&m);
}

/* A replaced op (same nonce, same intent) is the one that got in: a rerun finds its
 * receipt through the entry's replaced hashes; not superseded. */
static void test_replaced_got_in(void)
{
    mock m;
    th_server *s;
    mav2_rpc *rpc;
    mav2_send_params p;
    mav2_send_result r;
    mav2_journal_entry e;
    uint8_t first[32];
    char first_hex[67];
    int ok;
    mock_init(&m, flow);
    s = th_start(mock_handler, &m);
    rpc = client(s);
    m.receipt_nulls = -1;
    params_for_flow(&p);
    p.wait_timeout_ms = -1;
    ok = mav2_send(rpc, rpc, &p, &r);
    memcpy(first, r.user_op_hash, 32);
    mh_hex_encode(first, 32, first_hex, sizeof(first_hex), 1);
    mav2_send_result_clear(&r);
    params_for_flow(&p);
    p.wait_timeout_ms = -1;
    ok = ok && mav2_send_replace(rpc, rpc, &p, &r);
    mav2_send_result_clear(&r);
    tap_ok(ok && journal_has(&p, &e) == 1 && memcmp(e.user_op_hash, first, 32) != 0 &&
               e.replaced != NULL && json_object_array_length(e.replaced) == 1 &&
               strcmp(json_object_get_string(json_object_array_get_idx(e.replaced, 0)),
                      first_hex) == 0,
           "replaced: the replacement's entry names the op it replaced");
    mav2_journal_entry_clear(&e);

    mock_reset_calls(&m);
    m.nonce = "0x0000000000000000000000000000000000000000000001010000000000000004";
    m.receipt_only = first_hex;
    m.receipt_nulls = 0;
    params_for_flow(&p);
    ok = mav2_send(rpc, rpc, &p, &r);
    tap_ok(ok && r.resumed && r.outcome == MAV2_SEND_INCLUDED &&
               memcmp(r.user_op_hash, first, 32) == 0 && signer.calls == 0 &&
               count_calls(&m, "eth_sendUserOperation") == 0 && journal_has(&p, NULL) == 0,
           "replaced: the replaced op got in: included (its hash), not superseded, cleared (%s)",
           r.message);
    mav2_send_result_clear(&r);
    mav2_rpc_free(rpc);
    th_stop(s);
    mock_free(&m);
}

/* Timed out, then resumed (not re-signed, not re-sent); crash after send; nonce moved
 * on; force_new; replace. */
static void test_journal_flow(void)
{
    mock m;
    th_server *s;
    mav2_rpc *rpc;
    mav2_send_params p;
    mav2_send_result r;
    mav2_journal_entry e;
    uint8_t first[32];
    char path[512];
    struct stat st;
    json_object *v;
    int ok;
    mock_init(&m, flow);
    s = th_start(mock_handler, &m);
    rpc = client(s);

    m.receipt_nulls = -1;
    params_for_flow(&p);
    p.wait_timeout_ms = 40;
    ok = mav2_send(rpc, rpc, &p, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_TIMEOUT && strstr(r.message, "still pending"),
           "timeout: own outcome: %s", r.message);
    memcpy(first, r.user_op_hash, 32);
    tap_ok(journal_has(&p, &e) == 1 && memcmp(e.user_op_hash, first, 32) == 0 &&
               jeq_text(r.user_op, e.user_op) && strncmp(e.bundler, "http://127.0.0.1:", 17) == 0 &&
               strstr(e.bundler, "secret") == NULL,
           "timeout: the signed op is journaled, bundler URL redacted (%s)", e.bundler);
    mav2_journal_entry_clear(&e);
    snprintf(path, sizeof(path), "%s/pending-%u-%s-%s.json", state_dir, CHAIN_ID,
             "5555555555555555555555555555555555555555", "101");
    tap_ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "journal file is mode 0600");
    mav2_send_result_clear(&r);

    /* rerun while still not included: the same op is awaited again, with the choices */
    mock_reset_calls(&m);
    params_for_flow(&p);
    p.wait_timeout_ms = 20;
    ok = mav2_send(rpc, rpc, &p, &r);
    tap_ok(!ok && r.resumed && r.outcome == MAV2_SEND_TIMEOUT && signer.calls == 0 &&
               memcmp(r.user_op_hash, first, 32) == 0 && strstr(r.message, "nonce 3") &&
               strstr(r.message, "replace"),
           "rerun, still pending: timeout again, nothing new signed: %s", r.message);
    mav2_send_result_clear(&r);

    /* rerun: resumes, the op included on the second poll */
    mock_reset_calls(&m);
    m.receipt_nulls = 1;
    params_for_flow(&p);
    ok = mav2_send(rpc, rpc, &p, &r);
    tap_ok(ok && r.resumed && r.outcome == MAV2_SEND_INCLUDED &&
               memcmp(r.user_op_hash, first, 32) == 0,
           "rerun: resumed waiting for the journaled op (%s)", r.message);
    tap_ok(signer.calls == 0 && count_calls(&m, "eth_sendUserOperation") == 0 &&
               count_calls(&m, "eth_estimateUserOperationGas") == 0,
           "rerun: not signed, not estimated, not sent again");
    tap_ok(strcmp(stages, "RWWI") == 0, "rerun: progress %s", stages);
    tap_ok(journal_has(&p, NULL) == 0, "rerun: entry cleared once included");
    mav2_send_result_clear(&r);

    /* crash right after the send (bundler answer lost, the op had reached it): entry
     * kept, rerun resumes */
    mock_reset_calls(&m);
    m.drop_send = 1;
    m.drop_known = 1;
    params_for_flow(&p);
    ok = mav2_send(rpc, rpc, &p, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_NETWORK && journal_has(&p, NULL) == 1 &&
               strstr(r.message, "run again"),
           "answer to the send lost: network outcome, entry kept: %s", r.message);
    memcpy(first, r.user_op_hash, 32);
    mav2_send_result_clear(&r);
    m.drop_send = 0;
    mock_reset_calls(&m);
    m.receipt_nulls = 0;
    params_for_flow(&p);
    ok = mav2_send(rpc, rpc, &p, &r);
    tap_ok(ok && r.resumed && signer.calls == 0 && count_calls(&m, "eth_sendUserOperation") == 0 &&
               count_calls(&m, "eth_getUserOperationByHash") == 1 &&
               memcmp(r.user_op_hash, first, 32) == 0 && journal_has(&p, NULL) == 0,
           "after a crash: the bundler has it: resumed, not re-sent, included, cleared (%s)",
           r.message);
    mav2_send_result_clear(&r);
    m.drop_known = 0;

    test_undelivered(&m, rpc, 1);
    test_undelivered(&m, rpc, 0);
    test_went_in_meanwhile(&m, rpc);

    /* nonce moved past the journaled op, no receipt from this bundler: cleared */
    mock_reset_calls(&m);
    m.receipt_nulls = -1;
    params_for_flow(&p);
    p.wait_timeout_ms = -1; /* submit only: the entry stays */
    ok = mav2_send(rpc, rpc, &p, &r);
    tap_ok(ok && r.outcome == MAV2_SEND_SUBMITTED && journal_has(&p, NULL) == 1,
           "submit without waiting: submitted, entry kept");
    mav2_send_result_clear(&r);
    mock_reset_calls(&m);
    m.nonce = "0x0000000000000000000000000000000000000000000001010000000000000004";
    params_for_flow(&p);
    ok = mav2_send(rpc, rpc, &p, &r);
    tap_ok(!ok && !r.success && r.resumed && r.outcome == MAV2_SEND_REJECTED &&
               strstr(r.message, "superseded: this op can never be included") &&
               signer.calls == 0 && count_calls(&m, "eth_sendUserOperation") == 0 &&
               count_calls(&m, "eth_getUserOperationReceipt") == 1,
           "nonce used by another op: superseded, rejected, nothing sent: %s", r.message);
    tap_ok(journal_has(&p, NULL) == 0, "superseded: entry cleared");
    mav2_send_result_clear(&r);
    m.nonce = NULL;

    /* force_new signs a new op even with an entry pending */
    mock_reset_calls(&m);
    params_for_flow(&p);
    p.wait_timeout_ms = -1;
    ok = mav2_send(rpc, rpc, &p, &r);
    memcpy(first, r.user_op_hash, 32);
    mav2_send_result_clear(&r);
    params_for_flow(&p);
    p.wait_timeout_ms = -1;
    p.force_new = 1;
    ok = ok && mav2_send(rpc, rpc, &p, &r);
    tap_ok(ok && !r.resumed && signer.calls == 1 && count_calls(&m, "eth_sendUserOperation") == 2,
           "force_new: a new op is signed and sent despite the pending entry");
    mav2_send_result_clear(&r);

    /* replace: same nonce, fees max(fresh, 1.1 x old), journal updated */
    mock_reset_calls(&m);
    params_for_flow(&p);
    p.wait_timeout_ms = -1;
    journal_has(&p, &e);
    memcpy(first, e.user_op_hash, 32);
    mav2_journal_entry_clear(&e);
    ok = mav2_send_replace(rpc, rpc, &p, &r);
    v = json_object_array_get_idx(call_params(&m, "eth_sendUserOperation", 0), 0);
    tap_ok(ok && r.replaced && signer.calls == 1 &&
               count_calls(&m, "eth_estimateUserOperationGas") == 0,
           "replace: re-signed, not re-estimated (%s)", r.message);
    {
        json_object *f1, *f2, *n;
        /* old 0x5de097c0 (1575000000) -> 1732500000 = 0x6743da20; old 0x112ed2a20
         * (4612500000) -> 5073750000 = 0x12e6b47f0 */
        tap_ok(v && json_object_object_get_ex(v, "maxPriorityFeePerGas", &f1) &&
                   json_object_object_get_ex(v, "maxFeePerGas", &f2) &&
                   json_object_object_get_ex(v, "nonce", &n) &&
                   strcmp(json_object_get_string(f1), "0x6743da20") == 0 &&
                   strcmp(json_object_get_string(f2), "0x12e6b47f0") == 0 &&
                   strcmp(json_object_get_string(n), "0x1010000000000000003") == 0,
               "replace: same nonce, both fees raised by 10%%");
    }
    tap_ok(journal_has(&p, &e) == 1 && memcmp(e.user_op_hash, r.user_op_hash, 32) == 0 &&
               memcmp(e.user_op_hash, first, 32) != 0,
           "replace: the journal holds only the replacement");
    mav2_journal_entry_clear(&e);
    mav2_send_result_clear(&r);

    /* a journal whose op is on another nonce lane than its entry: nothing is signed */
    mock_reset_calls(&m);
    params_for_flow(&p);
    p.wait_timeout_ms = -1;
    journal_has(&p, &e);
    json_object_object_add(e.user_op, "nonce", json_object_new_string("0x2010000000000000003"));
    mav2_journal_put(state_dir, &e);
    mav2_journal_entry_clear(&e);
    ok = mav2_send_replace(rpc, rpc, &p, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_INVALID && signer.calls == 0 &&
               count_calls(&m, "eth_sendUserOperation") == 0 && strstr(r.message, "nonce"),
           "replace: journaled op off its entry's nonce refused: %s", r.message);
    mav2_send_result_clear(&r);

    mav2_journal_remove(state_dir, CHAIN_ID, p.account, &(mav2_u256){{0x101, 0, 0, 0}});
    ok = mav2_send_replace(rpc, rpc, &p, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_INVALID && strstr(r.message, "no pending op"),
           "replace with nothing journaled: %s", r.message);
    mav2_send_result_clear(&r);

    mav2_rpc_free(rpc);
    th_stop(s);
    mock_free(&m);
}

static void test_wait_receipt(void)
{
    mock m;
    th_server *s;
    mav2_rpc *rpc;
    mav2_send_result r;
    mav2_send_params p;
    uint8_t h[32];
    int ok;
    mock_init(&m, flow);
    s = th_start(mock_handler, &m);
    rpc = client(s);
    memset(h, 0x42, 32);
    m.receipt_nulls = 2;
    params_for_flow(&p);
    ok = mav2_wait_receipt(rpc, h, &p, &r);
    tap_ok(ok && r.outcome == MAV2_SEND_INCLUDED && th_requests(s) == 3 && r.http_requests == 3 &&
               r.block_number == 16,
           "wait_receipt: included on the third poll");
    mav2_send_result_clear(&r);
    m.receipt_nulls = -1;
    p.wait_timeout_ms = 0;
    ok = mav2_wait_receipt(rpc, h, &p, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_TIMEOUT && r.http_requests == 1,
           "wait_receipt with timeout 0: one check, timeout (%s)", r.message);
    mav2_send_result_clear(&r);
    mav2_rpc_free(rpc);
    th_stop(s);
    mock_free(&m);
}

/* A receipt naming another user op is not taken as this op's inclusion. */
static void test_receipt_of_another_op(void)
{
    static const th_step steps[] = {
        {0,
         "{\"jsonrpc\":\"2.0\",\"id\":%ID%,\"result\":{\"userOpHash\":\"0x4343434343434343434343"
         "434343434343434343434343434343434343434343\",\"success\":true,\"receipt\":{"
         "\"transactionHash\":\"0x01\",\"blockNumber\":\"0x10\"}}}",
         NULL, 0, 0, 0},
    };
    th_script sc = {steps, 1, 0, {0}, 0};
    th_server *s = th_start(th_script_handler, &sc);
    mav2_rpc *rpc = mav2_rpc_new(th_url(s), NULL);
    mav2_send_params p;
    mav2_send_result r;
    uint8_t h[32];
    int ok;
    memset(h, 0x42, 32);
    params_for_flow(&p);
    ok = mav2_wait_receipt(rpc, h, &p, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_NETWORK && strstr(r.message, "userOpHash"),
           "wait_receipt: a receipt for another op refused: %s", r.message);
    mav2_send_result_clear(&r);
    mav2_rpc_free(rpc);
    th_stop(s);
    th_script_free(&sc);
}

/* The bundler answers eth_sendUserOperation with a hash that is not ours: the send does
 * not fail, the op is awaited and journaled under the bundler's hash, and the result
 * says so. */
static void test_bundler_hash_differs(void)
{
    static const char theirs_hex[] =
        "0x7777777777777777777777777777777777777777777777777777777777777777";
    mock m;
    th_server *s;
    mav2_rpc *rpc;
    mav2_send_params p;
    mav2_send_result r;
    mav2_journal_entry e;
    uint8_t ours[32], theirs[32];
    char ours_hex[67];
    json_object *q;
    int ok;
    vec_hex_exact(flow, "userOpHash_recomputed", ours, 32);
    mh_hex_encode(ours, 32, ours_hex, sizeof(ours_hex), 1);
    mh_hex_decode_exact(theirs_hex, theirs, 32, NULL);
    mock_init(&m, flow);
    m.send_hash = theirs_hex;
    s = th_start(mock_handler, &m);
    rpc = client(s);

    /* not included in time: the journal entry is the bundler's hash, as the polls */
    m.receipt_nulls = -1;
    params_for_flow(&p);
    p.wait_timeout_ms = 40;
    ok = mav2_send(rpc, rpc, &p, &r);
    q = call_params(&m, "eth_getUserOperationReceipt", 0);
    tap_ok(!ok && r.outcome == MAV2_SEND_TIMEOUT && signer.calls == 1 &&
               memcmp(r.user_op_hash, theirs, 32) == 0 && q != NULL &&
               strcasecmp(json_object_get_string(json_object_array_get_idx(q, 0)), theirs_hex) == 0,
           "other hash: sent, polled under the bundler's hash (%s)", r.message);
    tap_ok(strstr(r.message, "still pending") != NULL && strstr(r.message, "differs") != NULL &&
               strstr(r.message, theirs_hex) != NULL && strstr(r.message, ours_hex) != NULL,
           "other hash: the message names both hashes");
    tap_ok(journal_has(&p, &e) == 1 && memcmp(e.user_op_hash, theirs, 32) == 0 &&
               jeq_text(r.user_op, e.user_op),
           "other hash: the journal entry has the bundler's hash");
    mav2_journal_entry_clear(&e);
    mav2_send_result_clear(&r);

    /* rerun: resumes with the bundler's hash and finds the receipt */
    mock_reset_calls(&m);
    m.receipt_nulls = 0;
    params_for_flow(&p);
    ok = mav2_send(rpc, rpc, &p, &r);
    q = call_params(&m, "eth_getUserOperationReceipt", 0);
    tap_ok(ok && r.resumed && r.outcome == MAV2_SEND_INCLUDED && signer.calls == 0 &&
               memcmp(r.user_op_hash, theirs, 32) == 0 && q != NULL &&
               strcasecmp(json_object_get_string(json_object_array_get_idx(q, 0)), theirs_hex) ==
                   0 &&
               journal_has(&p, NULL) == 0,
           "other hash: resumed under the bundler's hash, included (%s)", r.message);
    mav2_send_result_clear(&r);

    /* a fresh op included at once: success, the message reports the difference */
    mock_reset_calls(&m);
    m.receipt_nulls = 0;
    params_for_flow(&p);
    ok = mav2_send(rpc, rpc, &p, &r);
    tap_ok(ok && r.success && r.outcome == MAV2_SEND_INCLUDED && !r.resumed &&
               memcmp(r.user_op_hash, theirs, 32) == 0 && strstr(r.message, theirs_hex) &&
               strstr(r.message, ours_hex) && journal_has(&p, NULL) == 0,
           "other hash: included, reported: %s", r.message);
    mav2_send_result_clear(&r);
    mav2_rpc_free(rpc);
    th_stop(s);
    mock_free(&m);
}

/* A large poll factor without a maximum: the delay stops growing (no overflow). */
static void test_poll_factor_clamped(void)
{
    mock m;
    th_server *s;
    mav2_rpc *rpc;
    mav2_send_result r;
    mav2_send_params p;
    uint8_t h[32];
    int ok;
    mock_init(&m, flow);
    s = th_start(mock_handler, &m);
    rpc = client(s);
    memset(h, 0x42, 32);
    /* the receipt comes on the second poll, after the delay was grown once: the
     * timeout is only a safety net, however slow the machine */
    m.receipt_nulls = 1;
    params_for_flow(&p);
    p.poll_initial_ms = 10; /* 10 x LONG_MAX / 2 overflowed */
    p.poll_factor_x1000 = LONG_MAX / 2;
    p.poll_max_ms = 0;
    p.wait_timeout_ms = 60000;
    ok = mav2_wait_receipt(rpc, h, &p, &r);
    tap_ok(ok && r.outcome == MAV2_SEND_INCLUDED && r.http_requests == 2,
           "poll factor LONG_MAX / 2, no maximum: the delay grows without overflow, the next "
           "poll comes (%s)",
           r.message);
    mav2_send_result_clear(&r);
    mav2_rpc_free(rpc);
    th_stop(s);
    mock_free(&m);
}

int main(void)
{
    json_object *v = sm_setup(0);

    test_receipt_of_another_op();

    test_logged_flow();
    test_generic_fees();
    test_two_urls();
    test_send_urls();
    test_failures();
    test_max_cost();
    test_journal_flow();
    test_busy_lane();
    test_replaced_got_in();
    test_wait_receipt();
    test_bundler_hash_differs();
    test_poll_factor_clamped();

    sm_cleanup(v);
    return tap_done();
}
