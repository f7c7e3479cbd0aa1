/* SPDX-License-Identifier: Apache-2.0 */
/* snapshot.c: the chain state mav2d's lanes share (snapshot.h). */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mav2/core/error.h"
#include "mav2/core/settings.h"
#include "mav2/service/snapshot.h"

/* Without a chain preset: as the send flow's first receipt poll (send_int.h). */
#define SNAPSHOT_FALLBACK_MS 2000

struct mavd_snapshot {
    pthread_mutex_t mu; /* held while reading: one read at a time, the others wait */
    mav2_rpc *node, *bundler;
    mav2_send_known k;
    long long read_at; /* monotonic ms of the last read; < 0: none, or stale */
    long max_age_ms;
};

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int mavd_snapshot_new(const mavd_conf *c, uint64_t chain_id, mavd_snapshot **out)
{
    const mav2_chain *ch = mav2_chain_by_id(chain_id);
    mavd_snapshot *s = calloc(1, sizeof(*s));
    *out = NULL;
    if (s == NULL)
        return mav2_error_set("out of memory");
    pthread_mutex_init(&s->mu, NULL);
    s->node = mav2_rpc_new(c->rpc_url, NULL);
    s->bundler = s->node;
    if (s->node != NULL && c->bundler_url != NULL && strcmp(c->bundler_url, c->rpc_url) != 0)
        s->bundler = mav2_rpc_new(c->bundler_url, NULL);
    if (s->node == NULL || s->bundler == NULL) {
        mavd_snapshot_free(s);
        return mav2_error_set("cannot make an RPC client");
    }
    s->read_at = -1;
    s->max_age_ms = ch != NULL && ch->block_ms > 0 ? ch->block_ms : SNAPSHOT_FALLBACK_MS;
    *out = s;
    return 1;
}

void mavd_snapshot_free(mavd_snapshot *s)
{
    if (s == NULL)
        return;
    if (s->bundler != s->node)
        mav2_rpc_free(s->bundler);
    mav2_rpc_free(s->node);
    mav2_send_known_clear(&s->k);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

int mavd_snapshot_get(mavd_snapshot *s, const mav2_send_params *p, mav2_send_known *k)
{
    int ok = 1;
    memset(k, 0, sizeof(*k));
    pthread_mutex_lock(&s->mu);
    if (s->read_at < 0 || mono_ms() - s->read_at >= s->max_age_ms) {
        ok = mav2_send_known_read(s->node, s->bundler, p, &s->k);
        s->read_at = ok ? mono_ms() : -1;
    }
    ok = ok && mav2_send_known_copy(k, &s->k);
    pthread_mutex_unlock(&s->mu);
    return ok;
}

void mavd_snapshot_stale(mavd_snapshot *s)
{
    pthread_mutex_lock(&s->mu);
    s->read_at = -1;
    pthread_mutex_unlock(&s->mu);
}
