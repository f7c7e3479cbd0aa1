/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: what a node or bundler answers. A loopback server (httpd.h)
 * answers with the input; the first byte picks what reads it:
 *   0  the JSON-RPC envelope of one call (mav2_rpc_call)
 *   1  a batch answer (mav2_rpc_batch, two calls)
 *   2  an eth_getUserOperationReceipt result (mav2_wait_receipt)
 *   3  an eth_estimateUserOperationGas result, inside the whole send flow
 *      (mav2_send against the mock node/bundler of sendmock.h; needs MH_VECTORS)
 *   4  getValidationData return data (mav2_abi_decode_validation_data)
 * In the raw modes %ID% becomes the request's id. Whatever the answer, the
 * library returns (no crash, no leak) and never reports what was not said. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "httpd.h"
#include "mav2/core/abi.h"
#include "mav2/net/rpc.h"
#include "mav2/net/rpc_json.h"
#include "mav2/send/send.h"
#include "sendmock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *in;
static size_t in_len;
static int wrap; /* 1: the input is the result of a JSON-RPC answer */
static th_server *server, *mock_server;
static mav2_rpc *rpc, *mock_rpc;
static mock m;
static json_object *vectors;
static int estimates; /* estimate calls answered with the input */

/* The request's first id (digits), or "null". */
static void request_id(const char *req, char *id, size_t cap)
{
    const char *p = strstr(req, "\"id\":");
    snprintf(id, cap, "null");
    if (p != NULL && strspn(p + 5, "0123456789") > 0)
        snprintf(id, cap, "%.*s", (int)strspn(p + 5, "0123456789"), p + 5);
}

/* The answer: the input as the result, or the input with %ID% replaced. */
static char *answer_body(const char *req)
{
    char id[32], *out, *o;
    size_t cap;
    request_id(req, id, sizeof(id));
    cap = in_len * (strlen(id) + 1) + 64 + strlen(id);
    out = o = malloc(cap);
    if (out == NULL)
        abort();
    if (wrap)
        o += sprintf(o, "{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":", id);
    for (size_t i = 0; i < in_len;) {
        if (!wrap && i + 4 <= in_len && memcmp(in + i, "%ID%", 4) == 0) {
            o += sprintf(o, "%s", id);
            i += 4;
        } else {
            *o++ = (char)in[i++];
        }
    }
    if (wrap)
        *o++ = '}';
    *o = '\0';
    return out;
}

static void fuzz_handler(void *ctx, const char *body, th_reply *r)
{
    (void)ctx;
    r->body = answer_body(body);
}

/* The mock node/bundler, except that the estimate is the input. */
static void flow_handler(void *ctx, const char *body, th_reply *r)
{
    if (strstr(body, "\"eth_estimateUserOperationGas\"") != NULL && body[0] == '{') {
        estimates++;
        r->body = answer_body(body);
    } else
        mock_handler(ctx, body, r);
}

static mav2_rpc *client_of(const th_server *s)
{
    mav2_rpc_options o;
    mav2_rpc_options_init(&o);
    o.max_retries = 0; /* the fixture always answers: no retry, no backoff */
    return mav2_rpc_new(th_url(s), &o);
}

static void teardown(void)
{
    mav2_rpc_free(rpc);
    th_stop(server);
    if (mock_server != NULL) {
        mav2_rpc_free(mock_rpc);
        th_stop(mock_server);
        mock_free(&m);
        sm_cleanup(vectors);
    }
}

static void setup(void)
{
    server = th_start(fuzz_handler, NULL);
    rpc = server != NULL ? client_of(server) : NULL;
    if (rpc == NULL)
        abort();
    if (getenv("MH_VECTORS") != NULL) {
        vectors = sm_setup(0);
        mock_init(&m, flow);
        mock_server = th_start(flow_handler, &m);
        mock_rpc = mock_server != NULL ? client_of(mock_server) : NULL;
        if (mock_rpc == NULL)
            abort();
    }
    atexit(teardown);
}

static void one_call(void)
{
    json_object *res = NULL;
    if (mav2_rpc_call(rpc, "eth_chainId", NULL, &res) &&
        mav2_rpc_last_error(rpc)->status != MAV2_RPC_OK)
        abort();
    json_object_put(res);
}

static void batch(void)
{
    mav2_rpc_batch_item it[2];
    memset(it, 0, sizeof(it));
    it[0].method = "eth_chainId";
    it[1].method = "eth_getCode";
    mav2_rpc_batch(rpc, it, 2);
    for (int i = 0; i < 2; i++)
        if (it[i].result != NULL && it[i].error.status != MAV2_RPC_OK)
            abort(); /* an item has a result or an error, never both */
    mav2_rpc_batch_clear(it, 2);
}

static void receipt(void)
{
    static const uint8_t hash[32] = {0x42};
    mav2_send_params p;
    mav2_send_result r;
    mav2_send_params_init(&p);
    p.wait_timeout_ms = 0; /* one poll */
    memset(&r, 0, sizeof(r));
    if (mav2_wait_receipt(rpc, hash, &p, &r) && r.outcome != MAV2_SEND_INCLUDED)
        abort();
    mav2_send_result_clear(&r);
}

static void estimate(void)
{
    mav2_send_params p;
    mav2_send_result r;
    if (mock_rpc == NULL)
        return;
    mock_reset_calls(&m);
    params_for_flow(&p);
    p.progress = NULL;
    signer.fail = 1; /* stop at signing: nothing is journaled or sent */
    memset(&r, 0, sizeof(r));
    estimates = 0;
    if (mav2_send(mock_rpc, mock_rpc, &p, &r) || count_calls(&m, "eth_sendUserOperation") != 0)
        abort();
    if (estimates == 0) { /* the mock flow must reach the estimate, or nothing is fuzzed */
        fprintf(stderr, "the send flow stopped before eth_estimateUserOperationGas: %s\n",
                r.message);
        abort();
    }
    mav2_send_result_clear(&r);
}

static void validation_data(void)
{
    mav2_validation_data vd;
    if (mav2_abi_decode_validation_data(in, in_len, &vd) &&
        (vd.n_validation_hooks > in_len / 32 || vd.n_execution_hooks > in_len / 32 ||
         vd.n_selectors > in_len / 32))
        abort();
    mav2_validation_data_free(&vd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (server == NULL)
        setup();
    in = data + 1;
    in_len = size - 1;
    if (memchr(in, '\0', in_len) != NULL && data[0] % 5 != 4)
        return 0; /* an HTTP body here is text up to its length: a NUL ends it early */
    wrap = data[0] % 5 == 2 || data[0] % 5 == 3;
    switch (data[0] % 5) {
    case 0:
        one_call();
        break;
    case 1:
        batch();
        break;
    case 2:
        receipt();
        break;
    case 3:
        estimate();
        break;
    default:
        validation_data();
    }
    return 0;
}
