/* SPDX-License-Identifier: Apache-2.0 */
/* guard_cli.c: the guard of the online commands from the settings (guard_cli.h). */
#include "config.h"

#include "mav2/cli/guard_cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "mav2/cli/settings.h"
#include "mav2/core/error.h"
#include "mav2/net/journal.h"

int mav2_cli_ledger_path(const mav2_cli_cmd *cmd, const char *state_dir, char *out, size_t cap)
{
    const char *v = mav2_cli_setting("ledger", NULL);
    char dir[PATH_MAX];
    if (v != NULL && strcmp(v, "off") == 0) {
        out[0] = '\0';
        return 1;
    }
    if (v != NULL) {
        if ((size_t)snprintf(out, cap, "%s", v) < cap)
            return 1;
    } else if (state_dir != NULL || mav2_journal_default_dir(dir, sizeof(dir))) {
        if ((size_t)snprintf(out, cap, "%s/ledger.jsonl", state_dir ? state_dir : dir) < cap)
            return 1;
    } else {
        return mav2_cli_fail_lib(cmd, MAV2_EXIT_USAGE, "ledger"), 0;
    }
    return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "ledger: path too long"), 0;
}

static int load_policy(const mav2_cli_cmd *cmd, mav2_cli_guard *g)
{
    for (size_t i = 0; mav2_policy_keys[i] != NULL; i++) {
        const char *src, *v = mav2_cli_setting(mav2_policy_keys[i], &src);
        if (v == NULL)
            continue;
        if (g->policy == NULL && (g->policy = mav2_policy_new()) == NULL)
            return mav2_cli_fail_lib(cmd, MAV2_EXIT_INTERNAL, NULL), 0;
        if (!mav2_policy_set(g->policy, mav2_policy_keys[i], v))
            return mav2_cli_fail_lib(cmd, MAV2_EXIT_USAGE, src), 0;
    }
    return 1;
}

/* The ledger's directory, created (0700) with its parents when missing. */
static int ledger_dir_ready(const mav2_cli_cmd *cmd, const char *path)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (slash == NULL || slash == path)
        return 1;
    snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
    for (char *q = dir + 1;; q++) {
        char c = *q;
        if (c != '/' && c != '\0')
            continue;
        *q = '\0';
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "ledger: cannot create %s: %s", dir,
                                 strerror(errno)),
                   0;
        *q = c;
        if (c == '\0')
            return 1;
    }
}

int mav2_cli_guard_setup(const mav2_cli_cmd *cmd, mav2_cli_guard *g, mav2_send_params *p,
                         EVP_PKEY *key)
{
    memset(g, 0, sizeof(*g));
    mav2_guard_init(&g->g);
    if (!load_policy(cmd, g) ||
        !mav2_cli_ledger_path(cmd, p->state_dir, g->ledger, sizeof(g->ledger)) ||
        (g->ledger[0] != '\0' && !ledger_dir_ready(cmd, g->ledger)) ||
        (key != NULL && !mav2_guard_set_key(&g->g, key) &&
         !mav2_cli_fail_lib(cmd, MAV2_EXIT_KEY, "--key"))) {
        mav2_policy_free(g->policy);
        g->policy = NULL;
        return 0;
    }
    g->g.policy = g->policy;
    g->g.state_dir = p->state_dir;
    g->g.ledger = g->ledger[0] != '\0' ? g->ledger : NULL;
    p->guard = mav2_guard_hook;
    p->guard_ctx = &g->g;
    return 1;
}

void mav2_cli_guard_done(const mav2_cli_cmd *cmd, mav2_cli_guard *g, const mav2_send_params *p,
                         const mav2_send_result *r)
{
    if (r != NULL && !mav2_guard_outcome(&g->g, p, r))
        fprintf(stderr, "mav2 %s: warning: the ledger: %s\n", cmd->name, mav2_last_error());
    mav2_policy_free(g->policy);
    g->policy = NULL;
}

int mav2_cli_ledger_signer(const mav2_cli_cmd *cmd, const char *uri, const char *pin,
                           mav2_cli_guard *g, mav2_signer **out)
{
    EVP_PKEY *pkey;
    int rc = MAV2_EXIT_OK;
    memset(g, 0, sizeof(*g));
    mav2_guard_init(&g->g);
    *out = NULL;
    if (!mav2_cli_settings_ready(cmd) ||
        !mav2_cli_ledger_path(cmd, NULL, g->ledger, sizeof(g->ledger)) ||
        (g->ledger[0] != '\0' && !ledger_dir_ready(cmd, g->ledger)))
        return MAV2_EXIT_USAGE;
    g->g.ledger = g->ledger[0] != '\0' ? g->ledger : NULL;
    if ((pkey = mav2_cli_load_key(cmd, uri, pin, 1)) == NULL)
        return MAV2_EXIT_KEY;
    if (!mav2_guard_set_key(&g->g, pkey) || (*out = mav2_signer_new(pkey)) == NULL)
        rc = mav2_cli_fail_lib(cmd, MAV2_EXIT_KEY, "--key");
    EVP_PKEY_free(pkey);
    return rc;
}

int mav2_cli_ledger_op(const mav2_cli_cmd *cmd, mav2_cli_guard *g, uint64_t chain_id,
                       const mav2_userop *op, const uint8_t hash[32])
{
    if (!mav2_guard_signed_op(&g->g, chain_id, op, hash))
        return mav2_cli_fail_lib(cmd, MAV2_EXIT_INTERNAL, "ledger");
    return MAV2_EXIT_OK;
}

int mav2_cli_ledger_message(const mav2_cli_cmd *cmd, mav2_cli_guard *g, uint64_t chain_id,
                            const uint8_t account[MAV2_ADDRESS_LEN], uint32_t entity_id,
                            const uint8_t hash[32], const uint8_t replay_safe_hash[32])
{
    if (!mav2_guard_signed_message(&g->g, chain_id, account, entity_id, hash, replay_safe_hash))
        return mav2_cli_fail_lib(cmd, MAV2_EXIT_INTERNAL, "ledger");
    return MAV2_EXIT_OK;
}
