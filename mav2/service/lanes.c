/* SPDX-License-Identifier: Apache-2.0 */
/* lanes.c: nonce lanes, the request queue and the shared receipt poller (lanes.h). */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/hex.h"
#include "mav2/core/address.h"
#include "mav2/core/error.h"
#include "mav2/core/userop.h"
#include "mav2/net/journal.h"
#include "mav2/net/rpc.h"
#include "mav2/net/rpc_json.h"
#include "mav2/send/known.h"
#include "mav2/send/send.h"
#include "mav2/service/backend.h"
#include "mav2/service/lanes.h"
#include "mav2/service/lanes_int.h"
#include "mav2/send/guard.h"
#include "mav2/service/metrics.h"
#include "mav2/service/snapshot.h"
#include "mav2/service/store.h"

/* Every this many polls an op still without a receipt is looked after (check_lost). */
#define LOST_CHECK_ROUNDS 10

void mavd_job_free(mavd_job *j)
{
    if (j == NULL)
        return;
    for (size_t i = 0; j->datas != NULL && i < j->n_calls; i++)
        free(j->datas[i]);
    free(j->datas);
    free(j->calls);
    free(j->paymaster_url);
    free(j->paymaster_context);
    free(j);
}

static json_object *record_new(const mavd_lanes *l, unsigned index, const uint8_t hash[32])
{
    char id[67], chain[24];
    json_object *o = json_object_new_object();
    mavd_hash_hex(hash, id);
    snprintf(chain, sizeof(chain), "0x%llx", (unsigned long long)l->chain_id);
    json_object_object_add(o, "version", json_object_new_string("2.0.0"));
    json_object_object_add(o, "id", json_object_new_string(id));
    json_object_object_add(o, "chainId", json_object_new_string(chain));
    json_object_object_add(o, "status", json_object_new_int(100));
    json_object_object_add(o, "atomic", json_object_new_boolean(1));
    json_object_object_add(o, "lane", json_object_new_int((int)index));
    return o;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int sign_cb(void *ctx, const uint8_t hash[32], mav2_buf *sig)
{
    lane *ln = ctx;
    uint8_t s[MAV2_USEROP_SIG_LEN];
    double t0 = now_ms();
    ln->signs++;
    if (!mav2_signer_sign_userop(ln->owner->signer, hash, s)) {
        mavd_metric_inc(MAVD_M_TOKEN_ERRORS);
        return 0;
    }
    mavd_metric_sign_ms(now_ms() - t0);
    return mav2_buf_set(sig, s, sizeof(s));
}

static int open_clients(const mavd_conf *c, mav2_rpc **node, mav2_rpc **bundler)
{
    *node = mav2_rpc_new(c->rpc_url, NULL);
    *bundler = *node;
    if (*node != NULL && c->bundler_url != NULL && strcmp(c->bundler_url, c->rpc_url) != 0)
        *bundler = mav2_rpc_new(c->bundler_url, NULL);
    if (*node == NULL || *bundler == NULL) {
        if (*bundler != *node)
            mav2_rpc_free(*bundler);
        mav2_rpc_free(*node);
        return mav2_error_set("cannot make an RPC client");
    }
    return 1;
}

static void close_clients(mav2_rpc *node, mav2_rpc *bundler)
{
    if (bundler != node)
        mav2_rpc_free(bundler);
    mav2_rpc_free(node);
}

/* mav2_send with what the lanes know (snapshot.h) and ln's next nonce. When the node
 * or bundler refused it before anything was signed, what was known may be what it
 * refused (another sender used the nonce, the validation changed): once more with
 * everything read. Then or after any failure the next op reads the shared state. */
static int send_known(lane *ln, mav2_rpc *node, mav2_rpc *bundler, const mav2_send_params *p,
                      mav2_send_result *r)
{
    mavd_lanes *l = ln->owner;
    mav2_send_known k;
    int have = mavd_snapshot_get(l->snap, p, &k), ok;
    pthread_mutex_lock(&l->mu);
    if (have && ln->have_next && ln->st == NULL) {
        k.have_nonce = 1;
        k.nonce = ln->next_nonce;
    }
    ln->have_next = 0;
    pthread_mutex_unlock(&l->mu);
    ln->signs = 0;
    ok = mav2_send_with(node, bundler, p, have ? &k : NULL, r);
    mav2_send_known_clear(&k);
    if (!ok && have && r->outcome == MAV2_SEND_REJECTED && ln->signs == 0 && !r->resumed) {
        mavd_snapshot_stale(l->snap);
        mav2_send_result_clear(r);
        ok = mav2_send(node, bundler, p, r);
    }
    if (!ok)
        mavd_snapshot_stale(l->snap);
    return ok;
}

/* Signs and sends job on ln; the job gets its answer. */
static void run_job(lane *ln, mavd_job *j, mav2_rpc *node, mav2_rpc *bundler)
{
    mavd_lanes *l = ln->owner;
    mav2_send_params p;
    mav2_send_result r;
    mav2_buf cd = {0};
    mav2_guard g = l->guard; /* the policy before the token signs, the ledger after */
    int ok;
    j->code = -32003;
    if (!mav2_calldata_for_calls(l->conf->account, j->calls, j->n_calls, 0, &cd)) {
        j->code = -32602;
        snprintf(j->message, sizeof(j->message), "calls: %s", mav2_last_error());
        return;
    }
    mav2_send_params_init(&p);
    p.chain_id = l->chain_id;
    memcpy(p.account, l->conf->account, 20);
    p.entity_id = l->conf->entity_id;
    p.nonce_options = l->conf->global ? MAV2_NONCE_GLOBAL : 0;
    mav2_u256_from_u64(&p.lane, ln->index);
    p.call_data = cd.data;
    p.call_data_len = cd.len;
    p.sign = sign_cb;
    p.sign_ctx = ln;
    p.wait_timeout_ms = -1;
    p.state_dir = l->journal_dir;
    if (ln->st != NULL) {
        p.state = ln->st;
        p.state_lane = &ln->held;
        g.state = ln->st; /* one chain per account for every host */
    }
    p.paymaster_url = j->paymaster_url != NULL ? j->paymaster_url : l->conf->paymaster_url;
    p.guard = mav2_guard_hook;
    p.guard_ctx = &g;
    p.paymaster_context = j->paymaster_context;
    ok = send_known(ln, node, bundler, &p, &r);
    /* a sent op's one outcome line is the poller's (settle), not "submitted" */
    if ((!ok || r.outcome != MAV2_SEND_SUBMITTED) && !mav2_guard_outcome(&g, &p, &r))
        fprintf(stderr, "mav2d: the ledger: %s\n", mav2_last_error());
    if (ok) {
        json_object *rec = record_new(l, ln->index, r.user_op_hash);
        memcpy(j->hash, r.user_op_hash, 32);
        /* sent: answered with its id even without a record (the settled op's makes one),
         * or a client would send it again as a second op */
        if (!mavd_store_put(l->conf->state_dir, r.user_op_hash, rec))
            fprintf(stderr, "mav2d: lane %u: %s (recorded once settled)\n", ln->index,
                    mav2_last_error());
        j->ok = 1;
        mavd_metric_inc(MAVD_M_SUBMITTED);
        json_object_put(rec);
        pthread_mutex_lock(&l->mu);
        ln->pending = 1; /* sent: the lane waits for it even if the record failed */
        memcpy(ln->hash, r.user_op_hash, 32);
        mav2_nonce_split(&r.nonce, NULL, &ln->seq);
        pthread_mutex_unlock(&l->mu);
    } else {
        snprintf(j->message, sizeof(j->message), "%s", r.message);
        mavd_metric_inc(g.refused_rule != NULL ? MAVD_M_REFUSED : MAVD_M_REJECTED);
    }
    mav2_send_result_clear(&r);
    mav2_buf_free(&cd);
}

/* The lane's journal entry: the state's (PostgreSQL) or the journal directory's. */
static int journal_get(const lane *ln, mav2_state *st, mav2_journal_entry *e, int *found)
{
    const mavd_lanes *l = ln->owner;
    if (st != NULL)
        return mav2_state_journal_get(st, l->chain_id, l->conf->account, &ln->key, e, found);
    return mav2_journal_get(l->journal_dir, l->chain_id, l->conf->account, &ln->key, e, found);
}

/* Sends e's op again, as journaled (the bundler lost it or never got it). */
static void send_again(const lane *ln, mav2_rpc *bundler, const mav2_journal_entry *e)
{
    static const uint8_t zero[20];
    json_object *params = json_object_new_array(), *res = NULL;
    char ep[MAV2_ADDRESS_STR_MAX], id[67];
    mav2_address_format(memcmp(e->entry_point, zero, 20) ? e->entry_point : mav2_entry_point_v07,
                        ep);
    mavd_hash_hex(e->user_op_hash, id);
    json_object_array_add(params, json_object_get(e->user_op));
    json_object_array_add(params, json_object_new_string(ep));
    if (mav2_rpc_call(bundler, "eth_sendUserOperation", params, &res))
        fprintf(stderr, "mav2d: lane %u: journaled op %s sent again\n", ln->index, id);
    json_object_put(res);
    json_object_put(params);
}

/* The op the journal holds for ln (a previous run's): pending again, its record made
 * if it was lost, sent again when the bundler has neither it nor its receipt. */
void mavd_lane_resume(lane *ln, mav2_rpc *bundler)
{
    mavd_lanes *l = ln->owner;
    mav2_journal_entry e;
    json_object *rec = NULL, *res = NULL, *params;
    char id[67];
    int found = 0;
    if (!journal_get(ln, ln->st, &e, &found) || !found) {
        if (!found)
            return;
        fprintf(stderr, "mav2d: lane %u: %s\n", ln->index, mav2_last_error());
        return;
    }
    mavd_hash_hex(e.user_op_hash, id);
    if (mavd_store_get(l->conf->state_dir, id, &rec) && rec == NULL) {
        rec = record_new(l, ln->index, e.user_op_hash);
        mavd_store_put(l->conf->state_dir, e.user_op_hash, rec);
    }
    json_object_put(rec);
    params = json_object_new_array();
    json_object_array_add(params, json_object_new_string(id));
    if (mav2_rpc_call(bundler, "eth_getUserOperationReceipt", params, &res) && res == NULL)
        send_again(ln, bundler, &e);
    json_object_put(res);
    json_object_put(params);
    fprintf(stderr, "mav2d: lane %u: resuming journaled op %s\n", ln->index, id);
    pthread_mutex_lock(&l->mu);
    ln->pending = 1;
    memcpy(ln->hash, e.user_op_hash, 32);
    mav2_nonce_split(&e.nonce, NULL, &ln->seq);
    pthread_mutex_unlock(&l->mu);
    mav2_journal_entry_clear(&e);
}

int mavd_lane_settle_entry(lane *ln)
{
    mavd_lanes *l = ln->owner;
    uint8_t h[32];
    if (!ln->settled)
        return 0;
    memcpy(h, ln->hash, 32);
    pthread_mutex_unlock(&l->mu); /* still settled: the poller leaves the lane alone */
    if (ln->st != NULL
            ? !mav2_state_journal_finish(ln->st, l->chain_id, l->conf->account, &ln->key, h, NULL)
            : !mav2_journal_remove_op(l->journal_dir, l->chain_id, l->conf->account, &ln->key, h))
        fprintf(stderr, "mav2d: lane %u: %s\n", ln->index, mav2_last_error());
    pthread_mutex_lock(&l->mu);
    ln->settled = 0;
    ln->pending = 0;
    return 1;
}

mavd_job *mavd_lanes_pop(mavd_lanes *l)
{
    mavd_job *j = l->head;
    l->head = j->next;
    if (l->head == NULL)
        l->tail = NULL;
    l->queued--;
    return j;
}

/* Under l->mu: the next job for ln, NULL when stopping. Removes a settled op's entry. */
static mavd_job *next_job(lane *ln)
{
    mavd_lanes *l = ln->owner;
    for (;;) {
        if (mavd_lane_settle_entry(ln))
            continue;
        if (l->stopping)
            return NULL;
        if (!ln->pending && l->head != NULL)
            break;
        pthread_cond_wait(&l->work, &l->mu);
    }
    return mavd_lanes_pop(l);
}

static void *lane_main(void *arg)
{
    lane *ln = arg;
    mavd_lanes *l = ln->owner;
    mav2_rpc *node, *bundler;
    mavd_job *j;
    if (!open_clients(l->conf, &node, &bundler)) {
        fprintf(stderr, "mav2d: lane %u: %s\n", ln->index, mav2_last_error());
        return NULL;
    }
    if (ln->st == NULL)
        mavd_lane_resume(ln, bundler);
    pthread_mutex_lock(&l->mu);
    while ((j = ln->st != NULL ? mavd_lane_next_leased(ln, bundler) : next_job(ln)) != NULL) {
        pthread_mutex_unlock(&l->mu);
        run_job(ln, j, node, bundler);
        pthread_mutex_lock(&l->mu);
        j->done = 1;
        pthread_cond_broadcast(&l->done);
    }
    pthread_mutex_unlock(&l->mu);
    close_clients(node, bundler);
    mav2_state_close(ln->st);
    ln->st = NULL;
    return NULL;
}

static json_object *field(json_object *o, const char *k)
{
    json_object *v = NULL;
    return json_object_object_get_ex(o, k, &v) ? v : NULL;
}

/* The EIP-5792 receipt of a bundler's user-op receipt. */
static json_object *eip5792_receipt(json_object *res, int success)
{
    json_object *tx = field(res, "receipt"), *o = json_object_new_object();
    json_object *logs = field(res, "logs") != NULL ? field(res, "logs") : field(tx, "logs");
    static const char *const copied[] = {"blockHash", "blockNumber", "gasUsed", "transactionHash"};
    json_object_object_add(o, "logs",
                           logs != NULL ? json_object_get(logs) : json_object_new_array());
    json_object_object_add(o, "status", json_object_new_string(success ? "0x1" : "0x0"));
    for (size_t i = 0; i < sizeof(copied) / sizeof(copied[0]); i++)
        if (field(tx, copied[i]) != NULL)
            json_object_object_add(o, copied[i], json_object_get(field(tx, copied[i])));
    return o;
}

/* The ledger's "outcome" line of ln's op, known after its send returned. */
static void ledger_outcome(const lane *ln, mav2_send_outcome outcome, const char *tx_hash)
{
    const mavd_lanes *l = ln->owner;
    mav2_guard g = l->guard;
    g.state = l->poll_st; /* the poller's thread: its handle */
    if (!mav2_guard_outcome_of(&g, l->chain_id, l->conf->account, ln->hash, outcome, tx_hash))
        fprintf(stderr, "mav2d: the ledger: %s\n", mav2_last_error());
}

/* 1 when ln's op still is the unsettled one polled as hash (an answer for an op the
 * lane is done with settles nothing: its next op would lose its journal entry). */
static int still_pending(lane *ln, const uint8_t hash[32])
{
    mavd_lanes *l = ln->owner;
    int yes;
    pthread_mutex_lock(&l->mu);
    yes = ln->pending && !ln->settled && memcmp(ln->hash, hash, 32) == 0;
    pthread_mutex_unlock(&l->mu);
    return yes;
}

/* Writes (and frees) rec, ln's op's outcome: 0 when it could not (the state's database
 * is away): the op stays unsettled, its outcome seen again at a later poll. */
static int record_outcome(const lane *ln, json_object *rec)
{
    int ok = mavd_store_put(ln->owner->conf->state_dir, ln->hash, rec);
    if (!ok)
        fprintf(stderr, "mav2d: lane %u: %s (the outcome is recorded at a later poll)\n", ln->index,
                mav2_last_error());
    json_object_put(rec);
    return ok;
}

/* res: the bundler's receipt of ln's op hash. Records the outcome and frees the lane. */
static void settle(lane *ln, const uint8_t hash[32], json_object *res)
{
    mavd_lanes *l = ln->owner;
    json_object *rec, *arr, *tx = field(field(res, "receipt"), "transactionHash");
    int success = json_object_get_boolean(field(res, "success"));
    if (!still_pending(ln, hash))
        return;
    rec = record_new(l, ln->index, ln->hash);
    arr = json_object_new_array();
    json_object_array_add(arr, eip5792_receipt(res, success));
    json_object_object_add(rec, "status", json_object_new_int(success ? 200 : 500));
    json_object_object_add(rec, "receipts", arr);
    if (!record_outcome(ln, rec))
        return;
    mavd_metric_inc(success ? MAVD_M_INCLUDED : MAVD_M_REVERTED);
    ledger_outcome(ln, success ? MAV2_SEND_INCLUDED : MAV2_SEND_REVERTED,
                   tx != NULL ? json_object_get_string(tx) : NULL);
    pthread_mutex_lock(&l->mu);
    ln->have_next = ln->seq < UINT64_MAX && mav2_nonce_full(&ln->next_nonce, &ln->key, ln->seq + 1);
    ln->settled = 1;
    pthread_cond_broadcast(&l->work);
    pthread_mutex_unlock(&l->mu);
}

/* ln's op hash will never be included: status 400 with why. */
static void settle_failed(lane *ln, const uint8_t hash[32], const char *why)
{
    mavd_lanes *l = ln->owner;
    json_object *rec;
    if (!still_pending(ln, hash))
        return;
    rec = record_new(l, ln->index, ln->hash);
    json_object_object_add(rec, "status", json_object_new_int(400));
    json_object_object_add(rec, "receipts", json_object_new_array());
    json_object_object_add(rec, "error", json_object_new_string(why));
    if (!record_outcome(ln, rec))
        return;
    mavd_metric_inc(MAVD_M_REJECTED);
    ledger_outcome(ln, MAV2_SEND_REJECTED, NULL);
    pthread_mutex_lock(&l->mu);
    ln->settled = 1;
    pthread_cond_broadcast(&l->work);
    pthread_mutex_unlock(&l->mu);
}

/* An op without a receipt for a while: superseded when its nonce moved on without it
 * (status 400), sent again when the bundler does not know it. */
static void check_lost(lane *ln, const uint8_t hash[32], uint64_t op_seq, mav2_rpc *node,
                       mav2_rpc *bundler)
{
    mavd_lanes *l = ln->owner;
    json_object *params = json_object_new_array(), *res = NULL;
    mav2_journal_entry e;
    uint64_t seq;
    char id[67], why[160];
    int found = 0;
    mavd_hash_hex(hash, id);
    json_object_array_add(params, json_object_new_string(id));
    if (!mav2_eth_nonce_seq(node, mav2_entry_point_v07, l->conf->account, &ln->key, &seq))
        goto out;
    if (seq > op_seq) {
        if (mav2_rpc_call(bundler, "eth_getUserOperationReceipt", params, &res) && res == NULL) {
            snprintf(why, sizeof(why), "superseded: nonce %llu was used without this op",
                     (unsigned long long)op_seq);
            settle_failed(ln, hash, why);
        } else if (res != NULL)
            settle(ln, hash, res);
    } else if (mav2_rpc_call(bundler, "eth_getUserOperationByHash", params, &res) && res == NULL &&
               journal_get(ln, l->poll_st, &e, &found) && found) {
        if (memcmp(e.user_op_hash, hash, 32) == 0)
            send_again(ln, bundler, &e);
        mav2_journal_entry_clear(&e);
    }
out:
    json_object_put(res);
    json_object_put(params);
}

/* One batch: eth_getUserOperationReceipt for every pending op; with check, the ops
 * still without a receipt are looked after (check_lost). */
static void poll_once(mavd_lanes *l, mav2_rpc *node, mav2_rpc *bundler, int check)
{
    mav2_rpc_batch_item items[MAVD_MAX_LANES];
    lane *who[MAVD_MAX_LANES];
    uint8_t hash[MAVD_MAX_LANES][32];
    uint64_t seq[MAVD_MAX_LANES];
    size_t n = 0;
    char id[67];
    pthread_mutex_lock(&l->mu);
    for (unsigned i = 0; i < l->n; i++)
        if (l->lanes[i].pending && !l->lanes[i].settled) {
            memcpy(hash[n], l->lanes[i].hash, 32);
            seq[n] = l->lanes[i].seq;
            memset(&items[n], 0, sizeof(items[n]));
            mavd_hash_hex(l->lanes[i].hash, id);
            items[n].method = "eth_getUserOperationReceipt";
            items[n].params = json_object_new_array();
            json_object_array_add(items[n].params, json_object_new_string(id));
            who[n++] = &l->lanes[i];
        }
    pthread_mutex_unlock(&l->mu);
    if (n == 0)
        return;
    mav2_rpc_batch(bundler, items, n);
    for (size_t i = 0; i < n; i++)
        if (items[i].error.status == MAV2_RPC_OK && items[i].result != NULL)
            settle(who[i], hash[i], items[i].result);
        else if (check && items[i].error.status == MAV2_RPC_OK)
            check_lost(who[i], hash[i], seq[i], node, bundler);
    mav2_rpc_batch_clear(items, n);
    for (size_t i = 0; i < n; i++)
        json_object_put(items[i].params);
}

static void *poller_main(void *arg)
{
    mavd_lanes *l = arg;
    mav2_rpc *node, *bundler;
    unsigned long round = 0;
    if (!open_clients(l->conf, &node, &bundler)) {
        fprintf(stderr, "mav2d: poller: %s\n", mav2_last_error());
        return NULL;
    }
    pthread_mutex_lock(&l->mu);
    while (!l->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += l->poll_ms / 1000;
        until.tv_nsec += (l->poll_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&l->poll_cv, &l->mu, &until);
        if (l->stopping)
            break;
        pthread_mutex_unlock(&l->mu);
        poll_once(l, node, bundler, ++round % LOST_CHECK_ROUNDS == 0);
        pthread_mutex_lock(&l->mu);
    }
    pthread_mutex_unlock(&l->mu);
    close_clients(node, bundler);
    mav2_state_close(l->poll_st);
    l->poll_st = NULL;
    return NULL;
}

/* PostgreSQL: a handle for every lane and one for the poller (a handle is one
 * thread's). */
static int open_states(mavd_lanes *l)
{
    int ok = 1;
    if (l->conf->state_url == NULL)
        return 1;
    for (unsigned i = 0; ok && i < l->n; i++)
        ok = mavd_backend_open(l->conf, &l->lanes[i].st);
    ok = ok && mavd_backend_open(l->conf, &l->poll_st);
    for (unsigned i = 0; !ok && i < l->n; i++)
        mav2_state_close(l->lanes[i].st);
    return ok;
}

int mavd_lanes_start(const mavd_conf *conf, mav2_signer *signer, const mav2_guard *guard,
                     uint64_t chain_id, mavd_lanes **out)
{
    mavd_lanes *l = calloc(1, sizeof(*l));
    *out = NULL;
    if (l == NULL)
        return mav2_error_set("out of memory");
    l->conf = conf;
    l->signer = signer;
    l->guard = *guard;
    l->chain_id = chain_id;
    l->poll_ms = conf->poll_ms;
    l->n = conf->lanes;
    if (!mavd_store_journal_dir(conf->state_dir, l->journal_dir, sizeof(l->journal_dir)) ||
        !mavd_snapshot_new(conf, chain_id, &l->snap)) {
        free(l);
        return 0;
    }
    if (!open_states(l)) {
        mavd_snapshot_free(l->snap);
        free(l);
        return 0;
    }
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->work, NULL);
    pthread_cond_init(&l->done, NULL);
    pthread_cond_init(&l->poll_cv, NULL);
    for (unsigned i = 0; i < l->n; i++) {
        mav2_u256 ix;
        l->lanes[i].owner = l;
        l->lanes[i].index = i;
        mav2_u256_from_u64(&ix, i);
        mav2_nonce_key(&l->lanes[i].key, &ix, conf->entity_id,
                       conf->global ? MAV2_NONCE_GLOBAL : 0);
        pthread_create(&l->lanes[i].thread, NULL, lane_main, &l->lanes[i]);
    }
    pthread_create(&l->poller, NULL, poller_main, l);
    *out = l;
    return 1;
}

void mavd_lanes_submit(mavd_lanes *l, mavd_job *job)
{
    pthread_mutex_lock(&l->mu);
    if (l->stopping) {
        job->done = 1;
        job->code = -32000;
        snprintf(job->message, sizeof(job->message), "mav2d is stopping");
    } else {
        job->next = NULL;
        job->ticket = ++l->tickets;
        if (l->tail != NULL)
            l->tail->next = job;
        else
            l->head = job;
        l->tail = job;
        l->queued++;
        pthread_cond_broadcast(&l->work);
    }
    while (!job->done)
        pthread_cond_wait(&l->done, &l->mu);
    pthread_mutex_unlock(&l->mu);
}

void mavd_lanes_gauges(mavd_lanes *l, size_t *queued, size_t *pending)
{
    pthread_mutex_lock(&l->mu);
    *queued = l->queued;
    *pending = 0;
    for (unsigned i = 0; i < l->n; i++)
        *pending += l->lanes[i].pending != 0;
    pthread_mutex_unlock(&l->mu);
}

void mavd_lanes_set_poll(mavd_lanes *l, long poll_ms)
{
    pthread_mutex_lock(&l->mu);
    l->poll_ms = poll_ms;
    pthread_mutex_unlock(&l->mu);
}

void mavd_lanes_stop(mavd_lanes *l)
{
    if (l == NULL)
        return;
    pthread_mutex_lock(&l->mu);
    l->stopping = 1;
    for (mavd_job *j = l->head; j != NULL; j = j->next) {
        j->done = 1;
        j->code = -32000;
        snprintf(j->message, sizeof(j->message), "mav2d is stopping");
    }
    l->head = l->tail = NULL;
    l->queued = 0;
    pthread_cond_broadcast(&l->work);
    pthread_cond_broadcast(&l->done);
    pthread_cond_broadcast(&l->poll_cv);
    pthread_mutex_unlock(&l->mu);
    for (unsigned i = 0; i < l->n; i++)
        pthread_join(l->lanes[i].thread, NULL);
    pthread_join(l->poller, NULL);
}

void mavd_lanes_free(mavd_lanes *l)
{
    if (l == NULL)
        return;
    pthread_mutex_destroy(&l->mu);
    pthread_cond_destroy(&l->work);
    pthread_cond_destroy(&l->done);
    pthread_cond_destroy(&l->poll_cv);
    mavd_snapshot_free(l->snap);
    free(l);
}
