/* SPDX-License-Identifier: Apache-2.0 */
/* online_opts.h: the option groups (opt.h) of the online commands, each written once:
 * the network options (node, bundler, waiting, settings) over mav2_cli_net, and the
 * cost, gas and sponsorship bounds over mav2_send_params; with the setters (value
 * kinds) they use, for tables of other commands too. */
#ifndef MAV2_CLI_ONLINE_OPTS_H
#define MAV2_CLI_ONLINE_OPTS_H

#include "mav2/cli/online.h"
#include "mav2/cli/opt.h"

/* --rpc-url, --bundler-url, --timeout, --poll, --json, --profile, --chain (a
 * mav2_cli_net). */
extern const mav2_cli_opt mav2_cli_net_group[];
/* --max-cost, --max-priority-fee (a mav2_send_params). */
extern const mav2_cli_opt mav2_cli_cost_group[];
/* --max-verification-gas, --max-call-gas, --max-paymaster-gas, --pvg-margin (a
 * mav2_send_params). */
extern const mav2_cli_opt mav2_cli_gas_group[];
/* --paymaster-url, --paymaster-context, --gas-policy-id, --replace-after (a
 * mav2_send_params). */
extern const mav2_cli_opt mav2_cli_sponsor_group[];

/* Setters (mav2_cli_opt_set): field is the type named. */
int mav2_cli_set_url(const mav2_cli_cmd *cmd, const mav2_cli_opt *opt, void *field,
                     const char *arg); /* const char *, an http(s) URL (mav2_cli_url_ok) */
int mav2_cli_set_amount(const mav2_cli_cmd *cmd, const mav2_cli_opt *opt, void *field,
                        const char *arg); /* mav2_u256: wei or with a unit, above 0 */
int mav2_cli_set_timeout(const mav2_cli_cmd *cmd, const mav2_cli_opt *opt, void *field,
                         const char *arg); /* long: seconds 0 .. 86400 */
int mav2_cli_set_poll(const mav2_cli_cmd *cmd, const mav2_cli_opt *opt, void *field,
                      const char *arg); /* long: ms 0 .. 600000 */
int mav2_cli_set_profile(const mav2_cli_cmd *cmd, const mav2_cli_opt *opt, void *field,
                         const char *arg); /* nothing stored: mav2_cli_settings_request */
int mav2_cli_set_chain(const mav2_cli_cmd *cmd, const mav2_cli_opt *opt, void *field,
                       const char *arg); /* nothing stored: mav2_cli_settings_request */
int mav2_cli_set_gas(const mav2_cli_cmd *cmd, const mav2_cli_opt *opt, void *field,
                     const char *arg); /* uint64_t: a gas amount, 0 none */

#endif
