/* SPDX-License-Identifier: Apache-2.0 */
/* lane_journal.c: where the flow keeps its journal (send.h: state, state_lane): the
 * state backend under the caller's lease, or the file journal of the state directory
 * under its flock lane lock (send_int.h). */
#include "config.h"

#include <string.h>

#include "mav2/core/error.h"
#include "mav2/send/send_int.h"

int mav2_send_jcheck_params(const mav2_send_params *p, const mav2_u256 *key)
{
    if (p->state == NULL && p->state_lane == NULL)
        return 1;
    if (p->state == NULL || p->state_lane == NULL)
        return mav2_error_set("send: state and state_lane go together");
    if (p->no_journal)
        return mav2_error_set("send: a shared state is a journal: not with no_journal");
    if (memcmp(p->state_lane->account, p->account, 20) != 0 ||
        mav2_u256_cmp(&p->state_lane->nonce_key, key) != 0)
        return mav2_error_set("send: the lane held is not this op's account and nonce key");
    return 1;
}

int mav2_send_jlock(mav2_send_ctx *c)
{
    if (c->p->state != NULL)
        return 1; /* the caller holds the lane's lease */
    return mav2_journal_lock(c->dir, c->p->account, &c->key, &c->lock_fd);
}

int mav2_send_jget(mav2_send_ctx *c, mav2_journal_entry *e, int *found)
{
    if (c->p->state != NULL)
        return mav2_state_journal_get(c->p->state, c->chain_id, c->p->account, &c->key, e, found);
    return mav2_journal_get(c->dir, c->chain_id, c->p->account, &c->key, e, found);
}

int mav2_send_jlane(mav2_send_ctx *c, mav2_journal_entry *e, int *found)
{
    int verdict = 0;
    if (c->p->state == NULL)
        return mav2_send_jget(c, e, found);
    *found = 0;
    if (!mav2_state_nonce_check(c->p->state, c->p->state_lane, c->chain_id, &c->onchain_nonce, e,
                                &verdict))
        return 0;
    *found = verdict != MAV2_STATE_SIGN;
    return 1;
}

int mav2_send_jput(mav2_send_ctx *c, const mav2_journal_entry *e)
{
    if (c->p->state != NULL)
        return mav2_state_journal_put(c->p->state, c->p->state_lane, e);
    return mav2_journal_put(c->dir, e);
}

int mav2_send_jdone(mav2_send_ctx *c, const uint8_t hash[32])
{
    if (c->p->state != NULL)
        return mav2_state_journal_finish(c->p->state, c->chain_id, c->p->account, &c->key, hash,
                                         NULL);
    return mav2_journal_remove_op(c->dir, c->chain_id, c->p->account, &c->key, hash);
}

int mav2_send_jdrop(mav2_send_ctx *c, const uint8_t hash[32])
{
    if (c->p->state != NULL)
        return mav2_send_jdone(c, hash);
    return mav2_journal_remove(c->dir, c->chain_id, c->p->account, &c->key);
}

int mav2_send_jbefore_sign(mav2_send_ctx *c, const mav2_userop *op)
{
    mav2_journal_entry e;
    int verdict = 0, ok;
    if (c->p->state == NULL)
        return 1; /* the lane lock is held since the nonce was read */
    if (!mav2_state_nonce_check(c->p->state, c->p->state_lane, c->chain_id, &op->nonce, &e,
                                &verdict))
        return mav2_error_prefix("not signing");
    /* a replacement signs again for the nonce of the op it replaces */
    ok = verdict == MAV2_STATE_SIGN || (verdict == MAV2_STATE_RESUME && c->replaced != NULL);
    mav2_journal_entry_clear(&e);
    if (!ok)
        return mav2_error_set("not signing: the lane's journal holds another op for this nonce "
                              "or an older one");
    return 1;
}
