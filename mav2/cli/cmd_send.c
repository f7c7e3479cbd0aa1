/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_send.c: online user ops: `mav2 send` and `mav2 receipt` (the shared online
 * machinery is in online.c). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "common/hex.h"
#include "mav2/core/account.h"
#include "mav2/core/address.h"
#include "mav2/cli/grant_cli.h"
#include "mav2/cli/online.h"
#include "mav2/cli/replace.h"
#include "mav2/core/error.h"
#include "mav2/net/journal.h"
#include "mav2/keys/signer.h"
#include "mav2/core/u256.h"

#define MAX_CALLS 256

#define NET_HELP                                                                                   \
    "    --rpc-url URL        the node (JSON-RPC); also the bundler unless --bundler-url\n"        \
    "    --bundler-url URL    the ERC-4337 bundler (eth_sendUserOperation, ...)\n"                 \
    "    --timeout SECONDS    the whole command takes at most this long: every request\n"          \
    "                         and retry, and the wait for the receipt (default 120; 0:\n"          \
    "                         look for the receipt once, requests bounded by their own\n"          \
    "                         30 s). A signed op stays journaled: run again to resume\n"           \
    "    --poll MS            first receipt poll after MS ms (default: the chain's block\n"        \
    "                         time, 250 ms to 12 s for the chains of mav2 chains, else\n"          \
    "                         2000; each next wait x1.5, at most 15 s)\n"                          \
    "    --json               one JSON object at the end instead of lines\n"                       \
    "    --profile NAME       settings from [profile NAME] of the settings file; any\n"            \
    "                         option here, --account, --key, --entity-id, --global and\n"          \
    "                         --pin-source default from the environment, the profile\n"            \
    "                         and the chain (mav2 config --help)\n"                                \
    "    --chain NAME         a chain preset (mav2 chains) or [chain NAME]: its chain id\n"        \
    "                         is checked against node and bundler, its Alchemy URL\n"              \
    "                         (ALCHEMY_API_KEY) and max-cost are the defaults\n"

#define OUTPUT_HELP                                                                                \
    "OUTPUT\n"                                                                                     \
    "    The userOpHash first, on its own line, as soon as the bundler accepted the op\n"          \
    "    (stdout is flushed), then once included:\n"                                               \
    "        transactionHash 0x...\n"                                                              \
    "        blockNumber N\n"                                                                      \
    "        success true\n"                                                                       \
    "        actualGasCost WEI (ETH)\n"                                                            \
    "    Progress goes to stderr. --json: {\"userOpHash\", \"transactionHash\",\n"                 \
    "    \"blockNumber\", \"success\", \"actualGasCost\", \"actualGasUsed\", \"nonce\",\n"         \
    "    \"resumed\", \"httpRequests\"}.\n"                                                        \
    "\n"                                                                                           \
    "EXIT STATUS\n"                                                                                \
    "    0 this command's op included and succeeded, 1 usage or bad input (a\n"                    \
    "    refused journal file too), 2 key or token error, 3 rejected by the\n"                     \
    "    bundler or node (AAxx reasons as sentences), included but reverted, or\n"                 \
    "    superseded (another op took its nonce), 4 timed out (still pending: run\n"                \
    "    the same command again), 5 network error, 6 internal error\n"

const char mav2_help_send[] =
    "NAME\n"
    "    mav2 send - send a user operation signed by a session key, through a bundler\n"
    "\n"
    "SYNOPSIS\n"
    "    mav2 send --rpc-url URL [--bundler-url URL] --account ADDR --key URI|FILE\n"
    "              --entity-id N [--global] [--nonce-key K] --call TO,VALUE[,DATA] ...\n"
    "              [--exec-hooks] [--factory-owner ADDR [--salt S] |\n"
    "              --factory ADDR --factory-data HEX] [--chain-id N] [--pin-source FILE]\n"
    "              [--timeout SECONDS] [--poll MS] [--new] [--json] [--unsigned-out FILE]\n"
    "              [--max-cost AMOUNT] [--max-priority-fee AMOUNT] [--pvg-margin X]\n"
    "              [--grant FILE|HEX]\n"
    "              [--max-verification-gas N] [--max-call-gas N] [--max-paymaster-gas N]\n"
    "              [--paymaster-url URL [--paymaster-context JSON]] [--gas-policy-id ID]\n"
    "              [--replace-after SECONDS]\n"
    "\n"
    "DESCRIPTION\n"
    "    Builds the op for the account (execute for one --call, executeBatch for\n"
    "    several; one value-0 --call to the account itself is its call data as is),\n"
    "    takes the nonce from EntryPoint.getNonce on the validation's nonce\n"
    "    key, the fees from the node, the gas limits from the bundler, signs the\n"
    "    userOpHash with the key (EIP-191, 0xFF 0x00 r s v), sends it and waits for\n"
    "    the receipt. The account address is required: the key is a session key of\n"
    "    that account, not its owner.\n"
    "\n"
    "    The signing validation (getValidationData, read in the first batch) is\n"
    "    applied before anything is signed: with execution hooks (--native-limit,\n"
    "    --erc20-limit keys) the call data gets the executeUserOp prefix, and with\n"
    "    an AllowlistModule hook every call's target and function are checked\n"
    "    against the key's allowlist on chain; a call off it is refused (exit 3,\n"
    "    \"refused before signing\", the call named): MAv2's AllowlistModule does\n"
    "    not look inside executeUserOp, so only the signer can hold a key to it.\n"
    "\n"
    "    The signed op is journaled ($MAV2_STATE_DIR, else $XDG_STATE_HOME/mav2, else\n"
    "    ~/.local/state/mav2) with its intent (the call data, factory, sponsorship and\n"
    "    fee options) before it is sent. Running mav2 send again with the same intent\n"
    "    for the same account and nonce key while it is pending (after a timeout or a\n"
    "    crash) resumes that op instead of signing a second one (said on stderr): it\n"
    "    is sent again, the same bytes, when the bundler does not know it, and\n"
    "    reported as superseded (exit 3, entry dropped) when another op took its\n"
    "    nonce. Another intent on that lane waits for the pending op (said on stderr),\n"
    "    then sends its own with the next nonce; --timeout running out meanwhile\n"
    "    exits 4 naming the pending op (see it through with mav2 receipt HASH, or\n"
    "    mav2 replace HASH). --new signs a new op anyway. Journal files not owned by\n"
    "    you, writable by group or others, or whose op does not hash to their\n"
    "    userOpHash are refused (exit 1).\n"
    "\n"
    "OPTIONS\n" NET_HELP "    --account ADDR       the modular account sending the op\n"
    "    --key URI|FILE       the session key: pkcs11: URI, file: URI or PEM path\n"
    "    --pin-source FILE    PIN (first line) when the URI has no pin-source\n"
    "    --entity-id N        the session key's validation entity id\n"
    "    --global             it was installed as a global validation (nonce option 1)\n"
    "    --nonce-key K        the 152-bit user nonce lane (default 0)\n"
    "    --call TO,VALUE[,DATA]  a call; VALUE in wei or with a unit (1ether, 5gwei)\n"
    "    --exec-hooks         put executeUserOp in front of the call data (done\n"
    "                         anyway when the validation has execution hooks)\n"
    "    --factory-owner ADDR deploy the account if it has no code: the semi-modular\n"
    "                         account of this owner (checked to be --account)\n"
    "    --salt S             its salt (default 0)\n"
    "    --factory ADDR, --factory-data HEX  any other factory\n"
    "    --chain-id N         refuse to sign unless node and bundler are on chain N\n"
    "                         (decimal or 0x-hex); both are asked (eth_chainId), and\n"
    "                         must agree with each other even without it\n"
    "    --new                sign a new op even if one is pending in the "
    "journal\n" MAV2_CLI_COST_HELP MAV2_CLI_GAS_HELP
    "    --grant FILE|HEX     the owner's deferred grant (mav2 session-key grant, or\n"
    "                         account kit's compileDeferred string): this first op of\n"
    "                         the key installs it (nonce option 0x02, the grant in\n"
    "                         front of the signature; executeUserOp when its flag says\n"
    "                         execution hooks). Refused before signing: a deadline\n"
    "                         passed, a grant not signed by the account's owner for\n"
    "                         this chain, a lane past the grant's nonce. A grant already\n"
    "                         used (the key installed) is ignored, said on stderr.\n"
    "                         The first op's calls are checked against the grant's\n"
    "                         own allowlist (none is installed yet)\n"
    "    --unsigned-out FILE  stop before signing (no --key needed): write the op with\n"
    "                         the stub signature (JSON-RPC form) to FILE (- for\n"
    "                         stdout), then userOpHash, chainId, entryPoint and\n"
    "                         entityId lines to stdout (not with -), and the mav2 sign\n"
    "                         and mav2 submit commands to run next to stderr; nothing\n"
    "                         is sent or journaled\n"
    "" MAV2_CLI_SPONSOR_HELP "    --help               this text\n"
    "\n" OUTPUT_HELP "\n"
    "EXAMPLES\n"
    "    mav2 send --rpc-url $RPC --account 0xAcc... --entity-id 1 --global \\\n"
    "      --key 'pkcs11:token=t;object=sk1?pin-source=file:pin' \\\n"
    "      --call 0xd8dA6BF26964aF9D7eEd9e03E53415D37aA96045,0.01ether\n";

const char mav2_help_receipt[] =
    "NAME\n"
    "    mav2 receipt - wait for the receipt of a user operation\n"
    "\n"
    "SYNOPSIS\n"
    "    mav2 receipt HASH --rpc-url URL [--bundler-url URL] [--timeout S] [--json]\n"
    "    mav2 receipt --account ADDR --entity-id N [--global] [--nonce-key K]\n"
    "                 --rpc-url URL [--bundler-url URL] [--timeout S] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    Polls eth_getUserOperationReceipt for HASH (--rpc-url is asked for the chain\n"
    "    id). Without HASH, the op pending in the send journal for that account and\n"
    "    nonce key is awaited (what mav2 send would resume). Either way its journal\n"
    "    entry, if any, is dropped once the op is included (or reverted).\n"
    "\n"
    "OPTIONS\n" NET_HELP
    "    --account, --entity-id, --global, --nonce-key  select the journaled op\n"
    "    --help               this text\n"
    "\n" OUTPUT_HELP;

/* ---- mav2 send ------------------------------------------------------------------------ */

/* --grant: the checks before signing, with the session key's address. */
static int send_grant_check(const mav2_cli_cmd *self, mav2_rpc *node, EVP_PKEY *key,
                            const uint8_t *factory_owner, mav2_send_params *p, mav2_cli_grant *gr)
{
    uint8_t addr[20];
    if (!mav2_pkey_address(key, addr, NULL))
        return mav2_cli_fail_lib(self, MAV2_EXIT_KEY, "--key");
    return mav2_cli_grant_check(self, node, addr, factory_owner, p, gr);
}

int mav2_cmd_send(const mav2_cli_cmd *self, int argc, char **argv)
{
    static const struct option opts[] = {MAV2_CLI_NET_OPTS,
                                         MAV2_CLI_LANE_OPTS,
                                         {"key", required_argument, NULL, 'k'},
                                         {"pin-source", required_argument, NULL, 'p'},
                                         {"call", required_argument, NULL, 'c'},
                                         {"exec-hooks", no_argument, NULL, 'x'},
                                         {"factory-owner", required_argument, NULL, 'o'},
                                         {"salt", required_argument, NULL, 's'},
                                         {"factory", required_argument, NULL, 'f'},
                                         {"factory-data", required_argument, NULL, 'd'},
                                         {"chain-id", required_argument, NULL, 'i'},
                                         {"new", no_argument, NULL, 'N'},
                                         {"unsigned-out", required_argument, NULL, 'U'},
                                         MAV2_CLI_COST_OPTS,
                                         MAV2_CLI_GAS_OPTS,
                                         {"grant", required_argument, NULL, 'W'},
                                         MAV2_CLI_SPONSOR_OPTS,
                                         {NULL, 0, NULL, 0}};
    const char *specs[MAX_CALLS], *arg, *key_s = NULL, *pin = NULL, *owner_s = NULL;
    const char *salt_s = NULL, *grant_s = NULL;
    const char *factory_s = NULL, *fdata_s = NULL, *chain_s = NULL, *unsigned_s = NULL;
    mav2_call calls[MAX_CALLS];
    uint8_t *datas[MAX_CALLS], factory[20], owner[20], predicted[20], *fdata = NULL;
    size_t n_calls = 0, parsed = 0, fdata_len = 0;
    int c, exec_hooks = 0, rc = MAV2_EXIT_USAGE, h;
    mav2_cli_lane lane = {NULL, NULL, NULL, 0};
    mav2_cli_net net;
    mav2_cli_parser ps;
    mav2_send_params p;
    mav2_buf cd = MAV2_BUF_INIT, fd = MAV2_BUF_INIT;
    mav2_rpc *node = NULL, *bundler = NULL;
    EVP_PKEY *key = NULL;
    mav2_u256 salt;
    mav2_cli_grant gr;

    memset(&gr, 0, sizeof(gr));
    mav2_cli_net_init(&net);
    mav2_send_params_init(&p);
    mav2_cli_parser_init(&ps, self, opts, argc, argv);
    while ((c = mav2_cli_next(&ps, &arg)) != -1) {
        if ((h = mav2_cli_net_opt(self, &net, c, arg)) != 0 ||
            (h = mav2_cli_sponsor_opt(self, &p, c, arg)) ||
            (h = mav2_cli_bounds_opt(self, &p, c, arg)) || (h = mav2_cli_lane_opt(&lane, c, arg))) {
            if (h == 2)
                return MAV2_EXIT_USAGE;
            continue;
        }
        switch (c) {
        case 'k':
            key_s = arg;
            break;
        case 'p':
            pin = arg;
            break;
        case 'c':
            if (n_calls == MAX_CALLS)
                return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--call: at most %d calls", MAX_CALLS);
            specs[n_calls++] = arg;
            break;
        case 'x':
            exec_hooks = 1;
            break;
        case 'o':
            owner_s = arg;
            break;
        case 's':
            salt_s = arg;
            break;
        case 'f':
            factory_s = arg;
            break;
        case 'd':
            fdata_s = arg;
            break;
        case 'i':
            chain_s = arg;
            break;
        case 'N':
            net.force_new = 1;
            break;
        case 'U':
            unsigned_s = arg;
            break;
        case 'W':
            grant_s = arg;
            break;
        case 'h':
            return MAV2_EXIT_OK;
        default:
            return MAV2_EXIT_USAGE;
        }
    }
    if (!mav2_cli_apply_settings(self, &net, &lane, &key_s, &pin))
        return MAV2_EXIT_USAGE;
    if (p.paymaster_url == NULL && p.gas_policy_id == NULL) { /* the profile's sponsor */
        p.paymaster_url = mav2_cli_setting("paymaster-url", NULL);
        if (p.paymaster_url == NULL)
            p.gas_policy_id = mav2_cli_setting("gas-policy-id", NULL);
    }
    if (!mav2_cli_require(self, "--rpc-url", net.rpc_url, "--account", lane.account, "--key",
                          key_s != NULL ? key_s : unsigned_s, "--entity-id", lane.entity, "--call",
                          n_calls > 0 ? "" : NULL, (const char *)NULL))
        return MAV2_EXIT_USAGE;
    if (!mav2_cli_lane_params(self, &lane, &p))
        return MAV2_EXIT_USAGE;
    if (chain_s != NULL && !mav2_cli_chain_id(self, chain_s, &p.chain_id))
        return MAV2_EXIT_USAGE;
    if (owner_s != NULL && (factory_s != NULL || fdata_s != NULL))
        return mav2_cli_fail(self, MAV2_EXIT_USAGE,
                             "--factory-owner and --factory/--factory-data exclude each other");
    if ((factory_s == NULL) != (fdata_s == NULL))
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--factory and --factory-data go together");
    if (salt_s != NULL && owner_s == NULL)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--salt needs --factory-owner");
    mav2_u256_from_u64(&salt, 0);
    if (owner_s != NULL) {
        if (!mav2_cli_address(self, "--factory-owner", owner_s, owner))
            return MAV2_EXIT_USAGE;
        if (salt_s != NULL && !mav2_u256_parse(&salt, salt_s))
            return mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, "--salt");
        if (!mav2_sma_address(NULL, NULL, owner, &salt, predicted) ||
            !mav2_factory_data_sma(owner, &salt, &fd))
            return mav2_cli_fail_lib(self, MAV2_EXIT_INTERNAL, "factory data");
        if (memcmp(predicted, p.account, 20) != 0) {
            char a[MAV2_ADDRESS_STR_MAX];
            mav2_address_format(predicted, a);
            mav2_buf_free(&fd);
            return mav2_cli_fail(self, MAV2_EXIT_USAGE,
                                 "--account is not the account of --factory-owner with this salt "
                                 "(that is %s)",
                                 a);
        }
        p.factory = mav2_addr_factory;
        p.factory_data = fd.data;
        p.factory_data_len = fd.len;
    } else if (factory_s != NULL) {
        const char *why = NULL;
        if (!mav2_cli_address(self, "--factory", factory_s, factory))
            return MAV2_EXIT_USAGE;
        if (!mh_hex_decode_alloc(fdata_s, &fdata, &fdata_len, &why))
            return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--factory-data: %s", why);
        p.factory = factory;
        p.factory_data = fdata;
        p.factory_data_len = fdata_len;
    }
    if (grant_s != NULL && (unsigned_s != NULL ||
                            (rc = mav2_cli_grant_load(self, grant_s, &p, &gr)) != MAV2_EXIT_OK)) {
        if (unsigned_s != NULL)
            rc = mav2_cli_fail(self, MAV2_EXIT_USAGE,
                               "--grant and --unsigned-out exclude each other");
        goto out;
    }
    exec_hooks |= gr.g.exec_hooks; /* the grant's validation has execution hooks */
    rc = MAV2_EXIT_USAGE;
    for (; parsed < n_calls; parsed++)
        if (!mav2_cli_parse_call(self, specs[parsed], parsed + 1, &calls[parsed], &datas[parsed])) {
            parsed++;
            goto out;
        }
    /* a single value-0 call to the account itself goes unwrapped (execute would
     * call the account again: SelfCallRecursionDepthExceeded) */
    if (!mav2_calldata_for_calls(p.account, calls, n_calls, exec_hooks, &cd)) {
        rc = mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, "--call");
        goto out;
    }
    p.call_data = cd.data;
    p.call_data_len = cd.len;
    if (unsigned_s != NULL) { /* no key: it signs offline (mav2 sign) */
        if (mav2_cli_net_open(self, &net, &node, &bundler))
            rc = mav2_cli_send_unsigned(self, &net, node, bundler, &p, unsigned_s);
        goto out;
    }
    if ((key = mav2_cli_load_key(self, key_s, pin, 1)) == NULL) {
        rc = MAV2_EXIT_KEY;
        goto out;
    }
    if (!mav2_cli_net_open(self, &net, &node, &bundler))
        goto out;
    if (grant_s != NULL &&
        ((rc = send_grant_check(self, node, key, owner_s ? owner : NULL, &p, &gr)) !=
             MAV2_EXIT_OK ||
         (p.sig_prefix != NULL &&
          (rc = mav2_cli_grant_allowlist(self, &gr, cd.data, cd.len)) != MAV2_EXIT_OK)))
        goto out;
    rc = mav2_cli_send_op(self, &net, node, bundler, &p, key);
out:
    mav2_cli_grant_clear(&gr);
    for (size_t i = 0; i < parsed; i++)
        free(datas[i]);
    mav2_cli_net_close(node, bundler);
    EVP_PKEY_free(key);
    mav2_buf_free(&cd);
    mav2_buf_free(&fd);
    free(fdata);
    return rc;
}

/* ---- mav2 receipt --------------------------------------------------------------------- */

/* The journal entry of the op mav2 receipt awaits into e: the lane's (lane != NULL:
 * required; its hash into hash) or the one of hash, if any (*found). Exit code. */
static int receipt_entry(const mav2_cli_cmd *self, char *dir, size_t cap, uint64_t chain,
                         const mav2_send_params *lane, const mav2_u256 *key, uint8_t hash[32],
                         mav2_journal_entry *e, int *found)
{
    if (!mav2_journal_default_dir(dir, cap))
        return lane != NULL ? mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, NULL) : MAV2_EXIT_OK;
    if (!(lane != NULL ? mav2_journal_get(dir, chain, lane->account, key, e, found)
                       : mav2_journal_find(dir, chain, hash, e, found)))
        return mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, NULL);
    if (lane == NULL)
        return MAV2_EXIT_OK;
    if (!*found)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE,
                             "no pending user op in the journal for this account and key");
    memcpy(hash, e->user_op_hash, 32);
    fprintf(stderr, "mav2 %s: the journal has a pending user op for this account and key\n",
            self->name);
    return MAV2_EXIT_OK;
}

int mav2_cmd_receipt(const mav2_cli_cmd *self, int argc, char **argv)
{
    static const struct option opts[] = {MAV2_CLI_NET_OPTS,
                                         {"hash", required_argument, NULL, 'H'},
                                         MAV2_CLI_LANE_OPTS,
                                         {NULL, 0, NULL, 0}};
    const char *arg, *hash_s = NULL;
    uint8_t hash[32];
    int c, h, rc = MAV2_EXIT_USAGE, found = 0, from_journal = 0;
    mav2_cli_lane lane = {NULL, NULL, NULL, 0};
    mav2_cli_net net;
    mav2_cli_parser ps;
    mav2_send_params lp; /* the lane of the journaled op */
    mav2_rpc *node = NULL, *bundler = NULL;
    mav2_u256 key;
    uint64_t chain = 0;
    char dir[4096];
    mav2_cli_journaled j = {dir, 0, lp.account, &key};
    mav2_journal_entry e;

    /* `mav2 receipt HASH ...`: the hash may come first, as a positional */
    if (argc > 1 && argv[1][0] != '-') {
        hash_s = argv[1];
        argc--;
        argv++;
    }
    memset(&e, 0, sizeof(e));
    mav2_cli_net_init(&net);
    mav2_send_params_init(&lp);
    mav2_cli_parser_init(&ps, self, opts, argc, argv);
    while ((c = mav2_cli_next(&ps, &arg)) != -1) {
        if ((h = mav2_cli_net_opt(self, &net, c, arg)) != 0 || mav2_cli_lane_opt(&lane, c, arg)) {
            if (h == 2)
                return MAV2_EXIT_USAGE;
            continue;
        }
        switch (c) {
        case 'H':
            hash_s = arg;
            break;
        case 'h':
            return MAV2_EXIT_OK;
        default:
            return MAV2_EXIT_USAGE;
        }
    }
    if (!mav2_cli_apply_settings(self, &net, hash_s == NULL ? &lane : NULL, NULL, NULL))
        return MAV2_EXIT_USAGE;
    if (hash_s == NULL && lane.account == NULL)
        return mav2_cli_fail(
            self, MAV2_EXIT_USAGE,
            "give the userOpHash, or --account and --entity-id for the journaled op");
    if (hash_s != NULL && !mh_hex_decode_exact(hash_s, hash, 32, NULL))
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "the userOpHash must be 32 bytes of 0x-hex");
    if (hash_s == NULL) {
        if (lane.entity == NULL)
            return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--account needs --entity-id");
        if (!mav2_cli_lane_params(self, &lane, &lp))
            return MAV2_EXIT_USAGE;
        if (!mav2_nonce_key(&key, &lp.lane, lp.entity_id, lp.nonce_options))
            return mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, "--nonce-key");
        from_journal = 1;
    }
    if (!mav2_cli_net_open(self, &net, &node, &bundler))
        return MAV2_EXIT_USAGE;
    if ((rc = mav2_cli_chain_of(self, node, &chain)) != MAV2_EXIT_OK) {
        if (mav2_rpc_last_error(node)->status == MAV2_RPC_E_DEADLINE)
            rc = MAV2_EXIT_TIMEOUT; /* --timeout ran out: the op may still be pending */
        goto out;
    }
    if ((rc = receipt_entry(self, dir, sizeof(dir), chain, from_journal ? &lp : NULL, &key, hash,
                            &e, &found)) != MAV2_EXIT_OK)
        goto out;
    if (found) { /* its entry goes once the op is final */
        memcpy(lp.account, e.account, 20);
        key = e.nonce_key;
    }
    j.chain = chain;
    rc = mav2_cli_await(self, &net, bundler, hash, found ? &j : NULL);
out:
    mav2_journal_entry_clear(&e);
    mav2_cli_net_close(node, bundler);
    return rc;
}
