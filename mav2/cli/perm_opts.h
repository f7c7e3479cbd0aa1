/* SPDX-License-Identifier: Apache-2.0 */
/* perm_opts.h: the permission options of the owner commands (session-key install and
 * grant): one option group (opt.h), parsed into the permissions mav2_session_install_build
 * compiles (account.h), which applies the reference SDK's refusals. */
#ifndef MAV2_CLI_PERM_OPTS_H
#define MAV2_CLI_PERM_OPTS_H

#include <stddef.h>
#include <stdint.h>

#include "mav2/core/account.h"
#include "mav2/cli/cli.h"

#define MAV2_CLI_MAX_PERMS 64
#define MAV2_CLI_MAX_SELS  64

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
/* --global, --erc1271, --selector, --allow, --erc20-limit, --native-limit,
 * --gas-limit, --valid-after, --valid-until, --paymaster-guard, over a
 * mav2_cli_perms (mav2_cli_perms_init it first). Unlisted in the generated
 * OPTIONS (help NULL): the pages describe them in their own section. */
extern const mav2_cli_opt mav2_cli_perm_group[];
/* After the options: the time range, the account functions and root appended. Prints
 * the error and returns 0 if bad or if no permission at all was given. */
int mav2_cli_perms_finish(const mav2_cli_cmd *cmd, mav2_cli_perms *ps);

#endif
