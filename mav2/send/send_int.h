/* SPDX-License-Identifier: Apache-2.0 */
/* send_int.h (internal to libmav2, not installed): the send flow's context and steps,
 * one file a step; each file uses only the ones listed before it:
 *   flow.c     defaults, progress, JSON helpers, failed calls as outcomes, clock, lock
 *   wait.c     receipt polling
 *   lane_journal.c  the journal: the state backend's (a leased lane) or the files'
 *   erc20_gas.c  gas in an ERC-20 token: allowance read, approve batched in front
 *   prepare.c  arguments, the chain state read in one batch, the op's gas and sponsorship
 *   resume.c   a journaled op seen through, a busy lane awaited
 *   submit.c   sign, journal, eth_sendUserOperation, then one wait
 *   replace.c  drop-and-replace: raised fees, renewed sponsorship, refusals
 *   send.c     the entry points and the driver (a loop over the steps)
 *   many.c     several ops at once, one thread a lane
 * (fees.c, bounds.c, send_policy.c, sponsor.c, explain.c: the rules the steps apply). */
#ifndef MAV2_SEND_INT_H
#define MAV2_SEND_INT_H

#include "mav2/core/abi.h"
#include "mav2/net/journal.h"
#include "mav2/net/rpc_json.h"
#include "mav2/net/state.h"
#include "mav2/send/known.h"
#include "mav2/send/send.h"
#include "mav2/core/userop.h"
#include "mav2/core/userop_json.h"
#include "mav2/core/address.h"

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
    char note[320];          /* r->message on success (the bundler's userOpHash is not ours) */
    mav2_validation_data vd; /* the signing validation's (send_policy.c) */
    int have_vd;             /* vd read: the account is deployed and the entity not 0 */
    char fees_refused[320];  /* prepare: the fees are out of bounds (mav2_fees_compute's
                              * sentence); a journaled op is still resumed, nothing signed */

    /* what the op is asked to do, journaled with it (owned); the op settled last can
     * never be included (its entry cleared); mav2_send_now_ms() at the start */
    json_object *intent;
    json_object *replaced; /* journaled with a replacement: journal.h (owned) */
    int superseded;
    long started_ms;
    /* known.h: what the first prepare does not read (NULL: read everything); the
     * nonce came from it (read afresh when the journal holds an op) */
    const mav2_send_known *known;
    int nonce_cached;
} mav2_send_ctx;

/* flow.c */
/* 1 if p's struct_size is this library's (made by mav2_send_params_init), else 0 with
 * mav2_last_error() set: the check of every public entry point taking one. */
int mav2_send_params_check(const mav2_send_params *p);
void mav2_send_progress(const mav2_send_params *p, mav2_send_stage st, const char *detail);
/* Member k of object o, or NULL. */
json_object *mav2_send_member(json_object *o, const char *k);
/* A hex quantity o (what names it in the error). */
int mav2_send_quantity(json_object *o, const char *what, mav2_u256 *out);
/* "0x" hex of b, an address, and [op, ep]: the params of the eth_*UserOperation* calls. */
json_object *mav2_send_json_hex(const uint8_t *b, size_t n);
json_object *mav2_send_json_address(const uint8_t a[MAV2_ADDRESS_LEN]);
json_object *mav2_send_op_params(json_object *op, const uint8_t *ep);
/* The JSON text of o into *text (a result's receipt or user_op), freeing the old one. */
int mav2_send_keep_json(char **text, json_object *o);
/* Records a failed call as r's outcome: REJECTED for a JSON-RPC error (explained),
 * NETWORK otherwise. Returns 0. */
int mav2_send_call_failed(mav2_send_result *r, const mav2_rpc_error *e, const char *method,
                          uint32_t entity);
/* A monotonic clock in ms. */
long mav2_send_now_ms(void);
void mav2_send_unlock(mav2_send_ctx *c);

/* lane_journal.c: the journal of c's lane, the state backend's (p->state, under the
 * caller's lease) or the state directory's files (under the lane lock). */
/* state and state_lane given together, for p's account and nonce key key. */
int mav2_send_jcheck_params(const mav2_send_params *p, const mav2_u256 *key);
/* The lane lock (files; with a state the caller's lease stands for it). */
int mav2_send_jlock(mav2_send_ctx *c);
/* The lane's entry. */
int mav2_send_jget(mav2_send_ctx *c, mav2_journal_entry *e, int *found);
/* The lane's entry as the nonce read (c->onchain_nonce) sees it: with a state, through
 * mav2_state_nonce_check (none when the flow may sign; 0 when the lease is lost). */
int mav2_send_jlane(mav2_send_ctx *c, mav2_journal_entry *e, int *found);
/* Writes e (with a state: fenced by the lease). */
int mav2_send_jput(mav2_send_ctx *c, const mav2_journal_entry *e);
/* Removes the lane's entry if it is still the op known by hash. */
int mav2_send_jdone(mav2_send_ctx *c, const uint8_t hash[32]);
/* The same while the lane lock is held (files: taking it again would wait forever). */
int mav2_send_jdrop(mav2_send_ctx *c, const uint8_t hash[32]);
/* Right before op is signed (with a state): the lease holds and no other op is
 * journaled for its nonce (the replaced one only, for a replacement). */
int mav2_send_jbefore_sign(mav2_send_ctx *c, const mav2_userop *op);

/* wait.c: the first receipt poll's delay: p->poll_initial_ms, or when that is 0 the
 * chain's block time (settings.h presets), else MAV2_SEND_POLL_FALLBACK_MS. */
#define MAV2_SEND_POLL_FALLBACK_MS 2000
long mav2_send_first_poll_ms(const mav2_send_params *p, uint64_t chain_id);
/* wait.c: receipt polling of hash with p's waiting parameters. */
int mav2_send_wait(mav2_rpc *bundler, const uint8_t hash[32], const mav2_send_params *p,
                   mav2_send_result *r, int sleep_first);

/* prepare.c */
/* Arguments, nonce key, paymaster client, journal dir and lane lock (send.h). */
int mav2_send_begin(mav2_send_ctx *c, mav2_rpc *node, mav2_rpc *bundler, const mav2_send_params *p,
                    mav2_send_result *r);
/* Request count, success flag and message; releases the lock and clients. Returns ok. */
int mav2_send_finish(mav2_send_ctx *c, mav2_send_result *r, int ok);
/* Chain, code, nonce, deposit, base fee and priority hints, batched; fees computed. */
int mav2_send_prepare(mav2_send_ctx *c);
/* The op of c->p (init'ed by the caller): sender, nonce, factory, call data (the
 * signing validation applied), stub signature, fees, gas limits and sponsorship. */
int mav2_send_build_op(mav2_send_ctx *c, mav2_userop *op);
/* ERC-7677 stub (final 0) or final (1) paymaster data into op. */
int mav2_send_sponsor_7677(mav2_send_ctx *c, mav2_userop *op, int final);

/* resume.c */
/* The intent of p's op (send.h: entry point, call data, factory, sponsorship digests,
 * fee options), as journaled. */
json_object *mav2_send_intent(const mav2_send_params *p, const uint8_t ep[MAV2_ADDRESS_LEN]);
/* 1 if the journaled e was made for c->intent. */
int mav2_send_same_intent(const mav2_send_ctx *c, const mav2_journal_entry *e);
/* Sees the journaled op e through instead of signing another (send.h: resuming). */
int mav2_send_resume(mav2_send_ctx *c, mav2_journal_entry *e);
/* e, of another intent, holds the lane: waits for it to settle (the lock released),
 * then takes the lane again and reads the fresh nonce. 0 (TIMEOUT: the message names e
 * and how to resolve it) when it is still pending. */
int mav2_send_await_busy(mav2_send_ctx *c, mav2_journal_entry *e);
/* 1 when c's lane is free for a new op: no journaled op, or force_new, or the ops of
 * other intents awaited (c->p then points to rest: the rest of the wait). 0 when the
 * flow ends here: *ok is the result of resuming the journaled op of the same intent,
 * or 0 on an error. */
int mav2_send_lane_free(mav2_send_ctx *c, mav2_send_params *rest, int *ok);

/* submit.c */
/* Signs op (gas and fees set; within the cost cap), journals it and sends it; sent:
 * the bundler's hash (also r->user_op_hash). The lane lock is released once sent. */
int mav2_send_sign_submit(mav2_send_ctx *c, mav2_userop *op, uint8_t sent[32]);
/* Waits for the op sent as sent (SUBMITTED at once when wait_timeout_ms < 0) and
 * removes its journal entry once it settled. When replace_after_ms ran out first:
 * 0 with *replace_due set, nothing removed. */
int mav2_send_await(mav2_send_ctx *c, const uint8_t sent[32], int *replace_due);

/* replace.c */
/* A replacement under way (replace_after_ms ran out): what its round needs. */
typedef struct {
    const mav2_send_params *saved; /* the flow's parameters */
    mav2_send_params q;            /* the replacement's: the rest of the wait, no 2nd one */
    mav2_send_params once;         /* one last look for the replaced op */
    mav2_journal_entry old; /* the replaced op's entry (found: read; cleared by the caller) */
    int found;
    uint8_t old_hash[32];
} mav2_send_replacing;
/* replace_after_ms ran out for op, sent as sent: fresh fees and nonce read. 1 when op
 * has raised fees and is to be signed again with c->p = &rp->q; 0 when there is
 * nothing to replace or on an error (*ok: the first op's result). */
int mav2_send_replace_due(mav2_send_ctx *c, mav2_userop *op, const uint8_t sent[32],
                          mav2_send_replacing *rp, int *ok);
/* After the replacement's round (ok): c->p restored, a refusal handled, and when it
 * timed out, one last look for the replaced op. Returns the flow's result. */
int mav2_send_replace_end(mav2_send_ctx *c, mav2_send_replacing *rp, int ok);
/* mav2_send_replace: the journaled op into je and op, its fees raised; 1 when it is to
 * be signed; 0 when the flow ends here (*ok: 1 when it was resumed instead). */
int mav2_send_replace_load(mav2_send_ctx *c, mav2_journal_entry *je, mav2_userop *op, int *ok);
/* A replacement of old was refused: old reported when it went in meanwhile or is being
 * bundled (AA25), journaled again; else the refusal. */
int mav2_send_replace_refused(mav2_send_ctx *c, mav2_journal_entry *old);

/* send.c: sign → submit → wait, and replace → submit → wait when replace_after_ms ran
 * out (a loop, at most two rounds). */
int mav2_send_drive(mav2_send_ctx *c, mav2_userop *op);

/* bounds.c: params.max_cost_wei (zero: the chain's default cap, bounds.h): 1 if op is
 * within the cap (or sponsored) and prepare found the fees in bounds, else 0 with the
 * error naming both amounts (or the fee bound). */
int mav2_send_check_max_cost(const mav2_send_ctx *c, const mav2_userop *op);
/* send_policy.c */
/* eth_call params of getValidationData(SingleSignerValidationModule || entity) on the
 * account (for the first batch); NULL if out of memory. */
json_object *mav2_send_policy_params(const mav2_send_ctx *c);
/* Its answer into c->vd ("0x": no code, nothing read). */
int mav2_send_policy_read(mav2_send_ctx *c, json_object *result);
/* What the validation allows, applied to the call data before signing: wrapped in
 * executeUserOp when it has execution hooks (and is not already); each call of
 * execute / executeBatch checked against its AllowlistModule hooks (one batch per
 * hook), refused (outcome REJECTED, the call, target and rule named) unless allowed. */
int mav2_send_policy_apply(mav2_send_ctx *c, mav2_buf *call_data);

#endif
