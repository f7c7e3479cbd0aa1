/* SPDX-License-Identifier: Apache-2.0 */
/* state.c: the state handle, argument checks and what both backends share (state.h). */
#include "config.h"

#include "mav2/net/state_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/keccak.h"
#include "mav2/core/error.h"
#include "mav2/net/ledger_link.h"

#define RECORD_MAX (64 * 1024)

static int is_pg_url(const char *url)
{
    return strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0;
}

static int files_dir(mav2_state *st, const char *url)
{
    int n;
    if (url == NULL || *url == '\0')
        return mav2_journal_default_dir(st->dir, sizeof(st->dir));
    if (strncmp(url, "file:", 5) == 0)
        url += 5;
    if (*url != '/')
        return mav2_error_set("state: %s is neither postgresql://..., file:DIR nor an absolute "
                              "directory",
                              url);
    n = snprintf(st->dir, sizeof(st->dir), "%s", url);
    if (n < 0 || (size_t)n >= sizeof(st->dir))
        return mav2_error_set("state: directory path too long");
    return 1;
}

int mav2_state_open(const char *url, const char *password_file, mav2_state **out)
{
    return mav2_state_open_wait(url, password_file, 60000, out);
}

int mav2_state_open_wait(const char *url, const char *password_file, int wait_ms, mav2_state **out)
{
    mav2_state *st;
    char host[48] = "host";
    int ok;
    if (out == NULL)
        return mav2_error_set("state: no handle to open");
    *out = NULL;
    if ((st = calloc(1, sizeof(*st))) == NULL)
        return mav2_error_set("state: out of memory");
    gethostname(host, sizeof(host) - 1);
    snprintf(st->owner, sizeof(st->owner), "%.47s:%ld", host, (long)getpid());
    mav2_state_set_wait(st, wait_ms);
    if (url != NULL && is_pg_url(url)) {
        st->be = &mav2_state_pg;
        st->kind = "postgresql";
        ok = mav2_state_pg_open(st, url, password_file);
    } else {
        st->be = &mav2_state_files;
        st->kind = "files";
        ok = password_file == NULL ||
             mav2_error_set("state: a password file is for postgresql:// states only");
        ok = ok && files_dir(st, url);
    }
    if (!ok) {
        mav2_state_close(st);
        return 0;
    }
    *out = st;
    return 1;
}

void mav2_state_close(mav2_state *st)
{
    if (st == NULL)
        return;
    if (st->be != NULL)
        st->be->close(st);
    free(st);
}

const char *mav2_state_kind(const mav2_state *st)
{
    return st->kind;
}

int mav2_state_set_owner(mav2_state *st, const char *owner)
{
    if (owner == NULL || *owner == '\0' || strlen(owner) >= sizeof(st->owner))
        return mav2_error_set("state: an owner name is 1 to %zu bytes", sizeof(st->owner) - 1);
    memcpy(st->owner, owner, strlen(owner) + 1);
    return 1;
}

void mav2_state_set_wait(mav2_state *st, int wait_ms)
{
    st->wait_ms = wait_ms < 0 ? 0 : wait_ms;
}

uint64_t mav2_state_round_trips(const mav2_state *st)
{
    return st->trips;
}

uint64_t mav2_state_reconnects(const mav2_state *st)
{
    return st->reconnects;
}

int mav2_state_init_db(mav2_state *st, int *version)
{
    return st->be->init_db(st, version);
}

int mav2_state_lane_claim(mav2_state *st, const uint8_t account[20], const mav2_u256 *keys,
                          size_t n, int lease_ms, mav2_state_lane *lane, int *got)
{
    *got = 0;
    memset(lane, 0, sizeof(*lane));
    lane->fd = -1;
    if (n == 0 || keys == NULL)
        return mav2_error_set("state: no lanes to claim");
    if (lease_ms <= 0)
        return mav2_error_set("state: a lease must last more than 0 ms");
    return st->be->claim(st, account, keys, n, lease_ms, lane, got);
}

int mav2_state_lane_renew(mav2_state *st, const mav2_state_lane *lane, int lease_ms)
{
    if (lease_ms <= 0)
        return mav2_error_set("state: a lease must last more than 0 ms");
    return st->be->renew(st, lane, lease_ms);
}

int mav2_state_lane_release(mav2_state *st, mav2_state_lane *lane)
{
    return st->be->release(st, lane);
}

int mav2_state_journal_put(mav2_state *st, const mav2_state_lane *lane, const mav2_journal_entry *e)
{
    if (e == NULL || e->user_op == NULL)
        return mav2_error_set("state: no journal entry");
    if (memcmp(e->account, lane->account, 20) != 0 ||
        mav2_u256_cmp(&e->nonce_key, &lane->nonce_key) != 0)
        return mav2_error_set("state: the journal entry is not of the lane held");
    return st->be->put(st, lane, e);
}

int mav2_state_journal_get(mav2_state *st, uint64_t chain_id, const uint8_t account[20],
                           const mav2_u256 *nonce_key, mav2_journal_entry *e, int *found)
{
    return st->be->get(st, chain_id, account, nonce_key, e, found);
}

int mav2_state_journal_pending(mav2_state *st, uint64_t chain_id, const uint8_t account[20],
                               mav2_state_entry_fn fn, void *ctx)
{
    return st->be->pending(st, chain_id, account, fn, ctx);
}

int mav2_state_journal_finish(mav2_state *st, uint64_t chain_id, const uint8_t account[20],
                              const mav2_u256 *nonce_key, const uint8_t hash[32], int *removed)
{
    int dummy;
    if (removed == NULL)
        removed = &dummy;
    *removed = 0;
    return st->be->finish(st, chain_id, account, nonce_key, hash, removed);
}

int mav2_state_nonce_check(mav2_state *st, const mav2_state_lane *lane, uint64_t chain_id,
                           const mav2_u256 *chain_nonce, mav2_journal_entry *pending, int *verdict)
{
    char a[MAV2_U256_DEC_MAX], b[MAV2_U256_DEC_MAX];
    int found = 0, c;
    *verdict = 0;
    memset(pending, 0, sizeof(*pending));
    if (!st->be->held_get(st, lane, chain_id, pending, &found))
        return 0;
    if (!found) {
        *verdict = MAV2_STATE_SIGN;
        return 1;
    }
    c = mav2_u256_cmp(&pending->nonce, chain_nonce);
    if (c > 0) {
        mav2_u256_to_dec(&pending->nonce, a);
        mav2_u256_to_dec(chain_nonce, b);
        mav2_journal_entry_clear(pending);
        return mav2_error_set("state: the journal's op has nonce %s, the chain is at %s: the "
                              "node lags, try again",
                              a, b);
    }
    *verdict = c == 0 ? MAV2_STATE_RESUME : MAV2_STATE_SETTLE;
    return 1;
}

static int check_rule(const char *rule)
{
    size_t n = rule != NULL ? strlen(rule) : 0;
    if (n == 0 || n > 48 || strspn(rule, "abcdefghijklmnopqrstuvwxyz0123456789_.-") != n)
        return mav2_error_set("state: a window rule name is 1 to 48 of a-z 0-9 _ . -");
    return 1;
}

int mav2_state_window_add(mav2_state *st, const uint8_t account[20], const char *rule,
                          int64_t window_s, const mav2_u256 *amount, const mav2_u256 *cap,
                          int *within, mav2_u256 *sum)
{
    *within = 0;
    if (!check_rule(rule))
        return 0;
    if (window_s <= 0)
        return mav2_error_set("state: a window lasts more than 0 seconds");
    return st->be->window_add(st, account, rule, window_s, amount, cap, within, sum);
}

int mav2_state_window_sum(mav2_state *st, const uint8_t account[20], const char *rule,
                          int64_t window_s, mav2_u256 *sum)
{
    if (!check_rule(rule))
        return 0;
    if (window_s <= 0)
        return mav2_error_set("state: a window lasts more than 0 seconds");
    return st->be->window_sum(st, account, rule, window_s, sum);
}

int mav2_state_windows_take(mav2_state *st, const uint8_t account[20], const mav2_state_limit *l,
                            size_t n, int *refused, mav2_u256 *sum)
{
    *refused = -1;
    for (size_t i = 0; i < n; i++) {
        if (!check_rule(l[i].rule))
            return 0;
        if (l[i].window_s <= 0)
            return mav2_error_set("state: a window lasts more than 0 seconds");
    }
    if (st->be->windows_take == NULL)
        return mav2_error_set("state: %s keeps no shared policy windows", st->kind);
    return n == 0 ? 1 : st->be->windows_take(st, account, l, n, refused, sum);
}

int mav2_state_ledger_append(mav2_state *st, const uint8_t account[20], const char *record,
                             uint64_t *seq, uint8_t hash[32])
{
    if (!mav2_ledger_record_check(record, RECORD_MAX))
        return mav2_error_prefix("state");
    return st->be->ledger_append(st, account, record, seq, hash);
}

int mav2_state_ledger_verify(mav2_state *st, const uint8_t account[20], uint64_t *count,
                             uint64_t *first_bad, uint8_t tip[32])
{
    uint8_t t[32] = {0};
    *count = *first_bad = 0;
    if (!st->be->ledger_verify(st, account, count, first_bad, t))
        return 0;
    if (tip != NULL)
        memcpy(tip, t, 32);
    return 1;
}

int mav2_state_ledger_each(mav2_state *st, const uint8_t account[20], mav2_state_link_fn fn,
                           void *ctx)
{
    return st->be->ledger_each(st, account, fn, ctx);
}

int mav2_state_call_put(mav2_state *st, const uint8_t id[32], const char *text)
{
    if (text == NULL || *text == '\0')
        return mav2_error_set("state: an empty call record");
    if (st->be->call_put == NULL)
        return mav2_error_set("state: %s keeps no call records", st->kind);
    return st->be->call_put(st, id, text);
}

int mav2_state_call_get(mav2_state *st, const uint8_t id[32], char **text)
{
    *text = NULL;
    if (st->be->call_get == NULL)
        return mav2_error_set("state: %s keeps no call records", st->kind);
    return st->be->call_get(st, id, text);
}

void mav2_state_record_id(const char *record, uint8_t out[32])
{
    char key[MAV2_LEDGER_OUTCOME_KEY_MAX];
    if (mav2_ledger_outcome_key(record, strlen(record), key))
        mh_keccak256(key, strlen(key), out);
    else
        mh_keccak256(record, strlen(record), out);
}
