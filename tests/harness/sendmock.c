/* SPDX-License-Identifier: Apache-2.0 */
/* sendmock.c: the mock node + bundler + paymaster of the send-flow tests (sendmock.h). */
#include "sendmock.h"

#include "mav2/core/account.h"
#include "mav2/core/error.h"
#include "mav2/core/userop.h"
#include "tap.h"
#include "vectors.h"

#include "common/hex.h"
#include "common/keccak.h"

#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* ---- the mock node + bundler ------------------------------------------------------- */

json_object *logged(json_object *log, const char *method, int nth)
{
    for (size_t i = 0; i < json_object_array_length(log); i++) {
        json_object *e = json_object_array_get_idx(log, i);
        if (strcmp(vec_str(e, "method"), method) == 0 && nth-- == 0)
            return e;
    }
    tap_bail("method missing from the logged flow");
}

json_object *err_obj(const char *json)
{
    json_object *e = json_tokener_parse(json);
    if (e == NULL)
        tap_bail("bad error JSON in the test");
    return e;
}

/* ERC-7677 answers: the sponsored flow's paymaster; stub data 0x00.., final data 0x01.. */
static json_object *pm_answer(mock *m, const char *method)
{
    json_object *o = json_object_new_object();
    int stub = strcmp(method, "pm_getPaymasterStubData") == 0;
    json_object_object_add(o, "paymaster",
                           json_object_new_string("0x2cc0c7981D846b9F2a16276556f6e8cb52BfB633"));
    json_object_object_add(o, "paymasterData", json_object_new_string(stub ? "0x00aa" : "0x01bb"));
    if (stub) {
        json_object_object_add(o, "paymasterVerificationGasLimit",
                               json_object_new_string(m->pm_vgl ? m->pm_vgl : "0x11170"));
        json_object_object_add(o, "paymasterPostOpGasLimit", json_object_new_string("0x0"));
        if (m->pm_final)
            json_object_object_add(o, "isFinal", json_object_new_boolean(1));
    }
    return o;
}

static int has_hash(json_object *list, const char *hex)
{
    for (size_t i = 0; i < json_object_array_length(list); i++)
        if (strcasecmp(json_object_get_string(json_object_array_get_idx(list, i)), hex) == 0)
            return 1;
    return 0;
}

/* op's nonce sequence is below the chain's (nonce_follows, nonce_used) */
static int stale_nonce(const mock *m, json_object *op)
{
    json_object *n = NULL;
    mav2_u256 nonce;
    uint64_t seq;
    if (!json_object_object_get_ex(op, "nonce", &n) ||
        !mav2_u256_from_hex(&nonce, json_object_get_string(n)))
        return 1;
    mav2_nonce_split(&nonce, NULL, &seq);
    return seq < 3 + json_object_array_length(m->included) + (size_t)m->nonce_used;
}

json_object *answer(mock *m, json_object *q)
{
    json_object *id = NULL, *mo = NULL, *params = NULL, *a = json_object_new_object(), *res = NULL,
                *err = NULL, *rec;
    const char *method;
    json_object_object_get_ex(q, "id", &id);
    json_object_object_get_ex(q, "method", &mo);
    json_object_object_get_ex(q, "params", &params);
    method = json_object_get_string(mo);
    rec = json_object_new_object();
    json_object_object_add(rec, "method", json_object_new_string(method));
    json_object_object_add(rec, "params", json_object_get(params));
    json_object_array_add(m->calls, rec);

    if (strcmp(method, "eth_chainId") == 0) {
        if (m->chain_error)
            err = err_obj("{\"code\":-32601,\"message\":\"Method not found\"}");
        else
            res = json_object_new_string(m->chain_id ? m->chain_id : "0xaa36a7");
    } else if (strcmp(method, "eth_getCode") == 0) {
        res = m->code ? json_object_new_string(m->code)
                      : json_object_get(vec_get(logged(m->log, method, 0), "result"));
    } else if (strcmp(method, "eth_call") == 0) {
        json_object *call = json_object_array_get_idx(params, 0), *data = NULL;
        json_object_object_get_ex(call, "data", &data);
        const char *d = json_object_get_string(data);
        if (strncmp(d, "0x35567e1a", 10) == 0 && m->nonce_after_send &&
            count_calls(m, "eth_sendUserOperation") > 0) {
            res = json_object_new_string(m->nonce_after_send);
        } else if (strncmp(d, "0x35567e1a", 10) == 0 && m->nonce) {
            res = json_object_new_string(m->nonce);
        } else if (strncmp(d, "0x35567e1a", 10) == 0 && strlen(d) == 138) {
            char nq[80]; /* key192 << 64 | 3, as the logged answer for key 0x101 */
            size_t seq = 3 + (m->nonce_follows
                                  ? json_object_array_length(m->included) + (size_t)m->nonce_used
                                  : 0);
            snprintf(nq, sizeof(nq), "0x%.48s%016zx", d + 10 + 64 + 16, seq);
            res = json_object_new_string(nq);
        } else if (strncmp(d, "0xd31b575b", 10) == 0) { /* getValidationData */
            res = json_object_new_string(m->validation ? m->validation : MOCK_VALIDATION_GLOBAL);
        } else if (strncmp(d, "0x0a80192f", 10) == 0) { /* checkAllowlistCalldata */
            const char *e = m->allowlist ? m->allowlist(m, d) : NULL;
            if (e != NULL)
                err = err_obj(e);
            else
                res = json_object_new_string("0x");
        } else if (strncmp(json_object_get_string(data), "0x70a08231", 10) == 0) /* balanceOf */
            res = json_object_new_string(m->deposit ? m->deposit
                                                    : "0x100000000000000000000000000000000");
        else
            res = json_object_get(vec_get(logged(m->log, method, 1), "result"));
    } else if (strcmp(method, "eth_getBlockByNumber") == 0) {
        res = json_object_get(vec_get(logged(m->log, method, 0), "result"));
    } else if (strcmp(method, "eth_estimateUserOperationGas") == 0) {
        if (m->estimate_error)
            err = err_obj(m->estimate_error);
        else if (m->nonce_used > 0 && stale_nonce(m, json_object_array_get_idx(params, 0)))
            err = err_obj("{\"code\":-32500,\"message\":\"AA25 invalid account nonce\"}");
        else if (m->estimate_call_gas || m->estimate_vgl || m->estimate_pvg) { /* inflated */
            res = NULL;
            json_object_deep_copy(vec_get(logged(m->log, method, 0), "result"), &res, NULL);
            if (m->estimate_call_gas)
                json_object_object_add(res, "callGasLimit",
                                       json_object_new_string(m->estimate_call_gas));
            if (m->estimate_vgl)
                json_object_object_add(res, "verificationGasLimit",
                                       json_object_new_string(m->estimate_vgl));
            if (m->estimate_pvg)
                json_object_object_add(res, "preVerificationGas",
                                       json_object_new_string(m->estimate_pvg));
        } else
            res = json_object_get(vec_get(logged(m->log, method, 0), "result"));
    } else if (strcmp(method, "rundler_maxPriorityFeePerGas") == 0) {
        if (m->rundler && m->rundler_hint)
            res = json_object_new_string(m->rundler_hint);
        else if (m->rundler)
            res = json_object_get(vec_get(logged(m->log, method, 0), "result"));
        else
            err = err_obj("{\"code\":-32601,\"message\":\"Method not found\"}");
    } else if (strcmp(method, "eth_maxPriorityFeePerGas") == 0) {
        res = json_object_new_string("0x3b9aca00");
    } else if (strcmp(method, "eth_sendUserOperation") == 0) {
        mav2_userop op;
        uint8_t h[32];
        char hex[67];
        mav2_userop_init(&op);
        if (m->drop_send || m->send_garbage) {
            if (m->drop_known && mav2_userop_from_json(&op, json_object_array_get_idx(params, 0)) &&
                mav2_userop_hash(&op, mav2_entry_point_v07, CHAIN_ID, h)) {
                mh_hex_encode(h, 32, hex, sizeof(hex), 1);
                json_object_array_add(m->known, json_object_new_string(hex));
            }
            mav2_userop_clear(&op);
            if (m->drop_send) {
                json_object_put(a);
                return NULL;
            }
            res = json_object_new_string("0xnot-a-hash");
        } else if (m->send_error) {
            err = err_obj(m->send_error);
        } else if (mav2_userop_from_json(&op, json_object_array_get_idx(params, 0)) &&
                   mav2_userop_hash(&op, mav2_entry_point_v07, CHAIN_ID, h)) {
            mh_hex_encode(h, 32, hex, sizeof(hex), 1); /* the real v0.7 hash, as a bundler */
            if (m->send_hash != NULL)
                snprintf(hex, sizeof(hex), "%s", m->send_hash);
            res = json_object_new_string(hex);
            json_object_array_add(m->sent_hashes, json_object_new_string(hex));
            json_object_array_add(m->known, json_object_new_string(hex));
            m->send_nth++;
        } else {
            err = err_obj("{\"code\":-32602,\"message\":\"invalid user op\"}");
        }
        mav2_userop_clear(&op);
    } else if (strcmp(method, "pm_getPaymasterStubData") == 0 ||
               strcmp(method, "pm_getPaymasterData") == 0 ||
               strcmp(method, "alchemy_requestGasAndPaymasterAndData") == 0) {
        if (m->pm_error)
            err = err_obj(m->pm_error);
        else if (method[0] == 'a')
            res = json_object_get(vec_get(logged(m->log, method, 0), "result"));
        else
            res = pm_answer(m, method);
    } else if (strcmp(method, "eth_getUserOperationReceipt") == 0) {
        int enough = m->send_nth >= m->receipt_for_nth && m->send_nth >= m->receipt_min_sends;
        const char *want = m->receipt_for_nth > 0 && enough
                               ? json_object_get_string(json_object_array_get_idx(
                                     m->sent_hashes, (size_t)m->receipt_for_nth - 1))
                               : NULL;
        if (m->receipt_only != NULL &&
            strcasecmp(m->receipt_only,
                       json_object_get_string(json_object_array_get_idx(params, 0)))) {
            /* not the op that gets in */
        } else if (m->receipt_for_nth > 0 &&
                   (want == NULL ||
                    strcasecmp(
                        want, json_object_get_string(json_object_array_get_idx(params, 0))) != 0)) {
            /* not the op that gets in */
        } else if (m->receipt_nulls >= 0 && m->polls++ >= m->receipt_nulls) {
            json_object *h = json_object_array_get_idx(params, 0);
            res = json_object_get(vec_get(logged(m->log, method, 1), "result"));
            json_object_object_add(res, "userOpHash", json_object_get(h));
            if (!has_hash(m->included, json_object_get_string(h)))
                json_object_array_add(m->included, json_object_get(h));
        }
    } else if (strcmp(method, "eth_getUserOperationByHash") == 0) {
        json_object *h = json_object_array_get_idx(params, 0);
        if (has_hash(m->known, json_object_get_string(h))) {
            res = json_object_new_object();
            json_object_object_add(res, "userOperation", json_object_new_object());
            json_object_object_add(res, "transactionHash", NULL);
        }
    } else {
        err = err_obj("{\"code\":-32601,\"message\":\"Method not found\"}");
    }
    json_object_object_add(a, "jsonrpc", json_object_new_string("2.0"));
    json_object_object_add(a, "id", json_object_get(id));
    json_object_object_add(a, err ? "error" : "result", err ? err : res);
    return a;
}

void mock_handler(void *ctx, const char *body, th_reply *r)
{
    mock *m = ctx;
    json_object *req = json_tokener_parse(body), *out;
    if (json_object_is_type(req, json_type_array)) {
        out = json_object_new_array();
        for (size_t i = 0; i < json_object_array_length(req); i++)
            json_object_array_add(out, answer(m, json_object_array_get_idx(req, i)));
    } else {
        out = answer(m, req);
    }
    if (m->conn_close)
        snprintf(r->headers, sizeof(r->headers), "Connection: close\r\n");
    if (out == NULL)
        r->drop = 1;
    else
        r->body = strdup(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN));
    json_object_put(out);
    json_object_put(req);
}

void mock_init(mock *m, json_object *fl)
{
    memset(m, 0, sizeof(*m));
    m->log = vec_get(fl, "rpcLog");
    m->rundler = 1;
    m->calls = json_object_new_array();
    m->sent_hashes = json_object_new_array();
    m->known = json_object_new_array();
    m->included = json_object_new_array();
}

void mock_free(mock *m)
{
    json_object_put(m->calls);
    json_object_put(m->sent_hashes);
    json_object_put(m->known);
    json_object_put(m->included);
    m->calls = m->sent_hashes = m->known = m->included = NULL;
}

void mock_reset_calls(mock *m)
{
    json_object_put(m->calls);
    m->calls = json_object_new_array();
    m->polls = 0;
    json_object_put(m->sent_hashes);
    m->sent_hashes = json_object_new_array();
    m->send_nth = 0;
}

int count_calls(const mock *m, const char *method)
{
    int n = 0;
    for (size_t i = 0; i < json_object_array_length(m->calls); i++)
        n += strcmp(vec_str(json_object_array_get_idx(m->calls, i), "method"), method) == 0;
    return n;
}

int count_eth_calls(const mock *m, const char *data_prefix)
{
    int n = 0;
    for (size_t i = 0; i < json_object_array_length(m->calls); i++) {
        json_object *c = json_object_array_get_idx(m->calls, i), *p, *d = NULL;
        if (strcmp(vec_str(c, "method"), "eth_call") != 0)
            continue;
        p = json_object_array_get_idx(vec_get(c, "params"), 0);
        n += json_object_object_get_ex(p, "data", &d) &&
             strncmp(json_object_get_string(d), data_prefix, strlen(data_prefix)) == 0;
    }
    return n;
}

json_object *call_params(const mock *m, const char *method, int nth)
{
    for (size_t i = 0; i < json_object_array_length(m->calls); i++) {
        json_object *c = json_object_array_get_idx(m->calls, i);
        if (strcmp(vec_str(c, "method"), method) == 0 && nth-- == 0)
            return vec_get(c, "params");
    }
    return NULL;
}

int jeq_text(const char *a, json_object *b)
{
    json_object *o = a != NULL ? json_tokener_parse(a) : NULL;
    int eq = o != NULL && jeq(o, b);
    json_object_put(o);
    return eq;
}

int jeq(json_object *a, json_object *b)
{
    json_type t = json_object_get_type(a);
    if (t != json_object_get_type(b))
        return 0;
    switch (t) {
    case json_type_string:
        return strcasecmp(json_object_get_string(a), json_object_get_string(b)) == 0;
    case json_type_array:
        if (json_object_array_length(a) != json_object_array_length(b))
            return 0;
        for (size_t i = 0; i < json_object_array_length(a); i++)
            if (!jeq(json_object_array_get_idx(a, i), json_object_array_get_idx(b, i)))
                return 0;
        return 1;
    case json_type_object: {
        if (json_object_object_length(a) != json_object_object_length(b))
            return 0;
        json_object_object_foreach(a, k, v)
        {
            json_object *w;
            if (!json_object_object_get_ex(b, k, &w) || !jeq(v, w))
                return 0;
        }
        return 1;
    }
    default:
        return json_object_equal(a, b);
    }
}

/* ---- the signer callback: deterministic (RFC 6979) like the reference client ------- */

int sign_cb(void *ctx, const uint8_t hash[32], mav2_buf *out)
{
    test_signer *ts = ctx;
    secp256k1_context *sc = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    secp256k1_ecdsa_recoverable_signature rs;
    uint8_t digest[32], sig[MAV2_USEROP_SIG_LEN];
    int recid, ok;
    ts->calls++;
    if (ts->fail) {
        secp256k1_context_destroy(sc);
        return mav2_error_set("token not present");
    }
    mh_eip191_hash(hash, 32, digest);
    ok = secp256k1_ecdsa_sign_recoverable(sc, &rs, digest, ts->key, NULL, NULL);
    secp256k1_ecdsa_recoverable_signature_serialize_compact(sc, sig + 2, &recid, &rs);
    secp256k1_context_destroy(sc);
    sig[0] = 0xff;
    sig[1] = 0x00;
    sig[66] = (uint8_t)(27 + recid);
    return ok && mav2_buf_set(out, sig, sizeof(sig));
}

/* ---- fixtures --------------------------------------------------------------------- */

char state_dir[] = "/tmp/mav2-test-send-XXXXXX";
json_object *flow;
test_signer signer;
uint8_t call_data[512];
size_t call_data_len;
char stages[256];

void on_progress(void *ctx, mav2_send_stage st, const char *detail)
{
    static const char names[] = "PESTRWIB";
    size_t n = strlen(stages);
    (void)ctx;
    (void)detail;
    if (n + 1 < sizeof(stages)) {
        stages[n] = names[st];
        stages[n + 1] = '\0';
    }
}

mav2_rpc *client(const th_server *s)
{
    mav2_rpc_options o;
    mav2_rpc_options_init(&o);
    o.max_retries = 1;
    o.backoff_ms = 5;
    o.backoff_max_ms = 10;
    return mav2_rpc_new(s ? th_url(s) : "http://127.0.0.1:1/", &o);
}

void params_for_flow(mav2_send_params *p)
{
    mav2_send_params_init(p);
    p->fee_cap_base_mul = NULL; /* the logged reference client's fees have no cap */
    p->chain_id = CHAIN_ID;
    mh_hex_decode_exact(vec_str(flow, "account"), p->account, 20, NULL);
    p->entity_id = 1;
    p->call_data = call_data;
    p->call_data_len = call_data_len;
    p->sign = sign_cb;
    p->sign_ctx = &signer;
    p->poll_initial_ms = 5;
    p->poll_max_ms = 20;
    p->wait_timeout_ms = 5000;
    p->state_dir = state_dir;
    p->progress = on_progress;
    stages[0] = '\0';
    signer.calls = 0;
    signer.fail = 0;
}

int journal_has(const mav2_send_params *p, mav2_journal_entry *e)
{
    mav2_u256 key;
    int found = 0;
    mav2_journal_entry tmp;
    if (e == NULL)
        e = &tmp;
    mav2_nonce_key(&key, &p->lane, p->entity_id, p->nonce_options);
    if (!mav2_journal_get(state_dir, CHAIN_ID, p->account, &key, e, &found))
        return -1;
    if (e == &tmp)
        mav2_journal_entry_clear(&tmp);
    return found;
}

json_object *sm_setup(int flow_idx)
{
    json_object *v = vec_load("fees_and_rpc_flow.json");
    json_object *send_params;
    size_t n;
    uint8_t *cd;
    flow = vec_at(vec_get(v, "flows"), (size_t)flow_idx);
    vec_hex_exact(flow, "sessionKeyPrivateKey", signer.key, 32);
    send_params = json_object_array_get_idx(vec_get(flow, "eth_sendUserOperation_params"), 0);
    cd = vec_hex(send_params, "callData", &n);
    if (n > sizeof(call_data))
        tap_bail("call data too long");
    memcpy(call_data, cd, n);
    call_data_len = n;
    free(cd);
    if (mkdtemp(state_dir) == NULL)
        tap_bail("mkdtemp");
    return v;
}

void sm_cleanup(json_object *vectors)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", state_dir);
    if (system(cmd) != 0)
        tap_diag("could not remove %s", state_dir);
    json_object_put(vectors);
}
