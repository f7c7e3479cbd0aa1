/* SPDX-License-Identifier: Apache-2.0 */
/* policy_state.c: the policy's rolling windows in the state directory (policy_state.h).
 * The file is text: "mav2-policy-windows 1", then one line "TIME VALUE" per op counted
 * (seconds since the epoch, value in wei as 0x-hex), oldest first. */
#include "config.h"

#include "mav2/send/policy_state.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/hex.h"
#include "mav2/core/error.h"
#include "mav2/net/journal.h"

#define HEADER "mav2-policy-windows 1"

typedef struct {
    long long t;
    mav2_u256 v;
} spend;

typedef struct {
    spend *e;
    size_t n, cap;
} spends;

int mav2_state_dir_ready(const char *dir, char *out, size_t cap)
{
    char *p;
    if (dir == NULL ? !mav2_journal_default_dir(out, cap)
                    : (size_t)snprintf(out, cap, "%s", dir) >= cap)
        return dir == NULL ? 0 : mav2_error_set("state directory path too long");
    for (p = out + 1; *p != '\0'; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(out, 0700) != 0 && errno != EEXIST) {
            int err = errno;
            *p = '/';
            return mav2_error_set("cannot create %s: %s", out, strerror(err));
        }
        *p = '/';
    }
    if (mkdir(out, 0700) != 0 && errno != EEXIST)
        return mav2_error_set("cannot create %s: %s", out, strerror(errno));
    return 1;
}

static int push(spends *s, long long t, const mav2_u256 *v)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        spend *g = realloc(s->e, cap * sizeof(*g));
        if (g == NULL)
            return mav2_error_set("policy: out of memory");
        s->e = g;
        s->cap = cap;
    }
    s->e[s->n].t = t;
    s->e[s->n].v = *v;
    s->n++;
    return 1;
}

/* The entries of path (none when it does not exist). */
static int read_spends(const char *path, spends *s)
{
    char line[160], hex[80];
    long long t;
    mav2_u256 v;
    unsigned no = 1;
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return errno == ENOENT
                   ? 1
                   : mav2_error_set("policy: cannot read %s: %s", path, strerror(errno));
    if (fgets(line, sizeof(line), f) == NULL || strcmp(line, HEADER "\n") != 0) {
        fclose(f);
        return mav2_error_set("policy: %s:1: not a policy window file", path);
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        char end;
        no++;
        if (sscanf(line, "%lld %79s%c", &t, hex, &end) != 3 || end != '\n' ||
            !mav2_u256_from_hex(&v, hex) || !push(s, t, &v)) {
            fclose(f);
            return mav2_error_set("policy: %s:%u: bad line (refusing to sign while the "
                                  "windows are unknown)",
                                  path, no);
        }
    }
    fclose(f);
    return 1;
}

/* s's entries at or after keep_from written to path through a temp file, renamed. */
static int write_spends(const char *dir, const char *path, const spends *s, long long keep_from)
{
    char tmp[PATH_MAX], hex[MAV2_U256_HEX_MAX];
    FILE *f;
    int fd, ok;
    if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid()) >= sizeof(tmp))
        return mav2_error_set("policy: path too long");
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
        if (fd >= 0)
            close(fd);
        return mav2_error_set("policy: cannot write %s: %s", tmp, strerror(errno));
    }
    ok = fputs(HEADER "\n", f) >= 0;
    for (size_t i = 0; ok && i < s->n; i++) {
        if (s->e[i].t < keep_from)
            continue;
        mav2_u256_to_hex(&s->e[i].v, hex);
        ok = fprintf(f, "%lld %s\n", s->e[i].t, hex) > 0;
    }
    ok = fflush(f) == 0 && fsync(fileno(f)) == 0 && ok;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        int err = errno;
        unlink(tmp);
        return mav2_error_set("policy: cannot write %s: %s", path, strerror(err));
    }
    if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
        fsync(fd);
        close(fd);
    }
    return 1;
}

/* The rules of w against s plus one more op (value at now). */
static int within(const mav2_policy_windows *w, const spends *s, long long now,
                  const mav2_u256 *value, const char **rule)
{
    char sum_s[MAV2_U256_DEC_MAX + 2], cap_s[MAV2_U256_DEC_MAX + 2];
    unsigned long recent = 0;
    for (size_t i = 0; i < s->n; i++)
        recent += s->e[i].t > now - 60;
    if (w->ops_per_minute > 0 && recent + 1 > w->ops_per_minute) {
        *rule = "policy-ops-per-minute";
        return mav2_error_set("refused by policy-ops-per-minute: %lu ops signed in the last "
                              "minute, at most %lu",
                              recent, w->ops_per_minute);
    }
    for (size_t k = 0; k < w->n_caps; k++) {
        mav2_u256 sum = *value;
        int ok = 1;
        for (size_t i = 0; ok && i < s->n; i++)
            if (s->e[i].t > now - w->caps[k].period_s)
                ok = mav2_u256_add(&sum, &sum, &s->e[i].v);
        if (ok && mav2_u256_cmp(&sum, &w->caps[k].amount) <= 0)
            continue;
        *rule = "policy-value-cap";
        mav2_u256_format_units(&w->caps[k].amount, 18, cap_s);
        if (!ok)
            return mav2_error_set("refused by policy-value-cap: over %s ETH per %llds", cap_s,
                                  (long long)w->caps[k].period_s);
        mav2_u256_format_units(&sum, 18, sum_s);
        return mav2_error_set("refused by policy-value-cap: %s ETH in the last %llds with this "
                              "op, over %s ETH",
                              sum_s, (long long)w->caps[k].period_s, cap_s);
    }
    return 1;
}

static int take_locked(const char *dir, const char *path, const mav2_policy_windows *w,
                       long long now, const mav2_u256 *value, const char **rule)
{
    spends s = {NULL, 0, 0};
    long long longest = 60;
    int ok;
    for (size_t k = 0; k < w->n_caps; k++)
        if (w->caps[k].period_s > longest)
            longest = w->caps[k].period_s;
    ok = read_spends(path, &s) && within(w, &s, now, value, rule) && push(&s, now, value) &&
         write_spends(dir, path, &s, now - longest + 1);
    free(s.e);
    return ok;
}

int mav2_policy_windows_take(const char *dir, uint64_t chain_id, const uint8_t account[20],
                             uint32_t entity_id, const mav2_policy_windows *w, long long now,
                             const mav2_u256 *value, const char **rule)
{
    char d[PATH_MAX], path[PATH_MAX], lock[PATH_MAX + 8], acct[41];
    const char *dummy;
    int fd, ok;
    if (rule == NULL)
        rule = &dummy;
    if (!mav2_state_dir_ready(dir, d, sizeof(d)))
        return mav2_error_prefix("policy");
    mh_hex_encode(account, 20, acct, sizeof(acct), 0);
    if ((size_t)snprintf(path, sizeof(path), "%s/policy-%llu-%s-%lu", d,
                         (unsigned long long)chain_id, acct,
                         (unsigned long)entity_id) >= sizeof(path))
        return mav2_error_set("policy: path too long");
    snprintf(lock, sizeof(lock), "%s.lock", path);
    fd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return mav2_error_set("policy: cannot open %s: %s", lock, strerror(errno));
    while ((ok = flock(fd, LOCK_EX)) != 0 && errno == EINTR)
        ;
    if (ok != 0) {
        int err = errno;
        close(fd);
        return mav2_error_set("policy: cannot lock %s: %s", lock, strerror(err));
    }
    ok = take_locked(d, path, w, now, value, rule);
    flock(fd, LOCK_UN);
    close(fd);
    return ok;
}
