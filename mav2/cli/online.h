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

/* mav2 send (send.c), mav2 receipt (receipt.c): their pages have option tables. */
int mav2_cmd_send(const mav2_cli_cmd *self, int argc, char **argv);
int mav2_cmd_receipt(const mav2_cli_cmd *self, int argc, char **argv);
extern const mav2_cli_page mav2_page_send, mav2_page_receipt;
/* The OUTPUT and EXIT STATUS sections of mav2 send and mav2 receipt. */
#define MAV2_CLI_SEND_OUTPUT_HELP                                                                  \
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

int mav2_cmd_session_key(const mav2_cli_cmd *self, int argc, char **argv);
int mav2_cmd_account(const mav2_cli_cmd *self, int argc, char **argv);
int mav2_cmd_submit(const mav2_cli_cmd *self, int argc, char **argv);
extern const char mav2_help_session_key[];
extern const mav2_cli_page mav2_page_submit;  /* submit.c */
extern const mav2_cli_page mav2_page_account; /* account.c */

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

/* The lane options --account, --entity-id, --global, --nonce-key (NULL: not given). */
typedef struct {
    const char *account, *entity, *lane;
    int global;
} mav2_cli_lane;
/* l (account and entity given) into p's account, entity_id, nonce_options and lane.
 * Prints the error and returns 0 if bad. */
int mav2_cli_lane_params(const mav2_cli_cmd *cmd, const mav2_cli_lane *l, mav2_send_params *p);

/* The op mav2 receipt / mav2 replace act on: hash_s (32 bytes of 0x-hex) into hash
 * when given, else the lane l (account and entity) into p. Exit code. */
int mav2_cli_op_select(const mav2_cli_cmd *cmd, const char *hash_s, const mav2_cli_lane *l,
                       uint8_t hash[32], mav2_send_params *p);
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

/* Opens the clients (*bundler == *node when there is one URL), with the deadline
 * start_ms + timeout_s when timeout_s > 0. Returns MAV2_EXIT_OK, or the exit code
 * after printing the error. */
int mav2_cli_net_open(const mav2_cli_cmd *cmd, const mav2_cli_net *n, mav2_rpc **node,
                      mav2_rpc **bundler);
void mav2_cli_net_close(mav2_rpc *node, mav2_rpc *bundler);

/* eth_call(to, data) at "latest" into out. Returns MAV2_EXIT_OK or the exit code
 * after printing the error. */
int mav2_cli_eth_call(const mav2_cli_cmd *cmd, mav2_rpc *node, const uint8_t to[MAV2_ADDRESS_LEN],
                      const uint8_t *data, size_t len, mav2_buf *out);
/* eth_getCode(account) != "0x": *deployed. Exit code like mav2_cli_eth_call. */
int mav2_cli_has_code(const mav2_cli_cmd *cmd, mav2_rpc *node,
                      const uint8_t account[MAV2_ADDRESS_LEN], int *deployed);

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

#endif
