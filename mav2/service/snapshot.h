/* SPDX-License-Identifier: Apache-2.0 */
/* snapshot.h: what mav2d's lanes share about the chain and the account, given to the
 * send flow so that an op costs the estimate and the send alone (send/known.h): the
 * node's and the bundler's chain checked once (at the first op), the deployment once
 * seen, the fees and the signing validation from one read at most every block time
 * (the chain's preset, settings.h; 2 s without one), made by the first lane that finds
 * them older while the others wait for it. Thread-safe. */
#ifndef MAVD_SNAPSHOT_H
#define MAVD_SNAPSHOT_H

#include <stdint.h>

#include "mav2/send/known.h"
#include "mav2/service/conf.h"

typedef struct mavd_snapshot mavd_snapshot;

/* For c's node and bundler on chain_id. */
int mavd_snapshot_new(const mavd_conf *c, uint64_t chain_id, mavd_snapshot **out);
void mavd_snapshot_free(mavd_snapshot *s);
/* A copy into k (mav2_send_known_clear it), read first when older than the block time
 * (for the ops of p). 0 when that read failed: k is empty, the flow reads it all. */
int mavd_snapshot_get(mavd_snapshot *s, const mav2_send_params *p, mav2_send_known *k);
/* An op failed: the next get reads the fees and the validation again. */
void mavd_snapshot_stale(mavd_snapshot *s);

#endif
