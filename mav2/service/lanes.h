/* SPDX-License-Identifier: Apache-2.0 */
/* lanes.h: mav2d's nonce lanes. Lane i sends on the nonce key (lane i, the profile's
 * entity, global or not) one op at a time through the send flow and its journal
 * (send.h, journal.h, in STATE_DIR/journal): a request waits in one queue until a lane
 * is free, is signed and sent, and is answered when the bundler accepted it; the lane
 * takes the next request once that op is included (or reverted). One receipt poller
 * asks the bundler about every pending op in one batched request per poll interval.
 * At start each lane resumes the op its journal holds (sent again when the bundler
 * lost it), so a kill -9 loses no accepted op and sends none twice.
 * With state = postgresql://... the journal is the database's and the lanes are shared
 * by every mav2d on the account: a lane is leased (state.h) while this host has a
 * request or a pending op for it, renewed every third of the lease, given up when it
 * has nothing to do; an idle lane looks every lease for an op its dead holder left
 * (the lease expired) and sees it through as at start. */
#ifndef MAV2D_LANES_H
#define MAV2D_LANES_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "mav2/core/account.h"
#include "mav2/core/buf.h"
#include "mav2/keys/signer.h"
#include "mav2/send/guard.h"
#include "mav2/service/conf.h"

typedef struct mavd_lanes mavd_lanes;

typedef struct mavd_job {
    mav2_call *calls;
    uint8_t **datas;
    size_t n_calls;
    char *paymaster_url;     /* ERC-7677 service of the request (NULL: the profile's) */
    char *paymaster_context; /* JSON object text or NULL */
    /* out */
    int done, ok;
    int code;          /* JSON-RPC error code when !ok */
    char message[512]; /* the error when !ok */
    uint8_t hash[32];  /* the id when ok */
    uint64_t ticket;   /* the lanes': its place in the order of arrival */
    struct mavd_job *next;
} mavd_job;

void mavd_job_free(mavd_job *j);

/* Starts conf->lanes lane threads and the poller; chain_id is the node's. Every op
 * passes guard (guard.h: the policy before the token signs, the ledger after it and
 * on the op's outcome), copied. The conf, signer and guard's policy must outlive the
 * lanes. */
int mavd_lanes_start(const mavd_conf *conf, mav2_signer *signer, const mav2_guard *guard,
                     uint64_t chain_id, mavd_lanes **out);
/* Queues job and blocks until a lane answered it (job->done). */
void mavd_lanes_submit(mavd_lanes *l, mavd_job *job);
/* Queue depth and pending ops (for /metrics). */
void mavd_lanes_gauges(mavd_lanes *l, size_t *queued, size_t *pending);
/* A new poll interval (SIGHUP). */
void mavd_lanes_set_poll(mavd_lanes *l, long poll_ms);
/* Refuses queued requests (and any submitted later), lets every lane finish the op
 * it is sending (journaled, resumed at the next start) and stops the threads. */
void mavd_lanes_stop(mavd_lanes *l);
/* Frees stopped lanes, once no request can reach them (the HTTP server stopped). */
void mavd_lanes_free(mavd_lanes *l);

#endif
