/* SPDX-License-Identifier: Apache-2.0 */
/* send_int.h (internal to libmav2, not installed): what send.c (the flow) shares with
 * send_replace.c (fee rule and drop-and-replace) and send_wait.c (receipt polling): the
 * flow's context, steps and JSON helpers. */
#ifndef MAV2_SEND_INT_H
#define MAV2_SEND_INT_H

#include "mav2/journal.h"
#include "mav2/send.h"
#include "mav2/userop.h"

typedef struct {
    mav2_rpc *node, *bundler, *pm; /* pm: the ERC-7677 service (p->paymaster_url) */
    const mav2_send_params *p;
    mav2_send_result *r;
    const uint8_t *ep;
    mav2_u256 key;
    uint64_t chain_id;
    int deployed;
    mav2_u256 onchain_nonce, base_fee, max_fee, max_prio, deposit;
    int have_deposit; /* deposit read (only asked when the margin may apply) */
    int pm_given;     /* MAV2_SPONSOR_PM_* limits set by the paymaster service */
    int pm_final;     /* the stub answer was final: no pm_getPaymasterData */
    char dir[4096];
    int journal;
    int lock_fd; /* lane lock (journal.h), -1 when not held */
    unsigned long before_n, before_b, before_pm;
    char note[320]; /* r->message on success (the bundler's userOpHash is not ours) */
} mav2_send_ctx;

/* Arguments, nonce key, paymaster client, journal dir and lane lock (send.h). */
int mav2_send_begin(mav2_send_ctx *c, mav2_rpc *node, mav2_rpc *bundler, const mav2_send_params *p,
                    mav2_send_result *r);
/* Request count, success flag and message; releases the lock and clients. Returns ok. */
int mav2_send_finish(mav2_send_ctx *c, mav2_send_result *r, int ok);
/* Chain, code, nonce, deposit, base fee and priority hints, batched; fees computed. */
int mav2_send_prepare(mav2_send_ctx *c);
/* Waits for (or reports) the journaled op e instead of signing another. */
int mav2_send_resume(mav2_send_ctx *c, mav2_journal_entry *e);
/* params.max_cost_wei: 1 if op is within the cap (or sponsored, or no cap), else 0
 * with the error naming both amounts. */
int mav2_send_check_max_cost(const mav2_send_ctx *c, const mav2_userop *op);
/* Signs op (gas and fees set), journals it, sends it and waits. */
int mav2_send_sign_send_wait(mav2_send_ctx *c, mav2_userop *op);
/* Member k of object o, or NULL. */
json_object *mav2_send_member(json_object *o, const char *k);
/* A hex quantity o (what names it in the error). */
int mav2_send_quantity(json_object *o, const char *what, mav2_u256 *out);
/* Records a failed call as r's outcome: REJECTED for a JSON-RPC error (explained),
 * NETWORK otherwise. Returns 0. */
int mav2_send_call_failed(mav2_send_result *r, const mav2_rpc_error *e, const char *method,
                          uint32_t entity);
/* Receipt polling of hash with p's waiting parameters. */
int mav2_send_wait(mav2_rpc *bundler, const uint8_t hash[32], const mav2_send_params *p,
                   mav2_send_result *r, int sleep_first);
/* ERC-7677 stub (final 0) or final (1) paymaster data into op. */
int mav2_send_sponsor_7677(mav2_send_ctx *c, mav2_userop *op, int final);
void mav2_send_unlock(mav2_send_ctx *c);
void mav2_send_progress(const mav2_send_params *p, mav2_send_stage st, const char *detail);
/* replace_after_ms ran out for op (sent as old_hash): replace once, keep waiting. */
int mav2_send_replace_pending(mav2_send_ctx *c, mav2_userop *op, const uint8_t old_hash[32]);

#endif
