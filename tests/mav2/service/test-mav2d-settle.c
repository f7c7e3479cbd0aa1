/* SPDX-License-Identifier: Apache-2.0 */
/* test-mav2d-settle: mav2d's lanes (service/lanes.c, files state) against the mock node
 * and bundler (sendmock.h): an op settled, then its journal entry back as a removal
 * that never happened leaves it (a crash or kill -9 between the outcome line and the
 * removal): after a restart the lanes resume it, see its receipt again and settle it
 * again, and the ledger still holds one sign line and one outcome line for it. */
#include "config.h"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/hex.h"
#include "mav2/core/error.h"
#include "mav2/keys/signer.h"
#include "mav2/net/journal.h"
#include "mav2/send/guard.h"
#include "mav2/send/ledger.h"
#include "mav2/service/lanes.h"
#include "mav2/service/store.h"
#include "sendmock.h"
#include "tap.h"
#include "vectors.h"

static pthread_mutex_t mock_mu = PTHREAD_MUTEX_INITIALIZER;

static void locked_handler(void *ctx, const char *body, th_reply *r)
{
    pthread_mutex_lock(&mock_mu);
    mock_handler(ctx, body, r);
    pthread_mutex_unlock(&mock_mu);
}

/* One op through the lanes; 1 when mav2d answered with an id (into hash). */
static int one_op(mavd_lanes *l, uint8_t hash[32])
{
    mavd_job *j = calloc(1, sizeof(*j));
    int ok;
    if (j == NULL || (j->calls = calloc(1, sizeof(*j->calls))) == NULL)
        tap_bail("out of memory");
    j->calls[0].target[19] = 0xef;
    mav2_u256_from_u64(&j->calls[0].value, 1);
    j->n_calls = 1;
    mavd_lanes_submit(l, j);
    ok = j->ok;
    if (!ok)
        tap_diag("op: %s", j->message);
    memcpy(hash, j->hash, 32);
    mavd_job_free(j);
    return ok;
}

/* Waits (up to 600 s) until the journal of dir holds no entry for hash. */
static int journal_gone(const char *dir, const uint8_t hash[32])
{
    mav2_journal_entry e;
    struct timespec pause = {0, 10 * 1000000L};
    int found = 1;
    for (int i = 0; i < 60000; i++) {
        if (!mav2_journal_find(dir, CHAIN_ID, hash, &e, &found))
            return 0;
        if (!found)
            return 1;
        mav2_journal_entry_clear(&e);
        nanosleep(&pause, NULL);
    }
    return 0;
}

/* The ledger's lines of event about hash. */
static int lines_of(const char *ledger, const char *event, const uint8_t hash[32])
{
    char line[8192], ev[64], h[67];
    int n = 0;
    FILE *f = fopen(ledger, "r");
    mh_hex_encode(hash, 32, h, sizeof(h), 1);
    snprintf(ev, sizeof(ev), "\"event\":\"%s\"", event);
    while (f != NULL && fgets(line, sizeof(line), f) != NULL)
        n += strstr(line, ev) != NULL && strstr(line, h) != NULL;
    if (f != NULL)
        fclose(f);
    return n;
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
    mav2_journal_entry saved;
    EVP_PKEY *pk = EVP_EC_gen("secp256k1");
    char node_url[128], ledger[600], jdir[600];
    uint8_t h[32] = {0};
    unsigned long long lines = 0;
    int ok, found = 0;

    mock_init(&m, flow);
    m.nonce_follows = 1;
    m.conn_close = 1;
    m.receipt_nulls = -1; /* pending until the test says */
    s = th_start(locked_handler, &m);
    snprintf(node_url, sizeof(node_url), "http://127.0.0.1:%d/node", th_port(s));
    memset(&c, 0, sizeof(c));
    c.rpc_url = node_url;
    c.state_dir = state_dir;
    c.chain_id = CHAIN_ID;
    c.entity_id = 1;
    c.global = 1;
    c.lanes = 1;
    c.poll_ms = 10;
    mh_hex_decode_exact(vec_str(flow, "account"), c.account, 20, NULL);
    snprintf(ledger, sizeof(ledger), "%s/ledger.jsonl", state_dir);
    mav2_guard_init(&g);
    g.ledger = ledger;
    g.state_dir = state_dir;
    if (pk == NULL || (signer_k = mav2_signer_new(pk)) == NULL || !mavd_store_init(state_dir) ||
        !mavd_store_journal_dir(state_dir, jdir, sizeof(jdir)) ||
        !mavd_lanes_start(&c, signer_k, &g, CHAIN_ID, &l)) {
        tap_diag("%s", mav2_last_error());
        tap_bail("setup");
    }

    ok = one_op(l, h) && mav2_journal_find(jdir, CHAIN_ID, h, &saved, &found) && found;
    tap_ok(ok, "an op sent and journaled, no receipt yet");
    pthread_mutex_lock(&mock_mu);
    m.receipt_nulls = 0;
    pthread_mutex_unlock(&mock_mu);
    tap_ok(journal_gone(jdir, h), "its receipt: settled, its journal entry removed");
    mavd_lanes_stop(l);
    mavd_lanes_free(l);
    tap_ok(lines_of(ledger, "sign", h) == 1 && lines_of(ledger, "outcome", h) == 1,
           "the ledger: one sign line, one outcome line (%d)", lines_of(ledger, "outcome", h));

    /* the removal undone: the entry as it was before the receipt */
    ok = found && mav2_journal_put(jdir, &saved);
    tap_ok(ok && mavd_lanes_start(&c, signer_k, &g, CHAIN_ID, &l),
           "the journal entry back (a crash before its removal), mav2d started again");
    tap_ok(journal_gone(jdir, h), "the op resumed, its receipt seen again, settled again");
    mavd_lanes_stop(l);
    mavd_lanes_free(l);
    tap_ok(lines_of(ledger, "sign", h) == 1 && lines_of(ledger, "outcome", h) == 1,
           "the ledger: still one sign line and one outcome line (%d outcome lines)",
           lines_of(ledger, "outcome", h));
    ok = mav2_ledger_verify(ledger, &lines, NULL, NULL);
    tap_ok(ok && lines == 2, "the ledger verifies (as mav2 audit verify): %llu lines", lines);
    tap_ok(count_calls(&m, "eth_sendUserOperation") == 1, "the op was signed and sent once");

    if (found)
        mav2_journal_entry_clear(&saved);
    th_stop(s);
    mock_free(&m);
    mav2_signer_free(signer_k);
    EVP_PKEY_free(pk);
    sm_cleanup(v);
    return tap_done();
}
