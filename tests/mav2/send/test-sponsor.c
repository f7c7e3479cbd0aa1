/* SPDX-License-Identifier: Apache-2.0 */
/* test-sponsor.c: the send flow beyond the basic path, on the mock of sendmock.h:
 * Alchemy Gas Manager (the logged sponsored flow of fees_and_rpc_flow.json: same
 * requests, op, hash and signature), ERC-7677 paymaster services, the verification gas
 * margin, replace_after_ms, mav2_send_many and the lane lock between processes. */
#include "sendmock.h"

#include "mav2/core/account.h"
#include "mav2/core/error.h"
#include "mav2/core/userop.h"
#include "tap.h"
#include "vectors.h"

#include "common/hex.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <signal.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

static json_object *vectors;

static const char *op_field(json_object *op, const char *k)
{
    json_object *v = NULL;
    if (op == NULL || !json_object_object_get_ex(op, k, &v))
        return "";
    return json_object_get_string(v);
}

/* op (params[0]) of the nth call of method */
static json_object *call_op(const mock *m, const char *method, int nth)
{
    return json_object_array_get_idx(call_params(m, method, nth), 0);
}

/* The logged Gas Manager flow: one alchemy_requestGasAndPaymasterAndData instead of
 * fee hints + estimate, same requests as logged, same op, hash and signature. */
static void test_gas_manager_logged(void)
{
    json_object *fl = vec_at(vec_get(vectors, "flows"), 1), *log = vec_get(fl, "rpcLog");
    json_object *saved = flow;
    mock m;
    th_server *s;
    mav2_rpc *rpc;
    mav2_send_params p;
    mav2_send_result r;
    uint8_t want[32];
    int ok;

    flow = fl;
    mock_init(&m, fl);
    m.receipt_nulls = 1;
    s = th_start(mock_handler, &m);
    rpc = client(s);
    params_for_flow(&p);
    p.gas_policy_id = vec_str(fl, "policyId");
    ok = mav2_send(rpc, rpc, &p, &r);
    tap_ok(ok && r.outcome == MAV2_SEND_INCLUDED, "gas manager: included (%s)", r.message);
    vec_hex_exact(fl, "userOpHash_recomputed", want, 32);
    tap_mem_eq(r.user_op_hash, want, 32, "gas manager: userOpHash as logged");
    tap_ok(jeq(call_params(&m, "alchemy_requestGasAndPaymasterAndData", 0),
               vec_get(logged(log, "alchemy_requestGasAndPaymasterAndData", 0), "params")),
           "gas manager: alchemy_requestGasAndPaymasterAndData params as logged (policyId, "
           "entryPoint, slim op, dummySignature, multiplier overrides)");
    tap_ok(jeq(call_params(&m, "eth_sendUserOperation", 0),
               vec_get(logged(log, "eth_sendUserOperation", 0), "params")),
           "gas manager: eth_sendUserOperation params as logged (paymaster fields, signature)");
    tap_ok(jeq(call_params(&m, "eth_getCode", 0), vec_get(logged(log, "eth_getCode", 0), "params")),
           "gas manager: eth_getCode as logged");
    tap_ok(jeq(call_params(&m, "eth_call", 0), vec_get(logged(log, "eth_call", 1), "params")),
           "gas manager: EntryPoint.getNonce call as logged");
    tap_ok(jeq(call_params(&m, "eth_getUserOperationReceipt", 1),
               vec_get(logged(log, "eth_getUserOperationReceipt", 1), "params")),
           "gas manager: receipt polls as logged");
    tap_ok(count_calls(&m, "eth_estimateUserOperationGas") == 0 &&
               count_calls(&m, "eth_getBlockByNumber") == 0 &&
               count_calls(&m, "rundler_maxPriorityFeePerGas") == 0 &&
               count_eth_calls(&m, "0x70a08231") == 0,
           "gas manager: no estimate, no fee hints, no deposit check");
    tap_ok(th_requests(s) == 5 && r.http_requests == 5,
           "gas manager: 5 HTTP round trips (batch, gas manager, send, 2 polls): %lu",
           r.http_requests);
    tap_ok(jeq_text(r.user_op,
                    json_object_array_get_idx(vec_get(fl, "eth_sendUserOperation_params"), 0)),
           "gas manager: result op = the logged op");
    tap_ok(journal_has(&p, NULL) == 0, "gas manager: journal cleared");
    mav2_send_result_clear(&r);

    /* the Gas Manager refuses: rejected, nothing signed */
    mock_reset_calls(&m);
    m.pm_error = "{\"code\":-32600,\"message\":\"policy not found\"}";
    params_for_flow(&p);
    p.gas_policy_id = "nope";
    ok = mav2_send(rpc, rpc, &p, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_REJECTED && signer.calls == 0 &&
               strstr(r.message, "alchemy_requestGasAndPaymasterAndData") != NULL,
           "gas manager refuses: rejected, not signed: %s", r.message);
    mav2_send_result_clear(&r);
    p.paymaster_url = "http://127.0.0.1:1/";
    ok = mav2_send(rpc, rpc, &p, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_INVALID && strstr(r.message, "exclude"),
           "paymaster URL and gas policy together: invalid: %s", r.message);
    mav2_send_result_clear(&r);
    mav2_rpc_free(rpc);
    th_stop(s);
    mock_free(&m);
    flow = saved;
}

/* ERC-7677: stub data before the estimate, final data after it, on its own URL. */
static void test_erc7677(void)
{
    mock m, pm;
    th_server *s, *sp;
    mav2_rpc *rpc;
    mav2_send_params p;
    mav2_send_result r;
    json_object *stub, *fin, *est, *sent, *ctx;
    int ok;

    mock_init(&m, flow);
    mock_init(&pm, flow);
    s = th_start(mock_handler, &m);
    sp = th_start(mock_handler, &pm);
    rpc = client(s);
    params_for_flow(&p);
    p.paymaster_url = th_url(sp);
    p.paymaster_context = "{\"policyId\":\"abc\"}";
    ok = mav2_send(rpc, rpc, &p, &r);
    tap_ok(ok && r.outcome == MAV2_SEND_INCLUDED, "erc-7677: included (%s)", r.message);
    stub = call_params(&pm, "pm_getPaymasterStubData", 0);
    fin = call_params(&pm, "pm_getPaymasterData", 0);
    tap_ok(stub != NULL && fin != NULL && json_object_array_length(stub) == 4 &&
               strcasecmp(json_object_get_string(json_object_array_get_idx(stub, 1)),
                          "0x0000000071727De22E5E9d8BAf0edAc6f37da032") == 0 &&
               strcmp(json_object_get_string(json_object_array_get_idx(stub, 2)), "0xaa36a7") == 0,
           "erc-7677: stub then final data, params [op, entryPoint, chainId hex, context]");
    ctx = json_tokener_parse(p.paymaster_context);
    tap_ok(jeq(json_object_array_get_idx(stub, 3), ctx) &&
               jeq(json_object_array_get_idx(fin, 3), ctx),
           "erc-7677: the context object passed to both calls");
    json_object_put(ctx);
    tap_ok(strcmp(op_field(json_object_array_get_idx(stub, 0), "callGasLimit"), "") == 0 &&
               strcmp(op_field(json_object_array_get_idx(fin, 0), "callGasLimit"), "0x5208") == 0,
           "erc-7677: stub call without gas limits, final call with the estimated ones");
    est = call_op(&m, "eth_estimateUserOperationGas", 0);
    tap_ok(strcmp(op_field(est, "paymasterData"), "0x00aa") == 0 &&
               strcmp(op_field(est, "paymasterVerificationGasLimit"), "0x11170") == 0,
           "erc-7677: estimated with the stub paymaster fields");
    sent = call_op(&m, "eth_sendUserOperation", 0);
    tap_ok(strcasecmp(op_field(sent, "paymaster"), "0x2cc0c7981D846b9F2a16276556f6e8cb52BfB633") ==
                   0 &&
               strcmp(op_field(sent, "paymasterData"), "0x01bb") == 0 &&
               strcmp(op_field(sent, "paymasterVerificationGasLimit"), "0x11170") == 0 &&
               strcmp(op_field(sent, "verificationGasLimit"), "0x1c4b0") == 0,
           "erc-7677: sent with the final paymaster data, stub limits, no verification margin");
    tap_ok(count_eth_calls(&m, "0x70a08231") == 0,
           "erc-7677: no deposit check (the paymaster pays)");
    tap_ok(th_requests(s) == 4 && th_requests(sp) == 2 && r.http_requests == 6,
           "erc-7677: 6 HTTP round trips (batch, stub, estimate, final, send, poll): %lu",
           r.http_requests);
    mav2_send_result_clear(&r);

    /* isFinal stub: no pm_getPaymasterData */
    mock_reset_calls(&m);
    mock_reset_calls(&pm);
    pm.pm_final = 1;
    params_for_flow(&p);
    p.paymaster_url = th_url(sp);
    ok = mav2_send(rpc, rpc, &p, &r);
    tap_ok(ok && count_calls(&pm, "pm_getPaymasterData") == 0 &&
               strcmp(op_field(call_op(&m, "eth_sendUserOperation", 0), "paymasterData"),
                      "0x00aa") == 0,
           "erc-7677: final stub data is sent as is, no second call");
    mav2_send_result_clear(&r);

    /* the service refuses; a bad context */
    mock_reset_calls(&pm);
    pm.pm_error = "{\"code\":-32000,\"message\":\"not sponsored\"}";
    ok = mav2_send(rpc, rpc, &p, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_REJECTED && strstr(r.message, "pm_getPaymasterStubData") &&
               strstr(r.message, "not sponsored"),
           "erc-7677 refuses: rejected: %s", r.message);
    mav2_send_result_clear(&r);
    p.paymaster_context = "[1]";
    ok = mav2_send(rpc, rpc, &p, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_INVALID && strstr(r.message, "context"),
           "erc-7677: context not an object: %s", r.message);
    mav2_send_result_clear(&r);
    mav2_rpc_free(rpc);
    th_stop(s);
    th_stop(sp);
    mock_free(&m);
    mock_free(&pm);
}

/* The verification gas margin: only when the account's deposit is short. */
static void test_margin(void)
{
    mock m;
    th_server *s;
    mav2_rpc *rpc;
    mav2_send_params p;
    mav2_send_result r;
    int ok;

    mock_init(&m, flow);
    m.deposit = "0x0";
    s = th_start(mock_handler, &m);
    rpc = client(s);
    params_for_flow(&p);
    ok = mav2_send(rpc, rpc, &p, &r);
    /* 0x1c4b0 + 40000 = 115888 + 40000 = 155888 = 0x260f0 */
    tap_ok(ok && strcmp(op_field(call_op(&m, "eth_sendUserOperation", 0), "verificationGasLimit"),
                        "0x260f0") == 0,
           "margin: no deposit: verificationGasLimit + 40000");
    mav2_send_result_clear(&r);
    mock_reset_calls(&m);
    p.verification_gas_extra = 0;
    ok = mav2_send(rpc, rpc, &p, &r);
    tap_ok(ok &&
               strcmp(op_field(call_op(&m, "eth_sendUserOperation", 0), "verificationGasLimit"),
                      "0x1c4b0") == 0 &&
               count_eth_calls(&m, "0x70a08231") == 0,
           "margin off: the estimate as is, no deposit asked");
    mav2_send_result_clear(&r);
    mav2_rpc_free(rpc);
    th_stop(s);
    mock_free(&m);
}

/* replace_after_ms: the first op never gets a receipt, the replacement does. */
static void test_replace_after(void)
{
    mock m;
    th_server *s;
    mav2_rpc *rpc;
    mav2_send_params p;
    mav2_send_result r;
    json_object *a, *b;
    uint8_t h2[32];
    int ok;

    mock_init(&m, flow);
    m.receipt_for_nth = 2;
    s = th_start(mock_handler, &m);
    rpc = client(s);
    params_for_flow(&p);
    p.replace_after_ms = 60;
    ok = mav2_send(rpc, rpc, &p, &r);
    a = call_op(&m, "eth_sendUserOperation", 0);
    b = call_op(&m, "eth_sendUserOperation", 1);
    tap_ok(ok && r.outcome == MAV2_SEND_INCLUDED && r.replaced,
           "replace-after: the replacement is included (%s)", r.message);
    tap_ok(count_calls(&m, "eth_sendUserOperation") == 2 && signer.calls == 2 &&
               strcmp(op_field(a, "nonce"), op_field(b, "nonce")) == 0,
           "replace-after: two ops sent on the same nonce, signed twice");
    /* fresh fees equal the old ones here: ceil(1.1 x old) */
    tap_ok(strcmp(op_field(a, "maxFeePerGas"), "0x112ed2a20") == 0 &&
               strcmp(op_field(b, "maxFeePerGas"), "0x12e6b47f0") == 0 &&
               strcmp(op_field(b, "maxPriorityFeePerGas"), "0x6743da20") == 0,
           "replace-after: fees raised to 1.1 x old (%s, %s)", op_field(b, "maxFeePerGas"),
           op_field(b, "maxPriorityFeePerGas"));
    mh_hex_decode_exact(json_object_get_string(json_object_array_get_idx(m.sent_hashes, 1)), h2, 32,
                        NULL);
    tap_mem_eq(r.user_op_hash, h2, 32, "replace-after: result = the replacement's hash");
    tap_ok(journal_has(&p, NULL) == 0, "replace-after: journal cleared");
    mav2_send_result_clear(&r);

    /* the first op gets in late: found once the replacement's wait ends */
    mock_reset_calls(&m);
    m.receipt_for_nth = 1;
    m.receipt_min_sends = 2;
    params_for_flow(&p);
    p.replace_after_ms = 30;
    p.wait_timeout_ms = 120;
    ok = mav2_send(rpc, rpc, &p, &r);
    mh_hex_decode_exact(json_object_get_string(json_object_array_get_idx(m.sent_hashes, 0)), h2, 32,
                        NULL);
    tap_ok(ok && r.outcome == MAV2_SEND_INCLUDED && count_calls(&m, "eth_sendUserOperation") == 2 &&
               memcmp(r.user_op_hash, h2, 32) == 0 && journal_has(&p, NULL) == 0,
           "replace-after: the first op included after all: reported, journal cleared (%s)",
           r.message);
    mav2_send_result_clear(&r);
    mav2_rpc_free(rpc);
    th_stop(s);
    mock_free(&m);
}

/* A refused replacement (AA25 at send) leaves the old op journaled: it is still live. */
static void test_replacement_refused(void)
{
    mock m;
    th_server *s;
    mav2_rpc *rpc;
    mav2_send_params p;
    mav2_send_result r;
    mav2_journal_entry e;
    uint8_t h0[32];
    int ok;

    mock_init(&m, flow);
    m.receipt_nulls = -1;
    s = th_start(mock_handler, &m);
    rpc = client(s);
    params_for_flow(&p);
    p.wait_timeout_ms = 0;
    ok = mav2_send(rpc, rpc, &p, &r);
    tap_ok(!ok && r.have_hash, "the op to replace was sent, not included (%s)", r.message);
    memcpy(h0, r.user_op_hash, 32);
    mav2_send_result_clear(&r);
    memset(&e, 0, sizeof(e));
    m.send_error = "{\"code\":-32602,\"message\":\"replacement underpriced\"}";
    ok = mav2_send_replace(rpc, rpc, &p, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_REJECTED && strstr(r.message, "underpriced"),
           "refused replacement: rejected (%s)", r.message);
    tap_ok(journal_has(&p, &e) == 1 && memcmp(e.user_op_hash, h0, 32) == 0,
           "refused replacement: the old op journaled again");
    mav2_journal_entry_clear(&e);
    mav2_send_result_clear(&r);
    m.send_error = "{\"code\":-32500,\"message\":\"AA25 invalid account nonce: Another "
                   "UserOperation with same sender and nonce is already being processed\"}";
    ok = mav2_send_replace(rpc, rpc, &p, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_TIMEOUT && r.resumed && !r.replaced &&
               memcmp(r.user_op_hash, h0, 32) == 0,
           "AA25 on the replacement (old op being bundled): the old op awaited (%s)", r.message);
    tap_ok(journal_has(&p, &e) == 1 && memcmp(e.user_op_hash, h0, 32) == 0,
           "AA25 on the replacement: the old op still journaled");
    mav2_journal_entry_clear(&e);
    mav2_send_result_clear(&r);
    /* the old op went in meanwhile (nonce moved): reported, nothing journaled */
    m.nonce = "0x0000000000000000000000000000000000000000000001010000000000000004";
    m.receipt_nulls = 0;
    ok = mav2_send_replace(rpc, rpc, &p, &r);
    tap_ok(ok && r.resumed && memcmp(r.user_op_hash, h0, 32) == 0 && journal_has(&p, NULL) == 0,
           "replace after the old op went in: its receipt reported (%s)", r.message);
    mav2_send_result_clear(&r);
    mav2_rpc_free(rpc);
    th_stop(s);
    mock_free(&m);
}

/* mav2_send_many: 3 lanes at once; the same lane twice is refused. */
static void test_send_many(void)
{
    mock m;
    th_server *s;
    mav2_send_params ps[3];
    mav2_send_result rs[3];
    mav2_rpc_options o;
    int ok, distinct;

    mock_init(&m, flow);
    m.conn_close = 1;
    s = th_start(mock_handler, &m);
    mav2_rpc_options_init(&o);
    for (int i = 0; i < 3; i++) {
        params_for_flow(&ps[i]);
        ps[i].progress = NULL;
        mav2_u256_from_u64(&ps[i].lane, (uint64_t)i + 1);
    }
    ok = mav2_send_many(th_url(s), NULL, &o, ps, rs, 3);
    tap_ok(ok && rs[0].success && rs[1].success && rs[2].success &&
               count_calls(&m, "eth_sendUserOperation") == 3,
           "send_many: 3 lanes, 3 ops sent and included (%s)", ok ? "" : mav2_last_error());
    distinct = mav2_u256_cmp(&rs[0].nonce, &rs[1].nonce) != 0 &&
               mav2_u256_cmp(&rs[1].nonce, &rs[2].nonce) != 0 &&
               mav2_u256_cmp(&rs[0].nonce, &rs[2].nonce) != 0;
    tap_ok(distinct, "send_many: each op on its own nonce key");
    for (int i = 0; i < 3; i++)
        mav2_send_result_clear(&rs[i]);
    mock_reset_calls(&m);
    ps[2].lane = ps[0].lane;
    ok = mav2_send_many(th_url(s), NULL, &o, ps, rs, 3);
    tap_ok(!ok && rs[1].outcome == MAV2_SEND_INVALID && strstr(rs[1].message, "same nonce lane") &&
               count_calls(&m, "eth_sendUserOperation") == 0,
           "send_many: two ops on one lane: nothing sent: %s", rs[1].message);
    for (int i = 0; i < 3; i++)
        mav2_send_result_clear(&rs[i]);
    th_stop(s);
    mock_free(&m);
}

/* Two processes send on the flow's lane at once through a mock m serves (other_calls:
 * each with its own call data, else the same). They are forked before the mock's
 * server thread starts (a fork beside a running thread may inherit a held allocator
 * lock) and get its URL through a pipe. Returns the sum of their exit codes: with the
 * same calls 1 for a sender timing out, 2 for one resuming; with other calls 0 for a
 * sender whose own op was included; 9 for anything else. */
static int two_senders(mock *m, int other_calls)
{
    char url[128];
    int fds[2], sum = 0;
    pid_t kids[2];
    th_server *s;
    if (pipe(fds) != 0)
        tap_bail("pipe");
    for (int i = 0; i < 2; i++) {
        kids[i] = fork();
        if (kids[i] == 0) {
            mav2_send_params p;
            mav2_send_result r;
            uint8_t cd[sizeof(call_data)];
            int st, ok;
            close(fds[1]);
            if (read(fds[0], url, sizeof(url)) != (ssize_t)sizeof(url))
                _exit(9);
            memcpy(cd, call_data, call_data_len);
            cd[call_data_len - 1] ^= (uint8_t)(other_calls ? i + 1 : 0);
            params_for_flow(&p);
            p.call_data = cd;
            p.progress = NULL;
            if (!other_calls)
                p.wait_timeout_ms = 100;
            ok = mav2_send_urls(url, NULL, NULL, &p, &r);
            if (other_calls)
                st = ok && r.outcome == MAV2_SEND_INCLUDED && r.success && !r.resumed ? 0 : 9;
            else
                st = !ok && r.outcome == MAV2_SEND_TIMEOUT ? (r.resumed ? 2 : 1) : 9;
            mav2_send_result_clear(&r);
            _exit(st);
        }
    }
    close(fds[0]);
    s = th_start(mock_handler, m);
    memset(url, 0, sizeof(url));
    snprintf(url, sizeof(url), "%s", th_url(s));
    for (int i = 0; i < 2; i++)
        if (write(fds[1], url, sizeof(url)) != (ssize_t)sizeof(url))
            tap_bail("pipe write");
    close(fds[1]);
    for (int i = 0; i < 2; i++) {
        int w;
        if (kids[i] < 0 || waitpid(kids[i], &w, 0) != kids[i] || !WIFEXITED(w))
            sum += 9;
        else
            sum += WEXITSTATUS(w);
    }
    th_stop(s);
    return sum;
}

static void clear_lane(const mav2_send_params *p)
{
    mav2_u256 k;
    mav2_nonce_key(&k, &p->lane, p->entity_id, p->nonce_options);
    mav2_journal_remove(state_dir, CHAIN_ID, p->account, &k);
}

/* The lane lock between processes: held by one, the other waits; two processes sending
 * the same calls on one lane at once make one op (the second resumes it); other calls
 * make two (the second waits for the first). */
static void test_lane_lock(void)
{
    mock m;
    mav2_send_params p;
    mav2_u256 key;
    char path[512], acct[41], keyhex[MAV2_U256_HEX_MAX];
    int fds[2], fd, child_fd, st, held;
    pid_t pid;
    char c;

    params_for_flow(&p);
    mav2_nonce_key(&key, &p.lane, p.entity_id, p.nonce_options);
    mh_hex_encode(p.account, 20, acct, sizeof(acct), 0);
    mav2_u256_to_hex(&key, keyhex);
    snprintf(path, sizeof(path), "%s/.lock-%s-%s", state_dir, acct, keyhex + 2);
    if (pipe(fds) != 0)
        tap_bail("pipe");
    pid = fork();
    if (pid == 0) {
        close(fds[0]);
        if (!mav2_journal_lock(state_dir, p.account, &key, &child_fd))
            _exit(1);
        if (write(fds[1], "l", 1) != 1)
            _exit(1);
        pause(); /* keep the lock until killed */
        _exit(0);
    }
    close(fds[1]);
    held = read(fds[0], &c, 1) == 1;
    fd = open(path, O_RDWR);
    tap_ok(held && fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK,
           "lane lock: held by another process, the lane cannot be locked");
    kill(pid, SIGTERM);
    waitpid(pid, &st, 0);
    tap_ok(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0, "lane lock: free once that process ended");
    if (fd >= 0)
        close(fd);
    close(fds[0]);

    /* two processes, one lane, at once: one op signed and sent */
    mock_init(&m, flow);
    m.conn_close = 1;
    m.receipt_nulls = -1;
    st = two_senders(&m, 0);
    tap_ok(st == 3 && count_calls(&m, "eth_sendUserOperation") == 1,
           "lane lock: two processes at once: one op sent, the other resumed it (%d)", st);
    mock_free(&m);
    params_for_flow(&p);
    clear_lane(&p);

    /* two processes, one lane, other calls each: neither takes the other's op for its
     * own; both ops are made, one nonce each, and both get in */
    mock_init(&m, flow);
    m.conn_close = 1;
    m.nonce_follows = 1;
    st = two_senders(&m, 1);
    {
        json_object *a = json_object_array_get_idx(call_params(&m, "eth_sendUserOperation", 0), 0);
        json_object *b = json_object_array_get_idx(call_params(&m, "eth_sendUserOperation", 1), 0);
        json_object *na = NULL, *nb = NULL;
        tap_ok(st == 0 && count_calls(&m, "eth_sendUserOperation") == 2 &&
                   json_object_array_length(m.included) == 2 && a != NULL && b != NULL &&
                   json_object_object_get_ex(a, "nonce", &na) &&
                   json_object_object_get_ex(b, "nonce", &nb) &&
                   strcmp(json_object_get_string(na), "0x1010000000000000003") == 0 &&
                   strcmp(json_object_get_string(nb), "0x1010000000000000004") == 0,
               "lane lock: two processes at once, other calls: two ops (nonces 3, 4), both "
               "included, each process succeeding with its own (%d)",
               st);
    }
    mock_free(&m);
    clear_lane(&p);
}

int main(void)
{
    vectors = sm_setup(0);
    test_gas_manager_logged();
    test_erc7677();
    test_margin();
    test_replace_after();
    test_replacement_refused();
    test_send_many();
    test_lane_lock();
    sm_cleanup(vectors);
    return tap_done();
}
