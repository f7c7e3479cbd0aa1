/* SPDX-License-Identifier: Apache-2.0 */
/* replace.c: drop-and-replace (send.h): the op to replace read from the journal
 * (mav2_send_replace) or the op whose replace_after_ms ran out, its fees raised and its
 * sponsorship renewed, and what a refused or slow replacement leaves (send_int.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "common/hex.h"
#include "mav2/core/account.h"
#include "mav2/core/address.h"
#include "mav2/core/error.h"
#include "mav2/send/send_int.h"
#include "mav2/send/sponsor.h"

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
int mav2_send_replace_refused(mav2_send_ctx *c, mav2_journal_entry *old)
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
        mav2_send_jput(c, old);
    if (strstr(why, "AA25") != NULL) { /* the bundler is already bundling the old op */
        c->r->replaced = 0;
        return mav2_send_resume(c, old);
    }
    return mav2_error_set("%s", why);
}

static void note_replaced(mav2_send_ctx *c, const mav2_journal_entry *old)
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

/* The pending op is already in (the chain's nonce passed op's): waits once for it. */
static void replace_too_late(mav2_send_ctx *c, mav2_send_replacing *rp, int *ok)
{
    mav2_send_unlock(c);
    *ok = mav2_send_wait(c->bundler, rp->old_hash, &rp->once, c->r, 0);
    if (c->journal && (c->r->outcome == MAV2_SEND_INCLUDED || c->r->outcome == MAV2_SEND_REVERTED))
        mav2_send_jdone(c, rp->old_hash);
}

/* The replacement would cost more than allowed: waits the rest for the first op. */
static void replace_over_cost(mav2_send_ctx *c, mav2_send_replacing *rp, int *ok)
{
    snprintf(c->note, sizeof(c->note), "not replaced: %s", mav2_last_error());
    mav2_send_unlock(c);
    *ok = mav2_send_wait(c->bundler, rp->old_hash, &rp->q, c->r, 0);
    if (c->journal && (c->r->outcome == MAV2_SEND_INCLUDED || c->r->outcome == MAV2_SEND_REVERTED))
        mav2_send_jdone(c, rp->old_hash);
}

int mav2_send_replace_due(mav2_send_ctx *c, mav2_userop *op, const uint8_t sent[32],
                          mav2_send_replacing *rp, int *ok)
{
    uint64_t seq_chain, seq_op;

    *ok = 0;
    rp->saved = c->p;
    rp->q = rp->once = *c->p;
    rp->once.wait_timeout_ms = 0;
    rp->q.replace_after_ms = 0;
    rp->q.wait_timeout_ms = c->p->wait_timeout_ms - c->p->replace_after_ms;
    memcpy(rp->old_hash, sent, 32);
    if (c->journal && !mav2_send_jlock(c))
        return 0;
    if (!mav2_send_prepare(c)) /* fresh fees and nonce */
        return 0;
    mav2_nonce_split(&c->onchain_nonce, NULL, &seq_chain);
    mav2_nonce_split(&op->nonce, NULL, &seq_op);
    if (seq_chain > seq_op) { /* went in meanwhile: nothing to replace */
        replace_too_late(c, rp, ok);
        return 0;
    }
    if (!raise_fees(c, op))
        return 0;
    if (!mav2_send_check_max_cost(c, op)) { /* keep waiting for the first op */
        replace_over_cost(c, rp, ok);
        return 0;
    }
    if (c->journal && !mav2_send_jget(c, &rp->old, &rp->found))
        return 0;
    if (rp->found)
        note_replaced(c, &rp->old);
    c->p = &rp->q;
    c->r->replaced = 1;
    return 1;
}

int mav2_send_replace_end(mav2_send_ctx *c, mav2_send_replacing *rp, int ok)
{
    uint8_t rep[32];
    memcpy(rep, c->r->user_op_hash, 32);
    c->p = rp->saved;
    if (!ok && c->r->outcome == MAV2_SEND_REJECTED && rp->found)
        ok = mav2_send_replace_refused(c, &rp->old);
    if (ok || c->r->outcome != MAV2_SEND_TIMEOUT)
        return ok;
    /* the first op may have gone in instead of its replacement */
    ok = mav2_send_wait(c->bundler, rp->old_hash, &rp->once, c->r, 0);
    if (c->journal && (c->r->outcome == MAV2_SEND_INCLUDED || c->r->outcome == MAV2_SEND_REVERTED))
        mav2_send_jdone(c, rep);
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

/* The journaled op je can be replaced by p's signer: not a deferred grant's. */
static int replaceable(const mav2_send_ctx *c, const mav2_journal_entry *je, int found)
{
    if (!found)
        return mav2_error_set("replace: no pending op of this account on this nonce key in %s",
                              c->dir);
    if (c->p->sig_prefix == NULL && deferred_lane(je))
        return mav2_error_set("replace: the pending op carries an owner's deferred grant (nonce "
                              "option 0x02), which this replacement would lose: wait for it (mav2 "
                              "receipt), or let the grant's deadline pass");
    return 1;
}

int mav2_send_replace_load(mav2_send_ctx *c, mav2_journal_entry *je, mav2_userop *op, int *ok)
{
    mav2_u256 key;
    uint64_t seq_chain, seq_entry;
    int found = 0;

    *ok = 0;
    if (!mav2_send_jget(c, je, &found) ||
        !replaceable(c, je, found))
        return 0;
    c->intent = json_object_get(je->intent); /* the replacement is made for the same */
    note_replaced(c, je);
    mav2_nonce_split(&c->onchain_nonce, NULL, &seq_chain);
    mav2_nonce_split(&je->nonce, NULL, &seq_entry);
    if (seq_chain > seq_entry) { /* too late: it (or another op on its nonce) went in */
        *ok = mav2_send_resume(c, je);
        return 0;
    }
    if (!mav2_userop_from_json(op, je->user_op))
        return mav2_error_prefix("replace: journaled op");
    /* the op re-signed must be the entry's: same account, same nonce on this lane */
    mav2_nonce_split(&je->nonce, &key, NULL);
    if (memcmp(op->sender, c->p->account, 20) != 0 || mav2_u256_cmp(&op->nonce, &je->nonce) != 0 ||
        mav2_u256_cmp(&key, &c->key) != 0)
        return mav2_error_set("replace: the journaled op's sender or nonce is not its entry's "
                              "(journal damaged: remove it to continue)");
    return raise_fees(c, op);
}
