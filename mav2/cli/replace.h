/* SPDX-License-Identifier: Apache-2.0 */
/* replace.h: `mav2 replace` (drop-and-replace of a journaled op, cmd_replace.c) and the
 * sponsorship / replacement options it shares with `mav2 send`: --paymaster-url,
 * --paymaster-context, --gas-policy-id, --replace-after. */
#ifndef MAV2_CLI_REPLACE_H
#define MAV2_CLI_REPLACE_H

#include "mav2/cli/cli.h"
#include "mav2/send/send.h"

int mav2_cmd_replace(const mav2_cli_cmd *self, int argc, char **argv);
extern const char mav2_help_replace[];

/* getopt_long entries of the sponsorship options (values 0x300..0x303): put them in an
 * option table, and hand every option to mav2_cli_sponsor_opt. */
#define MAV2_CLI_SPONSOR_OPTS                                                                      \
    {"paymaster-url", required_argument, NULL, 0x300},                                             \
        {"paymaster-context", required_argument, NULL, 0x301},                                     \
        {"gas-policy-id", required_argument, NULL, 0x302},                                         \
    {                                                                                              \
        "replace-after", required_argument, NULL, 0x303                                            \
    }

#define MAV2_CLI_SPONSOR_HELP                                                                      \
    "    --paymaster-url URL  an ERC-7677 paymaster service sponsors the op\n"                     \
    "                         (pm_getPaymasterStubData, then pm_getPaymasterData)\n"               \
    "    --paymaster-context JSON  the context object for that service (default {})\n"             \
    "    --gas-policy-id ID   Alchemy Gas Manager policy: gas, fees and paymaster\n"               \
    "                         from alchemy_requestGasAndPaymasterAndData\n"                        \
    "    --replace-after SECONDS  no receipt after SECONDS: replace the op once (same\n"           \
    "                         nonce, fees max(fresh, 1.1 x old)) and keep waiting\n"

/* Handles option c (arg its value) into p: 1 if it was one of these, 2 if its value
 * was bad (error printed), 0 if not one of these. */
int mav2_cli_sponsor_opt(const mav2_cli_cmd *cmd, mav2_send_params *p, int c, const char *arg);

#endif
