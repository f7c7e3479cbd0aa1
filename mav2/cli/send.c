/* SPDX-License-Identifier: Apache-2.0 */
/* send.c: `mav2 send`: one user op signed by a session key, through a bundler, or
 * (--unsigned-out) written unsigned for offline signing (the shared online machinery
 * is in online.c). */
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
#include "mav2/cli/erc20_cli.h"
#include "mav2/cli/grant_cli.h"
#include "mav2/cli/guard_cli.h"
#include "mav2/cli/online.h"
#include "mav2/cli/online_opts.h"
#include "mav2/core/error.h"
#include "mav2/net/journal.h"
#include "mav2/keys/signer.h"
#include "mav2/core/u256.h"
#include "mav2/core/userop.h"

/* What the command line says. */
typedef struct {
    mav2_cli_net net;
    mav2_cli_lane lane;
    const char *key, *pin, *factory_owner, *salt, *factory, *factory_data, *chain_id;
    const char *unsigned_out, *grant;
    int exec_hooks;
    mav2_cli_calls calls;
    mav2_send_params p;
    mav2_cli_erc20 tok;
} send_opts;

static const mav2_cli_opt send_table[] = {
    MAV2_OPT_GROUP_(mav2_cli_net_group, send_opts, net),
    MAV2_OPT_STR("account", "ADDR", send_opts, lane.account, "the modular account sending the op"),
    MAV2_OPT_STR("key", "URI|FILE", send_opts, key,
                 "the session key: pkcs11: URI, file: URI or PEM path"),
    MAV2_OPT_STR("pin-source", "FILE", send_opts, pin,
                 "PIN (first line) when the URI has no pin-source"),
    MAV2_OPT_STR("entity-id", "N", send_opts, lane.entity,
                 "the session key's validation entity id"),
    MAV2_OPT_FLAG_("global", send_opts, lane.global,
                   "it was installed as a global validation (nonce option 1)"),
    MAV2_OPT_STR("nonce-key", "K", send_opts, lane.lane, "the 152-bit user nonce lane (default 0)"),
    MAV2_OPT_SET("call", "TO,VALUE[,DATA]", send_opts, calls, mav2_cli_set_call,
                 "a call; VALUE in wei or with a unit (1ether, 5gwei)"),
    MAV2_OPT_FLAG_("exec-hooks", send_opts, exec_hooks,
                   "put executeUserOp in front of the call data (done\n"
                   "anyway when the validation has execution hooks)"),
    MAV2_OPT_STR("factory-owner", "ADDR", send_opts, factory_owner,
                 "deploy the account if it has no code: the semi-modular\n"
                 "account of this owner (checked to be --account)"),
    MAV2_OPT_STR("salt", "S", send_opts, salt, "its salt (default 0)"),
    {"factory", "ADDR", MAV2_OPT_STRING, offsetof(send_opts, factory), NULL, "any other factory",
     "--factory ADDR, --factory-data HEX", NULL, 0},
    MAV2_OPT_STR("factory-data", "HEX", send_opts, factory_data, NULL),
    MAV2_OPT_STR("chain-id", "N", send_opts, chain_id,
                 "refuse to sign unless node and bundler are on chain N\n"
                 "(decimal or 0x-hex); both are asked (eth_chainId), and\n"
                 "must agree with each other even without it"),
    MAV2_OPT_FLAG_("new", send_opts, net.force_new,
                   "sign a new op even if one is pending in the journal"),
    MAV2_OPT_GROUP_(mav2_cli_cost_group, send_opts, p),
    MAV2_OPT_GROUP_(mav2_cli_gas_group, send_opts, p),
    MAV2_OPT_STR("grant", "FILE|HEX", send_opts, grant,
                 "the owner's deferred grant (mav2 session-key grant, or\n"
                 "account kit's compileDeferred string): this first op of\n"
                 "the key installs it (nonce option 0x02, the grant in\n"
                 "front of the signature; executeUserOp when its flag says\n"
                 "execution hooks). Refused before signing: a deadline\n"
                 "passed, a grant not signed by the account's owner for\n"
                 "this chain, a lane past the grant's nonce. A grant already\n"
                 "used (the key installed) is ignored, said on stderr.\n"
                 "The first op's calls are checked against the grant's\n"
                 "own allowlist (none is installed yet)"),
    MAV2_OPT_STR("unsigned-out", "FILE", send_opts, unsigned_out,
                 "stop before signing (no --key needed): write the op with\n"
                 "the stub signature (JSON-RPC form) to FILE (- for\n"
                 "stdout), then userOpHash, chainId, entryPoint and\n"
                 "entityId lines to stdout (not with -), and the mav2 sign\n"
                 "and mav2 submit commands to run next to stderr; nothing\n"
                 "is sent or journaled"),
    MAV2_OPT_GROUP_(mav2_cli_sponsor_group, send_opts, p),
    MAV2_OPT_STR("paymaster-token", "ADDR", send_opts, tok.token_s,
                 "pay the gas in this ERC-20 token through the\n"
                 "--paymaster-url service (its context gets\n"
                 "\"erc20Context\": {tokenAddress, maxTokenAmount}); when the\n"
                 "account's allowance for the paymaster is below\n"
                 "--max-token-amount, approve(paymaster, that amount) is\n"
                 "batched in front of the calls (said on stderr)"),
    MAV2_OPT_STR("max-token-amount", "A", send_opts, tok.amount_s,
                 "the most the paymaster may take: A in tokens (2.5; the\n"
                 "token's decimals() is read from the node) or base units\n"
                 "as 0x-hex. Without it no cap is sent and nothing is\n"
                 "approved (a zero allowance is refused). A service that\n"
                 "finds the op's cost above it refuses: exit 3, nothing\n"
                 "signed"),
    MAV2_OPT_END_};

const mav2_cli_page mav2_page_send = {

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
    "              [--paymaster-token ADDR [--max-token-amount A]]\n"
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
    "OPTIONS\n",
    send_table,
    "\n" MAV2_CLI_SEND_OUTPUT_HELP "\n" MAV2_CLI_GUARD_HELP "\n"
    "EXAMPLES\n"
    "    mav2 send --rpc-url $RPC --account 0xAcc... --entity-id 1 --global \\\n"
    "      --key 'pkcs11:token=t;object=sk1?pin-source=file:pin' \\\n"
    "      --call 0xd8dA6BF26964aF9D7eEd9e03E53415D37aA96045,0.01ether\n"};

/* What send makes of the options; freed by send_state_clear. */
typedef struct {
    mav2_call calls[MAV2_CLI_MAX_CALLS];
    uint8_t *datas[MAV2_CLI_MAX_CALLS];
    size_t parsed;
    uint8_t factory[MAV2_ADDRESS_LEN], owner[MAV2_ADDRESS_LEN], *fdata;
    mav2_buf cd, fd;
    mav2_cli_grant gr;
} send_state;

static void send_state_clear(send_state *st)
{
    mav2_cli_grant_clear(&st->gr);
    for (size_t i = 0; i < st->parsed; i++)
        free(st->datas[i]);
    mav2_buf_free(&st->cd);
    mav2_buf_free(&st->fd);
    free(st->fdata);
}

/* The command line into o, the settings applied, the lane and chain id into o->p.
 * Exit code, MAV2_CLI_PARSED to go on. */
static int send_args(const mav2_cli_cmd *self, send_opts *o, int argc, char **argv)
{
    mav2_send_params *p = &o->p;
    int rc;

    if ((rc = mav2_cli_opts_parse(self, o, argc, argv)) != MAV2_CLI_PARSED)
        return rc;
    if (!mav2_cli_apply_settings(self, &o->net, &o->lane, &o->key, &o->pin))
        return MAV2_EXIT_USAGE;
    if (p->paymaster_url == NULL && p->gas_policy_id == NULL) { /* the profile's sponsor */
        p->paymaster_url = mav2_cli_setting("paymaster-url", NULL);
        if (p->paymaster_url == NULL)
            p->gas_policy_id = mav2_cli_setting("gas-policy-id", NULL);
    }
    if (mav2_cli_erc20_check(self, &o->tok, p) != MAV2_EXIT_OK)
        return MAV2_EXIT_USAGE;
    if (!mav2_cli_require(self, "--rpc-url", o->net.rpc_url, "--account", o->lane.account, "--key",
                          o->key != NULL ? o->key : o->unsigned_out, "--entity-id", o->lane.entity,
                          "--call", o->calls.n > 0 ? "" : NULL, (const char *)NULL) ||
        !mav2_cli_lane_params(self, &o->lane, p))
        return MAV2_EXIT_USAGE;
    if (o->chain_id != NULL && !mav2_cli_chain_id(self, o->chain_id, &p->chain_id))
        return MAV2_EXIT_USAGE;
    return MAV2_CLI_PARSED;
}

/* --factory-owner [--salt]: the semi-modular account's factory data, checked to
 * deploy --account. Exit code. */
static int send_factory_owner(const mav2_cli_cmd *self, send_opts *o, send_state *st)
{
    uint8_t predicted[MAV2_ADDRESS_LEN];
    char a[MAV2_ADDRESS_STR_MAX];
    mav2_u256 salt;

    mav2_u256_from_u64(&salt, 0);
    if (!mav2_cli_address(self, "--factory-owner", o->factory_owner, st->owner))
        return MAV2_EXIT_USAGE;
    if (o->salt != NULL && !mav2_u256_parse(&salt, o->salt))
        return mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, "--salt");
    if (!mav2_sma_address(NULL, NULL, st->owner, &salt, predicted) ||
        !mav2_factory_data_sma(st->owner, &salt, &st->fd))
        return mav2_cli_fail_lib(self, MAV2_EXIT_INTERNAL, "factory data");
    if (memcmp(predicted, o->p.account, MAV2_ADDRESS_LEN) != 0) {
        mav2_address_format(predicted, a);
        return mav2_cli_fail(self, MAV2_EXIT_USAGE,
                             "--account is not the account of --factory-owner with this salt "
                             "(that is %s)",
                             a);
    }
    o->p.factory = mav2_addr_factory;
    o->p.factory_data = st->fd.data;
    o->p.factory_data_len = st->fd.len;
    return MAV2_EXIT_OK;
}

/* The factory options into o->p. Exit code. */
static int send_factory(const mav2_cli_cmd *self, send_opts *o, send_state *st)
{
    const char *why = NULL;
    size_t len = 0;

    if (o->factory_owner != NULL && (o->factory != NULL || o->factory_data != NULL))
        return mav2_cli_fail(self, MAV2_EXIT_USAGE,
                             "--factory-owner and --factory/--factory-data exclude each other");
    if ((o->factory == NULL) != (o->factory_data == NULL))
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--factory and --factory-data go together");
    if (o->salt != NULL && o->factory_owner == NULL)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--salt needs --factory-owner");
    if (o->factory_owner != NULL)
        return send_factory_owner(self, o, st);
    if (o->factory == NULL)
        return MAV2_EXIT_OK;
    if (!mav2_cli_address(self, "--factory", o->factory, st->factory))
        return MAV2_EXIT_USAGE;
    if (!mh_hex_decode_alloc(o->factory_data, &st->fdata, &len, &why))
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--factory-data: %s", why);
    o->p.factory = st->factory;
    o->p.factory_data = st->fdata;
    o->p.factory_data_len = len;
    return MAV2_EXIT_OK;
}

/* --grant loaded, the --call options into the op's call data (o->p). Exit code. */
static int send_calldata(const mav2_cli_cmd *self, send_opts *o, send_state *st)
{
    int rc;

    if (o->grant != NULL && o->unsigned_out != NULL)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE,
                             "--grant and --unsigned-out exclude each other");
    if (o->grant != NULL &&
        (rc = mav2_cli_grant_load(self, o->grant, &o->p, &st->gr)) != MAV2_EXIT_OK)
        return rc;
    o->exec_hooks |= st->gr.g.exec_hooks; /* the grant's validation has execution hooks */
    for (; st->parsed < o->calls.n; st->parsed++)
        if (!mav2_cli_parse_call(self, o->calls.v[st->parsed], st->parsed + 1,
                                 &st->calls[st->parsed], &st->datas[st->parsed])) {
            st->parsed++;
            return MAV2_EXIT_USAGE;
        }
    /* a single value-0 call to the account itself goes unwrapped (execute would
     * call the account again: SelfCallRecursionDepthExceeded) */
    if (!mav2_calldata_for_calls(o->p.account, st->calls, o->calls.n, o->exec_hooks, &st->cd))
        return mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, "--call");
    o->p.call_data = st->cd.data;
    o->p.call_data_len = st->cd.len;
    return MAV2_EXIT_OK;
}

/* --grant: the checks before signing, with the session key's address. */
static int send_grant_check(const mav2_cli_cmd *self, mav2_rpc *node, EVP_PKEY *key,
                            const uint8_t *factory_owner, mav2_send_params *p, mav2_cli_grant *gr)
{
    uint8_t addr[MAV2_ADDRESS_LEN];
    if (!mav2_pkey_address(key, addr, NULL))
        return mav2_cli_fail_lib(self, MAV2_EXIT_KEY, "--key");
    return mav2_cli_grant_check(self, node, addr, factory_owner, p, gr);
}

/* The op signed with --key, sent, awaited. Exit code. */
static int send_signed(const mav2_cli_cmd *self, send_opts *o, send_state *st, mav2_rpc **node,
                       mav2_rpc **bundler, EVP_PKEY **key)
{
    int rc;

    if ((*key = mav2_cli_load_key(self, o->key, o->pin, 1)) == NULL)
        return MAV2_EXIT_KEY;
    if ((rc = mav2_cli_net_open(self, &o->net, node, bundler)) != MAV2_EXIT_OK ||
        (rc = mav2_cli_erc20_params(self, &o->tok, *node, &o->p)) != MAV2_EXIT_OK)
        return rc;
    if (o->grant != NULL &&
        ((rc = send_grant_check(self, *node, *key, o->factory_owner ? st->owner : NULL, &o->p,
                                &st->gr)) != MAV2_EXIT_OK ||
         (o->p.sig_prefix != NULL &&
          (rc = mav2_cli_grant_allowlist(self, &st->gr, st->cd.data, st->cd.len)) != MAV2_EXIT_OK)))
        return rc;
    return mav2_cli_send_op(self, &o->net, *node, *bundler, &o->p, *key);
}

/* --unsigned-out: p through mav2_send up to signing (params.unsigned_only); the op
 * (JSON-RPC form, stub signature) to path ("-": stdout); chain id, entry point,
 * entity and userOpHash on stderr (and stdout). Exit code. */
static int send_unsigned(const mav2_cli_cmd *cmd, mav2_rpc *node, mav2_rpc *bundler,
                         mav2_send_params *p, const char *path)
{
    mav2_send_result r;
    char hash[67], ep[MAV2_ADDRESS_STR_MAX];
    const char *text;
    uint64_t chain = 0;
    int rc;
    FILE *f;

    p->unsigned_only = 1;
    p->no_journal = 1;
    p->sign = NULL;
    if (!mav2_cli_send_defaults(cmd, p))
        return MAV2_EXIT_USAGE;
    if (!mav2_send(node, bundler, p, &r)) {
        rc = r.outcome == MAV2_SEND_REJECTED  ? MAV2_EXIT_REJECTED
             : r.outcome == MAV2_SEND_NETWORK ? MAV2_EXIT_NETWORK
                                              : MAV2_EXIT_USAGE;
        mav2_cli_fail_lib(cmd, rc, NULL);
        goto out;
    }
    if ((rc = mav2_cli_chain_of(cmd, node, &chain)) != MAV2_EXIT_OK)
        goto out;
    text = r.user_op;
    f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
    if (f == NULL || fprintf(f, "%s\n", text) < 0 || (f != stdout ? fclose(f) : fflush(f)) != 0) {
        rc = mav2_cli_fail(cmd, MAV2_EXIT_INTERNAL, "--unsigned-out: cannot write %s", path);
        goto out;
    }
    mh_hex_encode(r.user_op_hash, 32, hash, sizeof(hash), 1);
    mav2_address_format(p->entry_point ? p->entry_point : mav2_entry_point_v07, ep);
    fprintf(stderr,
            "mav2 %s: unsigned op written to %s (nothing sent): chain id %llu, entry point "
            "%s, entity %u, userOpHash %s\n"
            "mav2 %s: sign it with mav2 sign --userop %s --chain-id %llu%s%s --key ..., then "
            "mav2 submit\n",
            cmd->name, path, (unsigned long long)chain, ep, p->entity_id, hash, cmd->name, path,
            (unsigned long long)chain, p->entry_point ? " --entry-point " : "",
            p->entry_point ? ep : "");
    if (strcmp(path, "-") != 0 &&
        (printf("userOpHash %s\nchainId %llu\nentryPoint %s\nentityId %u\n", hash,
                (unsigned long long)chain, ep, p->entity_id) < 0 ||
         fflush(stdout) == EOF))
        rc = mav2_cli_fail(cmd, MAV2_EXIT_INTERNAL, "cannot write the output");
out:
    mav2_send_result_clear(&r);
    return rc;
}

int mav2_cmd_send(const mav2_cli_cmd *self, int argc, char **argv)
{
    send_opts o;
    send_state st;
    mav2_rpc *node = NULL, *bundler = NULL;
    EVP_PKEY *key = NULL;
    int rc;

    memset(&o, 0, sizeof(o));
    memset(&st, 0, sizeof(st));
    mav2_cli_net_init(&o.net);
    mav2_send_params_init(&o.p);
    if ((rc = send_args(self, &o, argc, argv)) != MAV2_CLI_PARSED)
        return rc;
    if ((rc = send_factory(self, &o, &st)) != MAV2_EXIT_OK ||
        (rc = send_calldata(self, &o, &st)) != MAV2_EXIT_OK)
        goto out;
    if (o.unsigned_out != NULL) { /* no key: it signs offline (mav2 sign) */
        if ((rc = mav2_cli_net_open(self, &o.net, &node, &bundler)) == MAV2_EXIT_OK &&
            (rc = mav2_cli_erc20_params(self, &o.tok, node, &o.p)) == MAV2_EXIT_OK)
            rc = send_unsigned(self, node, bundler, &o.p, o.unsigned_out);
    } else
        rc = send_signed(self, &o, &st, &node, &bundler, &key);
out:
    send_state_clear(&st);
    mav2_cli_net_close(node, bundler);
    EVP_PKEY_free(key);
    return rc;
}
