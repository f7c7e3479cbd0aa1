/* SPDX-License-Identifier: Apache-2.0 */
/* journal.c: the pending-op journal (see journal.h). */
#include "config.h"

#include "mav2/journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/hex.h"
#include "mav2/error.h"

void mav2_journal_entry_clear(mav2_journal_entry *e)
{
    json_object_put(e->user_op);
    memset(e, 0, sizeof(*e));
}

int mav2_journal_default_dir(char *out, size_t cap)
{
    const char *v;
    int n;
    if ((v = getenv("MAV2_STATE_DIR")) != NULL && *v)
        n = snprintf(out, cap, "%s", v);
    else if ((v = getenv("XDG_STATE_HOME")) != NULL && *v == '/')
        n = snprintf(out, cap, "%s/mav2", v);
    else if ((v = getenv("HOME")) != NULL && *v)
        n = snprintf(out, cap, "%s/.local/state/mav2", v);
    else
        return mav2_error_set("journal: no state directory (set MAV2_STATE_DIR or HOME)");
    if (n < 0 || (size_t)n >= cap)
        return mav2_error_set("journal: state directory path too long");
    return 1;
}

/* mkdir -p with mode 0700 for the directories we create. */
static int make_dirs(const char *dir)
{
    char tmp[PATH_MAX];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof(tmp))
        return mav2_error_set("journal: bad state directory");
    memcpy(tmp, dir, n + 1);
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
                return mav2_error_set("journal: cannot create %s: %s", tmp, strerror(errno));
            *p = '/';
        }
    }
    if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
        return mav2_error_set("journal: cannot create %s: %s", tmp, strerror(errno));
    return 1;
}

static int entry_path(const char *dir, uint64_t chain_id, const uint8_t account[20],
                      const mav2_u256 *key, char *out, size_t cap, char *dirbuf, size_t dircap)
{
    char acct[41], keyhex[MAV2_U256_HEX_MAX];
    int n;
    if (dir == NULL) {
        if (!mav2_journal_default_dir(dirbuf, dircap))
            return 0;
        dir = dirbuf;
    } else {
        snprintf(dirbuf, dircap, "%s", dir);
    }
    mh_hex_encode(account, 20, acct, sizeof(acct), 0);
    mav2_u256_to_hex(key, keyhex);
    n = snprintf(out, cap, "%s/pending-%llu-%s-%s.json", dir, (unsigned long long)chain_id, acct,
                 keyhex + 2);
    if (n < 0 || (size_t)n >= cap)
        return mav2_error_set("journal: path too long");
    return 1;
}

static void add_hex(json_object *o, const char *k, const uint8_t *b, size_t n)
{
    char s[2 * 32 + 3];
    mh_hex_encode(b, n, s, sizeof(s), 1);
    json_object_object_add(o, k, json_object_new_string(s));
}

static void add_u256(json_object *o, const char *k, const mav2_u256 *v)
{
    char s[MAV2_U256_HEX_MAX];
    mav2_u256_to_hex(v, s);
    json_object_object_add(o, k, json_object_new_string(s));
}

int mav2_journal_put(const char *dir, const mav2_journal_entry *e)
{
    char path[PATH_MAX], tmp[PATH_MAX + 16], dbuf[PATH_MAX];
    json_object *o;
    const char *text;
    size_t len;
    int fd, ok;
    if (e == NULL || e->user_op == NULL)
        return mav2_error_set("journal: no entry");
    if (!entry_path(dir, e->chain_id, e->account, &e->nonce_key, path, sizeof(path), dbuf,
                    sizeof(dbuf)) ||
        !make_dirs(dbuf))
        return 0;
    o = json_object_new_object();
    json_object_object_add(o, "version", json_object_new_int(1));
    json_object_object_add(o, "chainId", json_object_new_int64((int64_t)e->chain_id));
    add_hex(o, "account", e->account, 20);
    add_u256(o, "nonceKey", &e->nonce_key);
    add_u256(o, "nonce", &e->nonce);
    add_hex(o, "userOpHash", e->user_op_hash, 32);
    json_object_object_add(o, "bundler", json_object_new_string(e->bundler));
    json_object_object_add(o, "created",
                           json_object_new_int64(e->created ? e->created : (int64_t)time(NULL)));
    json_object_object_add(o, "userOp", json_object_get(e->user_op));
    text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY);
    len = strlen(text);

    snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid());
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        json_object_put(o);
        return mav2_error_set("journal: cannot write %s: %s", tmp, strerror(errno));
    }
    ok = write(fd, text, len) == (ssize_t)len && write(fd, "\n", 1) == 1 && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    json_object_put(o);
    if (!ok || rename(tmp, path) != 0) {
        int err = errno;
        unlink(tmp);
        return mav2_error_set("journal: cannot write %s: %s", path, strerror(err));
    }
    if ((fd = open(dbuf, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
        fsync(fd);
        close(fd);
    }
    return 1;
}

static int get_hex(json_object *o, const char *k, uint8_t *out, size_t n)
{
    json_object *v;
    return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string) &&
           mh_hex_decode_exact(json_object_get_string(v), out, n, NULL);
}

static int get_u256(json_object *o, const char *k, mav2_u256 *out)
{
    json_object *v;
    return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string) &&
           mav2_u256_from_hex(out, json_object_get_string(v));
}

int mav2_journal_get(const char *dir, uint64_t chain_id, const uint8_t account[20],
                     const mav2_u256 *nonce_key, mav2_journal_entry *e, int *found)
{
    char path[PATH_MAX], dbuf[PATH_MAX];
    const char *bad = NULL;
    json_object *o, *v, *c;
    memset(e, 0, sizeof(*e));
    *found = 0;
    if (!entry_path(dir, chain_id, account, nonce_key, path, sizeof(path), dbuf, sizeof(dbuf)))
        return 0;
    if (access(path, F_OK) != 0)
        return 1;
    o = json_object_from_file(path);
    if (o == NULL || !get_hex(o, "account", e->account, 20) ||
        !get_u256(o, "nonceKey", &e->nonce_key) || !get_u256(o, "nonce", &e->nonce) ||
        !get_hex(o, "userOpHash", e->user_op_hash, 32) ||
        !json_object_object_get_ex(o, "userOp", &v) || !json_object_is_type(v, json_type_object)) {
        json_object_put(o);
        memset(e, 0, sizeof(*e));
        return mav2_error_set("journal: %s is damaged (remove it to continue)", path);
    }
    /* the file's name says what it is for; its content must agree, else it could be
     * resumed (or replaced) as the op of another chain, account or nonce key */
    if (!json_object_object_get_ex(o, "chainId", &c) || !json_object_is_type(c, json_type_int) ||
        (uint64_t)json_object_get_int64(c) != chain_id)
        bad = "chainId";
    else if (memcmp(e->account, account, 20) != 0)
        bad = "account";
    else if (mav2_u256_cmp(&e->nonce_key, nonce_key) != 0)
        bad = "nonceKey";
    if (bad != NULL) {
        json_object_put(o);
        memset(e, 0, sizeof(*e));
        return mav2_error_set("journal: %s is damaged: its %s is not the one of its name "
                              "(remove it to continue)",
                              path, bad);
    }
    e->chain_id = chain_id;
    e->user_op = json_object_get(v);
    if (json_object_object_get_ex(o, "bundler", &v))
        snprintf(e->bundler, sizeof(e->bundler), "%s", json_object_get_string(v));
    if (json_object_object_get_ex(o, "created", &v))
        e->created = json_object_get_int64(v);
    json_object_put(o);
    *found = 1;
    return 1;
}

int mav2_journal_find(const char *dir, uint64_t chain_id, const uint8_t hash[32],
                      mav2_journal_entry *e, int *found)
{
    char dbuf[PATH_MAX], prefix[64];
    DIR *d;
    struct dirent *de;
    int ok = 1;
    memset(e, 0, sizeof(*e));
    *found = 0;
    if (dir == NULL) {
        if (!mav2_journal_default_dir(dbuf, sizeof(dbuf)))
            return 0;
        dir = dbuf;
    }
    if ((d = opendir(dir)) == NULL)
        return errno == ENOENT
                   ? 1
                   : mav2_error_set("journal: cannot read %s: %s", dir, strerror(errno));
    snprintf(prefix, sizeof(prefix), "pending-%llu-", (unsigned long long)chain_id);
    while (ok && !*found && (de = readdir(d)) != NULL) {
        uint8_t acct[20];
        mav2_u256 key;
        char keyhex[MAV2_U256_HEX_MAX + 2];
        const char *name = de->d_name, *dot;
        size_t pl = strlen(prefix), kl;
        if (strncmp(name, prefix, pl) != 0 || strlen(name) < pl + 41 || name[pl + 40] != '-' ||
            (dot = strstr(name + pl + 41, ".json")) == NULL || dot[5] != '\0')
            continue;
        kl = (size_t)(dot - (name + pl + 41));
        snprintf(keyhex, sizeof(keyhex), "0x%.40s", name + pl);
        if (kl == 0 || kl > 64 || !mh_hex_decode_exact(keyhex, acct, 20, NULL))
            continue;
        snprintf(keyhex, sizeof(keyhex), "0x%.*s", (int)kl, name + pl + 41);
        if (!mav2_u256_from_hex(&key, keyhex))
            continue;
        ok = mav2_journal_get(dir, chain_id, acct, &key, e, found);
        if (ok && *found && memcmp(e->user_op_hash, hash, 32) != 0) {
            mav2_journal_entry_clear(e);
            *found = 0;
        }
    }
    closedir(d);
    return ok;
}

int mav2_journal_remove(const char *dir, uint64_t chain_id, const uint8_t account[20],
                        const mav2_u256 *nonce_key)
{
    char path[PATH_MAX], dbuf[PATH_MAX];
    if (!entry_path(dir, chain_id, account, nonce_key, path, sizeof(path), dbuf, sizeof(dbuf)))
        return 0;
    if (unlink(path) != 0 && errno != ENOENT)
        return mav2_error_set("journal: cannot remove %s: %s", path, strerror(errno));
    return 1;
}

int mav2_journal_lock(const char *dir, const uint8_t account[20], const mav2_u256 *nonce_key,
                      int *fd)
{
    char path[PATH_MAX], dbuf[PATH_MAX], acct[41], keyhex[MAV2_U256_HEX_MAX];
    int n, f;
    *fd = -1;
    if (dir == NULL) {
        if (!mav2_journal_default_dir(dbuf, sizeof(dbuf)))
            return 0;
    } else {
        snprintf(dbuf, sizeof(dbuf), "%s", dir);
    }
    if (!make_dirs(dbuf))
        return 0;
    mh_hex_encode(account, 20, acct, sizeof(acct), 0);
    mav2_u256_to_hex(nonce_key, keyhex);
    n = snprintf(path, sizeof(path), "%s/.lock-%s-%s", dbuf, acct, keyhex + 2);
    if (n < 0 || (size_t)n >= sizeof(path))
        return mav2_error_set("journal: path too long");
    f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (f < 0)
        return mav2_error_set("journal: cannot open the lock %s: %s", path, strerror(errno));
    while (flock(f, LOCK_EX) != 0) {
        if (errno != EINTR) {
            int err = errno;
            close(f);
            return mav2_error_set("journal: cannot lock %s: %s", path, strerror(err));
        }
    }
    *fd = f;
    return 1;
}

void mav2_journal_unlock(int fd)
{
    if (fd >= 0) {
        flock(fd, LOCK_UN);
        close(fd);
    }
}
