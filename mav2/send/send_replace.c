/* SPDX-License-Identifier: Apache-2.0 */
/* send_replace.c: the fee rule (mav2_fees_compute) and drop-and-replace
 * (mav2_send_replace, and the replace_after_ms step of the flow); see send.h. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "common/hex.h"
#include "mav2/core/account.h"
#include "mav2/core/address.h"
#include "mav2/send/bounds.h"
#include "mav2/core/error.h"
#include "mav2/send/send_int.h"
#include "mav2/send/sponsor.h"

/* The fee bounds (send.h): prio within its ceiling, max_fee capped at
 * ceil(base x fee_cap_base_mul) + prio. */
static int fees_bounded(const mav2_u256 *base_fee, const mav2_u256 *prio, const mav2_send_params *p,
                        mav2_u256 *max_fee)
{
    mav2_u256 ceiling, cap;
    char ps[MAV2_U256_DEC_MAX + 2], cs[MAV2_U256_DEC_MAX + 2];
    mav2_bounds_max_priority_fee(p, p->chain_id, &ceiling);
    if (mav2_u256_cmp(prio, &ceiling) > 0) {
        mav2_u256_format_units(prio, 9, ps);
        mav2_u256_format_units(&ceiling, 9, cs);
        return mav2_error_set("fees: maxPriorityFeePerGas %s gwei is over the ceiling %s gwei "
                              "(--max-priority-fee): not signing",
                              ps, cs);
    }
    if (p->fee_cap_base_mul == NULL)
        return 1;
    if (!mav2_u256_ceil_mul_dec(&cap, base_fee, p->fee_cap_base_mul) ||
        !mav2_u256_add(&cap, &cap, prio))
        return mav2_error_prefix("fees: maxFeePerGas cap");
    if (mav2_u256_cmp(max_fee, &cap) > 0)
        *max_fee = cap;
    return 1;
}

int mav2_fees_compute(const mav2_u256 *base_fee, const mav2_u256 *rundler_hint,
                      const mav2_u256 *eth_priority, const mav2_send_params *p, mav2_u256 *max_fee,
                      mav2_u256 *max_priority)
{
    mav2_send_params d;
    mav2_u256 prio, t;
    if (p == NULL) {
        mav2_send_params_init(&d);
        p = &d;
    }
    if (rundler_hint != NULL) {
        if (!mav2_u256_ceil_mul_dec(&prio, rundler_hint,
                                    p->priority_mul ? p->priority_mul : "1.05") ||
            !mav2_u256_ceil_mul_dec(&t, base_fee, p->base_mul ? p->base_mul : "1.5") ||
            !mav2_u256_add(&t, &t, &prio) ||
            !mav2_u256_ceil_mul_dec(max_fee, &t, p->max_fee_mul ? p->max_fee_mul : "1.5"))
            return mav2_error_prefix("fees");
    } else {
        if (eth_priority == NULL)
            return mav2_error_set("fees: no priority fee hint from the node or bundler");
        prio = *eth_priority;
        if (!mav2_u256_ceil_mul_dec(&t, base_fee,
                                    p->generic_base_mul ? p->generic_base_mul : "1.2") ||
            !mav2_u256_add(max_fee, &t, &prio))
            return mav2_error_prefix("fees");
    }
    if (!fees_bounded(base_fee, &prio, p, max_fee))
        return 0;
    *max_priority = prio;
    return 1;
}

/* max(fresh, ceil(old * 1.1)) */
static int bump(mav2_u256 *out, const mav2_u256 *old, const mav2_u256 *fresh)
{
    mav2_u256 t;
    if (!mav2_u256_ceil_mul_dec(&t, old, "1.1"))
        return 0;
    mav2_u256_max(out, &t, fresh);
    return 1;
}

/* Drop-and-replace fees for op (bump above) and its sponsorship renewed: the Gas Manager
 * asked again with the raised fees as overrides, or pm_getPaymasterData with them. */
static int raise_fees(mav2_send_ctx *c, mav2_userop *op)
{
    mav2_u256 fee, prio;
    c->r->outcome = MAV2_SEND_INVALID;
    if (!bump(&fee, &op->max_fee_per_gas, &c->max_fee) ||
        !bump(&prio, &op->max_priority_fee_per_gas, &c->max_prio))
        return mav2_error_prefix("replace: fees");
    op->max_fee_per_gas = fee;
    op->max_priority_fee_per_gas = prio;
    if (c->p->gas_policy_id != NULL)
        return mav2_sponsor_gas_manager(c->bundler, c->p, c->ep, op, &fee, &prio, &c->r->outcome);
    if (c->pm != NULL)
        return mav2_send_sponsor_7677(c, op, 1);
    if (op->has_paymaster) {
        char a[MAV2_ADDRESS_STR_MAX];
        mav2_address_format(op->paymaster, a);
        return mav2_error_set("replace: the op is sponsored by paymaster %s: give its paymaster "
                              "URL or gas policy again (its data covers the old fees)",
                              a);
    }
    return 1;
}

/* A replacement was refused (typically AA25: the old op went in meanwhile, or the
 * bundler is already bundling it, Alto: "already being processed"): if the nonce moved,
 * report the old op (as resume does); else journal the old op again (it is still the
 * live one) and, for AA25, wait for it; other refusals fail. */
static int replacement_refused(mav2_send_ctx *c, mav2_journal_entry *old)
{
    char why[512];
    mav2_send_outcome o = c->r->outcome;
    uint64_t seq_chain, seq_old;
    snprintf(why, sizeof(why), "%s", mav2_last_error());
    if (mav2_send_prepare(c)) {
        mav2_nonce_split(&c->onchain_nonce, NULL, &seq_chain);
        mav2_nonce_split(&old->nonce, NULL, &seq_old);
        if (seq_chain > seq_old) {
            c->r->replaced = 0;
            return mav2_send_resume(c, old);
        }
    }
    c->r->outcome = o;
    if (c->journal)
        mav2_journal_put(c->dir, old);
    if (strstr(why, "AA25") != NULL) { /* the bundler is already bundling the old op */
        c->r->replaced = 0;
        return mav2_send_resume(c, old);
    }
    return mav2_error_set("%s", why);
}

void mav2_send_note_replaced(mav2_send_ctx *c, const mav2_journal_entry *old)
{
    json_object *a = json_object_new_array();
    char hex[67];
    for (size_t i = 0; old->replaced != NULL && i < json_object_array_length(old->replaced); i++)
        json_object_array_add(a, json_object_get(json_object_array_get_idx(old->replaced, i)));
    mh_hex_encode(old->user_op_hash, 32, hex, sizeof(hex), 1);
    json_object_array_add(a, json_object_new_string(hex));
    json_object_put(c->replaced);
    c->replaced = a;
}

/* replace_after_ms ran out for the op sent as old_hash (op: that op, signed): replace
 * it once with raised fees and wait the rest of wait_timeout_ms for either op. */
int mav2_send_replace_pending(mav2_send_ctx *c, mav2_userop *op, const uint8_t old_hash[32])
{
    const mav2_send_params *saved = c->p;
    mav2_send_params q = *c->p, once = *c->p;
    uint64_t seq_chain, seq_op;
    uint8_t old[32], rep[32]; /* the journal holds the replacement once it is made */
    mav2_journal_entry je;
    int ok, found = 0;

    memset(&je, 0, sizeof(je));
    memcpy(old, old_hash, 32);
    memcpy(rep, old_hash, 32);
    once.wait_timeout_ms = 0;
    if (c->journal && !mav2_journal_lock(c->dir, saved->account, &c->key, &c->lock_fd))
        return 0;
    if (!mav2_send_prepare(c)) /* fresh fees and nonce */
        return 0;
    mav2_nonce_split(&c->onchain_nonce, NULL, &seq_chain);
    mav2_nonce_split(&op->nonce, NULL, &seq_op);
    if (seq_chain > seq_op) { /* went in meanwhile: nothing to replace */
        mav2_send_unlock(c);
        ok = mav2_send_wait(c->bundler, old, &once, c->r, 0);
    } else {
        if (!raise_fees(c, op))
            return 0;
        q.replace_after_ms = 0;
        q.wait_timeout_ms = saved->wait_timeout_ms - saved->replace_after_ms;
        if (!mav2_send_check_max_cost(c, op)) { /* keep waiting for the first op */
            snprintf(c->note, sizeof(c->note), "not replaced: %s", mav2_last_error());
            mav2_send_unlock(c);
            ok = mav2_send_wait(c->bundler, old, &q, c->r, 0);
            if (c->journal &&
                (c->r->outcome == MAV2_SEND_INCLUDED || c->r->outcome == MAV2_SEND_REVERTED))
                mav2_journal_remove_op(c->dir, c->chain_id, saved->account, &c->key, old);
            return ok;
        }
        if (c->journal &&
            !mav2_journal_get(c->dir, c->chain_id, saved->account, &c->key, &je, &found))
            return 0;
        if (found)
            mav2_send_note_replaced(c, &je);
        c->p = &q;
        c->r->replaced = 1;
        ok = mav2_send_sign_send_wait(c, op);
        memcpy(rep, c->r->user_op_hash, 32);
        c->p = saved;
        if (!ok && c->r->outcome == MAV2_SEND_REJECTED && found)
            ok = replacement_refused(c, &je);
        mav2_journal_entry_clear(&je);
        if (ok || c->r->outcome != MAV2_SEND_TIMEOUT)
            return ok;
        /* the first op may have gone in instead of its replacement */
        ok = mav2_send_wait(c->bundler, old, &once, c->r, 0);
    }
    if (c->journal && (c->r->outcome == MAV2_SEND_INCLUDED || c->r->outcome == MAV2_SEND_REVERTED))
        mav2_journal_remove_op(c->dir, c->chain_id, saved->account, &c->key, rep);
    return ok;
}

/* The entry's op installs a session key from a deferred grant (grant.h). */
static int deferred_lane(const mav2_journal_entry *e)
{
    mav2_u256 key;
    uint8_t options = 0;
    mav2_nonce_split(&e->nonce, &key, NULL);
    mav2_nonce_key_parts(&key, NULL, NULL, &options);
    return (options & MAV2_NONCE_DEFERRED) != 0;
}

int mav2_send_replace(mav2_rpc *node, mav2_rpc *bundler, const mav2_send_params *p,
                      mav2_send_result *r)
{
    mav2_send_ctx c;
    mav2_userop op;
    mav2_journal_entry je;
    mav2_u256 key;
    uint64_t seq_chain, seq_entry;
    int ok = 0, found = 0;

    mav2_userop_init(&op);
    memset(&je, 0, sizeof(je));
    if (!mav2_send_begin(&c, node, bundler, p, r))
        goto out;
    if (!c.journal) {
        mav2_error_set("replace: needs the journal (the op to replace is read from it)");
        goto out;
    }
    if (!mav2_send_prepare(&c))
        goto out;
    r->outcome = MAV2_SEND_INVALID;
    if (!mav2_journal_get(c.dir, c.chain_id, p->account, &c.key, &je, &found))
        goto out;
    if (!found) {
        mav2_error_set("replace: no pending op of this account on this nonce key in %s", c.dir);
        goto out;
    }
    if (p->sig_prefix == NULL && deferred_lane(&je)) {
        mav2_error_set("replace: the pending op carries an owner's deferred grant (nonce "
                       "option 0x02), which this replacement would lose: wait for it (mav2 "
                       "receipt), or let the grant's deadline pass");
        goto out;
    }
    c.intent = json_object_get(je.intent); /* the replacement is made for the same */
    mav2_send_note_replaced(&c, &je);
    mav2_nonce_split(&c.onchain_nonce, NULL, &seq_chain);
    mav2_nonce_split(&je.nonce, NULL, &seq_entry);
    if (seq_chain > seq_entry) { /* too late: it (or another op on its nonce) went in */
        ok = mav2_send_resume(&c, &je);
        goto out;
    }
    if (!mav2_userop_from_json(&op, je.user_op)) {
        mav2_error_prefix("replace: journaled op");
        goto out;
    }
    /* the op re-signed must be the entry's: same account, same nonce on this lane */
    mav2_nonce_split(&je.nonce, &key, NULL);
    if (memcmp(op.sender, p->account, 20) != 0 || mav2_u256_cmp(&op.nonce, &je.nonce) != 0 ||
        mav2_u256_cmp(&key, &c.key) != 0) {
        mav2_error_set("replace: the journaled op's sender or nonce is not its entry's (journal "
                       "damaged: remove it to continue)");
        goto out;
    }
    if (!raise_fees(&c, &op))
        goto out;
    mav2_send_progress(p, MAV2_STAGE_PREPARED, NULL);
    r->replaced = 1;
    ok = mav2_send_sign_send_wait(&c, &op);
    if (!ok && r->outcome == MAV2_SEND_REJECTED)
        ok = replacement_refused(&c, &je);
out:
    mav2_userop_clear(&op);
    mav2_journal_entry_clear(&je);
    return mav2_send_finish(&c, r, ok);
}
