/* SPDX-License-Identifier: Apache-2.0 */
/* erc20_cli.c: the gas-in-a-token options of `mav2 send` (see erc20_cli.h). */
#include "config.h"

#include "mav2/cli/erc20_cli.h"

#include <string.h>

#include "mav2/core/error.h"

static int is_hex(const char *s)
{
    return s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
}

int mav2_cli_erc20_check(const mav2_cli_cmd *cmd, mav2_cli_erc20 *t, const mav2_send_params *p)
{
    const char *dot;
    size_t frac;
    mav2_u256 v;
    if (t->token_s == NULL)
        return t->amount_s == NULL ? MAV2_EXIT_OK
                                   : mav2_cli_fail(cmd, MAV2_EXIT_USAGE,
                                                   "--max-token-amount needs --paymaster-token");
    if (!mav2_cli_address(cmd, "--paymaster-token", t->token_s, t->token))
        return MAV2_EXIT_USAGE;
    if (p->paymaster_url == NULL)
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE,
                             "--paymaster-token needs --paymaster-url (an ERC-7677 service)");
    if (t->amount_s == NULL)
        return MAV2_EXIT_OK;
    dot = strchr(t->amount_s, '.'); /* the syntax now, the token's decimals once online */
    frac = dot != NULL ? strlen(dot + 1) : 0;
    if (!(is_hex(t->amount_s) ? mav2_u256_from_hex(&v, t->amount_s)
                              : mav2_u256_parse_units(&v, t->amount_s, frac > 77 ? 77 : frac)))
        return mav2_cli_fail_lib(cmd, MAV2_EXIT_USAGE, "--max-token-amount");
    return MAV2_EXIT_OK;
}

/* The token's decimals() into *d. Exit code. */
static int token_decimals(const mav2_cli_cmd *cmd, const mav2_cli_erc20 *t, mav2_rpc *node,
                          unsigned *d)
{
    static const uint8_t sel[4] = {0x31, 0x3c, 0xe5, 0x67}; /* decimals() */
    mav2_buf out = MAV2_BUF_INIT;
    mav2_u256 v;
    uint64_t n = 0;
    int ok;
    if (!mav2_eth_call(node, t->token, sel, sizeof(sel), &out))
        return mav2_cli_fail_lib(cmd,
                                 mav2_rpc_last_error(node)->status == MAV2_RPC_E_RPC
                                     ? MAV2_EXIT_USAGE
                                     : MAV2_EXIT_NETWORK,
                                 "--max-token-amount: reading the token's decimals()");
    ok =
        out.len == 32 && mav2_u256_from_be(&v, out.data, 32) && mav2_u256_to_u64(&v, &n) && n <= 77;
    mav2_buf_free(&out);
    if (!ok)
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE,
                             "--max-token-amount: %s answers no decimals() (give base units as "
                             "0x-hex)",
                             t->token_s);
    *d = (unsigned)n;
    return MAV2_EXIT_OK;
}

int mav2_cli_erc20_params(const mav2_cli_cmd *cmd, mav2_cli_erc20 *t, mav2_rpc *node,
                          mav2_send_params *p)
{
    unsigned d = 0;
    int rc;
    if (t->token_s == NULL)
        return MAV2_EXIT_OK;
    p->paymaster_token = t->token;
    if (t->amount_s == NULL)
        return MAV2_EXIT_OK;
    if (is_hex(t->amount_s)) {
        if (!mav2_u256_from_hex(&t->amount, t->amount_s))
            return mav2_cli_fail_lib(cmd, MAV2_EXIT_USAGE, "--max-token-amount");
    } else {
        if ((rc = token_decimals(cmd, t, node, &d)) != MAV2_EXIT_OK)
            return rc;
        if (!mav2_u256_parse_units(&t->amount, t->amount_s, d))
            return mav2_cli_fail_lib(cmd, MAV2_EXIT_USAGE, "--max-token-amount");
    }
    p->max_token_amount = &t->amount;
    return MAV2_EXIT_OK;
}
