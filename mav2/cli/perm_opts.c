/* SPDX-License-Identifier: Apache-2.0 */
/* perm_opts.c: the owner commands' permission options (see perm_opts.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "common/hex.h"
#include "mav2/cli/perm_opts.h"
#include "mav2/core/error.h"
#include "mav2/core/u256.h"

void mav2_cli_perms_init(mav2_cli_perms *ps)
{
    memset(ps, 0, sizeof(*ps));
}

static int parse_sel(const mav2_cli_cmd *cmd, const char *name, const char *s, uint8_t out[4])
{
    if (!mh_hex_decode_exact(s, out, 4, NULL))
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "%s: \"%s\" is not a 4-byte 0x-hex selector",
                             name, s),
               0;
    return 1;
}

/* --allow TARGET[:SEL,...] into pm. */
static int allow_opt(const mav2_cli_cmd *cmd, mav2_cli_perms *ps, mav2_permission *pm,
                     const char *arg)
{
    char target[64];
    const char *colon = strchr(arg, ':');
    size_t tl = colon != NULL ? (size_t)(colon - arg) : strlen(arg);
    snprintf(target, sizeof(target), "%.*s", (int)(tl < 63 ? tl : 63), arg);
    pm->type = MAV2_PERM_CONTRACT_ACCESS;
    if (strcmp(target, "*") != 0 && !mav2_cli_address(cmd, "--allow", target, pm->address))
        return 0;
    if (colon != NULL) {
        const char *s = colon + 1;
        size_t first = ps->ns;
        while (*s != '\0') {
            char one[16];
            size_t l = strcspn(s, ",");
            if (ps->ns == MAV2_CLI_MAX_SELS || l >= sizeof(one))
                return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "--allow: bad selector list"), 0;
            snprintf(one, sizeof(one), "%.*s", (int)l, s);
            if (!parse_sel(cmd, "--allow", one, ps->sels[ps->ns]))
                return 0;
            ps->ns++;
            s += l + (s[l] == ',');
        }
        pm->functions = (const uint8_t(*)[4])ps->sels[first];
        pm->n_functions = ps->ns - first;
        pm->type = MAV2_PERM_FUNCTIONS_ON_CONTRACT;
    }
    if (strcmp(target, "*") == 0) {
        if (pm->n_functions == 0)
            return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "--allow *: give selectors"), 0;
        pm->type = MAV2_PERM_FUNCTIONS_ON_ALL_CONTRACTS;
    }
    return 1;
}

/* The options that add one permission entry (name: the option's, without "--"). */
static int entry_opt(const mav2_cli_cmd *cmd, mav2_cli_perms *ps, const char *name, const char *arg)
{
    mav2_permission *pm = &ps->perms[ps->np];
    char token[64];
    const char *colon;
    int native;
    if (strcmp(name, "allow") == 0)
        return allow_opt(cmd, ps, pm, arg);
    if (strcmp(name, "erc20-limit") == 0) {
        colon = strchr(arg, ':');
        if (colon == NULL || colon - arg >= 63)
            return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "--erc20-limit: TOKEN:AMOUNT"), 0;
        snprintf(token, sizeof(token), "%.*s", (int)(colon - arg), arg);
        pm->type = MAV2_PERM_ERC20_TOKEN_TRANSFER;
        if (!mav2_cli_address(cmd, "--erc20-limit", token, pm->address))
            return 0;
        return mav2_u256_parse(&pm->amount, colon + 1) ||
               (mav2_cli_fail_lib(cmd, MAV2_EXIT_USAGE, "--erc20-limit"), 0);
    }
    if (strcmp(name, "paymaster-guard") == 0) {
        pm->type = MAV2_PERM_PAYMASTER_GUARD;
        return mav2_cli_address(cmd, "--paymaster-guard", arg, pm->address);
    }
    native = strcmp(name, "native-limit") == 0; /* else gas-limit */
    pm->type = native ? MAV2_PERM_NATIVE_TOKEN_TRANSFER : MAV2_PERM_GAS_LIMIT;
    return mav2_u256_parse_amount(&pm->amount, arg) ||
           (mav2_cli_fail_lib(cmd, MAV2_EXIT_USAGE, native ? "--native-limit" : "--gas-limit"), 0);
}

/* Setter of the options adding a permission entry: field is the mav2_cli_perms. */
static int set_entry(const mav2_cli_cmd *cmd, const mav2_cli_opt *opt, void *field, const char *arg)
{
    mav2_cli_perms *ps = field;
    if (ps->np == MAV2_CLI_MAX_PERMS)
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "too many restrictions"), 0;
    if (!entry_opt(cmd, ps, opt->name, arg))
        return 0;
    ps->np++;
    return 1;
}

/* Setter of --selector: field is the mav2_cli_perms. */
static int set_selector(const mav2_cli_cmd *cmd, const mav2_cli_opt *opt, void *field,
                        const char *arg)
{
    mav2_cli_perms *ps = field;
    (void)opt;
    if (ps->n_acct == MAV2_CLI_MAX_SELS)
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "--selector: too many"), 0;
    if (!parse_sel(cmd, "--selector", arg, ps->acct_sels[ps->n_acct]))
        return 0;
    ps->n_acct++;
    return 1;
}

#define PERM_SET(name, arg, setter)                                                                \
    {                                                                                              \
        (name), (arg), MAV2_OPT_SETTER, 0, (setter), NULL, NULL, NULL, 0                           \
    }

const mav2_cli_opt mav2_cli_perm_group[] = {
    MAV2_OPT_FLAG_("global", mav2_cli_perms, global, NULL),
    MAV2_OPT_FLAG_("erc1271", mav2_cli_perms, erc1271, NULL),
    PERM_SET("selector", "SEL", set_selector),
    PERM_SET("allow", "TARGET[:SEL,...]", set_entry),
    PERM_SET("erc20-limit", "TOKEN:AMOUNT", set_entry),
    PERM_SET("native-limit", "AMOUNT", set_entry),
    PERM_SET("gas-limit", "AMOUNT", set_entry),
    MAV2_OPT_STR("valid-after", "T", mav2_cli_perms, after_s, NULL),
    MAV2_OPT_STR("valid-until", "T", mav2_cli_perms, until_s, NULL),
    PERM_SET("paymaster-guard", "ADDR", set_entry),
    MAV2_OPT_END_};

static int time_range(const mav2_cli_cmd *cmd, mav2_cli_perms *ps)
{
    mav2_permission *pm = &ps->perms[ps->np];
    mav2_u256 v;
    pm->type = MAV2_PERM_TIME_RANGE;
    pm->valid_after = 0;
    pm->valid_until = 0xffffffffffffULL;
    if ((ps->after_s != NULL &&
         (!mav2_u256_parse(&v, ps->after_s) || !mav2_u256_to_u64(&v, &pm->valid_after))) ||
        (ps->until_s != NULL &&
         (!mav2_u256_parse(&v, ps->until_s) || !mav2_u256_to_u64(&v, &pm->valid_until))))
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "--valid-after/--valid-until: unix seconds"), 0;
    ps->np++;
    return 1;
}

int mav2_cli_perms_finish(const mav2_cli_cmd *cmd, mav2_cli_perms *ps)
{
    if (ps->np + 3 > MAV2_CLI_MAX_PERMS)
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "too many restrictions"), 0;
    if ((ps->after_s != NULL || ps->until_s != NULL) && !time_range(cmd, ps))
        return 0;
    if (ps->n_acct > 0) {
        ps->perms[ps->np].type = MAV2_PERM_ACCOUNT_FUNCTIONS;
        ps->perms[ps->np].functions = (const uint8_t(*)[4])ps->acct_sels;
        ps->perms[ps->np].n_functions = ps->n_acct;
        ps->np++;
    }
    if (ps->global)
        ps->perms[ps->np++].type = MAV2_PERM_ROOT;
    if (ps->np == 0)
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE,
                             "give --global (full access) or restrictions (see --help)"),
               0;
    return 1;
}
