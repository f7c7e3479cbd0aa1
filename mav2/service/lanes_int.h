/* SPDX-License-Identifier: Apache-2.0 */
/* lanes_int.h: what lanes.c (the lanes, the queue, the poller) shares with lease.c (a
 * lane's PostgreSQL lease). */
#ifndef MAVD_LANES_INT_H
#define MAVD_LANES_INT_H

#include <pthread.h>

#include "mav2/net/rpc.h"
#include "mav2/net/state.h"
#include "mav2/send/guard.h"
#include "mav2/service/snapshot.h"
#include "mav2/service/lanes.h"

typedef struct {
    mavd_lanes *owner;
    unsigned index;
    pthread_t thread;
    mav2_u256 key; /* the nonce key (lane, entity, options) */
    int pending;   /* an op of this lane is sent and not settled */
    int settled;   /* the poller saw its outcome: the lane removes its journal entry */
    uint8_t hash[32];
    uint64_t seq; /* the pending op's nonce sequence */
    /* the lane's next nonce, known after its op was included (files only: the next op
     * skips reading it); a failed or superseded op leaves it unknown */
    int have_next;
    mav2_u256 next_nonce;
    unsigned signs; /* signatures made for the job being run */
    /* PostgreSQL (state = postgresql://...): the lane's own handle, and its lease,
     * held while this host has work on the lane */
    mav2_state *st;
    mav2_state_lane held;
    int holding;
    long long renew_at, probe_at, retry_at; /* monotonic ms: next renewal, next idle
                                             * look, next claim for a waiting job */
} lane;

struct mavd_lanes {
    const mavd_conf *conf;
    mav2_signer *signer;
    mav2_guard guard; /* policy, ledger and key reference: each op works on a copy */
    uint64_t chain_id;
    mavd_snapshot *snap; /* the chain state the lanes share */
    char journal_dir[4096];
    pthread_mutex_t mu;
    pthread_cond_t work;    /* a job was queued, an op settled, or stopping */
    pthread_cond_t done;    /* a job was answered */
    pthread_cond_t poll_cv; /* wakes the poller to stop */
    mavd_job *head, *tail;
    size_t queued;
    uint64_t tickets; /* jobs ever queued: the last one's ticket */
    long poll_ms;
    int stopping;
    pthread_t poller;
    mav2_state *poll_st; /* PostgreSQL: the poller's handle */
    unsigned n;
    lane lanes[MAVD_MAX_LANES];
};

/* Unlocked: the op the journal holds for ln, pending again (lanes.c). */
void mavd_lane_resume(lane *ln, mav2_rpc *bundler);
/* Under l->mu: removes the journal entry of ln's settled op; 1 when there was one. */
int mavd_lane_settle_entry(lane *ln);
/* Under l->mu: takes the queue's first job. */
mavd_job *mavd_lanes_pop(mavd_lanes *l);
/* Under l->mu, PostgreSQL: the next job for ln once it holds the lane's lease, NULL when
 * stopping (lease.c). */
mavd_job *mavd_lane_next_leased(lane *ln, mav2_rpc *bundler);

#endif
