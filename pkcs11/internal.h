/* SPDX-License-Identifier: Apache-2.0 */
/* internal.h: the objects behind p11k1_ctx and p11k1_key.
 *
 *   ctx ─ modules (default first, then any a URI named) ─ slots (one per token
 *   we used: its token-session pool and login state) ─ keys point at their slot.
 *
 * Locks: ctx->lock guards the module and slot lists and the fork check;
 * slot->lock guards a slot's token sessions and login; key->lock its object handles.
 * Order: ctx → slot → key, never the other way. */
#ifndef P11K1_INTERNAL_H
#define P11K1_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <sys/types.h>

#include <p11-kit/p11-kit.h>
#include <p11-kit/pkcs11.h>
#include <p11-kit/uri.h>

#include "p11k1.h"

#define P11K1_EXPORT __attribute__((visibility("default")))

typedef struct p11k1_module p11k1_module;
typedef struct p11k1_slot p11k1_slot;
typedef struct p11k1_copy p11k1_copy;

struct p11k1_slot {
    p11k1_slot *next;
    p11k1_ctx *ctx;
    p11k1_module *mod;
    CK_SLOT_ID id;
    CK_TOKEN_INFO token; /* as first seen: identifies the token when it comes back */
    char label[33];      /* token label, trimmed, for messages */

    pthread_mutex_t lock;
    pthread_cond_t cond;
    pthread_mutex_t gen_lock; /* one key generation at a time (label/id check) */
    CK_SESSION_HANDLE *idle;
    size_t n_idle, cap_idle;
    size_t n_open;       /* token sessions open, idle or lent out */
    unsigned epoch;      /* bumped when token sessions, login and handles are lost */
    unsigned fork_epoch; /* first epoch of this process (after a fork) */
    int logged_in;       /* in this epoch */
    int pin_rejected;    /* the token refused the PIN: no automatic re-login */
    char *pin_source;    /* from the URI that found a key here */
    char *pin_value;     /* idem (wiped on free) */
    p11k1_copy *copies;  /* session copies of keys (keycopy.c), of copies_epoch */
    size_t n_copies, cap_copies;
    unsigned copies_epoch;
};

struct p11k1_module {
    p11k1_module *next;
    char *spec; /* what the caller named: path, registered name, or NULL (proxy) */
    CK_FUNCTION_LIST *funcs;
    int inits; /* successful initializations to undo */
    void *dl;  /* the p11-kit proxy, opened by us (p11-kit will not load it) */
    p11k1_slot *slots;
};

struct p11k1_ctx {
    pthread_mutex_t lock;
    p11k1_module *modules;
    pid_t pid;
    unsigned long fork_gen; /* p11k1_fork_gen when pid was read */
    char *pin_env;
    p11k1_pin_cb pin_cb;
    void *pin_cb_arg;
    int no_key_cache; /* p11k1_ctx_set_key_cache(ctx, 0) */
};

struct p11k1_key {
    p11k1_slot *slot;
    pthread_mutex_t lock;
    unsigned epoch; /* slot epoch the handles belong to */
    CK_OBJECT_HANDLE priv, pub;
    int has_priv, has_pub;
    unsigned char point[65];
    char *label;
    unsigned char *id;
    size_t id_len;
};

/* module.c */
CK_RV p11k1_module_get(p11k1_ctx *ctx, const char *mod_name, const char *mod_path,
                       p11k1_module **out);
/* Re-initializes modules and forgets every session after fork(); call at each
 * entry point. */
void p11k1_ctx_check_fork(p11k1_ctx *ctx);

/* uri.c */
typedef struct p11k1_uri {
    P11KitUri *uri;
    char *shown; /* the URI without any pin-value, for messages */
    const char *label;
    size_t label_len;
    const unsigned char *id;
    size_t id_len;
    int has_class;
    CK_OBJECT_CLASS klass;
} p11k1_uri;

CK_RV p11k1_uri_parse(const char *text, p11k1_uri *out);
void p11k1_uri_clear(p11k1_uri *u);
/* Slots of mod whose token matches u (module info, slot info, slot-id, token);
 * slots without an initialized token are skipped. */
CK_RV p11k1_uri_tokens(p11k1_ctx *ctx, p11k1_module *mod, const p11k1_uri *u, p11k1_slot ***out,
                       size_t *n_out);
/* Fixed-width PKCS#11 text → trimmed C string. */
void p11k1_trim(const CK_UTF8CHAR *in, size_t len, char *out);

/* session.c */
p11k1_slot *p11k1_slot_get(p11k1_ctx *ctx, p11k1_module *mod, CK_SLOT_ID id,
                           const CK_TOKEN_INFO *token);
void p11k1_slot_free(p11k1_slot *slot);
void p11k1_slot_forget_sessions(p11k1_slot *slot);
/* Takes a token session (opening one if none is idle), logged in if login != 0 and
 * the token wants it (P11K1_LOGIN_CHECK: also asks the token whether the
 * login is still there). *epoch gets the slot epoch it belongs to. */
#define P11K1_LOGIN_CHECK 2
CK_RV p11k1_session_get(p11k1_slot *slot, int login, CK_SESSION_HANDLE *s, unsigned *epoch);
/* Gives it back; rv is the last result on it (a code saying the token sessions are
 * lost resets the slot). */
void p11k1_session_put(p11k1_slot *slot, CK_SESSION_HANDLE s, unsigned epoch, CK_RV rv);
/* Sets the PIN place for later (re-)logins from a URI. */
void p11k1_slot_set_uri_pin(p11k1_slot *slot, const p11k1_uri *u);
/* Forces a new login at the next p11k1_session_get (CKR_USER_NOT_LOGGED_IN seen). */
void p11k1_slot_mark_logged_out(p11k1_slot *slot, unsigned epoch);
/* Allows a login with a PIN the token refused before (an explicit caller action). */
void p11k1_slot_allow_login(p11k1_slot *slot);
int p11k1_rv_session_lost(CK_RV rv);

#endif
