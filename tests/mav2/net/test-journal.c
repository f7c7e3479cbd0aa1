/* SPDX-License-Identifier: Apache-2.0 */
/* test-journal.c: the pending-op journal on its own (journal.h): state directory
 * choice, put/get/remove, damaged files, files trusted only when they are the user's
 * alone, stale lock and temp files. The send flow's use of it is in test-send. */
#include "mav2/core/account.h"
#include "mav2/core/error.h"
#include "mav2/net/journal.h"
#include "mav2/core/userop.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char state_dir[] = "/tmp/mav2-test-journal-XXXXXX";

/* e (chain, account, nonce key and sequence set) gets a real op of its own and its hash */
static void give_op(mav2_journal_entry *e, uint64_t seq)
{
    mav2_userop op;
    uint8_t be[32];
    mav2_userop_init(&op);
    memcpy(op.sender, e->account, 20);
    mav2_u256_to_be32(&e->nonce_key, be);
    memmove(be, be + 8, 24); /* key192 << 64 | seq */
    for (int i = 0; i < 8; i++)
        be[24 + i] = (uint8_t)(seq >> (56 - 8 * i));
    mav2_u256_from_be(&e->nonce, be, 32);
    op.nonce = e->nonce;
    mav2_u256_from_u64(&op.call_gas_limit, 50000);
    if (!mav2_buf_set(&op.call_data, (const uint8_t *)"\xb6\x1d\x27\xf6", 4) ||
        !mav2_userop_hash(&op, mav2_entry_point_v07, e->chain_id, e->user_op_hash) ||
        !mav2_userop_to_json(&op, &e->user_op))
        tap_bail("cannot make a test op");
    mav2_userop_clear(&op);
}

static void test_journal_unit(void)
{
    char dir[600], old_env[600];
    const char *prev = getenv("MAV2_STATE_DIR");
    mav2_journal_entry e, g;
    int found = 0;
    snprintf(old_env, sizeof(old_env), "%s", prev ? prev : "");
    setenv("MAV2_STATE_DIR", "/x/state", 1);
    tap_ok(mav2_journal_default_dir(dir, sizeof(dir)) && strcmp(dir, "/x/state") == 0,
           "state dir: $MAV2_STATE_DIR");
    unsetenv("MAV2_STATE_DIR");
    setenv("XDG_STATE_HOME", "/x/xdg", 1);
    tap_ok(mav2_journal_default_dir(dir, sizeof(dir)) && strcmp(dir, "/x/xdg/mav2") == 0,
           "state dir: $XDG_STATE_HOME/mav2");
    unsetenv("XDG_STATE_HOME");
    setenv("HOME", "/x/home", 1);
    tap_ok(mav2_journal_default_dir(dir, sizeof(dir)) &&
               strcmp(dir, "/x/home/.local/state/mav2") == 0,
           "state dir: ~/.local/state/mav2");
    if (prev)
        setenv("MAV2_STATE_DIR", old_env, 1);

    snprintf(dir, sizeof(dir), "%s/sub/dir", state_dir);
    memset(&e, 0, sizeof(e));
    e.chain_id = 31337;
    memset(e.account, 0xab, 20);
    mav2_u256_from_u64(&e.nonce_key, 0x201);
    give_op(&e, 9);
    snprintf(e.bundler, sizeof(e.bundler), "http://127.0.0.1:4337");
    tap_ok(mav2_journal_put(dir, &e), "journal: put creates missing directories");
    tap_ok(mav2_journal_get(dir, 31337, e.account, &e.nonce_key, &g, &found) && found &&
               g.chain_id == 31337 && memcmp(g.user_op_hash, e.user_op_hash, 32) == 0 &&
               mav2_u256_cmp(&g.nonce, &e.nonce) == 0 && strcmp(g.bundler, e.bundler) == 0,
           "journal: get returns what was put");
    mav2_journal_entry_clear(&g);
    tap_ok(mav2_journal_get(dir, 1, e.account, &e.nonce_key, &g, &found) && !found,
           "journal: other chain, no entry");
    {
        char path[900];
        FILE *f;
        snprintf(path, sizeof(path), "%s/pending-31337-%s-201.json", dir,
                 "abababababababababababababababababababab");
        f = fopen(path, "w");
        fputs("{\"broken\":", f);
        fclose(f);
        tap_ok(!mav2_journal_get(dir, 31337, e.account, &e.nonce_key, &g, &found) &&
                   strstr(mav2_last_error(), "damaged"),
               "journal: damaged file refused: %s", mav2_last_error());
    }
    {
        /* a well-formed entry of another chain, account or key under this entry's name */
        static const char *const fields[] = {"chainId", "account", "nonceKey"};
        char from[900], to[900], acct[41];
        for (int i = 0; i < 3; i++) {
            mav2_journal_entry o = e;
            uint64_t chain = i == 0 ? 1 : 31337;
            o.intent = NULL;
            if (i == 1)
                memset(o.account, 0xcd, 20);
            if (i == 2)
                mav2_u256_from_u64(&o.nonce_key, 0x301);
            for (int k = 0; k < 20; k++)
                snprintf(acct + 2 * k, 3, "%02x", o.account[k]);
            o.chain_id = chain;
            snprintf(from, sizeof(from), "%s/pending-%llu-%s-%s.json", dir,
                     (unsigned long long)chain, acct, i == 2 ? "301" : "201");
            snprintf(to, sizeof(to), "%s/pending-31337-%s-201.json", dir,
                     "abababababababababababababababababababab");
            found = 0;
            tap_ok(mav2_journal_put(dir, &o) && rename(from, to) == 0 &&
                       !mav2_journal_get(dir, 31337, e.account, &e.nonce_key, &g, &found) &&
                       !found && g.user_op == NULL && strstr(mav2_last_error(), "damaged") &&
                       strstr(mav2_last_error(), fields[i]),
                   "journal: entry whose %s is not its name's refused: %s", fields[i],
                   mav2_last_error());
            tap_ok(!mav2_journal_find(dir, 31337, e.user_op_hash, &g, &found) && !found,
                   "journal: find stops at it too (%s)", fields[i]);
        }
    }
    tap_ok(mav2_journal_remove(dir, 31337, e.account, &e.nonce_key) &&
               mav2_journal_remove(dir, 31337, e.account, &e.nonce_key),
           "journal: remove (twice is fine)");
    mav2_journal_entry_clear(&e);
}

/* an entry of dir for chain 31337, account 0xab.., key 0x201, sequence 9 */
static void sample(mav2_journal_entry *e, const char *dir, char *path, size_t cap)
{
    memset(e, 0, sizeof(*e));
    e->chain_id = 31337;
    memset(e->account, 0xab, 20);
    mav2_u256_from_u64(&e->nonce_key, 0x201);
    give_op(e, 9);
    snprintf(path, cap, "%s/pending-31337-%s-201.json", dir,
             "abababababababababababababababababababab");
}

/* mav2_journal_get of the sample's lane run as uid in a child: 1 if refused with want */
static int get_as(uid_t uid, const char *dir, const char *want)
{
    int fds[2], st = 0;
    char msg[512] = "";
    ssize_t n;
    pid_t pid;
    if (pipe(fds) != 0 || (pid = fork()) < 0)
        return 0;
    if (pid == 0) {
        mav2_journal_entry g;
        mav2_u256 key;
        uint8_t acct[20];
        int found = 0, ok;
        close(fds[0]);
        memset(acct, 0xab, 20);
        mav2_u256_from_u64(&key, 0x201);
        if (setgid(uid) != 0 || setuid(uid) != 0)
            _exit(2);
        ok = mav2_journal_get(dir, 31337, acct, &key, &g, &found);
        if (write(fds[1], mav2_last_error(), strlen(mav2_last_error())) < 0)
            _exit(2);
        _exit(ok ? 1 : 0);
    }
    close(fds[1]);
    n = read(fds[0], msg, sizeof(msg) - 1);
    close(fds[0]);
    msg[n > 0 ? n : 0] = '\0';
    waitpid(pid, &st, 0);
    tap_diag("as uid %u: %s", (unsigned)uid, msg);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 && strstr(msg, want) != NULL &&
           strstr(msg, "damaged") == NULL;
}

/* Entry files are trusted like ssh keys: the user's own, writable by nobody else, and
 * their op hashing to their hash. */
static void test_trust(void)
{
    char dir[600], path[900];
    mav2_journal_entry e, g;
    uint8_t keep;
    int found = 0;
    snprintf(dir, sizeof(dir), "%s/trust", state_dir);
    sample(&e, dir, path, sizeof(path));
    tap_ok(mav2_journal_put(dir, &e) &&
               mav2_journal_get(dir, 31337, e.account, &e.nonce_key, &g, &found) && found &&
               memcmp(g.op_hash, e.user_op_hash, 32) == 0,
           "trust: an entry of the user's, mode 0600, whose op hashes to its hash: read");
    mav2_journal_entry_clear(&g);

    chmod(path, 0620);
    tap_ok(!mav2_journal_get(dir, 31337, e.account, &e.nonce_key, &g, &found) && !found &&
               strstr(mav2_last_error(), "writable by group or others") &&
               strstr(mav2_last_error(), path),
           "trust: group-writable entry refused: %s", mav2_last_error());
    chmod(path, 0602);
    tap_ok(!mav2_journal_get(dir, 31337, e.account, &e.nonce_key, &g, &found) &&
               strstr(mav2_last_error(), "writable by group or others"),
           "trust: world-writable entry refused");
    chmod(path, 0600);

    if (geteuid() == 0) {
        tap_ok(chown(path, 65534, 65534) == 0 &&
                   !mav2_journal_get(dir, 31337, e.account, &e.nonce_key, &g, &found) &&
                   strstr(mav2_last_error(), "not by you"),
               "trust: entry owned by another user refused: %s", mav2_last_error());
        /* unreadable to its owner: "permission denied", not "damaged" */
        tap_ok(chmod(path, 0200) == 0 && chown(dir, 65534, 65534) == 0 &&
                   get_as(65534, dir, "Permission denied"),
               "trust: unreadable entry: permission denied, not damaged");
        if (chown(path, 0, 0) != 0 || chown(dir, 0, 0) != 0 || chmod(path, 0600) != 0)
            tap_bail("cannot restore the entry");
    } else {
        tap_ok(1, "# SKIP trust: another owner needs root to make its file");
        chmod(path, 0);
        tap_ok(!mav2_journal_get(dir, 31337, e.account, &e.nonce_key, &g, &found) &&
                   strstr(mav2_last_error(), "Permission denied") &&
                   !strstr(mav2_last_error(), "damaged"),
               "trust: unreadable entry: permission denied, not damaged: %s", mav2_last_error());
        chmod(path, 0600);
    }

    /* the op was changed, its hash not: refused before anything is resumed */
    json_object_object_add(e.user_op, "callData", json_object_new_string("0xb61d27f7"));
    tap_ok(mav2_journal_put(dir, &e) &&
               !mav2_journal_get(dir, 31337, e.account, &e.nonce_key, &g, &found) && !found &&
               strstr(mav2_last_error(), "damaged") && strstr(mav2_last_error(), "userOpHash"),
           "trust: an op that does not hash to the entry's hash refused: %s", mav2_last_error());
    json_object_object_add(e.user_op, "callData", json_object_new_string("0xb61d27f6"));
    keep = e.user_op_hash[0];
    e.user_op_hash[0] ^= 1; /* the bundler's hash, another than ours: op_hash is checked */
    memcpy(e.op_hash, e.user_op_hash, 32);
    e.op_hash[0] = keep;
    tap_ok(mav2_journal_put(dir, &e) &&
               mav2_journal_get(dir, 31337, e.account, &e.nonce_key, &g, &found) && found &&
               g.user_op_hash[0] == (uint8_t)(keep ^ 1) && g.op_hash[0] == keep,
           "trust: the bundler's hash kept beside the op's own, which is checked");
    mav2_journal_entry_clear(&g);

    unlink(path);
    if (symlink("/dev/null", path) != 0)
        tap_bail("symlink");
    tap_ok(!mav2_journal_get(dir, 31337, e.account, &e.nonce_key, &g, &found) &&
               strstr(mav2_last_error(), "symbolic link"),
           "trust: a symbolic link refused: %s", mav2_last_error());
    unlink(path);
    mav2_journal_entry_clear(&e);
}

/* remove_op: only while the entry is still that op */
static void test_remove_op(void)
{
    char dir[600], path[900];
    mav2_journal_entry e;
    uint8_t other[32];
    struct stat st;
    snprintf(dir, sizeof(dir), "%s/remove", state_dir);
    sample(&e, dir, path, sizeof(path));
    memset(other, 0x77, 32);
    tap_ok(mav2_journal_put(dir, &e) &&
               mav2_journal_remove_op(dir, 31337, e.account, &e.nonce_key, other) &&
               stat(path, &st) == 0,
           "remove_op: another op's hash leaves the entry");
    tap_ok(mav2_journal_remove_op(dir, 31337, e.account, &e.nonce_key, e.user_op_hash) &&
               stat(path, &st) != 0 && errno == ENOENT,
           "remove_op: its own hash removes it");
    tap_ok(mav2_journal_remove_op(dir, 31337, e.account, &e.nonce_key, e.user_op_hash),
           "remove_op: nothing to remove is fine");
    mav2_journal_entry_clear(&e);
}

static int exists(const char *dir, const char *name)
{
    char p[900];
    struct stat st;
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    return stat(p, &st) == 0;
}

static void touch(const char *dir, const char *name)
{
    char p[900];
    int fd;
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    if ((fd = open(p, O_WRONLY | O_CREAT, 0600)) < 0)
        tap_bail("cannot create a test file");
    close(fd);
}

/* what crashed runs leave (unheld lane locks, temp files of dead processes) goes when a
 * lane is locked; what is in use stays */
static void test_stale(void)
{
    char dir[600], held[900], live[128];
    const char *tmp_dead =
        "pending-1-abababababababababababababababababababab-1.json.tmp2147483646";
    uint8_t acct[20];
    mav2_u256 key;
    int fd = -1, hfd;
    snprintf(dir, sizeof(dir), "%s/stale", state_dir);
    memset(acct, 0xcd, 20);
    mav2_u256_from_u64(&key, 0x301);
    if (!mav2_journal_lock(dir, acct, &key, &fd))
        tap_bail("lock");
    mav2_journal_unlock(fd);
    snprintf(live, sizeof(live), "pending-1-abababababababababababababababababababab-2.json.tmp%ld",
             (long)getpid());
    touch(dir, ".lock-abababababababababababababababababababab-101");
    touch(dir, ".lock-abababababababababababababababababababab-102");
    touch(dir, tmp_dead);
    touch(dir, live);
    snprintf(held, sizeof(held), "%s/.lock-abababababababababababababababababababab-102", dir);
    hfd = open(held, O_RDWR);
    if (hfd < 0 || flock(hfd, LOCK_EX) != 0)
        tap_bail("cannot hold the test lock");
    tap_ok(mav2_journal_lock(dir, acct, &key, &fd) && fd >= 0, "stale: a lane locked");
    tap_ok(!exists(dir, ".lock-abababababababababababababababababababab-101"),
           "stale: a lock file nobody holds removed");
    tap_ok(exists(dir, ".lock-abababababababababababababababababababab-102"),
           "stale: a held lock file kept");
    tap_ok(!exists(dir, tmp_dead) && exists(dir, live),
           "stale: a dead process's temp file removed, a live one's kept");
    tap_ok(exists(dir, ".lock-cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd-301"),
           "stale: the lane just locked keeps its lock file");
    mav2_journal_unlock(fd);
    close(hfd);
}

int main(void)
{
    char cmd[128];
    if (mkdtemp(state_dir) == NULL)
        tap_bail("mkdtemp");
    test_journal_unit();
    test_trust();
    test_remove_op();
    test_stale();
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", state_dir);
    if (system(cmd) != 0)
        tap_diag("could not remove %s", state_dir);
    return tap_done();
}
