/* SPDX-License-Identifier: Apache-2.0 */
/* session.c: per-token pools of token sessions (PKCS#11 sessions; not MAv2 session
 * keys, which live in mav2/) and login.
 *
 * Login state is per application and token in PKCS#11, so each slot logs in
 * once and keeps at least one session open to stay logged in. Sessions are
 * lent out one per operation and returned; a result that says the sessions
 * are gone (closed, token removed) starts a new epoch: idle sessions are
 * dropped, login is redone, and keys re-find their object handles. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "internal.h"
#include "pin.h"

static int same_token(const CK_TOKEN_INFO *a, const CK_TOKEN_INFO *b)
{
    return memcmp(a->label, b->label, sizeof(a->label)) == 0 &&
           memcmp(a->manufacturerID, b->manufacturerID, sizeof(a->manufacturerID)) == 0 &&
           memcmp(a->model, b->model, sizeof(a->model)) == 0 &&
           memcmp(a->serialNumber, b->serialNumber, sizeof(a->serialNumber)) == 0;
}

p11k1_slot *p11k1_slot_get(p11k1_ctx *ctx, p11k1_module *mod, CK_SLOT_ID id,
                           const CK_TOKEN_INFO *token)
{
    p11k1_slot *s;
    pthread_mutex_lock(&ctx->lock);
    for (s = mod->slots; s != NULL; s = s->next) {
        if (same_token(&s->token, token))
            break;
    }
    if (s != NULL) {
        pthread_mutex_lock(&s->lock);
        s->id = id;
        pthread_mutex_unlock(&s->lock);
    } else if ((s = calloc(1, sizeof(*s))) != NULL) {
        s->ctx = ctx;
        s->mod = mod;
        s->id = id;
        s->token = *token;
        p11k1_trim(token->label, sizeof(token->label), s->label);
        pthread_mutex_init(&s->lock, NULL);
        pthread_cond_init(&s->cond, NULL);
        pthread_mutex_init(&s->gen_lock, NULL);
        s->next = mod->slots;
        mod->slots = s;
    }
    pthread_mutex_unlock(&ctx->lock);
    return s;
}

void p11k1_slot_free(p11k1_slot *slot)
{
    pthread_mutex_destroy(&slot->lock);
    pthread_cond_destroy(&slot->cond);
    pthread_mutex_destroy(&slot->gen_lock);
    free(slot->idle);
    free(slot->copies);
    free(slot->pin_source);
    p11k1_pin_free_str(slot->pin_value);
    free(slot);
}

/* After fork(): the parent's sessions are not ours to use or close. */
void p11k1_slot_forget_sessions(p11k1_slot *slot)
{
    pthread_mutex_init(&slot->lock, NULL);
    pthread_cond_init(&slot->cond, NULL);
    pthread_mutex_init(&slot->gen_lock, NULL);
    slot->n_idle = 0;
    slot->n_open = 0;
    slot->logged_in = 0;
    slot->epoch++;
    slot->fork_epoch = slot->epoch;
}

int p11k1_rv_session_lost(CK_RV rv)
{
    return rv == CKR_SESSION_HANDLE_INVALID || rv == CKR_SESSION_CLOSED ||
           rv == CKR_DEVICE_REMOVED || rv == CKR_TOKEN_NOT_PRESENT;
}

/* Lock held. Closes what may still be open and starts a new epoch. */
static void slot_reset(p11k1_slot *slot)
{
    CK_FUNCTION_LIST *f = slot->mod->funcs;
    for (size_t i = 0; i < slot->n_idle; i++)
        f->C_CloseSession(slot->idle[i]);
    slot->n_idle = 0;
    slot->n_open = 0;
    slot->logged_in = 0;
    slot->epoch++;
    pthread_cond_broadcast(&slot->cond);
}

/* Lock held. The token may have come back in another slot. */
static int slot_relocate(p11k1_slot *slot)
{
    CK_FUNCTION_LIST *f = slot->mod->funcs;
    CK_SLOT_ID ids[64];
    CK_ULONG n = 64;
    CK_TOKEN_INFO ti;
    if (f->C_GetSlotList(CK_TRUE, ids, &n) != CKR_OK)
        return 0;
    for (CK_ULONG i = 0; i < n; i++) {
        if (f->C_GetTokenInfo(ids[i], &ti) == CKR_OK && same_token(&ti, &slot->token)) {
            slot->id = ids[i];
            return 1;
        }
    }
    return 0;
}

static const char *pin_state(CK_FLAGS flags)
{
    if (flags & CKF_USER_PIN_LOCKED)
        return "PIN locked";
    if (flags & CKF_USER_PIN_FINAL_TRY)
        return "final try before lock";
    if (flags & CKF_USER_PIN_COUNT_LOW)
        return "failed attempts counted (PIN count low)";
    return "no retry-counter warning";
}

static const char *pin_problem(CK_RV rv)
{
    switch (rv) {
    case CKR_PIN_INCORRECT:
        return "PIN incorrect";
    case CKR_PIN_LOCKED:
        return "PIN locked";
    case CKR_PIN_LEN_RANGE:
        return "PIN length out of range";
    case CKR_PIN_INVALID:
        return "PIN has characters the token does not accept";
    case CKR_PIN_EXPIRED:
        return "PIN expired";
    default:
        return NULL;
    }
}

/* Lock held; s is lent to us. Never tries a PIN the token refused. */
static CK_RV slot_login(p11k1_slot *slot, CK_SESSION_HANDLE s)
{
    CK_FUNCTION_LIST *f = slot->mod->funcs;
    p11k1_ctx *ctx = slot->ctx;
    CK_TOKEN_INFO ti;
    CK_SESSION_INFO si;
    p11k1_pin pin;
    const char *problem;
    CK_RV rv;

    rv = f->C_GetTokenInfo(slot->id, &ti);
    if (rv != CKR_OK)
        return p11k1_fail(rv, "cannot read token '%s' (%s)", slot->label, p11k1_rv_str(rv));
    if (!(ti.flags & CKF_LOGIN_REQUIRED)) {
        slot->logged_in = 1;
        return CKR_OK;
    }
    if (f->C_GetSessionInfo(s, &si) == CKR_OK &&
        (si.state == CKS_RO_USER_FUNCTIONS || si.state == CKS_RW_USER_FUNCTIONS)) {
        slot->logged_in = 1;
        return CKR_OK;
    }
    if (slot->pin_rejected)
        return p11k1_fail(CKR_PIN_INCORRECT,
                          "token '%s' rejected the PIN before; not trying it again (%s)",
                          slot->label, pin_state(ti.flags));
    memset(&pin, 0, sizeof(pin));
    if (ti.flags & CKF_PROTECTED_AUTHENTICATION_PATH) {
        rv = f->C_Login(s, CKU_USER, NULL, 0);
    } else {
        if (slot->pin_source != NULL)
            rv = p11k1_pin_from_source(slot->pin_source, &pin);
        else if (slot->pin_value != NULL)
            rv = p11k1_pin_from_value(slot->pin_value, &pin);
        else if (ctx->pin_env != NULL && getenv(ctx->pin_env) != NULL)
            rv = p11k1_pin_from_env(ctx->pin_env, &pin);
        else if (ctx->pin_cb != NULL) {
            rv = CKR_OK;
            if (!ctx->pin_cb(pin.buf, sizeof(pin.buf), slot->label, ctx->pin_cb_arg))
                rv = p11k1_fail(P11K1_R_NO_PIN, "no PIN given for token '%s' (callback gave up)",
                                slot->label);
            pin.buf[sizeof(pin.buf) - 1] = '\0';
            pin.len = strlen(pin.buf);
        } else
            rv = p11k1_fail(P11K1_R_NO_PIN,
                            "token '%s' needs a PIN: none in the URI (pin-source, pin-value)%s%s%s",
                            slot->label, ctx->pin_env ? ", in $" : "",
                            ctx->pin_env ? ctx->pin_env : "", " or from a PIN callback");
        if (rv != CKR_OK) {
            p11k1_pin_wipe(&pin);
            return rv;
        }
        rv = f->C_Login(s, CKU_USER, (CK_UTF8CHAR *)pin.buf, pin.len);
        p11k1_pin_wipe(&pin);
    }
    if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN) {
        slot->logged_in = 1;
        return CKR_OK;
    }
    if ((problem = pin_problem(rv)) != NULL) {
        slot->pin_rejected = 1;
        if (f->C_GetTokenInfo(slot->id, &ti) != CKR_OK)
            ti.flags = 0;
        return p11k1_fail(rv, "%s for token '%s' (%s); the token reports: %s", problem, slot->label,
                          p11k1_rv_str(rv), pin_state(ti.flags));
    }
    return p11k1_fail(rv, "login to token '%s' failed (%s)", slot->label, p11k1_rv_str(rv));
}

static CK_RV slot_open(p11k1_slot *slot, CK_SESSION_HANDLE *s)
{
    CK_FUNCTION_LIST *f = slot->mod->funcs;
    CK_RV rv = f->C_OpenSession(slot->id, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, s);
    if ((rv == CKR_SLOT_ID_INVALID || rv == CKR_TOKEN_NOT_PRESENT || rv == CKR_DEVICE_REMOVED) &&
        slot_relocate(slot))
        rv = f->C_OpenSession(slot->id, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, s);
    return rv;
}

static int idle_push(p11k1_slot *slot, CK_SESSION_HANDLE s)
{
    if (slot->n_idle == slot->cap_idle) {
        size_t cap = slot->cap_idle ? 2 * slot->cap_idle : 8;
        CK_SESSION_HANDLE *p = realloc(slot->idle, cap * sizeof(*p));
        if (p == NULL)
            return 0;
        slot->idle = p;
        slot->cap_idle = cap;
    }
    slot->idle[slot->n_idle++] = s;
    return 1;
}

CK_RV p11k1_session_get(p11k1_slot *slot, int login, CK_SESSION_HANDLE *s, unsigned *epoch)
{
    CK_RV rv;
    pthread_mutex_lock(&slot->lock);
    for (;;) {
        if (slot->n_idle > 0) {
            *s = slot->idle[--slot->n_idle];
            break;
        }
        rv = slot_open(slot, s);
        if (rv == CKR_OK) {
            slot->n_open++;
            break;
        }
        if ((rv == CKR_SESSION_COUNT || rv == CKR_DEVICE_MEMORY) && slot->n_open > 0) {
            pthread_cond_wait(&slot->cond, &slot->lock);
            continue;
        }
        pthread_mutex_unlock(&slot->lock);
        if (rv == CKR_TOKEN_NOT_PRESENT || rv == CKR_DEVICE_REMOVED || rv == CKR_SLOT_ID_INVALID)
            return p11k1_fail(rv, "token '%s' is not present (%s)", slot->label, p11k1_rv_str(rv));
        return p11k1_fail(rv, "cannot open a session on token '%s' (%s)", slot->label,
                          p11k1_rv_str(rv));
    }
    if ((login && !slot->logged_in) || login == P11K1_LOGIN_CHECK) {
        rv = slot_login(slot, *s);
        if (rv != CKR_OK) {
            if (p11k1_rv_session_lost(rv) || !idle_push(slot, *s)) {
                slot->mod->funcs->C_CloseSession(*s);
                slot->n_open--;
            }
            pthread_mutex_unlock(&slot->lock);
            return rv;
        }
    }
    *epoch = slot->epoch;
    pthread_mutex_unlock(&slot->lock);
    return CKR_OK;
}

void p11k1_session_put(p11k1_slot *slot, CK_SESSION_HANDLE s, unsigned epoch, CK_RV rv)
{
    pthread_mutex_lock(&slot->lock);
    if (p11k1_rv_session_lost(rv)) {
        if (epoch == slot->epoch)
            slot_reset(slot);
    } else if (epoch != slot->epoch) {
        /* sessions of an epoch before a fork() belong to the parent */
        if ((int)(epoch - slot->fork_epoch) >= 0)
            slot->mod->funcs->C_CloseSession(s);
    } else if (!idle_push(slot, s)) {
        slot->mod->funcs->C_CloseSession(s);
        slot->n_open--;
    }
    pthread_cond_signal(&slot->cond);
    pthread_mutex_unlock(&slot->lock);
}

void p11k1_slot_set_uri_pin(p11k1_slot *slot, const p11k1_uri *u)
{
    const char *src = p11_kit_uri_get_pin_source(u->uri);
    const char *val = p11_kit_uri_get_pin_value(u->uri);
    if (src == NULL && val == NULL)
        return;
    pthread_mutex_lock(&slot->lock);
    free(slot->pin_source);
    p11k1_pin_free_str(slot->pin_value);
    slot->pin_source = src ? strdup(src) : NULL;
    slot->pin_value = val ? strdup(val) : NULL;
    pthread_mutex_unlock(&slot->lock);
}

void p11k1_slot_mark_logged_out(p11k1_slot *slot, unsigned epoch)
{
    pthread_mutex_lock(&slot->lock);
    if (epoch == slot->epoch)
        slot->logged_in = 0;
    pthread_mutex_unlock(&slot->lock);
}

void p11k1_slot_allow_login(p11k1_slot *slot)
{
    pthread_mutex_lock(&slot->lock);
    slot->pin_rejected = 0;
    pthread_mutex_unlock(&slot->lock);
}
