/* SPDX-License-Identifier: Apache-2.0 */
/* lease.c: a lane's lease with state = postgresql://... (lanes.h): claimed for work,
 * renewed every third of it while the lane has a request or a pending op, given up when
 * it has nothing to do; an idle lane looks every lease for an op a dead holder left. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "mav2/core/error.h"
#include "mav2/service/lanes_int.h"

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Unlocked: gives ln's lease up. */
static void lease_drop(lane *ln)
{
    if (!mav2_state_lane_release(ln->st, &ln->held))
        fprintf(stderr, "mav2d: lane %u: %s\n", ln->index, mav2_last_error());
    ln->holding = 0;
    ln->retry_at = 0;
    ln->probe_at = mono_ms() + ln->owner->conf->lease_ms;
}

/* Unlocked: claims ln's lane (PostgreSQL) and resumes the op its row holds (a dead
 * holder's, or this host's before a restart). Keeps the lease only for work. 0 when the
 * claim failed (the database did not come back within the state's wait). */
static int lease_take(lane *ln, mav2_rpc *bundler, int want)
{
    mavd_lanes *l = ln->owner;
    int got = 0, pending;
    if (!mav2_state_lane_claim(ln->st, l->conf->account, &ln->key, 1, l->conf->lease_ms, &ln->held,
                               &got)) {
        fprintf(stderr, "mav2d: lane %u: %s\n", ln->index, mav2_last_error());
        return 0;
    }
    if (!got)
        return 1;
    ln->holding = 1;
    ln->renew_at = mono_ms() + l->conf->lease_ms / 3;
    mavd_lane_resume(ln, bundler);
    pthread_mutex_lock(&l->mu);
    pending = ln->pending;
    pthread_mutex_unlock(&l->mu);
    if (!pending && !want)
        lease_drop(ln);
    return 1;
}

/* Under l->mu: a claim failed (why): the jobs queued before it began (ticket up to upto)
 * waited the state's whole wait for the database and are answered with the error;
 * nothing was signed for them. */
static void refuse_waiting(lane *ln, uint64_t upto, const char *why)
{
    mavd_lanes *l = ln->owner;
    while (l->head != NULL && l->head->ticket <= upto) {
        mavd_job *j = mavd_lanes_pop(l);
        j->code = -32003;
        snprintf(j->message, sizeof(j->message), "no lane: %s", why);
        j->done = 1;
    }
    pthread_cond_broadcast(&l->done);
}

/* Unlocked: renews ln's lease; lost, the lane's op is the next holder's. */
static void lease_keep(lane *ln)
{
    mavd_lanes *l = ln->owner;
    if (mav2_state_lane_renew(ln->st, &ln->held, l->conf->lease_ms)) {
        ln->renew_at = mono_ms() + l->conf->lease_ms / 3;
        return;
    }
    fprintf(stderr, "mav2d: lane %u: %s: its op is left to the next holder\n", ln->index,
            mav2_last_error());
    ln->holding = 0;
    pthread_mutex_lock(&l->mu);
    ln->pending = 0;
    pthread_mutex_unlock(&l->mu);
}

/* Under l->mu, PostgreSQL: waits until wake_ms (monotonic). */
static void wait_until(mavd_lanes *l, long long wake_ms)
{
    struct timespec until;
    long long d = wake_ms - mono_ms();
    if (d <= 0)
        return;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += d / 1000;
    until.tv_nsec += (d % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&l->work, &l->mu, &until);
}

/* How soon a lane with a job waiting tries its claim again: a tenth of the lease, at
 * least 50 ms and at most 250 ms (another host gives a lane up as soon as its queue is
 * empty; 3 s at the default lease made a two-host tail). One query per try. */
static long long claim_retry_ms(int lease_ms)
{
    long long t = lease_ms / 10;
    return t < 50 ? 50 : t > 250 ? 250 : t;
}

/* Under l->mu, PostgreSQL: one step of keeping ln's lease (renewed while an op is
 * pending or a job waits, given up when the lane has nothing to do, claimed for a
 * job, or every lease for an op a dead host left). 1 when it did something. */
static int lease_step(lane *ln, mav2_rpc *bundler, int want)
{
    mavd_lanes *l = ln->owner;
    long long now = mono_ms();
    int act = 0, pending = ln->pending, claimed = 1;
    uint64_t upto = l->tickets;
    pthread_mutex_unlock(&l->mu);
    if (ln->holding && !pending && !want)
        act = (lease_drop(ln), 1);
    else if (ln->holding && now >= ln->renew_at)
        act = (lease_keep(ln), 1);
    else if (!ln->holding && (now >= ln->probe_at || (want && now >= ln->retry_at))) {
        claimed = lease_take(ln, bundler, want);
        ln->probe_at = now + l->conf->lease_ms;
        ln->retry_at = now + claim_retry_ms(l->conf->lease_ms);
        act = 1;
    }
    pthread_mutex_lock(&l->mu);
    if (!claimed && want)
        refuse_waiting(ln, upto, mav2_last_error());
    return act;
}

/* The lease given up when stopping: a pending op is the next holder's. */
mavd_job *mavd_lane_next_leased(lane *ln, mav2_rpc *bundler)
{
    mavd_lanes *l = ln->owner;
    for (;;) {
        int want = l->head != NULL;
        if (mavd_lane_settle_entry(ln))
            continue;
        if (l->stopping) {
            pthread_mutex_unlock(&l->mu);
            if (ln->holding)
                lease_drop(ln);
            pthread_mutex_lock(&l->mu);
            return NULL;
        }
        if (ln->holding && !ln->pending && want)
            break;
        if (lease_step(ln, bundler, want))
            continue;
        if (ln->holding)
            wait_until(l, ln->renew_at);
        else
            wait_until(l, want && ln->retry_at < ln->probe_at ? ln->retry_at : ln->probe_at);
    }
    return mavd_lanes_pop(l);
}
