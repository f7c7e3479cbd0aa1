/* SPDX-License-Identifier: Apache-2.0 */
/* key.c: finding and listing secp256k1 key pairs by URI. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "der.h"
#include "error.h"
#include "internal.h"
#include "key.h"
#include "object.h"

typedef struct cand {
    p11k1_slot *slot;
    unsigned epoch;
    CK_OBJECT_HANDLE priv, pub;
    int has_priv, has_pub;
    unsigned char point[65];
    char *label;
    unsigned char *id;
    size_t id_len;
} cand;

typedef struct search {
    cand *c;
    size_t n, cap;
    size_t other_curve, not_ec, no_point;
    char reject[200]; /* the first key passed over, for the message */
} search;

enum { MODE_SIGN, MODE_PUBLIC };

static void search_clear(search *sr)
{
    for (size_t i = 0; i < sr->n; i++) {
        free(sr->c[i].label);
        free(sr->c[i].id);
    }
    free(sr->c);
    memset(sr, 0, sizeof(*sr));
}

static cand *cand_add(search *sr)
{
    if (sr->n == sr->cap) {
        size_t cap = sr->cap ? 2 * sr->cap : 4;
        cand *p = realloc(sr->c, cap * sizeof(*p));
        if (p == NULL)
            return NULL;
        sr->c = p;
        sr->cap = cap;
    }
    memset(&sr->c[sr->n], 0, sizeof(cand));
    return &sr->c[sr->n++];
}

__attribute__((format(printf, 3, 4))) static void reject(search *sr, size_t *counter,
                                                         const char *fmt, ...)
{
    va_list ap;
    if (sr->other_curve + sr->not_ec + sr->no_point == 0) {
        va_start(ap, fmt);
        vsnprintf(sr->reject, sizeof(sr->reject), fmt, ap);
        va_end(ap);
    }
    (*counter)++;
}

/* Label and id of an object; label "" if it has none. */
static CK_RV label_id(CK_FUNCTION_LIST *f, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, char **label,
                      unsigned char **id, size_t *id_len)
{
    size_t len;
    CK_RV rv = p11k1_attr_get(f, s, o, CKA_LABEL, (unsigned char **)label, &len);
    if (rv == CKR_OK && *label == NULL && (*label = strdup("")) == NULL)
        rv = CKR_HOST_MEMORY;
    if (rv == CKR_OK)
        rv = p11k1_attr_get(f, s, o, CKA_ID, id, id_len);
    if (rv != CKR_OK) {
        free(*label);
        *label = NULL;
    }
    return rv;
}

static int point_of(CK_FUNCTION_LIST *f, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o,
                    unsigned char point[65])
{
    unsigned char *v;
    size_t len;
    int ok;
    if (p11k1_attr_get(f, s, o, CKA_EC_POINT, &v, &len) != CKR_OK || v == NULL)
        return 0;
    ok = p11k1_der_ec_point(v, len, point);
    free(v);
    return ok;
}

static int same_pair(const cand *c, const char *label, const unsigned char *id, size_t id_len)
{
    if (c->id_len > 0 || id_len > 0)
        return c->id_len == id_len && memcmp(c->id, id, id_len) == 0;
    return strcmp(c->label, label) == 0;
}

/* A public key with this id anywhere on the token (the URI may have named the
 * private key's label only). */
static int point_by_id(CK_FUNCTION_LIST *f, CK_SESSION_HANDLE s, const unsigned char *id,
                       size_t id_len, CK_OBJECT_HANDLE *pub, unsigned char point[65])
{
    CK_OBJECT_CLASS klass = CKO_PUBLIC_KEY;
    CK_ATTRIBUTE tmpl[4];
    CK_OBJECT_HANDLE *objs;
    size_t n;
    char what[64];
    int ok = 0;
    if (id_len == 0)
        return 0;
    if (p11k1_find(f, s, tmpl, p11k1_key_template(tmpl, &klass, NULL, 0, id, id_len), &objs, &n) !=
        CKR_OK)
        return 0;
    for (size_t i = 0; i < n && !ok; i++) {
        if (p11k1_key_kind(f, s, objs[i], what, sizeof(what)) == P11K1_KIND_K1 &&
            point_of(f, s, objs[i], point)) {
            *pub = objs[i];
            ok = 1;
        }
    }
    free(objs);
    return ok;
}

static CK_RV collect_class(p11k1_slot *slot, CK_SESSION_HANDLE s, unsigned epoch,
                           const p11k1_uri *u, CK_OBJECT_CLASS klass, search *sr)
{
    CK_FUNCTION_LIST *f = slot->mod->funcs;
    CK_ATTRIBUTE tmpl[4];
    CK_OBJECT_HANDLE *objs;
    size_t n, i, j;
    CK_RV rv;

    rv = p11k1_find(f, s, tmpl,
                    p11k1_key_template(tmpl, &klass, u->label, u->label_len, u->id, u->id_len),
                    &objs, &n);
    for (i = 0; rv == CKR_OK && i < n; i++) {
        char what[64], *label = NULL;
        unsigned char *id = NULL, point[65];
        size_t id_len = 0;
        CK_OBJECT_HANDLE pub = objs[i];
        enum p11k1_kind kind = p11k1_key_kind(f, s, objs[i], what, sizeof(what));
        cand *c = NULL;

        rv = label_id(f, s, objs[i], &label, &id, &id_len);
        if (rv != CKR_OK)
            break;
        if (kind != P11K1_KIND_K1) {
            if (kind == P11K1_KIND_NOT_EC)
                reject(sr, &sr->not_ec, "key '%s' on token '%s' is %s, not secp256k1", label,
                       slot->label, what);
            else
                reject(sr, &sr->other_curve, "key '%s' on token '%s' is on %s, not secp256k1",
                       label, slot->label, what);
        } else if (klass == CKO_PRIVATE_KEY) {
            for (j = 0; j < sr->n; j++) {
                if (sr->c[j].slot == slot && sr->c[j].has_pub && !sr->c[j].has_priv &&
                    same_pair(&sr->c[j], label, id, id_len))
                    break;
            }
            if (j < sr->n) {
                sr->c[j].priv = objs[i];
                sr->c[j].has_priv = 1;
            } else if (point_of(f, s, objs[i], point) ||
                       point_by_id(f, s, id, id_len, &pub, point)) {
                c = cand_add(sr);
                if (c != NULL) {
                    c->priv = objs[i];
                    c->has_priv = 1;
                    c->pub = pub;
                    c->has_pub = pub != objs[i];
                }
            } else {
                reject(sr, &sr->no_point, "private key '%s' has no public key on token '%s'", label,
                       slot->label);
            }
        } else if (point_of(f, s, objs[i], point)) {
            c = cand_add(sr);
            if (c != NULL) {
                c->pub = objs[i];
                c->has_pub = 1;
            }
        } else {
            reject(sr, &sr->no_point, "public key '%s' on token '%s' has a malformed CKA_EC_POINT",
                   label, slot->label);
        }
        if (c != NULL) {
            c->slot = slot;
            c->epoch = epoch;
            memcpy(c->point, point, 65);
            c->label = label;
            c->id = id;
            c->id_len = id_len;
        } else {
            free(label);
            free(id);
        }
    }
    free(objs);
    return rv;
}

/* Drops the candidates added since first. */
static void search_truncate(search *sr, size_t first)
{
    while (sr->n > first) {
        sr->n--;
        free(sr->c[sr->n].label);
        free(sr->c[sr->n].id);
    }
}

/* Before a login: 1 when the public keys u matches on slot are all
 * of another type or curve (sr keeps why), so no PIN is asked for a key that
 * could never sign; else 0 and sr is as it was. */
static int only_other_keys(p11k1_slot *slot, const p11k1_uri *u, search *sr)
{
    search saved = *sr;
    CK_SESSION_HANDLE s;
    unsigned epoch;
    CK_RV rv;

    if (p11k1_session_get(slot, 0, &s, &epoch) != CKR_OK)
        return 0;
    rv = collect_class(slot, s, epoch, u, CKO_PUBLIC_KEY, sr);
    p11k1_session_put(slot, s, epoch, rv);
    if (rv == CKR_OK && sr->n == saved.n &&
        sr->other_curve + sr->not_ec > saved.other_curve + saved.not_ec)
        return 1;
    search_truncate(sr, saved.n);
    sr->other_curve = saved.other_curve;
    sr->not_ec = saved.not_ec;
    sr->no_point = saved.no_point;
    memcpy(sr->reject, saved.reject, sizeof(sr->reject));
    p11k1_error_clear();
    return 0;
}

/* The key candidates on every token u matches. MODE_SIGN logs in (a PIN is
 * required); MODE_PUBLIC logs in only if a PIN is at hand; neither when the
 * public keys u matches there are all of another kind. */
static CK_RV search_keys(p11k1_ctx *ctx, const p11k1_uri *u, int mode, search *sr)
{
    p11k1_module *mod;
    p11k1_slot **slots;
    size_t n_slots;
    CK_RV rv;

    rv = p11k1_module_get(ctx, p11_kit_uri_get_module_name(u->uri),
                          p11_kit_uri_get_module_path(u->uri), &mod);
    if (rv == CKR_OK)
        rv = p11k1_uri_tokens(ctx, mod, u, &slots, &n_slots);
    if (rv != CKR_OK)
        return rv;
    for (size_t i = 0; rv == CKR_OK && i < n_slots; i++) {
        p11k1_slot *slot = slots[i];
        for (int attempt = 0; attempt < 2; attempt++) {
            CK_SESSION_HANDLE s;
            unsigned epoch;
            int login = 1;
            size_t first = sr->n;

            p11k1_slot_set_uri_pin(slot, u);
            p11k1_slot_allow_login(slot);
            if (attempt == 0 && only_other_keys(slot, u, sr))
                break;
            rv = p11k1_session_get(slot, P11K1_LOGIN_CHECK, &s, &epoch);
            if (rv == P11K1_R_NO_PIN && mode == MODE_PUBLIC) {
                login = 0;
                rv = p11k1_session_get(slot, 0, &s, &epoch);
            }
            if (rv != CKR_OK)
                break;
            rv = collect_class(slot, s, epoch, u, CKO_PUBLIC_KEY, sr);
            if (rv == CKR_OK && login)
                rv = collect_class(slot, s, epoch, u, CKO_PRIVATE_KEY, sr);
            p11k1_session_put(slot, s, epoch, rv);
            if (rv == CKR_OK)
                break;
            search_truncate(sr, first);
            if (!p11k1_rv_session_lost(rv) || attempt == 1) {
                rv = p11k1_fail(rv, "reading keys on token '%s' failed (%s)", slot->label,
                                p11k1_rv_str(rv));
                break;
            }
        }
    }
    free(slots);
    return rv;
}

static p11k1_key *key_from(cand *c)
{
    p11k1_key *k = calloc(1, sizeof(*k));
    if (k == NULL)
        return NULL;
    pthread_mutex_init(&k->lock, NULL);
    k->slot = c->slot;
    k->epoch = c->epoch;
    k->priv = c->priv;
    k->pub = c->pub;
    k->has_priv = c->has_priv;
    k->has_pub = c->has_pub;
    memcpy(k->point, c->point, 65);
    k->label = c->label;
    k->id = c->id;
    k->id_len = c->id_len;
    c->label = NULL;
    c->id = NULL;
    return k;
}

/* Keeps the candidates a caller can use: key pairs for signing, anything for
 * public use. */
static void search_filter(search *sr, int mode)
{
    size_t j = 0;
    for (size_t i = 0; i < sr->n; i++) {
        if (mode == MODE_SIGN && !sr->c[i].has_priv) {
            free(sr->c[i].label);
            free(sr->c[i].id);
            continue;
        }
        sr->c[j++] = sr->c[i];
    }
    sr->n = j;
}

/* Several candidates: names two tokens when they are on different ones. */
static CK_RV ambiguous(const search *sr, const char *shown)
{
    for (size_t i = 1; i < sr->n; i++) {
        if (sr->c[i].slot != sr->c[0].slot)
            return p11k1_fail(P11K1_R_AMBIGUOUS,
                              "secp256k1 keys on several tokens match %s (on tokens '%s' and "
                              "'%s'); name the token with token=",
                              shown, sr->c[0].slot->label, sr->c[i].slot->label);
    }
    return p11k1_fail(P11K1_R_AMBIGUOUS,
                      "%zu secp256k1 keys match %s (e.g. '%s' and '%s'); name one with "
                      "object= or id=",
                      sr->n, shown, sr->c[0].label, sr->c[1].label);
}

P11K1_EXPORT CK_RV p11k1_key_find(p11k1_ctx *ctx, const char *uri, p11k1_key **out)
{
    p11k1_uri u;
    search sr;
    int mode;
    CK_RV rv;

    p11k1_error_clear();
    if (ctx == NULL || out == NULL)
        return p11k1_fail(P11K1_R_INVALID_ARGUMENT, "p11k1_key_find: NULL argument");
    *out = NULL;
    p11k1_ctx_check_fork(ctx);
    rv = p11k1_uri_parse(uri, &u);
    if (rv != CKR_OK)
        return rv;
    memset(&sr, 0, sizeof(sr));
    mode = u.has_class && u.klass == CKO_PUBLIC_KEY ? MODE_PUBLIC : MODE_SIGN;
    rv = search_keys(ctx, &u, mode, &sr);
    if (rv == CKR_OK) {
        search_filter(&sr, mode);
        if (sr.n == 1) {
            *out = key_from(&sr.c[0]);
            if (*out == NULL)
                rv = p11k1_fail(CKR_HOST_MEMORY, "out of memory");
        } else if (sr.n > 1) {
            rv = ambiguous(&sr, u.shown);
        } else if (sr.other_curve > 0 && sr.not_ec == 0) {
            rv = p11k1_fail(P11K1_R_WRONG_CURVE, "no secp256k1 key matches %s: %s", u.shown,
                            sr.reject);
        } else if (sr.not_ec > 0 && sr.other_curve == 0) {
            rv = p11k1_fail(P11K1_R_NOT_EC, "no secp256k1 key matches %s: %s", u.shown, sr.reject);
        } else if (sr.not_ec + sr.other_curve > 0) {
            rv = p11k1_fail(sr.other_curve ? P11K1_R_WRONG_CURVE : P11K1_R_NOT_EC,
                            "no secp256k1 key matches %s: %s", u.shown, sr.reject);
        } else if (sr.no_point > 0) {
            rv = p11k1_fail(P11K1_R_BAD_PUBKEY, "no usable secp256k1 key matches %s: %s", u.shown,
                            sr.reject);
        } else {
            rv = p11k1_fail(P11K1_R_NO_KEY, "no secp256k1 key matches %s", u.shown);
        }
    }
    search_clear(&sr);
    p11k1_uri_clear(&u);
    return rv;
}

P11K1_EXPORT CK_RV p11k1_key_list(p11k1_ctx *ctx, const char *uri, p11k1_key ***keys,
                                  size_t *n_keys)
{
    p11k1_uri u;
    search sr;
    CK_RV rv;

    p11k1_error_clear();
    if (ctx == NULL || keys == NULL || n_keys == NULL)
        return p11k1_fail(P11K1_R_INVALID_ARGUMENT, "p11k1_key_list: NULL argument");
    *keys = NULL;
    *n_keys = 0;
    p11k1_ctx_check_fork(ctx);
    rv = p11k1_uri_parse(uri, &u);
    if (rv != CKR_OK)
        return rv;
    memset(&sr, 0, sizeof(sr));
    rv = search_keys(ctx, &u, MODE_PUBLIC, &sr);
    if (rv == CKR_OK && sr.n > 0) {
        *keys = calloc(sr.n, sizeof(**keys));
        if (*keys == NULL)
            rv = p11k1_fail(CKR_HOST_MEMORY, "out of memory");
        for (size_t i = 0; rv == CKR_OK && i < sr.n; i++) {
            (*keys)[i] = key_from(&sr.c[i]);
            if ((*keys)[i] == NULL) {
                p11k1_key_list_free(*keys, i);
                *keys = NULL;
                rv = p11k1_fail(CKR_HOST_MEMORY, "out of memory");
            }
        }
        if (rv == CKR_OK)
            *n_keys = sr.n;
    }
    search_clear(&sr);
    p11k1_uri_clear(&u);
    return rv;
}

P11K1_EXPORT void p11k1_key_list_free(p11k1_key **keys, size_t n_keys)
{
    if (keys == NULL)
        return;
    for (size_t i = 0; i < n_keys; i++)
        p11k1_key_free(keys[i]);
    free(keys);
}

p11k1_key *p11k1_key_new(p11k1_slot *slot, unsigned epoch, CK_OBJECT_HANDLE priv,
                         CK_OBJECT_HANDLE pub, const unsigned char point[65], const char *label,
                         const unsigned char *id, size_t id_len)
{
    cand c;
    p11k1_key *k;
    memset(&c, 0, sizeof(c));
    c.slot = slot;
    c.epoch = epoch;
    c.priv = priv;
    c.pub = pub;
    c.has_priv = c.has_pub = 1;
    memcpy(c.point, point, 65);
    c.label = strdup(label);
    c.id = malloc(id_len ? id_len : 1);
    if (c.label == NULL || c.id == NULL) {
        free(c.label);
        free(c.id);
        return NULL;
    }
    memcpy(c.id, id, id_len);
    c.id_len = id_len;
    k = key_from(&c);
    if (k == NULL) {
        free(c.label);
        free(c.id);
    }
    return k;
}

P11K1_EXPORT void p11k1_key_free(p11k1_key *key)
{
    if (key == NULL)
        return;
    pthread_mutex_destroy(&key->lock);
    free(key->label);
    free(key->id);
    free(key);
}

/* Re-finds the key's handles when its slot started a new epoch (sessions
 * reopened, token re-inserted, fork) or a handle was refused. Lock held. */
static CK_RV key_refind(p11k1_key *key, CK_SESSION_HANDLE s)
{
    CK_FUNCTION_LIST *f = key->slot->mod->funcs;
    CK_OBJECT_CLASS klass[2] = {CKO_PRIVATE_KEY, CKO_PUBLIC_KEY};
    CK_OBJECT_HANDLE *h[2] = {&key->priv, &key->pub};
    int want[2] = {key->has_priv, key->has_pub};
    CK_ATTRIBUTE tmpl[4];
    CK_OBJECT_HANDLE *objs;
    size_t n;
    CK_RV rv;

    for (int i = 0; i < 2; i++) {
        if (!want[i])
            continue;
        rv = p11k1_find(f, s, tmpl,
                        p11k1_key_template(tmpl, &klass[i], key->label, strlen(key->label), key->id,
                                           key->id_len),
                        &objs, &n);
        if (rv != CKR_OK)
            return rv;
        if (n != 1) {
            free(objs);
            return p11k1_fail(n ? P11K1_R_AMBIGUOUS : P11K1_R_NO_KEY, "key '%s' %s on token '%s'",
                              key->label, n ? "is no longer unique" : "is no longer",
                              key->slot->label);
        }
        __atomic_store_n(h[i], objs[0], __ATOMIC_RELAXED);
        free(objs);
    }
    return CKR_OK;
}

CK_RV p11k1_key_handle(p11k1_key *key, CK_SESSION_HANDLE s, unsigned epoch, int stale,
                       CK_OBJECT_HANDLE *priv)
{
    CK_RV rv = CKR_OK;
    /* fast path, no lock: handles are published before their epoch */
    if (!stale && __atomic_load_n(&key->epoch, __ATOMIC_ACQUIRE) == epoch) {
        *priv = __atomic_load_n(&key->priv, __ATOMIC_RELAXED);
        return CKR_OK;
    }
    pthread_mutex_lock(&key->lock);
    if (key->epoch != epoch || stale) {
        __atomic_store_n(&key->epoch, ~0u, __ATOMIC_RELEASE); /* no session has it */
        rv = key_refind(key, s);
        if (rv == CKR_OK)
            __atomic_store_n(&key->epoch, epoch, __ATOMIC_RELEASE);
    }
    *priv = key->priv;
    pthread_mutex_unlock(&key->lock);
    return rv;
}
