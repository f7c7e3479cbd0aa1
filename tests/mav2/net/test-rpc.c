/* SPDX-License-Identifier: Apache-2.0 */
/* test-rpc.c: the JSON-RPC client against the in-test HTTP server (httpd.h). */
#include "httpd.h"
#include "mav2/core/error.h"
#include "mav2/net/rpc.h"
#include "mav2/net/rpc_json.h"
#include "tap.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static mav2_rpc *client(const th_server *s, int retries, long timeout_ms)
{
    mav2_rpc_options o;
    mav2_rpc_options_init(&o);
    o.max_retries = retries;
    o.backoff_ms = 5;
    o.backoff_max_ms = 20;
    if (timeout_ms)
        o.timeout_ms = timeout_ms;
    return mav2_rpc_new(s ? th_url(s) : "http://127.0.0.1:1/", &o);
}

static json_object *params1(const char *s)
{
    json_object *a = json_object_new_array();
    json_object_array_add(a, json_object_new_string(s));
    return a;
}

static void test_single(void)
{
    static const th_step steps[] = {
        {0, "{\"jsonrpc\":\"2.0\",\"id\":%ID%,\"result\":\"0xaa36a7\"}", NULL, 0, 0, 0},
        {0, "{\"jsonrpc\":\"2.0\",\"id\":%ID%,\"result\":null}", NULL, 0, 0, 0},
    };
    th_script sc = {steps, 2, 0, {0}, 0};
    th_server *s = th_start(th_script_handler, &sc);
    mav2_rpc *rpc = client(s, 0, 0);
    json_object *res = NULL, *p = params1("0xabc");
    int ok = mav2_rpc_call(rpc, "eth_chainId", NULL, &res);
    tap_ok(ok && res && strcmp(json_object_get_string(res), "0xaa36a7") == 0,
           "single call returns the result");
    tap_ok(sc.nrequests == 1 && strstr(sc.requests[0], "\"method\":\"eth_chainId\"") &&
               strstr(sc.requests[0], "\"params\":[]") &&
               strstr(sc.requests[0], "\"jsonrpc\":\"2.0\""),
           "request is JSON-RPC 2.0 with empty params");
    json_object_put(res);
    ok = mav2_rpc_call(rpc, "eth_getUserOperationReceipt", p, &res);
    tap_ok(ok && res == NULL, "null result is success with NULL");
    tap_ok(sc.nrequests == 2 && strstr(sc.requests[1], "\"params\":[\"0xabc\"]"),
           "params sent as given");
    tap_ok(th_connections(s) == 1, "keep-alive: 2 calls on one connection (%d)", th_connections(s));
    tap_ok(mav2_rpc_requests_sent(rpc) == 2, "2 requests counted");
    json_object_put(p);
    mav2_rpc_free(rpc);
    th_stop(s);
    th_script_free(&sc);
}

/* Answers a batch in reverse order, with an error for the second call. */
static void batch_handler(void *ctx, const char *body, th_reply *r)
{
    json_object *req = json_tokener_parse(body), *out = json_object_new_array();
    int *seen = ctx;
    *seen = json_object_is_type(req, json_type_array) ? (int)json_object_array_length(req) : -1;
    for (int i = *seen - 1; i >= 0; i--) {
        json_object *q = json_object_array_get_idx(req, (size_t)i), *a = json_object_new_object();
        json_object *id = NULL, *m = NULL;
        json_object_object_get_ex(q, "id", &id);
        json_object_object_get_ex(q, "method", &m);
        json_object_object_add(a, "jsonrpc", json_object_new_string("2.0"));
        json_object_object_add(a, "id", json_object_get(id));
        if (i == 1) {
            json_object *e = json_object_new_object();
            json_object_object_add(e, "code", json_object_new_int(-32601));
            json_object_object_add(e, "message", json_object_new_string("Method not found"));
            json_object_object_add(a, "error", e);
        } else {
            json_object_object_add(a, "result", json_object_get(m));
        }
        json_object_array_add(out, a);
    }
    r->body = strdup(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN));
    json_object_put(out);
    json_object_put(req);
}

static void test_batch(void)
{
    int seen = 0;
    th_server *s = th_start(batch_handler, &seen);
    mav2_rpc *rpc = client(s, 0, 0);
    mav2_rpc_batch_item it[3] = {{"eth_getBlockByNumber", NULL, NULL, {0}},
                                 {"rundler_maxPriorityFeePerGas", NULL, NULL, {0}},
                                 {"eth_call", NULL, NULL, {0}}};
    int ok = mav2_rpc_batch(rpc, it, 3);
    tap_ok(!ok && seen == 3 && th_requests(s) == 1, "batch: 3 calls in one POST");
    tap_ok(it[0].result &&
               strcmp(json_object_get_string(it[0].result), "eth_getBlockByNumber") == 0 &&
               it[2].result && strcmp(json_object_get_string(it[2].result), "eth_call") == 0,
           "batch: out-of-order answers matched by id");
    tap_ok(it[1].result == NULL && it[1].error.status == MAV2_RPC_E_RPC &&
               it[1].error.code == MAV2_RPC_METHOD_NOT_FOUND,
           "batch: per-call error kept (code %lld)", (long long)it[1].error.code);
    tap_ok(mav2_rpc_last_error(rpc)->code == MAV2_RPC_METHOD_NOT_FOUND,
           "batch: last error is the failing call's");
    mav2_rpc_batch_clear(it, 3);
    mav2_rpc_free(rpc);
    th_stop(s);
}

static void test_batch_refused(void)
{
    static const th_step steps[] = {
        {0,
         "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32600,\"message\":\"batch not "
         "supported\"}}",
         NULL, 0, 0, 0},
        {0, "{\"jsonrpc\":\"2.0\",\"id\":%ID%,\"result\":\"0x1\"}", NULL, 0, 0, 0},
    };
    th_script sc = {steps, 2, 0, {0}, 0};
    th_server *s = th_start(th_script_handler, &sc);
    mav2_rpc *rpc = client(s, 0, 0);
    mav2_rpc_batch_item it[2] = {{"a", NULL, NULL, {0}}, {"b", NULL, NULL, {0}}};
    int ok = mav2_rpc_batch(rpc, it, 2);
    tap_ok(ok && th_requests(s) == 3 && it[0].result && it[1].result,
           "batch refused by the server: calls sent one by one");
    mav2_rpc_batch_clear(it, 2);
    mav2_rpc_free(rpc);
    th_stop(s);
    th_script_free(&sc);
}

static void test_rpc_error_not_retried(void)
{
    static const th_step steps[] = {
        {0,
         "{\"jsonrpc\":\"2.0\",\"id\":%ID%,\"error\":{\"code\":-32500,\"message\":\"AA24 "
         "signature error\",\"data\":{\"reason\":\"0x1234\"}}}",
         NULL, 0, 0, 0},
    };
    th_script sc = {steps, 1, 0, {0}, 0};
    th_server *s = th_start(th_script_handler, &sc);
    mav2_rpc *rpc = client(s, 3, 0);
    json_object *res = NULL;
    int ok = mav2_rpc_call(rpc, "eth_sendUserOperation", NULL, &res);
    const mav2_rpc_error *e = mav2_rpc_last_error(rpc);
    tap_ok(!ok && th_requests(s) == 1, "JSON-RPC error is not retried");
    tap_ok(e->status == MAV2_RPC_E_RPC && e->code == -32500 &&
               strcmp(e->message, "AA24 signature error") == 0,
           "code and message kept: %lld %s", (long long)e->code, e->message);
    tap_ok(e->data && strcmp(e->data, "{\"reason\":\"0x1234\"}") == 0, "data kept: %s",
           e->data ? e->data : "(null)");
    tap_ok(strcmp(mav2_last_error(),
                  "eth_sendUserOperation: AA24 signature error (JSON-RPC error -32500)") == 0,
           "libmav2 error message: %s", mav2_last_error());
    mav2_rpc_free(rpc);
    th_stop(s);
    th_script_free(&sc);
}

static void test_retry(int status, const char *what)
{
    th_step steps[] = {
        {status, "busy", "Retry-After: 0\r\n", 0, 0, 0},
        {0, "{\"jsonrpc\":\"2.0\",\"id\":%ID%,\"result\":\"0x2\"}", NULL, 0, 0, 0},
    };
    th_script sc = {steps, 2, 0, {0}, 0};
    th_server *s = th_start(th_script_handler, &sc);
    mav2_rpc *rpc = client(s, 2, 0);
    json_object *res = NULL;
    int ok = mav2_rpc_call(rpc, "eth_chainId", NULL, &res);
    tap_ok(ok && res && th_requests(s) == 2 && mav2_rpc_requests_sent(rpc) == 2,
           "%s then success: retried once", what);
    json_object_put(res);
    mav2_rpc_free(rpc);
    th_stop(s);
    th_script_free(&sc);
}

/* A Retry-After far in the future is capped at backoff_max_ms (no overflow, no long sleep). */
static void test_retry_after_huge(void)
{
    static const th_step steps[] = {
        {503, "busy", "Retry-After: 99999999999999999\r\n", 0, 0, 0},
        {0, "{\"jsonrpc\":\"2.0\",\"id\":%ID%,\"result\":\"0x2\"}", NULL, 0, 0, 0},
    };
    th_script sc = {steps, 2, 0, {0}, 0};
    th_server *s = th_start(th_script_handler, &sc);
    mav2_rpc *rpc = client(s, 2, 0);
    json_object *res = NULL;
    int ok = mav2_rpc_call(rpc, "eth_chainId", NULL, &res);
    tap_ok(ok && res && th_requests(s) == 2, "huge Retry-After: capped, retried once");
    json_object_put(res);
    mav2_rpc_free(rpc);
    th_stop(s);
    th_script_free(&sc);
}

static void test_retries_exhausted(void)
{
    static const th_step steps[] = {{503, "down", NULL, 0, 0, 0}};
    th_script sc = {steps, 1, 0, {0}, 0};
    th_server *s = th_start(th_script_handler, &sc);
    mav2_rpc *rpc = client(s, 2, 0);
    json_object *res = NULL;
    int ok = mav2_rpc_call(rpc, "eth_chainId", NULL, &res);
    const mav2_rpc_error *e = mav2_rpc_last_error(rpc);
    tap_ok(!ok && th_requests(s) == 3 && e->status == MAV2_RPC_E_HTTP && e->http_status == 503,
           "503 forever: 1 + 2 retries then HTTP error");
    tap_ok(strstr(e->message, "503") && !strstr(e->message, "secret-key"),
           "message names the status, URL redacted: %s", e->message);
    mav2_rpc_free(rpc);
    th_stop(s);
    th_script_free(&sc);
}

static void test_http_400_jsonrpc_body(void)
{
    static const th_step steps[] = {
        {400,
         "{\"jsonrpc\":\"2.0\",\"id\":%ID%,\"error\":{\"code\":-32602,\"message\":\"invalid "
         "params\"}}",
         NULL, 0, 0, 0},
    };
    th_script sc = {steps, 1, 0, {0}, 0};
    th_server *s = th_start(th_script_handler, &sc);
    mav2_rpc *rpc = client(s, 2, 0);
    json_object *res = NULL;
    int ok = mav2_rpc_call(rpc, "x", NULL, &res);
    tap_ok(!ok && th_requests(s) == 1 && mav2_rpc_last_error(rpc)->code == MAV2_RPC_INVALID_PARAMS,
           "HTTP 400 carrying a JSON-RPC error: an answer, not retried");
    mav2_rpc_free(rpc);
    th_stop(s);
    th_script_free(&sc);
}

static void test_refused(void)
{
    char url[64];
    mav2_rpc_options o;
    mav2_rpc *rpc;
    json_object *res = NULL;
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/v2/secret", th_unused_port());
    mav2_rpc_options_init(&o);
    o.max_retries = 1;
    o.backoff_ms = 5;
    rpc = mav2_rpc_new(url, &o);
    int ok = mav2_rpc_call(rpc, "eth_chainId", NULL, &res);
    const mav2_rpc_error *e = mav2_rpc_last_error(rpc);
    tap_ok(!ok && e->status == MAV2_RPC_E_NETWORK && mav2_rpc_requests_sent(rpc) == 2,
           "connection refused: network error after a retry");
    tap_ok(strstr(e->message, "cannot reach http://127.0.0.1:") && strstr(e->message, "/...") &&
               !strstr(e->message, "secret"),
           "clear message, path redacted: %s", e->message);
    mav2_rpc_free(rpc);
}

static void test_rejects(const char *what, th_step st, size_t max, mav2_rpc_status want)
{
    th_script sc = {&st, 1, 0, {0}, 0};
    th_server *s = th_start(th_script_handler, &sc);
    mav2_rpc_options o;
    mav2_rpc *rpc;
    json_object *res = NULL;
    mav2_rpc_options_init(&o);
    o.max_retries = 1;
    o.backoff_ms = 5;
    /* only a server that never answers meets the timeout; every other reply,
     * however slowly it arrives, is judged on what it is */
    if (st.delay_ms < 0)
        o.timeout_ms = 200;
    if (max)
        o.max_response = max;
    rpc = mav2_rpc_new(th_url(s), &o);
    int ok = mav2_rpc_call(rpc, "eth_chainId", NULL, &res);
    const mav2_rpc_error *e = mav2_rpc_last_error(rpc);
    tap_ok(!ok && res == NULL && e->status == want, "%s rejected: %s", what, e->message);
    if (want == MAV2_RPC_E_PROTOCOL)
        /* counted by the client: the server may not have finished counting a
         * request whose response the client abandoned */
        tap_ok(mav2_rpc_requests_sent(rpc) == 1, "%s: not retried", what);
    else
        tap_ok(mav2_rpc_requests_sent(rpc) == 2, "%s: retried once", what);
    mav2_rpc_free(rpc);
    th_stop(s);
    th_script_free(&sc);
}

/* options.deadline_ms bounds a call whatever the server does: a server that never
 * answers in time (the default 30 s per attempt, 4 retries: minutes), a server asking
 * for a retry later than the deadline, a deadline already passed. The slow server is
 * released by th_stop; the bound checked is 20 x the deadline. */
static void test_deadline(void)
{
    static const th_step slow[] = {{0, "{}", NULL, 120000, 0, 0}};
    static const th_step later[] = {{503, "busy", "Retry-After: 5\r\n", 0, 0, 0}};
    th_script sc = {slow, 1, 0, {0}, 0};
    th_server *s = th_start(th_script_handler, &sc);
    mav2_rpc_options o;
    mav2_rpc *rpc;
    json_object *res = NULL;
    long long t0 = mav2_rpc_now_ms();
    int ok;
    const mav2_rpc_error *e;

    mav2_rpc_options_init(&o);
    o.deadline_ms = t0 + 500;
    rpc = mav2_rpc_new(th_url(s), &o);
    ok = mav2_rpc_call(rpc, "eth_chainId", NULL, &res);
    e = mav2_rpc_last_error(rpc);
    tap_ok(!ok && e->status == MAV2_RPC_E_DEADLINE && mav2_rpc_requests_sent(rpc) == 1 &&
               mav2_rpc_now_ms() - t0 < 10000,
           "deadline: a server that does not answer is given up at the deadline, not retried: %s",
           e->message);
    mav2_rpc_free(rpc);
    th_stop(s);
    th_script_free(&sc);

    sc = (th_script){later, 1, 0, {0}, 0};
    s = th_start(th_script_handler, &sc);
    t0 = mav2_rpc_now_ms();
    o.deadline_ms = t0 + 2000;
    rpc = mav2_rpc_new(th_url(s), &o);
    ok = mav2_rpc_call(rpc, "eth_chainId", NULL, &res);
    e = mav2_rpc_last_error(rpc);
    tap_ok(!ok && e->status == MAV2_RPC_E_DEADLINE && mav2_rpc_requests_sent(rpc) == 1 &&
               strstr(e->message, "time allowed") != NULL,
           "deadline: no backoff past it (Retry-After 5 s, 2 s left): %s", e->message);
    mav2_rpc_free(rpc);

    o.deadline_ms = mav2_rpc_now_ms() - 1;
    rpc = mav2_rpc_new(th_url(s), &o);
    ok = mav2_rpc_call(rpc, "eth_chainId", NULL, &res);
    tap_ok(!ok && mav2_rpc_last_error(rpc)->status == MAV2_RPC_E_DEADLINE &&
               mav2_rpc_requests_sent(rpc) == 0 && mav2_rpc_deadline(rpc) == o.deadline_ms,
           "deadline: passed already, nothing sent");
    mav2_rpc_free(rpc);
    th_stop(s);
    th_script_free(&sc);
}

static char *big_body(size_t n)
{
    char *b = malloc(n + 64);
    size_t k = (size_t)sprintf(b, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x");
    memset(b + k, 'a', n);
    strcpy(b + k + n, "\"}");
    return b;
}

static void test_redact(void)
{
    char out[128];
    mav2_rpc_redact_url("https://user:pw@eth-sepolia.g.alchemy.com/v2/KEY?x=1", out, sizeof(out));
    tap_ok(strcmp(out, "https://eth-sepolia.g.alchemy.com/...") == 0, "redact: %s", out);
    mav2_rpc_redact_url("http://127.0.0.1:8545", out, sizeof(out));
    tap_ok(strcmp(out, "http://127.0.0.1:8545") == 0, "redact keeps a bare host: %s", out);
    mav2_rpc_redact_url("http://h:1/?apikey=s", out, sizeof(out));
    tap_ok(strcmp(out, "http://h:1/...") == 0, "redact drops a query: %s", out);
    tap_ok(mav2_rpc_new("ftp://x", NULL) == NULL && mav2_rpc_new(NULL, NULL) == NULL,
           "non-http URL refused");
}

/* Malformed hosts are refused, naming only the scheme and what parsed as a host. */
static void test_url_check(void)
{
    static const struct {
        const char *url, *shown;
    } bad[] = {
        {"http://127.0.0.1:1;SECRET", "http://127.0.0.1..."},
        {"http://127.0.0.1\\SECRET/x", "http://127.0.0.1..."},
        {"http://evil%2fSECRET.example/", "http://evil..."},
        {"https://h:99999SECRET/", "https://h..."},
        {"http://h:0/SECRET", "http://h..."},
        {"http://[::1/SECRET", "http://[::1..."},
        {"http://u:SECRET@/x", "http://..."},
        {"http://h/x SECRET", "http://h..."},
        {"http://[]/SECRET", "http://[..."},
    };
    static const char *const good[] = {
        "http://127.0.0.1:8545", "https://eth-sepolia.g.alchemy.com/v2/KEY?x=1",
        "http://[::1]:8545/", "https://user:pw@host.example:443/p#f", "HTTP://Host_1.example"};
    char why[300], out[128];

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int ok = mav2_rpc_url_check(bad[i].url, why, sizeof(why));
        mav2_rpc_redact_url(bad[i].url, out, sizeof(out));
        tap_ok(!ok && strstr(why, "SECRET") == NULL && strstr(out, "SECRET") == NULL &&
                   mav2_rpc_new(bad[i].url, NULL) == NULL,
               "refused, secret not shown: %s / %s", why, out);
        tap_ok(strncmp(why, "malformed URL ", 14) == 0 &&
                   strncmp(why + 14, bad[i].shown, strlen(bad[i].shown)) == 0,
               "names only %s", bad[i].shown);
    }
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        tap_ok(mav2_rpc_url_check(good[i], why, sizeof(why)), "well-formed: %s", good[i]);
    tap_ok(
        mav2_rpc_url_key_in_clear("http://eth-mainnet.g.alchemy.com/v2/aB3dEfGhIjKlMnOpQrStUvWx"),
        "Alchemy key over http to a remote host");
    tap_ok(mav2_rpc_url_key_in_clear("http://node.example/rpc?apikey=0123456789abcdef0123"),
           "key in the query over http");
    tap_ok(
        !mav2_rpc_url_key_in_clear("https://eth-mainnet.g.alchemy.com/v2/aB3dEfGhIjKlMnOpQrStUvWx"),
        "https: no warning");
    tap_ok(!mav2_rpc_url_key_in_clear("http://127.0.0.1:8545/v2/aB3dEfGhIjKlMnOpQrStUvWx") &&
               !mav2_rpc_url_key_in_clear("http://localhost/v2/aB3dEfGhIjKlMnOpQrStUvWx") &&
               !mav2_rpc_url_key_in_clear("http://[::1]:1/v2/aB3dEfGhIjKlMnOpQrStUvWx"),
           "loopback: no warning");
    tap_ok(mav2_rpc_url_key_in_clear("http://user:pass@node.example/"), "user:password over http");
    tap_ok(!mav2_rpc_url_key_in_clear("http://node0123456789abcdefghij/") &&
               !mav2_rpc_url_key_in_clear("http://node.example:8545/") &&
               !mav2_rpc_url_key_in_clear("http://node.example/eth/mainnet/rpc"),
           "no key-like part: no warning");
}

int main(void)
{
    test_redact();
    test_url_check();
    test_single();
    test_batch();
    test_batch_refused();
    test_rpc_error_not_retried();
    test_retry(503, "503");
    test_retry(429, "429");
    test_retry(500, "500 (no JSON-RPC body)");
    test_retry_after_huge();
    test_retries_exhausted();
    test_http_400_jsonrpc_body();
    test_refused();
    test_deadline();

    char *big = big_body(2 << 20);
    test_rejects("oversized response (Content-Length)", (th_step){0, big, NULL, 0, 0, 0}, 1 << 20,
                 MAV2_RPC_E_PROTOCOL);
    test_rejects("oversized response (no length)", (th_step){0, big, NULL, 0, 0, 1}, 1 << 20,
                 MAV2_RPC_E_PROTOCOL);
    free(big);
    big = big_body((9 << 20));
    test_rejects("response over the default 8 MiB", (th_step){0, big, NULL, 0, 0, 0}, 0,
                 MAV2_RPC_E_PROTOCOL);
    free(big);
    test_rejects("malformed JSON",
                 (th_step){0, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":", NULL, 0, 0, 0}, 0,
                 MAV2_RPC_E_PROTOCOL);
    test_rejects("trailing garbage",
                 (th_step){0, "{\"jsonrpc\":\"2.0\",\"id\":%ID%,\"result\":1} x", NULL, 0, 0, 0}, 0,
                 MAV2_RPC_E_PROTOCOL);
    test_rejects("not JSON-RPC 2.0", (th_step){0, "{\"id\":%ID%,\"result\":1}", NULL, 0, 0, 0}, 0,
                 MAV2_RPC_E_PROTOCOL);
    test_rejects("wrong id",
                 (th_step){0, "{\"jsonrpc\":\"2.0\",\"id\":999,\"result\":1}", NULL, 0, 0, 0}, 0,
                 MAV2_RPC_E_PROTOCOL);
    test_rejects("result and error",
                 (th_step){0,
                           "{\"jsonrpc\":\"2.0\",\"id\":%ID%,\"result\":1,\"error\":{\"code\":1,"
                           "\"message\":\"m\"}}",
                           NULL, 0, 0, 0},
                 0, MAV2_RPC_E_PROTOCOL);
    test_rejects("timeout", (th_step){0, "{}", NULL, -1, 0, 0}, 0, MAV2_RPC_E_TIMEOUT);
    test_rejects("connection dropped", (th_step){0, NULL, NULL, 0, 1, 0}, 0, MAV2_RPC_E_NETWORK);
    return tap_done();
}
