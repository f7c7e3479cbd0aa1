/* SPDX-License-Identifier: Apache-2.0 */
/* online_opts.c: the option groups of the online commands and their setters
 * (online_opts.h). */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "mav2/cli/online_opts.h"
#include "mav2/cli/settings.h"
#include "mav2/core/u256.h"

/* "--NAME" of opt into buf. */
static const char *dashed(const mav2_cli_opt *opt, char *buf, size_t cap)
{
    snprintf(buf, cap, "--%s", opt->name);
    return buf;
}

int mav2_cli_set_url(const mav2_cli_cmd *cmd, const mav2_cli_opt *opt, void *field, const char *arg)
{
    char name[64];
    *(const char **)field = arg;
    return mav2_cli_url_ok(cmd, dashed(opt, name, sizeof(name)), arg);
}

/* A whole number 0 .. max into *out. */
static int set_long(const mav2_cli_cmd *cmd, const mav2_cli_opt *opt, long max, long *out,
                    const char *s)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || v < 0 || v > max)
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "--%s: \"%s\" is not a number 0 .. %ld",
                             opt->name, s, max),
               0;
    *out = v;
    return 1;
}

int mav2_cli_set_timeout(const mav2_cli_cmd *cmd, const mav2_cli_opt *opt, void *field,
                         const char *arg)
{
    return set_long(cmd, opt, 86400, field, arg);
}

int mav2_cli_set_poll(const mav2_cli_cmd *cmd, const mav2_cli_opt *opt, void *field,
                      const char *arg)
{
    return set_long(cmd, opt, 600000, field, arg);
}

int mav2_cli_set_profile(const mav2_cli_cmd *cmd, const mav2_cli_opt *opt, void *field,
                         const char *arg)
{
    (void)cmd, (void)opt, (void)field;
    mav2_cli_settings_request(arg, NULL);
    return 1;
}

int mav2_cli_set_chain(const mav2_cli_cmd *cmd, const mav2_cli_opt *opt, void *field,
                       const char *arg)
{
    (void)cmd, (void)opt, (void)field;
    mav2_cli_settings_request(NULL, arg);
    return 1;
}

int mav2_cli_set_gas(const mav2_cli_cmd *cmd, const mav2_cli_opt *opt, void *field, const char *arg)
{
    mav2_u256 v;
    if (*arg < '0' || *arg > '9' || !mav2_u256_from_dec(&v, arg) || !mav2_u256_to_u64(&v, field))
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "--%s: \"%s\" is not a gas amount", opt->name,
                             arg),
               0;
    return 1;
}

int mav2_cli_set_amount(const mav2_cli_cmd *cmd, const mav2_cli_opt *opt, void *field,
                        const char *arg)
{
    if (!mav2_u256_parse_amount(field, arg))
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE,
                             "--%s: not an amount (wei, or 0.01ether, 100gwei)", opt->name),
               0;
    if (mav2_u256_is_zero(field))
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "--%s: must be above 0", opt->name), 0;
    return 1;
}

static int set_pvg_margin(const mav2_cli_cmd *cmd, const mav2_cli_opt *opt, void *field,
                          const char *arg)
{
    mav2_u256 one, t;
    (void)opt;
    mav2_u256_from_u64(&one, 1000000);
    if (*arg < '0' || *arg > '9' || !mav2_u256_ceil_mul_dec(&t, &one, arg))
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE,
                             "--pvg-margin: \"%s\" is not a decimal factor (2, 1.5)", arg),
               0;
    *(const char **)field = mav2_u256_is_zero(&t) ? "0" : arg;
    return 1;
}

static int set_context(const mav2_cli_cmd *cmd, const mav2_cli_opt *opt, void *field,
                       const char *arg)
{
    struct json_object *o = json_tokener_parse(arg);
    int is_obj = o != NULL && json_object_is_type(o, json_type_object);
    (void)opt;
    json_object_put(o);
    if (!is_obj)
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "--paymaster-context: not a JSON object"), 0;
    *(const char **)field = arg;
    return 1;
}

static int set_replace_after(const mav2_cli_cmd *cmd, const mav2_cli_opt *opt, void *field,
                             const char *arg)
{
    char *end;
    long v;
    (void)opt;
    errno = 0;
    v = strtol(arg, &end, 10);
    if (*arg < '0' || *arg > '9' || *end != '\0' || errno != 0 || v <= 0 || v > 86400)
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE,
                             "--replace-after: \"%s\" is not a number 1 .. 86400", arg),
               0;
    *(long *)field = v * 1000;
    return 1;
}

const mav2_cli_opt mav2_cli_net_group[] = {
    MAV2_OPT_SET("rpc-url", "URL", mav2_cli_net, rpc_url, mav2_cli_set_url,
                 "the node (JSON-RPC); also the bundler unless --bundler-url"),
    MAV2_OPT_SET("bundler-url", "URL", mav2_cli_net, bundler_url, mav2_cli_set_url,
                 "the ERC-4337 bundler (eth_sendUserOperation, ...)"),
    MAV2_OPT_SET("timeout", "SECONDS", mav2_cli_net, timeout_s, mav2_cli_set_timeout,
                 "the whole command takes at most this long: every request\n"
                 "and retry, and the wait for the receipt (default 120; 0:\n"
                 "look for the receipt once, requests bounded by their own\n"
                 "30 s). A signed op stays journaled: run again to resume"),
    MAV2_OPT_SET("poll", "MS", mav2_cli_net, poll_ms, mav2_cli_set_poll,
                 "first receipt poll after MS ms (default: the chain's block\n"
                 "time, 250 ms to 12 s for the chains of mav2 chains, else\n"
                 "2000; each next wait x1.5, at most 15 s)"),
    MAV2_OPT_FLAG_("json", mav2_cli_net, json, "one JSON object at the end instead of lines"),
    MAV2_OPT_SET("profile", "NAME", mav2_cli_net, rpc_url, mav2_cli_set_profile,
                 "settings from [profile NAME] of the settings file; any\n"
                 "option here, --account, --key, --entity-id, --global and\n"
                 "--pin-source default from the environment, the profile\n"
                 "and the chain (mav2 config --help)"),
    MAV2_OPT_SET("chain", "NAME", mav2_cli_net, rpc_url, mav2_cli_set_chain,
                 "a chain preset (mav2 chains) or [chain NAME]: its chain id\n"
                 "is checked against node and bundler, its Alchemy URL\n"
                 "(ALCHEMY_API_KEY) and max-cost are the defaults"),
    MAV2_OPT_END_};

const mav2_cli_opt mav2_cli_cost_group[] = {
    MAV2_OPT_SET("max-cost", "AMOUNT", mav2_send_params, max_cost_wei, mav2_cli_set_amount,
                 "refuse to sign (exit 1, nothing sent or journaled) when\n"
                 "the account pays and the op may cost more than AMOUNT\n"
                 "(wei or with a unit: 0.01ether, 100gwei): all its gas\n"
                 "limits x maxFeePerGas (a --replace-after replacement over\n"
                 "it is not made: the first op is awaited). Not checked\n"
                 "when sponsored. Default by chain id: 1 (Ethereum) 0.05\n"
                 "ether; 11155111, 17000, 560048 (Sepolia, Holesky, Hoodi)\n"
                 "0.1; 137, 80002 (Polygon, Amoy) 5 POL; 10, 8453, 42161\n"
                 "and their Sepolia 11155420, 84532, 421614 (OP, Base,\n"
                 "Arbitrum) 0.01; 31337 (devnet) 1; any other chain 0.05"),
    MAV2_OPT_SET("max-priority-fee", "AMOUNT", mav2_send_params, max_priority_fee_wei,
                 mav2_cli_set_amount,
                 "refuse a maxPriorityFeePerGas above AMOUNT (default\n"
                 "100gwei; Polygon 5000gwei; OP, Base, Arbitrum 10gwei).\n"
                 "maxFeePerGas is at most 2 x base fee + priority fee"),
    MAV2_OPT_END_};

const mav2_cli_opt mav2_cli_gas_group[] = {
    {"max-verification-gas", "N", MAV2_OPT_SETTER, offsetof(mav2_send_params, max_verification_gas),
     mav2_cli_set_gas,
     "\nrefuse to sign (exit 1) when the bundler's (or the\n"
     "paymaster's) gas limit is above N (defaults 1500000,\n"
     "3000000, 500000; 0: no bound)",
     "--max-verification-gas N, --max-call-gas N, --max-paymaster-gas N", NULL, 0},
    MAV2_OPT_SET("max-call-gas", "N", mav2_send_params, max_call_gas, mav2_cli_set_gas, NULL),
    MAV2_OPT_SET("max-paymaster-gas", "N", mav2_send_params, max_paymaster_gas, mav2_cli_set_gas,
                 NULL),
    MAV2_OPT_SET("pvg-margin", "X", mav2_send_params, pvg_max_mul, set_pvg_margin,
                 "refuse a preVerificationGas above X times the op's\n"
                 "calldata cost (the ERC-4337 reference formula). Default\n"
                 "2; 100 on OP and Base (L1 data fee); none on Arbitrum;\n"
                 "20 on chains not listed under --max-cost; 0: no bound"),
    MAV2_OPT_END_};

const mav2_cli_opt mav2_cli_sponsor_group[] = {
    MAV2_OPT_SET("paymaster-url", "URL", mav2_send_params, paymaster_url, mav2_cli_set_url,
                 "an ERC-7677 paymaster service sponsors the op\n"
                 "(pm_getPaymasterStubData, then pm_getPaymasterData)"),
    MAV2_OPT_SET("paymaster-context", "JSON", mav2_send_params, paymaster_context, set_context,
                 "the context object for that service (default {})"),
    MAV2_OPT_STR("gas-policy-id", "ID", mav2_send_params, gas_policy_id,
                 "Alchemy Gas Manager policy: gas, fees and paymaster\n"
                 "from alchemy_requestGasAndPaymasterAndData"),
    MAV2_OPT_SET("replace-after", "SECONDS", mav2_send_params, replace_after_ms, set_replace_after,
                 "no receipt after SECONDS: replace the op once (same\n"
                 "nonce, fees max(fresh, 1.1 x old)) and keep waiting"),
    MAV2_OPT_END_};
