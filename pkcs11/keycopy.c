/* SPDX-License-Identifier: Apache-2.0 */
/* keycopy.c: session copies of private keys, kept with the session pool.
 *
 * A token object can cost the module work on every C_SignInit (SoftHSM2's
 * file backend re-reads and locks the object file); a copy made with
 * C_CopyObject and CKA_TOKEN=false lives in the module's memory for as long
 * as the pooled session that made it stays open. The pool closes its sessions
 * only when it starts a new epoch (sessions lost, fork), so a copy is valid
 * for the epoch it was made in. A token that refuses the copy (CKA_COPYABLE
 * false, no C_CopyObject) is remembered for the epoch and signs with the
 * token object. */
#include "config.h"

#include <stdlib.h>

#include "internal.h"
#include "keycopy.h"

struct p11k1_copy {
    CK_OBJECT_HANDLE obj;  /* the key's token object */
    CK_OBJECT_HANDLE copy; /* its session copy; CK_INVALID_HANDLE: refused */
};

P11K1_EXPORT void p11k1_ctx_set_key_cache(p11k1_ctx *ctx, int on)
{
    if (ctx != NULL)
        __atomic_store_n(&ctx->no_key_cache, !on, __ATOMIC_RELAXED);
}

/* Lock held. The entry for obj in this epoch, NULL if none. */
static p11k1_copy *copy_find(p11k1_slot *slot, CK_OBJECT_HANDLE obj)
{
    for (size_t i = 0; i < slot->n_copies; i++)
        if (slot->copies[i].obj == obj)
            return &slot->copies[i];
    return NULL;
}

/* Lock held. Copies obj in session s; remembers a refusal too. */
static p11k1_copy *copy_make(p11k1_slot *slot, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE obj)
{
    CK_BBOOL no = CK_FALSE;
    CK_ATTRIBUTE tmpl[] = {{CKA_TOKEN, &no, sizeof(no)}};
    CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
    p11k1_copy *c;

    if (slot->n_copies == slot->cap_copies) {
        size_t cap = slot->cap_copies ? 2 * slot->cap_copies : 4;
        c = realloc(slot->copies, cap * sizeof(*c));
        if (c == NULL)
            return NULL;
        slot->copies = c;
        slot->cap_copies = cap;
    }
    if (slot->mod->funcs->C_CopyObject(s, obj, tmpl, 1, &h) != CKR_OK)
        h = CK_INVALID_HANDLE;
    c = &slot->copies[slot->n_copies++];
    c->obj = obj;
    c->copy = h;
    return c;
}

CK_OBJECT_HANDLE p11k1_copy_for(p11k1_slot *slot, CK_SESSION_HANDLE s, unsigned epoch,
                                CK_OBJECT_HANDLE obj)
{
    CK_OBJECT_HANDLE use = obj;
    p11k1_copy *c;

    if (__atomic_load_n(&slot->ctx->no_key_cache, __ATOMIC_RELAXED))
        return obj;
    pthread_mutex_lock(&slot->lock);
    if (epoch == slot->epoch) {
        if (slot->copies_epoch != epoch) {
            slot->n_copies = 0;
            slot->copies_epoch = epoch;
        }
        c = copy_find(slot, obj);
        if (c == NULL)
            c = copy_make(slot, s, obj);
        if (c != NULL && c->copy != CK_INVALID_HANDLE)
            use = c->copy;
    }
    pthread_mutex_unlock(&slot->lock);
    return use;
}

void p11k1_copy_drop(p11k1_slot *slot, unsigned epoch, CK_OBJECT_HANDLE obj)
{
    p11k1_copy *c;

    pthread_mutex_lock(&slot->lock);
    if (epoch == slot->epoch && slot->copies_epoch == epoch && (c = copy_find(slot, obj)) != NULL)
        *c = slot->copies[--slot->n_copies];
    pthread_mutex_unlock(&slot->lock);
}
