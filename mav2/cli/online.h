/* SPDX-License-Identifier: Apache-2.0 */
/* online.h: what the online subcommands (send, receipt, session-key, account) share:
 * node and bundler options, one user op through the send flow (send.h) signed by a
 * key, the receipt printed, send outcomes mapped to the exit codes of cli.h. */
#ifndef MAV2_CLI_ONLINE_H
#define MAV2_CLI_ONLINE_H

#include <stdint.h>

#include <openssl/evp.h>

#include "mav2/core/buf.h"
#include "mav2/cli/cli.h"
#include "mav2/cli/settings.h"
#include "mav2/net/rpc_json.h"
#include "mav2/send/send.h"
#include "mav2/keys/signer.h"
#include "mav2/core/u256.h"

int mav2_cmd_send(const mav2_cli_cmd *self, int argc, char **argv);
int mav2_cmd_receipt(const mav2_cli_cmd *self, int argc, char **argv);
int mav2_cmd_session_key(const mav2_cli_cmd *self, int argc, char **argv);
int mav2_cmd_account(const mav2_cli_cmd *self, int argc, char **argv);
int mav2_cmd_submit(const mav2_cli_cmd *self, int argc, char **argv);
extern const char mav2_help_send[], mav2_help_receipt[], mav2_help_session_key[],
    mav2_help_account[], mav2_help_submit[];
/* session-key install / revoke (cmd_session.c). */
extern const char mav2_help_session_install[], mav2_help_session_revoke[];

/* Network options common to the online commands. */
typedef struct {
    const char *rpc_url;     /* node (and bundler unless bundler_url) */
    const char *bundler_url; /* NULL: rpc_url */
    long timeout_s;          /* the whole command (> 0: a deadline on the clients, and the
                              * receipt wait); default 120 */
    long long start_ms;      /* mav2_rpc_now_ms() at mav2_cli_net_init */
    long poll_ms;            /* first receipt poll; default the library's */
    int json;
    int force_new; /* --new: sign a new op even if one is journaled */
} mav2_cli_net;

void mav2_cli_net_init(mav2_cli_net *n);

/* getopt_long entries of --rpc-url, --bundler-url, --timeout, --poll, --profile,
 * --chain, --json (values 'R' 'B' 'T' 'P' MAV2_OPT_PROFILE MAV2_OPT_CHAIN 'j'): put
 * them in an option table and hand every option to mav2_cli_net_opt. */
#define MAV2_CLI_NET_OPTS                                                                          \
    {"rpc-url", required_argument, NULL, 'R'}, {"bundler-url", required_argument, NULL, 'B'},      \
        {"timeout", required_argument, NULL, 'T'}, {"poll", required_argument, NULL, 'P'},         \
        {"profile", required_argument, NULL, MAV2_OPT_PROFILE},                                    \
        {"chain", required_argument, NULL, MAV2_OPT_CHAIN},                                        \
    {                                                                                              \
        "json", no_argument, NULL, 'j'                                                             \
    }

/* Handles option c (arg its value) into n: 1 if it was one of these, 2 if its value
 * was bad (error printed), 0 if not one of these. */
int mav2_cli_net_opt(const mav2_cli_cmd *cmd, mav2_cli_net *n, int c, const char *arg);

/* getopt_long entries of the lane options --account, --entity-id, --global, --nonce-key
 * (values 'a' 'e' 'g' 'n'), read by mav2_cli_lane_opt. */
#define MAV2_CLI_LANE_OPTS                                                                         \
    {"account", required_argument, NULL, 'a'}, {"entity-id", required_argument, NULL, 'e'},        \
        {"global", no_argument, NULL, 'g'},                                                        \
    {                                                                                              \
        "nonce-key", required_argument, NULL, 'n'                                                  \
    }

typedef struct {
    const char *account, *entity, *lane; /* NULL: not given */
    int global;
} mav2_cli_lane;

/* 1 if c was a lane option (stored in l), else 0. */
int mav2_cli_lane_opt(mav2_cli_lane *l, int c, const char *arg);
/* l (account and entity given) into p's account, entity_id, nonce_options and lane.
 * Prints the error and returns 0 if bad. */
int mav2_cli_lane_params(const mav2_cli_cmd *cmd, const mav2_cli_lane *l, mav2_send_params *p);

/* Fills what the command line left unset from the settings (environment, profile,
 * chain preset; mav2/cli/settings.h): n's URLs, l's account, entity and global (l may
 * be NULL), *key and *pin (either may be NULL). Prints the error and returns 0 when
 * the settings file, profile or chain is bad. */
int mav2_cli_apply_settings(const mav2_cli_cmd *cmd, mav2_cli_net *n, mav2_cli_lane *l,
                            const char **key, const char **pin);

/* p's expected chain id and max-cost from the settings when the options set none.
 * Prints the error and returns 0 if the settings' max-cost is bad. */
int mav2_cli_send_defaults(const mav2_cli_cmd *cmd, mav2_send_params *p);
/* 1 if url (given as option opt) is a well-formed http(s) URL, else prints why
 * (exit 1, only the scheme and host shown) and returns 0. Warns once per process
 * on stderr when it sends an API key over plain http to a non-loopback host. */
int mav2_cli_url_ok(const mav2_cli_cmd *cmd, const char *opt, const char *url);
/* A client for url (options o, NULL for the defaults) after mav2_cli_url_ok; NULL
 * after printing the error. */
mav2_rpc *mav2_cli_rpc_new(const mav2_cli_cmd *cmd, const char *opt, const char *url,
                           const mav2_rpc_options *o);

/* Opens the clients (*bundler == *node when there is one URL). Prints the error and
 * returns 0 on failure. */
/* getopt_long entries of the cost bounds --max-cost and --max-priority-fee (values
 * 0x310, 0x311) and of the gas bounds --max-verification-gas, --max-call-gas,
 * --max-paymaster-gas, --pvg-margin (0x312 .. 0x315), read by mav2_cli_bounds_opt. */
#define MAV2_CLI_COST_OPTS                                                                         \
    {"max-cost", required_argument, NULL, 0x310},                                                  \
    {                                                                                              \
        "max-priority-fee", required_argument, NULL, 0x311                                         \
    }
#define MAV2_CLI_GAS_OPTS                                                                          \
    {"max-verification-gas", required_argument, NULL, 0x312},                                      \
        {"max-call-gas", required_argument, NULL, 0x313},                                          \
        {"max-paymaster-gas", required_argument, NULL, 0x314},                                     \
    {                                                                                              \
        "pvg-margin", required_argument, NULL, 0x315                                               \
    }

#define MAV2_CLI_COST_HELP                                                                         \
    "    --max-cost AMOUNT    refuse to sign (exit 1, nothing sent or journaled) when\n"           \
    "                         the account pays and the op may cost more than AMOUNT\n"             \
    "                         (wei or with a unit: 0.01ether, 100gwei): all its gas\n"             \
    "                         limits x maxFeePerGas (a --replace-after replacement over\n"         \
    "                         it is not made: the first op is awaited). Not checked\n"             \
    "                         when sponsored. Default by chain id: 1 (Ethereum) 0.05\n"            \
    "                         ether; 11155111, 17000, 560048 (Sepolia, Holesky, Hoodi)\n"          \
    "                         0.1; 137, 80002 (Polygon, Amoy) 5 POL; 10, 8453, 42161\n"            \
    "                         and their Sepolia 11155420, 84532, 421614 (OP, Base,\n"              \
    "                         Arbitrum) 0.01; 31337 (devnet) 1; any other chain 0.05\n"            \
    "    --max-priority-fee AMOUNT  refuse a maxPriorityFeePerGas above AMOUNT (default\n"         \
    "                         100gwei; Polygon 5000gwei; OP, Base, Arbitrum 10gwei).\n"            \
    "                         maxFeePerGas is at most 2 x base fee + priority fee\n"
#define MAV2_CLI_GAS_HELP                                                                          \
    "    --max-verification-gas N, --max-call-gas N, --max-paymaster-gas N\n"                      \
    "                         refuse to sign (exit 1) when the bundler's (or the\n"                \
    "                         paymaster's) gas limit is above N (defaults 1500000,\n"              \
    "                         3000000, 500000; 0: no bound)\n"                                     \
    "    --pvg-margin X       refuse a preVerificationGas above X times the op's\n"                \
    "                         calldata cost (the ERC-4337 reference formula). Default\n"           \
    "                         2; 100 on OP and Base (L1 data fee); none on Arbitrum;\n"            \
    "                         20 on chains not listed under --max-cost; 0: no bound\n"

/* Handles a bounds option c (arg its value) into p: 1 if it was one, 2 if its value was
 * bad (error printed), 0 if not one of these. */
int mav2_cli_bounds_opt(const mav2_cli_cmd *cmd, mav2_send_params *p, int c, const char *arg);

/* Opens the clients (*bundler == *node when there is one URL), with the deadline
 * start_ms + timeout_s when timeout_s > 0. Prints the error and returns 0 on failure. */
int mav2_cli_net_open(const mav2_cli_cmd *cmd, const mav2_cli_net *n, mav2_rpc **node,
                      mav2_rpc **bundler);
void mav2_cli_net_close(mav2_rpc *node, mav2_rpc *bundler);

/* eth_call(to, data) at "latest" into out. Returns MAV2_EXIT_OK or the exit code
 * after printing the error. */
int mav2_cli_eth_call(const mav2_cli_cmd *cmd, mav2_rpc *node, const uint8_t to[20],
                      const uint8_t *data, size_t len, mav2_buf *out);
/* eth_getCode(account) != "0x": *deployed. Exit code like mav2_cli_eth_call. */
int mav2_cli_has_code(const mav2_cli_cmd *cmd, mav2_rpc *node, const uint8_t account[20],
                      int *deployed);

/* eth_chainId of the node into *chain. Exit code like mav2_cli_eth_call. */
int mav2_cli_chain_of(const mav2_cli_cmd *cmd, mav2_rpc *node, uint64_t *chain);

/* Exit code for a JSON-RPC failure (3 when the server answered an error, else 5). */
int mav2_cli_rpc_exit(const mav2_rpc_error *e);

/* Exit code of a send outcome; sign_failed: the signing callback failed. */
int mav2_cli_outcome_exit(mav2_send_outcome o, int sign_failed);

/* The signing callback of mav2_send_params (sign, sign_ctx a mav2_cli_signing): the
 * user-op signature 0xFF 0x00 r s v by signer; failed set when signing fails. */
typedef struct {
    mav2_signer *signer;
    int failed;
} mav2_cli_signing;
int mav2_cli_sign_cb(void *ctx, const uint8_t hash[32], mav2_buf *sig);

/* Runs p through mav2_send with key signing (the 0xFF 0x00 r s v user-op signature),
 * prints the userOpHash first (stdout, flushed, as soon as the bundler has it),
 * progress on stderr, then the receipt. p's sign, progress and waiting fields are
 * set here from n. Returns the exit code. */
int mav2_cli_send_op(const mav2_cli_cmd *cmd, const mav2_cli_net *n, mav2_rpc *node,
                     mav2_rpc *bundler, mav2_send_params *p, EVP_PKEY *key);

/* A journal entry (mav2/journal.h) to drop once its op is included. */
typedef struct {
    const char *dir;
    uint64_t chain;
    const uint8_t *account; /* 20 bytes */
    const mav2_u256 *key;   /* the nonce key */
} mav2_cli_journaled;

/* What mav2 receipt does once it has the userOpHash: prints it (stdout, unless
 * n->json), polls the bundler for the receipt (n's timeout and poll), prints the
 * receipt, drops j's entry (j may be NULL) once included. Returns the exit code. */
int mav2_cli_await(const mav2_cli_cmd *cmd, const mav2_cli_net *n, mav2_rpc *bundler,
                   const uint8_t hash[32], const mav2_cli_journaled *j);

/* mav2 send --unsigned-out: runs p through mav2_send up to signing (params.unsigned_only)
 * and writes the op (JSON-RPC form, stub signature) to path ("-": stdout); chain id,
 * entry point, entity and userOpHash on stderr (and stdout). Returns the exit code. */
int mav2_cli_send_unsigned(const mav2_cli_cmd *cmd, const mav2_cli_net *n, mav2_rpc *node,
                           mav2_rpc *bundler, mav2_send_params *p, const char *path);

#endif
