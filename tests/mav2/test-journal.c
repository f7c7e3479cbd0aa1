/* SPDX-License-Identifier: Apache-2.0 */
/* test-journal.c: the pending-op journal on its own (journal.h): state directory
 * choice, put/get/remove, damaged files. The send flow's use of it is in test-send. */
#include "mav2/error.h"
#include "mav2/journal.h"
#include "tap.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char state_dir[] = "/tmp/mav2-test-journal-XXXXXX";

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
    mav2_u256_from_u64(&e.nonce, 9);
    memset(e.user_op_hash, 0x11, 32);
    snprintf(e.bundler, sizeof(e.bundler), "http://127.0.0.1:4337");
    e.user_op = json_object_new_object();
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

int main(void)
{
    char cmd[128];
    if (mkdtemp(state_dir) == NULL)
        tap_bail("mkdtemp");
    test_journal_unit();
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", state_dir);
    if (system(cmd) != 0)
        tap_diag("could not remove %s", state_dir);
    return tap_done();
}
