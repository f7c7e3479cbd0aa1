/* SPDX-License-Identifier: Apache-2.0 */
/* journal.c: the pending-op journal (see journal.h). */
#include "config.h"

#include "mav2/net/journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/hex.h"
#include "mav2/core/error.h"
#include "mav2/core/userop.h"

#define ENTRY_MAX (1 << 20) /* an entry file is a few KiB; more is not ours */

void mav2_journal_entry_clear(mav2_journal_entry *e)
{
    json_object_put(e->user_op);
    json_object_put(e->intent);
    json_object_put(e->replaced);
    memset(e, 0, sizeof(*e));
}

static int is_zero(const uint8_t *b, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= b[i];
    return acc == 0;
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

static int entry_path(const char *dir, uint64_t chain_id, const uint8_t account[MAV2_ADDRESS_LEN],
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

json_object *mav2_journal_entry_json(const mav2_journal_entry *e)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "version", json_object_new_int(2));
    json_object_object_add(o, "chainId", json_object_new_int64((int64_t)e->chain_id));
    add_hex(o, "account", e->account, 20);
    add_u256(o, "nonceKey", &e->nonce_key);
    add_u256(o, "nonce", &e->nonce);
    add_hex(o, "userOpHash", e->user_op_hash, 32);
    add_hex(o, "opHash", is_zero(e->op_hash, 32) ? e->user_op_hash : e->op_hash, 32);
    add_hex(o, "entryPoint", is_zero(e->entry_point, 20) ? mav2_entry_point_v07 : e->entry_point,
            20);
    json_object_object_add(o, "bundler", json_object_new_string(e->bundler));
    json_object_object_add(o, "created",
                           json_object_new_int64(e->created ? e->created : (int64_t)time(NULL)));
    json_object_object_add(o, "userOp", json_object_get(e->user_op));
    if (e->intent != NULL)
        json_object_object_add(o, "intent", json_object_get(e->intent));
    if (e->replaced != NULL)
        json_object_object_add(o, "replaced", json_object_get(e->replaced));
    return o;
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
    o = mav2_journal_entry_json(e);
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

/* Opens and reads path as an entry file we may trust (journal.h): 1 with *o parsed
 * (NULL when there is no file), else 0 with the reason. */
static int read_trusted(const char *path, json_object **o)
{
    struct stat st;
    char *text = NULL;
    ssize_t n;
    size_t len = 0;
    int fd, err;
    *o = NULL;
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        err = errno;
        if (err == ENOENT)
            return 1;
        if (err == ELOOP)
            return mav2_error_set("journal: %s is a symbolic link: refused", path);
        return mav2_error_set("journal: cannot read %s: %s", path, strerror(err));
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return mav2_error_set("journal: %s is not a regular file: refused", path);
    }
    if (st.st_uid != geteuid()) {
        close(fd);
        return mav2_error_set("journal: %s is owned by uid %lu, not by you: refused (remove it "
                              "if you do not know where it comes from)",
                              path, (unsigned long)st.st_uid);
    }
    if (st.st_mode & (S_IWGRP | S_IWOTH)) {
        close(fd);
        return mav2_error_set("journal: %s is writable by group or others: refused (chmod 600 "
                              "it if you trust its content)",
                              path);
    }
    if (st.st_size > ENTRY_MAX || (text = malloc((size_t)st.st_size + 1)) == NULL) {
        close(fd);
        return mav2_error_set("journal: %s is damaged (too large; remove it to continue)", path);
    }
    for (err = 0; len < (size_t)st.st_size && err == 0;) {
        n = read(fd, text + len, (size_t)st.st_size - len);
        if (n > 0)
            len += (size_t)n;
        else if (n == 0)
            err = EIO; /* shorter than it was: being rewritten by someone else */
        else if (errno != EINTR)
            err = errno;
    }
    close(fd);
    if (err != 0) {
        free(text);
        return mav2_error_set("journal: cannot read %s: %s", path, strerror(err));
    }
    text[len] = '\0';
    *o = json_tokener_parse(text);
    free(text);
    if (*o == NULL || !json_object_is_type(*o, json_type_object)) {
        json_object_put(*o);
        *o = NULL;
        return mav2_error_set("journal: %s is damaged (remove it to continue)", path);
    }
    return 1;
}

/* The entry's op is its own: sender and nonce are the entry's, and it hashes (chain,
 * entry point) to the opHash. Returns what disagrees, or NULL. */
static const char *check_op(const mav2_journal_entry *e)
{
    mav2_userop op;
    uint8_t h[32];
    const char *bad = NULL;
    const uint8_t *ep = is_zero(e->entry_point, 20) ? mav2_entry_point_v07 : e->entry_point;
    mav2_userop_init(&op);
    if (!mav2_userop_from_json(&op, e->user_op))
        bad = "its userOp is not a user op";
    else if (memcmp(op.sender, e->account, 20) != 0)
        bad = "its op's sender is not its account";
    else if (mav2_u256_cmp(&op.nonce, &e->nonce) != 0)
        bad = "its op's nonce is not its nonce";
    else if (!(memcmp(ep, mav2_entry_point_v08, 20) == 0
                   ? mav2_userop_hash_v08(&op, ep, e->chain_id, h)
                   : mav2_userop_hash(&op, ep, e->chain_id, h)) ||
             memcmp(h, e->op_hash, 32) != 0)
        bad = "its op does not hash to its userOpHash";
    mav2_userop_clear(&op);
    return bad;
}

/* The fields of o into e (chain_id and account already set); the name of the first
 * missing or bad one, or NULL. */
static const char *parse_entry(json_object *o, mav2_journal_entry *e)
{
    json_object *v;
    if (!get_hex(o, "account", e->account, 20))
        return "account";
    if (!get_u256(o, "nonceKey", &e->nonce_key))
        return "nonceKey";
    if (!get_u256(o, "nonce", &e->nonce))
        return "nonce";
    if (!get_hex(o, "userOpHash", e->user_op_hash, 32))
        return "userOpHash";
    memcpy(e->op_hash, e->user_op_hash, 32); /* version 1: no opHash */
    if (json_object_object_get_ex(o, "opHash", NULL) && !get_hex(o, "opHash", e->op_hash, 32))
        return "opHash";
    if (json_object_object_get_ex(o, "entryPoint", NULL) &&
        !get_hex(o, "entryPoint", e->entry_point, 20))
        return "entryPoint";
    if (!json_object_object_get_ex(o, "userOp", &v) || !json_object_is_type(v, json_type_object))
        return "userOp";
    e->user_op = json_object_get(v);
    if (json_object_object_get_ex(o, "intent", &v)) {
        if (!json_object_is_type(v, json_type_object))
            return "intent";
        e->intent = json_object_get(v);
    }
    if (json_object_object_get_ex(o, "replaced", &v)) {
        uint8_t h[32];
        if (!json_object_is_type(v, json_type_array))
            return "replaced";
        for (size_t i = 0; i < json_object_array_length(v); i++)
            if (!json_object_is_type(json_object_array_get_idx(v, i), json_type_string) ||
                !mh_hex_decode_exact(json_object_get_string(json_object_array_get_idx(v, i)), h, 32,
                                     NULL))
                return "replaced";
        e->replaced = json_object_get(v);
    }
    if (json_object_object_get_ex(o, "bundler", &v))
        snprintf(e->bundler, sizeof(e->bundler), "%s", json_object_get_string(v));
    if (json_object_object_get_ex(o, "created", &v))
        e->created = json_object_get_int64(v);
    return NULL;
}

int mav2_journal_entry_from_json(json_object *o, uint64_t chain_id,
                                 const uint8_t account[MAV2_ADDRESS_LEN],
                                 const mav2_u256 *nonce_key, const char *where,
                                 mav2_journal_entry *e)
{
    const char *bad, *pre = "its ", *post = " is bad or missing";
    json_object *c;
    memset(e, 0, sizeof(*e));
    e->chain_id = chain_id;
    if ((bad = parse_entry(o, e)) == NULL)
        post = " is not the one of its name";
    /* the file's name says what it is for; its content must agree, else it could be
     * resumed (or replaced) as the op of another chain, account or nonce key */
    if (bad == NULL &&
        (!json_object_object_get_ex(o, "chainId", &c) || !json_object_is_type(c, json_type_int) ||
         (uint64_t)json_object_get_int64(c) != chain_id))
        bad = "chainId";
    else if (bad == NULL && memcmp(e->account, account, 20) != 0)
        bad = "account";
    else if (bad == NULL && mav2_u256_cmp(&e->nonce_key, nonce_key) != 0)
        bad = "nonceKey";
    if (bad == NULL && (bad = check_op(e)) != NULL)
        pre = post = "";
    if (bad != NULL) {
        mav2_journal_entry_clear(e);
        return mav2_error_set("journal: %s is damaged: %s%s%s (remove it to continue)", where, pre,
                              bad, post);
    }
    return 1;
}

int mav2_journal_get(const char *dir, uint64_t chain_id, const uint8_t account[20],
                     const mav2_u256 *nonce_key, mav2_journal_entry *e, int *found)
{
    char path[PATH_MAX], dbuf[PATH_MAX];
    json_object *o;
    int ok;
    memset(e, 0, sizeof(*e));
    *found = 0;
    if (!entry_path(dir, chain_id, account, nonce_key, path, sizeof(path), dbuf, sizeof(dbuf)) ||
        !read_trusted(path, &o))
        return 0;
    if (o == NULL)
        return 1;
    ok = mav2_journal_entry_from_json(o, chain_id, account, nonce_key, path, e);
    json_object_put(o);
    *found = ok;
    return ok;
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
        uint8_t acct[MAV2_ADDRESS_LEN];
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
        if (ok && *found && memcmp(e->user_op_hash, hash, 32) != 0 &&
            memcmp(e->op_hash, hash, 32) != 0) {
            mav2_journal_entry_clear(e);
            *found = 0;
        }
    }
    closedir(d);
    return ok;
}

int mav2_journal_remove(const char *dir, uint64_t chain_id, const uint8_t account[MAV2_ADDRESS_LEN],
                        const mav2_u256 *nonce_key)
{
    char path[PATH_MAX], dbuf[PATH_MAX];
    if (!entry_path(dir, chain_id, account, nonce_key, path, sizeof(path), dbuf, sizeof(dbuf)))
        return 0;
    if (unlink(path) != 0 && errno != ENOENT)
        return mav2_error_set("journal: cannot remove %s: %s", path, strerror(errno));
    return 1;
}

int mav2_journal_remove_op(const char *dir, uint64_t chain_id,
                           const uint8_t account[MAV2_ADDRESS_LEN], const mav2_u256 *nonce_key,
                           const uint8_t hash[32])
{
    mav2_journal_entry e;
    int fd, found = 0, ok;
    if (!mav2_journal_lock(dir, account, nonce_key, &fd))
        return 0;
    ok = mav2_journal_get(dir, chain_id, account, nonce_key, &e, &found);
    if (ok && found && (memcmp(e.user_op_hash, hash, 32) == 0 || memcmp(e.op_hash, hash, 32) == 0))
        ok = mav2_journal_remove(dir, chain_id, account, nonce_key);
    mav2_journal_entry_clear(&e);
    mav2_journal_unlock(fd);
    return ok;
}

/* A temp file of put ("<entry>.tmp<pid>") whose process is gone. */
static int stale_tmp(const char *name)
{
    const char *t = strstr(name, ".json.tmp");
    char *end;
    long pid;
    if (t == NULL || strncmp(name, "pending-", 8) != 0)
        return 0;
    errno = 0;
    pid = strtol(t + 9, &end, 10);
    if (end == t + 9 || *end != '\0' || errno != 0 || pid <= 0 || pid > INT_MAX)
        return 0;
    return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* Removes, in dir, lock files nobody holds (a waiter notices: see mav2_journal_lock)
 * and temp files of processes that are gone: what crashed runs leave behind. */
static void sweep(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    if (d == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        int f;
        if (strncmp(de->d_name, ".lock-", 6) == 0) {
            struct stat held, named;
            f = openat(dirfd(d), de->d_name, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
            if (f < 0)
                continue;
            /* Unlinked only while the name is still the file locked: another sweeper may
             * have replaced it since it was opened, and the new one is somebody's lane. */
            if (flock(f, LOCK_EX | LOCK_NB) == 0 && fstat(f, &held) == 0 &&
                fstatat(dirfd(d), de->d_name, &named, AT_SYMLINK_NOFOLLOW) == 0 &&
                held.st_dev == named.st_dev && held.st_ino == named.st_ino)
                unlinkat(dirfd(d), de->d_name, 0);
            close(f);
        } else if (stale_tmp(de->d_name)) {
            unlinkat(dirfd(d), de->d_name, 0);
        }
    }
    closedir(d);
}

/* Opens and locks path; 1 with *fd, or 1 with *fd = -1 when the file was removed
 * (sweep) before the lock was ours: then lock again. */
static int lock_once(const char *path, int nb, int *fd, int *busy)
{
    struct stat a, b;
    int f = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    *fd = -1;
    if (f < 0)
        return mav2_error_set("journal: cannot open the lock %s: %s", path, strerror(errno));
    while (flock(f, nb ? LOCK_EX | LOCK_NB : LOCK_EX) != 0) {
        if (errno == EWOULDBLOCK && nb) {
            close(f);
            *busy = 1;
            return 1;
        }
        if (errno != EINTR) {
            int err = errno;
            close(f);
            return mav2_error_set("journal: cannot lock %s: %s", path, strerror(err));
        }
    }
    if (fstat(f, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
        *fd = f;
    else
        close(f);
    return 1;
}

static int lock_lane(const char *dir, const uint8_t account[MAV2_ADDRESS_LEN],
                     const mav2_u256 *nonce_key, int nb, int *fd)
{
    char path[PATH_MAX], dbuf[PATH_MAX], acct[41], keyhex[MAV2_U256_HEX_MAX];
    int n, busy = 0;
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
    sweep(dbuf);
    while (*fd < 0 && !busy)
        if (!lock_once(path, nb, fd, &busy))
            return 0;
    return 1;
}

int mav2_journal_lock(const char *dir, const uint8_t account[20], const mav2_u256 *nonce_key,
                      int *fd)
{
    return lock_lane(dir, account, nonce_key, 0, fd);
}

int mav2_journal_trylock(const char *dir, const uint8_t account[20], const mav2_u256 *nonce_key,
                         int *fd)
{
    return lock_lane(dir, account, nonce_key, 1, fd);
}

void mav2_journal_unlock(int fd)
{
    if (fd >= 0) {
        flock(fd, LOCK_UN);
        close(fd);
    }
}
