/* SPDX-License-Identifier: Apache-2.0 */
/* session_key_decode_grant.c: `mav2 session-key decode-grant`: what a deferred grant
 * (grant.h) holds and who signed it, offline. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "common/hex.h"
#include "mav2/core/address.h"
#include "mav2/cli/grant_cli.h"

/* What the command line says. */
typedef struct {
    const char *grant_s, *chain_s, *account_s;
    int json;
} decode_args;

static const mav2_cli_opt decode_table[] = {
    MAV2_OPT_STR_REQ("grant", "FILE|HEX", decode_args, grant_s, NULL),
    MAV2_OPT_STR_REQ("chain-id", "N", decode_args, chain_s, NULL),
    MAV2_OPT_STR_REQ("account", "ADDR", decode_args, account_s, NULL),
    MAV2_OPT_FLAG_("json", decode_args, json, NULL), MAV2_OPT_END_};

/* Written whole: its options are in the SYNOPSIS. */
const mav2_cli_page mav2_page_session_decode_grant = {
    "NAME\n"
    "    mav2 session-key decode-grant - what a deferred grant holds, and who signed it\n"
    "\n"
    "SYNOPSIS\n"
    "    mav2 session-key decode-grant --grant FILE|HEX --chain-id N --account ADDR [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    Reads a grant (mav2 session-key grant, or account kit's compileDeferred string)\n"
    "    exactly and prints its entity, nonce lane and sequence, deadline, execution-hook\n"
    "    flag, the owner validation, the installValidation call and the address that\n"
    "    signed it for this chain and account (not the account's owner: another chain or\n"
    "    account recovers to another address). Offline.\n"
    "\n"
    "EXIT STATUS\n"
    "    0 decoded, 1 usage or a malformed grant\n",
    decode_table, NULL};

static int decode_print(const mav2_cli_cmd *cmd, const mav2_grant *g,
                        const uint8_t owner[MAV2_ADDRESS_LEN], int json)
{
    char lane_s[MAV2_U256_DEC_MAX], nonce_s[MAV2_U256_DEC_MAX], when[64] = "none", *call;
    char signer[MAV2_ADDRESS_STR_MAX];
    mav2_u256 lane;
    uint32_t entity;
    uint8_t opt;
    uint64_t seq;
    time_t t = (time_t)g->deadline;
    struct tm tm;
    json_object *o;
    int rc;
    mav2_grant_nonce_parts(g, &lane, &entity, &opt, &seq);
    mav2_u256_to_dec(&lane, lane_s);
    mav2_u256_to_dec(&g->nonce, nonce_s);
    if (g->deadline != 0 && gmtime_r(&t, &tm) != NULL)
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    if ((call = malloc(mh_hex_encoded_size(g->call.len, 1))) == NULL)
        return mav2_cli_fail(cmd, MAV2_EXIT_INTERNAL, "out of memory");
    mh_hex_encode(g->call.data, g->call.len, call, mh_hex_encoded_size(g->call.len, 1), 1);
    mav2_address_format(owner, signer);
    o = json_object_new_object();
    json_object_object_add(o, "entityId", json_object_new_int64(entity));
    json_object_object_add(o, "global", json_object_new_boolean(opt & MAV2_NONCE_GLOBAL));
    json_object_object_add(o, "nonceKey", json_object_new_string(lane_s));
    json_object_object_add(o, "sequence", json_object_new_int64((int64_t)seq));
    json_object_object_add(o, "nonce", json_object_new_string(nonce_s));
    json_object_object_add(o, "deadline", json_object_new_int64((int64_t)g->deadline));
    json_object_object_add(o, "deadlineDate", json_object_new_string(when));
    json_object_object_add(o, "execHooks", json_object_new_boolean(g->exec_hooks));
    json_object_object_add(o, "ownerEntityId", json_object_new_int64(g->owner_entity));
    json_object_object_add(o, "signedBy", json_object_new_string(signer));
    json_object_object_add(o, "installCall", json_object_new_string(call));
    if (json) {
        rc = mav2_cli_print(cmd, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    } else {
        rc = printf("entity %u%s\nnonceKey %s\nsequence %llu\ndeadline %llu (%s)\n"
                    "execHooks %s\nownerEntity %u\nsignedBy %s\ninstallCall %s\n",
                    entity, opt & MAV2_NONCE_GLOBAL ? " (global)" : "", lane_s,
                    (unsigned long long)seq, (unsigned long long)g->deadline, when,
                    g->exec_hooks ? "yes (ops are executeUserOp-wrapped)" : "no", g->owner_entity,
                    signer, call) < 0 ||
                     fflush(stdout) != 0
                 ? mav2_cli_fail(cmd, MAV2_EXIT_INTERNAL, "cannot write the output")
                 : MAV2_EXIT_OK;
    }
    json_object_put(o);
    free(call);
    return rc;
}

int mav2_cmd_session_decode_grant(const mav2_cli_cmd *self0, int argc, char **argv)
{
    mav2_cli_cmd cmd = *self0;
    const mav2_cli_cmd *self = &cmd;
    decode_args o;
    char *text = NULL;
    uint8_t account[MAV2_ADDRESS_LEN], owner[MAV2_ADDRESS_LEN];
    uint64_t chain;
    int rc;
    mav2_grant g;

    cmd.page = &mav2_page_session_decode_grant;
    memset(&o, 0, sizeof(o));
    if ((rc = mav2_cli_opts_parse(self, &o, argc, argv)) != MAV2_CLI_PARSED)
        return rc;
    if (!mav2_cli_chain_id(self, o.chain_s, &chain) ||
        !mav2_cli_address(self, "--account", o.account_s, account))
        return MAV2_EXIT_USAGE;
    if (strncmp(o.grant_s, "0x", 2) != 0 &&
        (text = mav2_cli_read_input(self, "--grant", o.grant_s, 1 << 20, NULL)) == NULL)
        return MAV2_EXIT_USAGE;
    mav2_grant_init(&g);
    if (!mav2_grant_parse_hex(text != NULL ? text : o.grant_s, &g))
        rc = mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, "--grant");
    else if (!mav2_grant_recover_owner(&g, chain, account, owner))
        rc = mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, "--grant");
    else
        rc = decode_print(self, &g, owner, o.json);
    free(text);
    mav2_grant_clear(&g);
    return rc;
}
