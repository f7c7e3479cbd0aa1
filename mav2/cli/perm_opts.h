/* SPDX-License-Identifier: Apache-2.0 */
/* perm_opts.h: the permission options of the owner commands (session-key install and
 * grant): one option table, parsed into the permissions mav2_session_install_build
 * compiles (account.h), which applies the reference SDK's refusals. */
#ifndef MAV2_CLI_PERM_OPTS_H
#define MAV2_CLI_PERM_OPTS_H

#include <stddef.h>
#include <stdint.h>

#include "mav2/core/account.h"
#include "mav2/cli/cli.h"

#define MAV2_CLI_MAX_PERMS 64
#define MAV2_CLI_MAX_SELS  64

/* getopt_long entries (values 'g' '1' 'l' 'w' '2' 'v' 'G' '<' '>' 'm'): --global,
 * --erc1271, --selector, --allow, --erc20-limit, --native-limit, --gas-limit,
 * --valid-after, --valid-until, --paymaster-guard. */
#define MAV2_CLI_PERM_OPTS                                                                         \
    {"global", no_argument, NULL, 'g'}, {"erc1271", no_argument, NULL, '1'},                       \
        {"selector", required_argument, NULL, 'l'}, {"allow", required_argument, NULL, 'w'},       \
        {"erc20-limit", required_argument, NULL, '2'},                                             \
        {"native-limit", required_argument, NULL, 'v'},                                            \
        {"gas-limit", required_argument, NULL, 'G'},                                               \
        {"valid-after", required_argument, NULL, '<'},                                             \
        {"valid-until", required_argument, NULL, '>'},                                             \
    {                                                                                              \
        "paymaster-guard", required_argument, NULL, 'm'                                            \
    }

/* The permissions read so far; perms[] point into sels / acct_sels. */
typedef struct {
    mav2_permission perms[MAV2_CLI_MAX_PERMS];
    size_t np;
    uint8_t sels[MAV2_CLI_MAX_SELS][4];
    size_t ns;
    uint8_t acct_sels[MAV2_CLI_MAX_SELS][4];
    size_t n_acct;
    int global, erc1271;
    const char *after_s, *until_s;
} mav2_cli_perms;

void mav2_cli_perms_init(mav2_cli_perms *ps);
/* 1 if c was a permission option (stored), 2 if its value was bad (error printed),
 * 0 if not one of these. */
int mav2_cli_perm_opt(const mav2_cli_cmd *cmd, mav2_cli_perms *ps, int c, const char *arg);
/* After the options: the time range, the account functions and root appended. Prints
 * the error and returns 0 if bad or if no permission at all was given. */
int mav2_cli_perms_finish(const mav2_cli_cmd *cmd, mav2_cli_perms *ps);

#endif
