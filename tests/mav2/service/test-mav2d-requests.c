/* SPDX-License-Identifier: Apache-2.0 */
/* test-mav2d-requests: mav2d's lanes (service/lanes.c) against the mock node and
 * bundler (sendmock.h) on two URLs, counting HTTP requests (issue 14): once a lane has
 * sent an op, each further op costs two requests before its receipt, the estimate and
 * the send; the chain state the lanes share is read again only every block time (the
 * chain's preset: 12 s on Sepolia). The nonces still follow each other on chain order
 * and an op whose known nonce the chain already used is made again on a fresh one. */
#include "config.h"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/hex.h"
#include "mav2/core/account.h"
#include "mav2/core/error.h"
#include "mav2/keys/signer.h"
#include "mav2/send/guard.h"
#include "mav2/service/lanes.h"
#include "mav2/service/store.h"
#include "sendmock.h"
#include "tap.h"
#include "vectors.h"

#define MAX_REQ 256

/* every HTTP request's methods, in order (the server's thread writes, the test reads
 * once the lanes stopped or under the lock) */
static struct {
    pthread_mutex_t mu;
    char *methods[MAX_REQ];
    int n;
} seen = {PTHREAD_MUTEX_INITIALIZER, {NULL}, 0};

static void counting_handler(void *ctx, const char *body, th_reply *r)
{
    json_object *q = json_tokener_parse(body);
    char buf[512] = "";
    size_t n = json_object_is_type(q, json_type_array) ? json_object_array_length(q) : 1;
    for (size_t i = 0; i < n; i++) {
        json_object *c =
            json_object_is_type(q, json_type_array) ? json_object_array_get_idx(q, i) : q;
        strncat(buf, vec_str(c, "method"), sizeof(buf) - strlen(buf) - 2);
        strcat(buf, " ");
    }
    json_object_put(q);
    pthread_mutex_lock(&seen.mu);
    if (seen.n < MAX_REQ)
        seen.methods[seen.n++] = strdup(buf);
    mock_handler(ctx, body, r);
    pthread_mutex_unlock(&seen.mu);
}

static int seen_now(void)
{
    int n;
    pthread_mutex_lock(&seen.mu);
    n = seen.n;
    pthread_mutex_unlock(&seen.mu);
    return n;
}

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One op through the lanes: 1 wei to 0x...bEEF; 1 when mav2d answered with an id. */
static int one_op(mavd_lanes *l, char *why, size_t cap)
{
    mavd_job *j = calloc(1, sizeof(*j));
    int ok;
    if (j == NULL || (j->calls = calloc(1, sizeof(*j->calls))) == NULL)
        tap_bail("out of memory");
    memset(j->calls[0].target + 18, 0xbe, 1);
    j->calls[0].target[19] = 0xef;
    mav2_u256_from_u64(&j->calls[0].value, 1);
    j->n_calls = 1;
    mavd_lanes_submit(l, j);
    ok = j->ok;
    snprintf(why, cap, "%s", j->message);
    mavd_job_free(j);
    return ok;
}

/* In requests [from, to): those carrying method m, and those that are neither receipt
 * polls nor the estimate / send / shared-state reads (what an op should not cost). */
static int count_in(int from, int to, const char *m)
{
    int n = 0;
    for (int i = from; i < to; i++)
        n += strstr(seen.methods[i], m) != NULL;
    return n;
}

static int others_in(int from, int to)
{
    int n = 0;
    for (int i = from; i < to; i++) {
        const char *s = seen.methods[i];
        if (strcmp(s, "eth_getUserOperationReceipt ") == 0 ||
            strcmp(s, "eth_estimateUserOperationGas ") == 0 ||
            strcmp(s, "eth_sendUserOperation ") == 0 || strstr(s, "eth_getBlockByNumber") != NULL)
            continue;
        tap_diag("request %d: %s", i, s);
        n++;
    }
    return n;
}

/* The sequence of the nonce of the nth eth_sendUserOperation. */
static uint64_t sent_seq(const mock *m, int nth)
{
    json_object *op = json_object_array_get_idx(call_params(m, "eth_sendUserOperation", nth), 0);
    mav2_u256 nonce;
    uint64_t seq = 0;
    if (op != NULL && mav2_u256_from_hex(&nonce, vec_str(op, "nonce")))
        mav2_nonce_split(&nonce, NULL, &seq);
    return seq;
}

int main(void)
{
    json_object *v = sm_setup(0);
    mock m;
    th_server *s;
    mavd_conf c;
    mavd_lanes *l = NULL;
    mav2_guard g;
    mav2_signer *signer_k;
    EVP_PKEY *pk = EVP_EC_gen("secp256k1");
    char node_url[128], bundler_url[128], why[512];
    int ok = 1, warm, end, ops = 6;
    long long t0, t1;

    mock_init(&m, flow);
    m.nonce_follows = 1; /* getNonce: 3 + the ops given a receipt */
    m.conn_close = 1;    /* the lanes, the poller and the shared reads each have a client */
    s = th_start(counting_handler, &m);
    snprintf(node_url, sizeof(node_url), "http://127.0.0.1:%d/node", th_port(s));
    snprintf(bundler_url, sizeof(bundler_url), "http://127.0.0.1:%d/bundler", th_port(s));
    memset(&c, 0, sizeof(c));
    c.rpc_url = node_url;
    c.bundler_url = bundler_url;
    c.state_dir = state_dir;
    c.chain_id = CHAIN_ID;
    c.entity_id = 1;
    c.global = 1;
    c.lanes = 1;
    c.poll_ms = 10;
    mh_hex_decode_exact(vec_str(flow, "account"), c.account, 20, NULL);
    mav2_guard_init(&g);
    if (pk == NULL || (signer_k = mav2_signer_new(pk)) == NULL || !mavd_store_init(state_dir) ||
        !mavd_lanes_start(&c, signer_k, &g, CHAIN_ID, &l)) {
        tap_diag("%s", mav2_last_error());
        tap_bail("setup");
    }

    ok = one_op(l, why, sizeof(why));
    tap_ok(ok, "the first op (the lane learns the chain state) %s", why);
    warm = seen_now();
    t0 = mono_ms();
    for (int i = 1; ok && i < ops; i++)
        ok = one_op(l, why, sizeof(why));
    end = seen_now();
    t1 = mono_ms();
    tap_ok(ok, "%d more ops answered %s", ops - 1, why);
    mavd_lanes_stop(l);
    tap_ok(count_in(warm, end, "eth_estimateUserOperationGas") == ops - 1 &&
               count_in(warm, end, "eth_sendUserOperation") == ops - 1,
           "each op: one estimate and one send");
    tap_ok(others_in(warm, end) == 0,
           "before its receipt an op costs nothing else (no node batch, no bundler chain id)");
    tap_ok(count_in(warm, end, "eth_getBlockByNumber") <= 1 + (t1 - t0) / 12000,
           "the fees are read at most once a block time (%d reads in %lld ms)",
           count_in(warm, end, "eth_getBlockByNumber"), t1 - t0);
    for (int i = 1; i < ops; i++)
        if (sent_seq(&m, i) != sent_seq(&m, i - 1) + 1) {
            tap_diag("send %d: nonce %llu after %llu", i, (unsigned long long)sent_seq(&m, i),
                     (unsigned long long)sent_seq(&m, i - 1));
            ok = 0;
        }
    tap_ok(ok && sent_seq(&m, 0) == 3, "the nonces follow each other from the chain's (3..%llu)",
           (unsigned long long)sent_seq(&m, ops - 1));
    mavd_lanes_free(l);

    /* another sender used the lane's next nonce: the known one is refused (AA25) before
     * anything is signed, and the op is made again on the chain's */
    if (!mavd_lanes_start(&c, signer_k, &g, CHAIN_ID, &l))
        tap_bail("restart");
    ok = one_op(l, why, sizeof(why)); /* the lane knows its next nonce again */
    pthread_mutex_lock(&seen.mu);
    m.nonce_used = 1;
    pthread_mutex_unlock(&seen.mu);
    ok = ok && one_op(l, why, sizeof(why));
    mavd_lanes_stop(l);
    tap_ok(ok, "an op on a nonce another sender used is answered %s", why);
    tap_ok(count_calls(&m, "eth_sendUserOperation") == ops + 2 &&
               sent_seq(&m, ops + 1) == sent_seq(&m, ops) + 2,
           "sent once, on the chain's next nonce (%llu after %llu)",
           (unsigned long long)sent_seq(&m, ops + 1), (unsigned long long)sent_seq(&m, ops));
    mavd_lanes_free(l);
    th_stop(s);
    for (int i = 0; i < seen.n; i++)
        free(seen.methods[i]);
    mock_free(&m);
    mav2_signer_free(signer_k);
    EVP_PKEY_free(pk);
    sm_cleanup(v);
    return tap_done();
}
