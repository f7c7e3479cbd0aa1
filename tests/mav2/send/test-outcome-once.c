/* SPDX-License-Identifier: Apache-2.0 */
/* test-outcome-once.c: one outcome per op in the audit ledger (ledger.h, guard.h), in the
 * ledger file, the files state's chain and, with $MH_STATE_URL, a PostgreSQL's
 * (test-send-state-pg.sh starts one; its password file in $MH_STATE_PASSWORD_FILE). An
 * op settled again later (mav2d: its journal entry survived a failed removal, a crash
 * or a restart, so the poller saw its receipt twice) adds no second outcome line; a
 * different final outcome is refused naming both, the first kept; one note (submitted,
 * timeout) at most; two threads settling the same ops at once write each outcome once;
 * the chain still verifies (what mav2 audit verify checks). */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/hex.h"
#include "mav2/core/error.h"
#include "mav2/net/state.h"
#include "mav2/send/guard.h"
#include "mav2/send/ledger.h"
#include "tap.h"

#define T0   1700000000
#define RACE 20

typedef struct {
    const char *name;
    char path[512]; /* the ledger file; "" for a state's chain */
    char url[512];  /* the state; "" for the ledger file */
    const char *pw;
    uint8_t account[20];
} store;

static void op_hash(int i, uint8_t h[32], char hex[67])
{
    memset(h, 0, 32);
    h[0] = 0x0c;
    h[31] = (uint8_t)i;
    mh_hex_encode(h, 32, hex, 67, 1);
}

static json_object *entry(const store *s, const char *event, int op, const char *outcome)
{
    json_object *o = json_object_new_object();
    uint8_t h[32];
    char hex[67], acct[43];
    op_hash(op, h, hex);
    mh_hex_encode(s->account, 20, acct, sizeof(acct), 1);
    json_object_object_add(o, "event", json_object_new_string(event));
    json_object_object_add(o, "chain", json_object_new_int64(1));
    json_object_object_add(o, "account", json_object_new_string(acct));
    json_object_object_add(o, "userOpHash", json_object_new_string(hex));
    if (outcome != NULL)
        json_object_object_add(o, "outcome", json_object_new_string(outcome));
    return o;
}

/* Appends s's line event (outcome: the outcome, or NULL) about op at now. */
static int put(const store *s, mav2_state *st, const char *event, int op, const char *outcome,
               time_t now)
{
    json_object *o = entry(s, event, op, outcome);
    int ok = mav2_ledger_put(s->path, st, s->account, o, now);
    json_object_put(o);
    return ok;
}

/* The links of s's chain when it verifies, else 0. */
static unsigned long long links(const store *s, mav2_state *st)
{
    unsigned long long n = 0;
    uint64_t count = 0, bad = 1;
    if (st == NULL)
        return mav2_ledger_verify(s->path, &n, NULL, NULL) ? n : 0;
    return mav2_state_ledger_verify(st, s->account, &count, &bad, NULL) && bad == 0 ? count : 0;
}

static mav2_state *open_state(const store *s)
{
    mav2_state *st = NULL;
    int version;
    if (s->url[0] == '\0')
        return NULL;
    if (!mav2_state_open(s->url, s->pw, &st) || !mav2_state_init_db(st, &version))
        tap_bail(mav2_last_error());
    return st;
}

typedef struct {
    const store *s;
    time_t now;
    int ok;
} racer;

static void *race(void *arg)
{
    racer *r = arg;
    mav2_state *st = open_state(r->s);
    r->ok = 1;
    for (int i = 0; i < RACE; i++)
        r->ok &= put(r->s, st, "outcome", 100 + i, "included", r->now);
    mav2_state_close(st);
    return NULL;
}

static void check_store(const store *s)
{
    mav2_state *st = open_state(s);
    mav2_guard g;
    pthread_t th[2];
    racer rc[2] = {{s, T0 + 100, 0}, {s, T0 + 200, 0}};
    uint8_t h1[32];
    char hex[67];
    int ok;

    mav2_guard_init(&g);
    g.ledger = s->path;
    g.state = st;
    op_hash(1, h1, hex);
    ok = put(s, st, "sign", 1, NULL, T0) && put(s, st, "outcome", 1, "included", T0 + 1);
    tap_ok(ok && links(s, st) == 2, "%s: a signed op and its outcome: 2 links (%s)", s->name,
           ok ? "" : mav2_last_error());
    ok = put(s, st, "outcome", 1, "included", T0 + 61);
    tap_ok(ok && links(s, st) == 2,
           "%s: its receipt seen again a minute later: no second outcome line (%llu links)",
           s->name, links(s, st));
    ok = mav2_guard_outcome_of(&g, 1, s->account, h1, MAV2_SEND_INCLUDED, NULL);
    tap_ok(ok && links(s, st) == 2, "%s: mav2_guard_outcome_of again: 1, no line (%llu links)",
           s->name, links(s, st));
    ok = mav2_guard_outcome_of(&g, 1, s->account, h1, MAV2_SEND_REJECTED, NULL);
    tap_ok(!ok && strstr(mav2_last_error(), hex) != NULL &&
               strstr(mav2_last_error(), "included") != NULL &&
               strstr(mav2_last_error(), "rejected") != NULL && links(s, st) == 2,
           "%s: another final outcome: refused naming the op and both (%s)", s->name,
           mav2_last_error());

    ok = put(s, st, "sign", 2, NULL, T0 + 2) && put(s, st, "sign", 3, NULL, T0 + 2) &&
         put(s, st, "outcome", 2, "submitted", T0 + 3) &&
         put(s, st, "outcome", 2, "timeout", T0 + 4) && links(s, st) == 5;
    tap_ok(ok, "%s: one note while the op is open (submitted; timeout adds nothing)", s->name);
    ok = put(s, st, "outcome", 2, "included", T0 + 5) &&
         put(s, st, "outcome", 3, "reverted", T0 + 5) &&
         put(s, st, "outcome", 2, "included", T0 + 65) &&
         put(s, st, "outcome", 3, "reverted", T0 + 65) && links(s, st) == 7;
    tap_ok(ok, "%s: then one final outcome each, settled twice (%llu links)", s->name,
           links(s, st));

    ok = 1;
    for (int i = 0; i < RACE; i++)
        ok &= put(s, st, "sign", 100 + i, NULL, T0 + 10);
    for (int i = 0; i < 2; i++)
        pthread_create(&th[i], NULL, race, &rc[i]);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    tap_ok(ok && rc[0].ok && rc[1].ok && links(s, st) == 7 + 2 * RACE,
           "%s: two settling the same %d ops at once: one outcome each, the chain verifies "
           "(%llu links)",
           s->name, RACE, links(s, st));
    mav2_state_close(st);
}

int main(void)
{
    const char *url = getenv("MH_STATE_URL");
    char tmpl[] = "/tmp/test-outcome-once.XXXXXX", *dir = mkdtemp(tmpl), cmd[600];
    store s;
    if (dir == NULL)
        tap_bail("mkdtemp");
    if (url != NULL && *url != '\0') {
        memset(&s, 0, sizeof(s));
        s.name = "postgresql";
        snprintf(s.url, sizeof(s.url), "%s", url);
        s.pw = getenv("MH_STATE_PASSWORD_FILE");
        memset(s.account, 0xa1, 20);
        check_store(&s);
    } else {
        memset(&s, 0, sizeof(s));
        s.name = "ledger file";
        snprintf(s.path, sizeof(s.path), "%s/ledger.jsonl", dir);
        memset(s.account, 0xa2, 20);
        check_store(&s);
        memset(&s, 0, sizeof(s));
        s.name = "files state";
        snprintf(s.url, sizeof(s.url), "file:%s/state", dir);
        memset(s.account, 0xa3, 20);
        check_store(&s);
    }
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        tap_diag("could not remove %s", dir);
    return tap_done();
}
