/* SPDX-License-Identifier: Apache-2.0 */
/* account.c: `mav2 account address`: the counterfactual semi-modular account of an
 * owner and the factory data that deploys it (offline). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "mav2/cli/cli.h"
#include "mav2/cli/online.h"
#include "mav2/core/account.h"
#include "mav2/core/address.h"
#include "mav2/core/u256.h"

/* What the command line says. */
typedef struct {
    const char *owner, *salt;
    int json;
} account_opts;

static const mav2_cli_opt account_table[] = {
    MAV2_OPT_STR_REQ("owner", "ADDR", account_opts, owner, "the owner of the semi-modular account"),
    MAV2_OPT_STR("salt", "S", account_opts, salt,
                 "the factory salt (decimal or 0x-hex; default 0)"),
    MAV2_OPT_FLAG_("json", account_opts, json,
                   "{\"address\": ..., \"factory\": ..., \"factoryData\": ...}"),
    MAV2_OPT_END_};

const mav2_cli_page mav2_page_account = {
    "NAME\n"
    "    mav2 account - modular accounts\n"
    "\n"
    "SYNOPSIS\n"
    "    mav2 account address --owner ADDR [--salt S] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    address: the counterfactual address of the semi-modular account of OWNER\n"
    "    (AccountFactory.createSemiModularAccount(owner, salt)) and the factory data\n"
    "    that deploys it (mav2 send --factory-owner does both). Offline.\n"
    "    Prints the address, then \"factory ADDR\", then \"factoryData 0x...\".\n"
    "\n"
    "OPTIONS\n",
    account_table,
    "\n"
    "EXIT STATUS\n"
    "    0 ok, 1 usage error or bad input\n"};

/* The address, the factory and its data of o's owner and salt, printed (o->json:
 * one JSON object). Exit code. */
static int account_print(const mav2_cli_cmd *self, const account_opts *o,
                         const uint8_t owner[MAV2_ADDRESS_LEN], const mav2_u256 *salt)
{
    uint8_t addr[MAV2_ADDRESS_LEN];
    char a[MAV2_ADDRESS_STR_MAX], f[MAV2_ADDRESS_STR_MAX], *hex;
    mav2_buf fd = MAV2_BUF_INIT;
    mav2_cli_result r;
    int rc;

    if (!mav2_sma_address(NULL, NULL, owner, salt, addr) ||
        !mav2_factory_data_sma(owner, salt, &fd))
        return mav2_cli_fail_lib(self, MAV2_EXIT_INTERNAL, NULL);
    hex = malloc(mh_hex_encoded_size(fd.len, 1));
    if (hex == NULL) {
        mav2_buf_free(&fd);
        return mav2_cli_fail(self, MAV2_EXIT_INTERNAL, "out of memory");
    }
    mh_hex_encode(fd.data, fd.len, hex, mh_hex_encoded_size(fd.len, 1), 1);
    mav2_address_format(addr, a);
    mav2_address_format(mav2_addr_factory, f);
    mav2_cli_result_init(&r, o->json);
    mav2_cli_result_str(&r, "address", "", a);
    mav2_cli_result_str(&r, "factory", "factory", f);
    mav2_cli_result_str(&r, "factoryData", "factoryData", hex);
    rc = mav2_cli_result_print(self, &r);
    free(hex);
    mav2_buf_free(&fd);
    return rc;
}

static int account_address(const mav2_cli_cmd *self, int argc, char **argv)
{
    account_opts o;
    uint8_t owner[MAV2_ADDRESS_LEN];
    mav2_u256 salt;
    int rc;

    memset(&o, 0, sizeof(o));
    if ((rc = mav2_cli_opts_parse(self, &o, argc, argv)) != MAV2_CLI_PARSED)
        return rc;
    if (!mav2_cli_address(self, "--owner", o.owner, owner))
        return MAV2_EXIT_USAGE;
    mav2_u256_from_u64(&salt, 0);
    if (o.salt != NULL && !mav2_u256_parse(&salt, o.salt))
        return mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, "--salt");
    return account_print(self, &o, owner, &salt);
}

static const mav2_cli_sub account_cmds[] = {
    {"address", account_address, "counterfactual semi-modular account address + factory data",
     NULL},
};

int mav2_cmd_account(const mav2_cli_cmd *self, int argc, char **argv)
{
    return mav2_cli_dispatch(self, account_cmds, sizeof(account_cmds) / sizeof(account_cmds[0]),
                             argc, argv);
}
