/* SPDX-License-Identifier: Apache-2.0 */
/* known.h (internal to libmav2, not installed): what a caller sending op after op on
 * one account (mav2d's lanes) already knows, so that the send flow does not read it
 * again for every op: then an op costs the estimate and the send alone (issue 14).
 * The caller keeps it true: the chain checked once, the deployment once seen (an
 * account keeps its code), the fees and the signing validation from one recent read
 * (mav2_send_known_read), the lane's next nonce only after its own op was included.
 * With a known struct the EntryPoint deposit is not read (unknown: the verification
 * gas margin applies, send.h). The flow still reads the nonce itself with a shared
 * state (send.h: the chain's nonce checked against the lane's row before signing) and
 * whenever the lane's journal holds an op (it is resumed or awaited on a fresh read). */
#ifndef MAV2_SEND_KNOWN_H
#define MAV2_SEND_KNOWN_H

#include <stdint.h>

#include "mav2/core/u256.h"
#include "mav2/send/send.h"

typedef struct mav2_send_known {
    uint64_t chain_id; /* != 0: the node and the bundler are both on this chain */
    int deployed;      /* the account has code */
    int have_fees;     /* base_fee and at least one priority hint below */
    mav2_u256 base_fee, rundler, eth_prio;
    int have_rundler, have_eth_prio;
    int have_validation; /* validation read (entity 0 has none: it stays NULL) */
    char *validation;    /* getValidationData's answer, 0x-hex (owned) */
    int have_nonce;      /* nonce: the lane's next nonce, key192 << 64 | sequence */
    mav2_u256 nonce;
} mav2_send_known;

/* Reads into k, in one batch per client, what p's ops share and k does not hold yet:
 * the node's and bundler's chain (chain_id 0), the code (not deployed), the latest base
 * fee and priority hints, the signing validation. Returns 1, or 0 with
 * mav2_last_error() set (k keeps what it had). */
int mav2_send_known_read(mav2_rpc *node, mav2_rpc *bundler, const mav2_send_params *p,
                         mav2_send_known *k);
/* dst = a copy of src (dst's old contents not freed). */
int mav2_send_known_copy(mav2_send_known *dst, const mav2_send_known *src);
void mav2_send_known_clear(mav2_send_known *k);

/* mav2_send with what k says instead of reading it (k NULL: mav2_send). */
MAV2_WARN_UNUSED_RESULT int mav2_send_with(mav2_rpc *node, mav2_rpc *bundler,
                                           const mav2_send_params *p, const mav2_send_known *k,
                                           mav2_send_result *r);

#endif
