/* SPDX-License-Identifier: Apache-2.0 */
/* nonce_key.c: `mav2 nonce-key`: the 192-bit nonce key selecting a MAv2 validation
 * (offline). */
#include "config.h"

#include <string.h>

#include "common/hex.h"
#include "mav2/cli/cli.h"
#include "mav2/cli/output.h"
#include "mav2/core/account.h"
#include "mav2/core/u256.h"

/* What the command line says. */
typedef struct {
    const char *entity, *lane, *sequence;
    int global, deferred, json;
} nonce_key_opts;

static const mav2_cli_opt nonce_key_table[] = {
    MAV2_OPT_STR_REQ("entity-id", "N", nonce_key_opts, entity,
                     "the validation's entity id, 0 .. 4294967295 (decimal or 0x-hex)"),
    MAV2_OPT_FLAG_("global", nonce_key_opts, global,
                   "the validation is installed as global (option 0x01)"),
    MAV2_OPT_FLAG_("deferred", nonce_key_opts, deferred,
                   "deferred action (option 0x02; never for a normal send)"),
    MAV2_OPT_STR("nonce-key", "K", nonce_key_opts, lane,
                 "the 152-bit user nonce key (an independent nonce lane;\n"
                 "default 0)"),
    MAV2_OPT_STR("sequence", "S", nonce_key_opts, sequence,
                 "also print the full nonce key192 << 64 | S (S < 2^64)"),
    MAV2_OPT_FLAG_("json", nonce_key_opts, json,
                   "{\"nonceKey\": \"0x...\", \"nonceKeyUint192\": \"0x<48 digits>\",\n"
                   "\"nonce\": \"0x...\" (with --sequence)}"),
    MAV2_OPT_END_AT(20)};

const mav2_cli_page mav2_page_nonce_key = {
    "NAME\n"
    "    mav2 nonce-key - the 192-bit nonce key that selects a MAv2 validation\n"
    "\n"
    "SYNOPSIS\n"
    "    mav2 nonce-key --entity-id N [--global] [--deferred] [--nonce-key K]\n"
    "                   [--sequence S] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    key192 = K << 40 | entityId << 8 | options, where options has 0x01 for a\n"
    "    global validation and 0x02 for a deferred action. The user op's nonce is\n"
    "    key192 << 64 | sequence, the sequence coming from EntryPoint.getNonce(\n"
    "    sender, key192). A session key installed as global at entity 1 uses key\n"
    "    0x101; the semi-modular account's owner is entity 0, key 0x1.\n"
    "    Prints key192 as a minimal 0x-hex quantity.\n"
    "\n"
    "OPTIONS\n",
    nonce_key_table,
    "\n"
    "EXIT STATUS\n"
    "    0 ok, 1 usage error or bad input\n"
    "\n"
    "EXAMPLES\n"
    "    mav2 nonce-key --entity-id 1 --global            # 0x101\n"
    "    mav2 nonce-key --entity-id 1 --global --sequence 5 --json\n"};

/* The key (and with --sequence the nonce) of o printed. Exit code. */
static int nonce_key_print(const mav2_cli_cmd *self, const nonce_key_opts *o, uint32_t entity,
                           const mav2_u256 *key, const mav2_u256 *nonce)
{
    char key_hex[MAV2_U256_HEX_MAX], key192[2 * 24 + 3], nonce_hex[MAV2_U256_HEX_MAX];
    uint8_t be[32];
    mav2_cli_result r;

    mav2_u256_to_hex(key, key_hex);
    mav2_u256_to_be32(key, be);
    mh_hex_encode(be + 8, 24, key192, sizeof(key192), 1);
    mav2_cli_result_init(&r, o->json);
    mav2_cli_result_str(&r, "nonceKey", "", key_hex);
    mav2_cli_result_str(&r, "nonceKeyUint192", NULL, key192);
    mav2_cli_result_int(&r, "entityId", NULL, entity);
    mav2_cli_result_bool(&r, "global", NULL, o->global);
    if (nonce != NULL) {
        mav2_u256_to_hex(nonce, nonce_hex);
        mav2_cli_result_str(&r, "nonce", "", nonce_hex);
    }
    return mav2_cli_result_print(self, &r);
}

int mav2_cmd_nonce_key(const mav2_cli_cmd *self, int argc, char **argv)
{
    nonce_key_opts o;
    uint32_t entity = 0;
    uint64_t seq = 0;
    int rc;
    mav2_u256 lane, key, nonce, seq_v;

    memset(&o, 0, sizeof(o));
    mav2_u256_from_u64(&lane, 0);
    if ((rc = mav2_cli_opts_parse(self, &o, argc, argv)) != MAV2_CLI_PARSED)
        return rc;
    if (!mav2_cli_u32(self, "--entity-id", o.entity, &entity))
        return MAV2_EXIT_USAGE;
    if (o.lane != NULL && !mav2_u256_parse(&lane, o.lane))
        return mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, "--nonce-key");
    if (o.sequence != NULL &&
        (!mav2_u256_parse(&seq_v, o.sequence) || !mav2_u256_to_u64(&seq_v, &seq)))
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--sequence: \"%s\" is not a number below 2^64",
                             o.sequence);
    if (!mav2_nonce_key(&key, &lane, entity,
                        (o.global ? MAV2_NONCE_GLOBAL : 0) |
                            (o.deferred ? MAV2_NONCE_DEFERRED : 0)))
        return mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, "--nonce-key");
    if (o.sequence != NULL && !mav2_nonce_full(&nonce, &key, seq))
        return mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, "--sequence");
    return nonce_key_print(self, &o, entity, &key, o.sequence != NULL ? &nonce : NULL);
}
