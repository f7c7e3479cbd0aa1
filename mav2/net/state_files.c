/* SPDX-License-Identifier: Apache-2.0 */
/* state_files.c: the files state backend (state.h): the journal of journal.h, lanes as
 * its flock lane locks, a policy window as a file of "<unix seconds> <amount>" lines and
 * the ledger as the links of ledger_link.h (a ledger file), each file changed under its
 * own flock. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/hex.h"
#include "mav2/core/error.h"
#include "mav2/net/ledger_link.h"
#include "mav2/net/state_int.h"

#define FILE_MAX (64 << 20)

/* The lanes this handle holds, so finish knows when the lock is already its own. */
typedef struct held {
    uint8_t account[20];
    mav2_u256 key;
    int fd;
    struct held *next;
} held;

static held **held_find(mav2_state *st, const uint8_t account[20], const mav2_u256 *key)
{
    held **h = (held **)&st->db;
    while (*h != NULL &&
           (memcmp((*h)->account, account, 20) != 0 || mav2_u256_cmp(&(*h)->key, key) != 0))
        h = &(*h)->next;
    return h;
}

static int f_init_db(mav2_state *st, int *version)
{
    char tmp[PATH_MAX];
    memcpy(tmp, st->dir, sizeof(tmp));
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
                return mav2_error_set("state: cannot create %s: %s", tmp, strerror(errno));
            *p = '/';
        }
    }
    if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
        return mav2_error_set("state: cannot create %s: %s", tmp, strerror(errno));
    *version = MAV2_STATE_SCHEMA;
    return 1;
}

static int f_claim(mav2_state *st, const uint8_t account[20], const mav2_u256 *keys, size_t n,
                   int lease_ms, mav2_state_lane *lane, int *got)
{
    held *h;
    (void)lease_ms;
    for (size_t i = 0; i < n && !*got; i++) {
        if (*held_find(st, account, &keys[i]) != NULL)
            continue;
        if (!mav2_journal_trylock(st->dir, account, &keys[i], &lane->fd))
            return 0;
        if (lane->fd < 0)
            continue;
        if ((h = calloc(1, sizeof(*h))) == NULL) {
            mav2_journal_unlock(lane->fd);
            lane->fd = -1;
            return mav2_error_set("state: out of memory");
        }
        memcpy(h->account, account, 20);
        h->key = keys[i];
        h->fd = lane->fd;
        h->next = st->db;
        st->db = h;
        memcpy(lane->account, account, 20);
        lane->nonce_key = keys[i];
        *got = 1;
    }
    return 1;
}

static int f_renew(mav2_state *st, const mav2_state_lane *lane, int lease_ms)
{
    (void)lease_ms;
    if (lane->fd < 0 || *held_find(st, lane->account, &lane->nonce_key) == NULL)
        return mav2_error_set("state: lease lost (the lane is not held)");
    return 1;
}

static int f_release(mav2_state *st, mav2_state_lane *lane)
{
    held **h = held_find(st, lane->account, &lane->nonce_key), *gone;
    if (lane->fd < 0 || *h == NULL)
        return 1;
    gone = *h;
    *h = gone->next;
    free(gone);
    mav2_journal_unlock(lane->fd);
    lane->fd = -1;
    return 1;
}

static int f_put(mav2_state *st, const mav2_state_lane *lane, const mav2_journal_entry *e)
{
    return f_renew(st, lane, 1) && mav2_journal_put(st->dir, e);
}

static int f_get(mav2_state *st, uint64_t chain_id, const uint8_t account[20], const mav2_u256 *key,
                 mav2_journal_entry *e, int *found)
{
    return mav2_journal_get(st->dir, chain_id, account, key, e, found);
}

/* The nonce key of a journal file name "pending-<chain>-<account>-<key>.json" of
 * (chain, account). */
static int entry_key(const char *name, const char *prefix, mav2_u256 *key)
{
    char hex[MAV2_U256_HEX_MAX + 2];
    size_t pl = strlen(prefix);
    const char *dot;
    if (strncmp(name, prefix, pl) != 0 || (dot = strstr(name + pl, ".json")) == NULL ||
        dot[5] != '\0' || dot == name + pl || dot - (name + pl) > 64)
        return 0;
    snprintf(hex, sizeof(hex), "0x%.*s", (int)(dot - (name + pl)), name + pl);
    return mav2_u256_from_hex(key, hex);
}

static int f_pending(mav2_state *st, uint64_t chain_id, const uint8_t account[20],
                     mav2_state_entry_fn fn, void *ctx)
{
    char prefix[96], acct[41];
    DIR *d;
    struct dirent *de;
    int ok = 1, more = 1;
    mh_hex_encode(account, 20, acct, sizeof(acct), 0);
    snprintf(prefix, sizeof(prefix), "pending-%llu-%s-", (unsigned long long)chain_id, acct);
    if ((d = opendir(st->dir)) == NULL)
        return errno == ENOENT
                   ? 1
                   : mav2_error_set("state: cannot read %s: %s", st->dir, strerror(errno));
    while (ok && more && (de = readdir(d)) != NULL) {
        mav2_journal_entry e;
        mav2_u256 key;
        int found = 0;
        if (!entry_key(de->d_name, prefix, &key))
            continue;
        ok = mav2_journal_get(st->dir, chain_id, account, &key, &e, &found);
        if (ok && found)
            more = fn(ctx, &e);
        mav2_journal_entry_clear(&e);
    }
    closedir(d);
    return ok;
}

/* Under the lane's lock: this handle's, or taken for the call. */
static int f_finish(mav2_state *st, uint64_t chain_id, const uint8_t account[20],
                    const mav2_u256 *key, const uint8_t hash[32], int *removed)
{
    mav2_journal_entry e;
    int found = 0, ok, fd = -1;
    if (*held_find(st, account, key) == NULL && !mav2_journal_lock(st->dir, account, key, &fd))
        return 0;
    ok = mav2_journal_get(st->dir, chain_id, account, key, &e, &found);
    if (ok && found && (memcmp(e.user_op_hash, hash, 32) == 0 || memcmp(e.op_hash, hash, 32) == 0))
        ok = *removed = mav2_journal_remove(st->dir, chain_id, account, key);
    mav2_journal_entry_clear(&e);
    mav2_journal_unlock(fd);
    return ok;
}

static int f_held_get(mav2_state *st, const mav2_state_lane *lane, uint64_t chain_id,
                      mav2_journal_entry *e, int *found)
{
    return f_renew(st, lane, 1) &&
           mav2_journal_get(st->dir, chain_id, lane->account, &lane->nonce_key, e, found);
}

/* Opens dir/<kind>-<account>[-rule] locked (LOCK_EX or LOCK_SH) and reads it whole
 * into *text (NUL-terminated, *len bytes). */
static int open_locked(mav2_state *st, const char *kind, const uint8_t account[20],
                       const char *rule, int how, int *fd, char **text, size_t *len)
{
    char path[PATH_MAX], acct[41];
    struct stat sb;
    ssize_t r;
    int n, v;
    *text = NULL;
    *len = 0;
    if (!f_init_db(st, &v))
        return 0;
    mh_hex_encode(account, 20, acct, sizeof(acct), 0);
    n = snprintf(path, sizeof(path), "%s/%s-%s%s%s", st->dir, kind, acct, rule ? "-" : "",
                 rule ? rule : "");
    if (n < 0 || (size_t)n >= sizeof(path))
        return mav2_error_set("state: path too long");
    if ((*fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
        return mav2_error_set("state: cannot open %s: %s", path, strerror(errno));
    while (flock(*fd, how) != 0 && errno == EINTR)
        ;
    if (fstat(*fd, &sb) != 0 || sb.st_size > FILE_MAX ||
        (*text = malloc((size_t)sb.st_size + 1)) == NULL) {
        close(*fd);
        return mav2_error_set("state: cannot read %s", path);
    }
    while (*len < (size_t)sb.st_size &&
           (r = pread(*fd, *text + *len, (size_t)sb.st_size - *len, (off_t)*len)) > 0)
        *len += (size_t)r;
    (*text)[*len] = '\0';
    return 1;
}

static int append_sync(int fd, const char *line)
{
    size_t n = strlen(line);
    if (write(fd, line, n) != (ssize_t)n || fsync(fd) != 0)
        return mav2_error_set("state: cannot write: %s", strerror(errno));
    return 1;
}

static int window_total(const char *text, int64_t since, mav2_u256 *sum)
{
    char amount[MAV2_U256_DEC_MAX + 1];
    long long at;
    mav2_u256 v;
    mav2_u256_from_u64(sum, 0);
    for (const char *p = text; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p)) {
        if (sscanf(p, "%lld %79s", &at, amount) != 2 || !mav2_u256_from_dec(&v, amount))
            return mav2_error_set("state: a policy window file is damaged");
        if (at > since && !mav2_u256_add(sum, sum, &v))
            return mav2_error_set("state: a policy window's sum overflows");
    }
    return 1;
}

static int f_window_add(mav2_state *st, const uint8_t account[20], const char *rule,
                        int64_t window_s, const mav2_u256 *amount, const mav2_u256 *cap,
                        int *within, mav2_u256 *sum)
{
    char *text, line[128], dec[MAV2_U256_DEC_MAX];
    mav2_u256 next;
    size_t len;
    int fd, ok;
    int64_t now = (int64_t)time(NULL);
    if (!open_locked(st, "window", account, rule, LOCK_EX, &fd, &text, &len))
        return 0;
    ok = window_total(text, now - window_s, sum);
    if (ok && !mav2_u256_add(&next, sum, amount))
        ok = mav2_error_set("state: a policy window's sum overflows");
    if (ok && (cap == NULL || mav2_u256_cmp(&next, cap) <= 0)) {
        mav2_u256_to_dec(amount, dec);
        snprintf(line, sizeof(line), "%lld %s\n", (long long)now, dec);
        ok = append_sync(fd, line);
        *within = ok;
        *sum = next;
    }
    free(text);
    close(fd);
    return ok;
}

static int f_window_sum(mav2_state *st, const uint8_t account[20], const char *rule,
                        int64_t window_s, mav2_u256 *sum)
{
    char *text;
    size_t len;
    int fd, ok;
    if (!open_locked(st, "window", account, rule, LOCK_SH, &fd, &text, &len))
        return 0;
    ok = window_total(text, (int64_t)time(NULL) - window_s, sum);
    free(text);
    close(fd);
    return ok;
}

/* Walks text's links: *count links, *first_bad (0 = all hold; mav2_last_error() says
 * why; the links after it are only counted), the last good link's hash, and the first link
 * whose record has id (0 = none; id NULL: not looked for). */
static void ledger_walk(const char *text, const uint8_t id[32], uint64_t *count,
                        uint64_t *first_bad, uint8_t last[32], uint64_t *dup, uint8_t dup_hash[32])
{
    uint8_t rid[32];
    size_t at;
    char *record;
    *count = *first_bad = *dup = 0;
    memset(last, 0, 32);
    for (const char *p = text, *e; *p; p = *e ? e + 1 : e) {
        e = strchr(p, '\n') ? strchr(p, '\n') : p + strlen(p);
        (*count)++;
        if (*first_bad)
            continue;
        if (!mav2_ledger_link_check(p, (size_t)(e - p), *count, last, "link", &at)) {
            *first_bad = *count;
            continue;
        }
        mav2_ledger_link_hash(p, (size_t)(e - p), last);
        if (id != NULL && (record = mav2_ledger_link_record(p, (size_t)(e - p), at)) != NULL) {
            mav2_state_record_id(record, rid);
            if (*dup == 0 && memcmp(rid, id, 32) == 0) {
                *dup = *count;
                memcpy(dup_hash, last, 32);
            }
            free(record);
        }
    }
}

/* record has the id of link no of text: *seq = no when it adds nothing to that link
 * (mav2_ledger_outcome_again). */
static int link_again(const char *text, uint64_t no, const char *record, uint64_t *seq)
{
    const char *p = text, *e;
    for (uint64_t i = 1; i < no; i++)
        p = strchr(p, '\n') + 1;
    e = strchr(p, '\n') != NULL ? strchr(p, '\n') : p + strlen(p);
    *seq = no;
    return mav2_ledger_outcome_again(p, (size_t)(e - p), record);
}

static int f_ledger_append(mav2_state *st, const uint8_t account[20], const char *record,
                           uint64_t *seq, uint8_t hash[32])
{
    char *text, *line = NULL;
    uint8_t id[32], last[32];
    uint64_t count, bad, dup;
    size_t len;
    int fd, ok = 1;
    if (!open_locked(st, "ledger", account, NULL, LOCK_EX, &fd, &text, &len))
        return 0;
    mav2_state_record_id(record, id);
    ledger_walk(text, id, &count, &bad, last, &dup, hash);
    if (bad)
        ok = mav2_error_prefix("state: the ledger is broken");
    else if (dup)
        ok = link_again(text, dup, record, seq);
    free(text);
    if (ok && !dup) {
        *seq = count + 1;
        ok = mav2_ledger_link_make(record, *seq, last, &line);
        len = ok ? strlen(line) : 0;
        if (ok && (text = realloc(line, len + 2)) == NULL)
            ok = mav2_error_set("state: out of memory");
        if (ok) {
            line = text;
            mav2_ledger_link_hash(line, len, hash);
            memcpy(line + len, "\n", 2);
            ok = append_sync(fd, line);
        }
        free(line);
    }
    close(fd);
    return ok;
}

static int f_ledger_verify(mav2_state *st, const uint8_t account[20], uint64_t *count,
                           uint64_t *first_bad, uint8_t tip[32])
{
    char *text;
    uint8_t dh[32];
    uint64_t dup;
    size_t len;
    int fd;
    if (!open_locked(st, "ledger", account, NULL, LOCK_SH, &fd, &text, &len))
        return 0;
    ledger_walk(text, NULL, count, first_bad, tip, &dup, dh);
    free(text);
    close(fd);
    return 1;
}

static int f_ledger_each(mav2_state *st, const uint8_t account[20], mav2_state_link_fn fn,
                         void *ctx)
{
    char *text;
    size_t len;
    int fd, ok = 1;
    if (!open_locked(st, "ledger", account, NULL, LOCK_SH, &fd, &text, &len))
        return 0;
    for (const char *p = text, *e; ok && *p; p = *e ? e + 1 : e) {
        e = strchr(p, '\n') ? strchr(p, '\n') : p + strlen(p);
        ok = fn(p, (size_t)(e - p), ctx);
    }
    free(text);
    close(fd);
    return ok;
}

static void f_close(mav2_state *st)
{
    held *h = st->db, *next;
    for (; h != NULL; h = next) {
        next = h->next;
        mav2_journal_unlock(h->fd);
        free(h);
    }
    st->db = NULL;
}

const mav2_state_backend mav2_state_files = {
    f_init_db,       f_claim,  f_renew,    f_release,    f_put,        f_get,
    f_pending,       f_finish, f_held_get, f_window_add, f_window_sum, f_ledger_append,
    f_ledger_verify, f_close,  NULL,       NULL,         NULL,         f_ledger_each,
};
