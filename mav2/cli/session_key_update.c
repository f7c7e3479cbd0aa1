/* SPDX-License-Identifier: Apache-2.0 */
/* session_key_update.c: `mav2 session-key update`: the owner changes a session key's
 * limits and time range without reinstalling it, through the permission modules' own
 * setters (session_limits.h) called from the account in one user op. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mav2/core/account.h"
#include "mav2/core/address.h"
#include "mav2/cli/online.h"
#include "mav2/cli/owner.h"
#include "mav2/core/error.h"
#include "mav2/net/logs.h"
#include "mav2/net/session_limits.h"
#include "mav2/core/u256.h"

#define MAX_ERC20   16
#define MAX_CHANGES (3 + MAX_ERC20)

/* What the command line says: the owner options and the changes. */
typedef struct {
    owner_args owner;
    const char *native_s, *gas_s, *after_s, *until_s;
    const char *erc20_s[MAX_ERC20];
    size_t n_erc20;
} update_args;

/* Setter of --erc20-limit (repeatable): field is the update_args. */
static int set_erc20(const mav2_cli_cmd *cmd, const mav2_cli_opt *opt, void *field, const char *arg)
{
    update_args *u = field;
    (void)opt;
    if (u->n_erc20 == MAX_ERC20)
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "--erc20-limit: at most %d tokens", MAX_ERC20),
               0;
    u->erc20_s[u->n_erc20++] = arg;
    return 1;
}

static const mav2_cli_opt update_table[] = {
    MAV2_OPT_GROUP_(mav2_cli_owner_group, update_args, owner),
    MAV2_OPT_STR("native-limit", "AMOUNT", update_args, native_s, NULL),
    MAV2_OPT_STR("gas-limit", "AMOUNT", update_args, gas_s, NULL),
    {"erc20-limit", "TOKEN:AMOUNT", MAV2_OPT_SETTER, 0, set_erc20, NULL, NULL, NULL, 0},
    MAV2_OPT_STR("valid-after", "T", update_args, after_s, NULL),
    MAV2_OPT_STR("valid-until", "T", update_args, until_s, NULL),
    MAV2_OPT_END_};

/* Written whole: the changes are described with what they call. */
const mav2_cli_page mav2_page_session_update = {
    "NAME\n"
    "    mav2 session-key update - change a session key's limits or time range\n"
    "\n"
    "SYNOPSIS\n"
    "    mav2 session-key update --rpc-url URL [--bundler-url URL] --account ADDR\n"
    "        --owner-key URI|FILE --entity-id N [--native-limit AMOUNT]\n"
    "        [--gas-limit AMOUNT] [--erc20-limit TOKEN:AMOUNT]... [--valid-after T]\n"
    "        [--valid-until T] [--owner-entity-id N] [--pin-source FILE]\n"
    "        [--timeout S] [--poll MS] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    The owner signs one user op in which the account calls the permission\n"
    "    modules' own setters for the session key at entity N (execute for one\n"
    "    change, executeBatch for several); the key, its selectors and its other\n"
    "    hooks stay as they are. Each value is the new amount left (it replaces\n"
    "    what is left, it is not added to it):\n"
    "    --native-limit AMOUNT     NativeTokenLimitModule.updateLimits(N, AMOUNT):\n"
    "                              ETH value (units as in mav2 send --call)\n"
    "    --gas-limit AMOUNT        NativeTokenLimitModule.updateLimits(N + 0x7fffffff,\n"
    "                              AMOUNT): gas spending, wei (units as above)\n"
    "    --erc20-limit TOKEN:AMOUNT  AllowlistModule.updateLimits(N + 0x7fffffff,\n"
    "                              TOKEN, true, AMOUNT): base units; repeatable\n"
    "    --valid-after T, --valid-until T  TimeRangeModule.setTimeRange(N, until,\n"
    "                              after), unix seconds; the one not given keeps\n"
    "                              its current value (timeRanges)\n"
    "    The hooks are found in the key's validation data and each setter is called\n"
    "    at the entity of the hook found. Refused, with nothing signed or sent: an\n"
    "    entity not installed, no change given, a change for a hook the key does\n"
    "    not have (e.g. --native-limit on a key without a native-token limit, a\n"
    "    token without an ERC-20 limit on the key), valid-until not after\n"
    "    valid-after. The owner options are those of mav2 session-key revoke.\n"
    "    mav2 session-key list shows what is left.\n"
    "\n"
    "OUTPUT / EXIT STATUS\n"
    "    One line per change on stderr (\"native-limit-left OLD -> NEW\"), then as\n"
    "    mav2 send (userOpHash first, then the receipt); 1 for a refusal above.\n"
    "\n"
    "EXAMPLES\n"
    "    mav2 session-key update --rpc-url $RPC --account 0xAcc... --owner-key owner.pem \\\n"
    "      --entity-id 3 --native-limit 0.05ether --valid-until 1767225600\n",
    update_table, NULL};

/* The setter calls, all from the account to a module with value 0. */
typedef struct {
    mav2_call calls[MAX_CHANGES];
    mav2_buf data[MAX_CHANGES];
    char note[MAX_CHANGES][256]; /* "what old -> new", printed once all are accepted */
    size_t n;
} change_list;

static void changes_free(change_list *c)
{
    for (size_t i = 0; i < c->n; i++)
        mav2_buf_free(&c->data[i]);
    c->n = 0;
}

/* Takes data (built by the caller into c->data[c->n]) as a call to module. */
static void change_add(change_list *c, const uint8_t module[MAV2_ADDRESS_LEN])
{
    memset(&c->calls[c->n], 0, sizeof(c->calls[c->n]));
    memcpy(c->calls[c->n].target, module, 20);
    c->calls[c->n].data = c->data[c->n].data;
    c->calls[c->n].data_len = c->data[c->n].len;
    c->n++;
}

/* Notes the last change added. */
static void note_change(change_list *c, const char *what, const mav2_u256 *old,
                        const mav2_u256 *now)
{
    char a[MAV2_U256_DEC_MAX], b[MAV2_U256_DEC_MAX];
    mav2_u256_to_dec(old, a);
    mav2_u256_to_dec(now, b);
    snprintf(c->note[c->n - 1], sizeof(c->note[0]), "%s %s -> %s", what, a, b);
}

static int native_change(const mav2_cli_cmd *self, const update_args *u, uint32_t n,
                         const mav2_session_limits *l, change_list *c, int gas)
{
    const char *opt = gas ? "--gas-limit" : "--native-limit", *s = gas ? u->gas_s : u->native_s;
    mav2_u256 v;

    if (s == NULL)
        return MAV2_EXIT_OK;
    if (!mav2_u256_parse_amount(&v, s))
        return mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, opt);
    if (!(gas ? l->has_gas : l->has_native))
        return mav2_cli_fail(self, MAV2_EXIT_USAGE,
                             "%s: the key at entity %u has no %s (NativeTokenLimitModule %s "
                             "hook): reinstall it to add one",
                             opt, n, gas ? "gas limit" : "native-token limit",
                             gas ? "validation" : "execution");
    if (!mav2_calldata_native_limit_update(gas ? l->gas_entity : l->native_entity, &v,
                                           &c->data[c->n]))
        return mav2_cli_fail_lib(self, MAV2_EXIT_INTERNAL, opt);
    change_add(c, mav2_addr_native_token_limit);
    note_change(c, gas ? "gas-limit-left" : "native-limit-left",
                gas ? &l->gas_left : &l->native_left, &v);
    return MAV2_EXIT_OK;
}

static int erc20_change(const mav2_cli_cmd *self, const char *arg, uint32_t n,
                        const mav2_session_limits *l, change_list *c)
{
    const char *colon = strchr(arg, ':');
    char token_s[64];
    uint8_t token[MAV2_ADDRESS_LEN];
    mav2_u256 v;
    size_t k;

    if (colon == NULL || colon - arg >= (long)sizeof(token_s))
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--erc20-limit: TOKEN:AMOUNT");
    snprintf(token_s, sizeof(token_s), "%.*s", (int)(colon - arg), arg);
    if (!mav2_cli_address(self, "--erc20-limit", token_s, token))
        return MAV2_EXIT_USAGE;
    if (!mav2_u256_parse(&v, colon + 1))
        return mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, "--erc20-limit");
    for (k = 0; k < l->n_erc20 && memcmp(l->erc20[k].token, token, 20) != 0; k++)
        ;
    if (!l->has_erc20 || k == l->n_erc20)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE,
                             "--erc20-limit: the key at entity %u has no ERC-20 limit on %s "
                             "(AllowlistModule execution hook): reinstall it to add one",
                             n, token_s);
    for (size_t i = 0; i < c->n; i++)
        if (memcmp(c->calls[i].target, mav2_addr_allowlist, 20) == 0 &&
            memcmp(c->calls[i].data + 4 + 32 + 12, token, 20) == 0)
            return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--erc20-limit: %s given twice", token_s);
    if (!mav2_calldata_erc20_limit_update(l->erc20_entity, token, &v, &c->data[c->n]))
        return mav2_cli_fail_lib(self, MAV2_EXIT_INTERNAL, "--erc20-limit");
    change_add(c, mav2_addr_allowlist);
    snprintf(token_s, sizeof(token_s), "erc20-limit-left ");
    mav2_address_format(token, token_s + strlen(token_s));
    note_change(c, token_s, &l->erc20[k].left, &v);
    return MAV2_EXIT_OK;
}

static int parse_time(const mav2_cli_cmd *self, const char *opt, const char *s, uint64_t *out)
{
    mav2_u256 v;
    if (!mav2_u256_parse(&v, s) || !mav2_u256_to_u64(&v, out) || *out > MAV2_TIME_RANGE_NO_END)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "%s: \"%s\" is not unix seconds (uint48)", opt,
                             s),
               0;
    return 1;
}

static int time_change(const mav2_cli_cmd *self, const update_args *u, uint32_t n,
                       const mav2_session_limits *l, change_list *c)
{
    uint64_t after = l->valid_after, until = l->valid_until;

    if (u->after_s == NULL && u->until_s == NULL)
        return MAV2_EXIT_OK;
    if ((u->after_s != NULL && !parse_time(self, "--valid-after", u->after_s, &after)) ||
        (u->until_s != NULL && !parse_time(self, "--valid-until", u->until_s, &until)))
        return MAV2_EXIT_USAGE;
    if (!l->has_time)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE,
                             "--valid-after/--valid-until: the key at entity %u has no time "
                             "range (TimeRangeModule validation hook): reinstall it to add one",
                             n);
    if (!mav2_calldata_time_range_update(l->time_entity, until, after, &c->data[c->n]))
        return mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, "--valid-after/--valid-until");
    change_add(c, mav2_addr_time_range);
    snprintf(c->note[c->n - 1], sizeof(c->note[0]),
             "valid-after %llu -> %llu, valid-until %llu -> %llu",
             (unsigned long long)l->valid_after, (unsigned long long)after,
             (unsigned long long)l->valid_until, (unsigned long long)until);
    return MAV2_EXIT_OK;
}

/* Every change checked against the key's hooks, as setter calls in c. */
static int build_changes(const mav2_cli_cmd *self, const update_args *u, uint32_t n,
                         const mav2_session_limits *l, change_list *c)
{
    int rc = native_change(self, u, n, l, c, 0);

    if (rc == MAV2_EXIT_OK)
        rc = native_change(self, u, n, l, c, 1);
    for (size_t i = 0; rc == MAV2_EXIT_OK && i < u->n_erc20; i++)
        rc = erc20_change(self, u->erc20_s[i], n, l, c);
    if (rc == MAV2_EXIT_OK)
        rc = time_change(self, u, n, l, c);
    for (size_t i = 0; rc == MAV2_EXIT_OK && i < c->n; i++)
        fprintf(stderr, "mav2 %s: entity %u: %s\n", self->name, n, c->note[i]);
    return rc;
}

/* The command line into u; exit code, MAV2_CLI_PARSED to go on. */
static int parse_args(const mav2_cli_cmd *self, int argc, char **argv, update_args *u)
{
    int rc;

    if ((rc = mav2_cli_opts_parse(self, u, argc, argv)) != MAV2_CLI_PARSED)
        return rc;
    if (u->native_s == NULL && u->gas_s == NULL && u->n_erc20 == 0 && u->after_s == NULL &&
        u->until_s == NULL)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE,
                             "no change given: name --native-limit, --gas-limit, --erc20-limit, "
                             "--valid-after or --valid-until");
    return MAV2_CLI_PARSED;
}

/* The key's hooks read, the changes checked and built into call data cd. */
static int plan(const mav2_cli_cmd *self, const owner_args *a, const update_args *u, mav2_rpc *node,
                const mav2_validation_data *vd, mav2_buf *cd)
{
    mav2_session_limits l;
    change_list c;
    int rc = MAV2_EXIT_OK;

    uint64_t from = 0;
    int deployed = 0;

    memset(&c, 0, sizeof(c));
    mav2_session_limits_init(&l);
    /* the allowlist's events start where the account was deployed */
    if (!mav2_deploy_block(node, a->account, &from, &deployed) ||
        !mav2_session_limits_read(node, a->account, vd, from, &l)) {
        const mav2_rpc_error *e = mav2_rpc_last_error(node);
        rc = mav2_cli_fail_lib(
            self, e->status == MAV2_RPC_OK ? MAV2_EXIT_NETWORK : mav2_cli_rpc_exit(e), NULL);
    }
    if (rc == MAV2_EXIT_OK)
        rc = build_changes(self, u, a->entity, &l, &c);
    if (rc == MAV2_EXIT_OK && !mav2_calldata_for_calls(a->account, c.calls, c.n, 0, cd))
        rc = mav2_cli_fail_lib(self, MAV2_EXIT_INTERNAL, NULL);
    changes_free(&c);
    mav2_session_limits_free(&l);
    return rc;
}

int mav2_cmd_session_update(const mav2_cli_cmd *self0, int argc, char **argv)
{
    mav2_cli_cmd cmd = *self0;
    const mav2_cli_cmd *self = &cmd;
    update_args u;
    owner_args *a = &u.owner;
    owner_op op;
    mav2_buf cd = MAV2_BUF_INIT;
    int rc;

    cmd.page = &mav2_page_session_update;
    memset(&u, 0, sizeof(u));
    mav2_cli_net_init(&a->net);
    if ((rc = parse_args(self, argc, argv, &u)) != MAV2_CLI_PARSED)
        return rc;
    owner_op_init(&op);
    if ((rc = owner_open_installed(self, a, &op)) == MAV2_EXIT_OK &&
        (rc = plan(self, a, &u, op.node, &op.vd, &cd)) == MAV2_EXIT_OK)
        rc = owner_op_send(self, a, &op, &cd);
    owner_op_clear(&op);
    mav2_buf_free(&cd);
    return rc;
}
