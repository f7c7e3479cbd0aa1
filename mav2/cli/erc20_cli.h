/* SPDX-License-Identifier: Apache-2.0 */
/* erc20_cli.h: `mav2 send --paymaster-token ADDR [--max-token-amount A]`, gas paid in an
 * ERC-20 token through the --paymaster-url service (send.h: paymaster_token). */
#ifndef MAV2_CLI_ERC20_H
#define MAV2_CLI_ERC20_H

#include "mav2/cli/cli.h"
#include "mav2/net/rpc.h"
#include "mav2/send/send.h"

#define MAV2_CLI_ERC20_HELP                                                                        \
    "    --paymaster-token ADDR  pay the gas in this ERC-20 token through the\n"                   \
    "                         --paymaster-url service (its context gets\n"                         \
    "                         \"erc20Context\": {tokenAddress, maxTokenAmount}); when the\n"       \
    "                         account's allowance for the paymaster is below\n"                    \
    "                         --max-token-amount, approve(paymaster, that amount) is\n"            \
    "                         batched in front of the calls (said on stderr)\n"                    \
    "    --max-token-amount A the most the paymaster may take: A in tokens (2.5; the\n"            \
    "                         token's decimals() is read from the node) or base units\n"           \
    "                         as 0x-hex. Without it no cap is sent and nothing is\n"               \
    "                         approved (a zero allowance is refused). A service that\n"            \
    "                         finds the op's cost above it refuses: exit 3, nothing\n"             \
    "                         signed\n"

/* The token options as given: addr and amount text (NULL = not given). */
typedef struct {
    const char *token_s, *amount_s;
    uint8_t token[MAV2_ADDRESS_LEN];
    mav2_u256 amount;
} mav2_cli_erc20;

/* Checks the options' syntax (and that a token goes with p's paymaster URL). Exit code. */
int mav2_cli_erc20_check(const mav2_cli_cmd *cmd, mav2_cli_erc20 *t, const mav2_send_params *p);

/* Resolves the amount (decimals() read on node for a decimal A) and points p's
 * paymaster_token / max_token_amount into t. Exit code. */
int mav2_cli_erc20_params(const mav2_cli_cmd *cmd, mav2_cli_erc20 *t, mav2_rpc *node,
                          mav2_send_params *p);

#endif
