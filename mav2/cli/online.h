/* online.h: what the online subcommands (send, receipt, session-key, account) share:
 * node and bundler options, one user op through the send flow (send.h) signed by a
 * key, the receipt printed, send outcomes mapped to the exit codes of cli.h. */
#ifndef MAV2_CLI_ONLINE_H
#define MAV2_CLI_ONLINE_H

#include <stdint.h>

#include <openssl/evp.h>

#include "mav2/buf.h"
#include "mav2/cli/cli.h"
#include "mav2/rpc.h"
#include "mav2/send.h"

int mav2_cmd_send(const mav2_cli_cmd *self, int argc, char **argv);
int mav2_cmd_receipt(const mav2_cli_cmd *self, int argc, char **argv);
int mav2_cmd_session_key(const mav2_cli_cmd *self, int argc, char **argv);
int mav2_cmd_account(const mav2_cli_cmd *self, int argc, char **argv);
int mav2_cmd_submit(const mav2_cli_cmd *self, int argc, char **argv);
extern const char mav2_help_send[], mav2_help_receipt[], mav2_help_session_key[],
    mav2_help_account[], mav2_help_submit[];

/* Network options common to the online commands. */
typedef struct {
    const char *rpc_url;     /* node (and bundler unless bundler_url) */
    const char *bundler_url; /* NULL: rpc_url */
    long timeout_s;          /* receipt wait; default 120 */
    long poll_ms;            /* first receipt poll; default the library's */
    int json;
    int force_new; /* --new: sign a new op even if one is journaled */
} mav2_cli_net;

void mav2_cli_net_init(mav2_cli_net *n);

/* Opens the clients (*bundler == *node when there is one URL). Prints the error and
 * returns 0 on failure. */
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

/* Exit code for a JSON-RPC failure (3 when the server answered an error, else 5). */
int mav2_cli_rpc_exit(const mav2_rpc_error *e);

/* A uint32 option (decimal or 0x-hex); prints the error and returns 0 if bad. */
int mav2_cli_u32(const mav2_cli_cmd *cmd, const char *name, const char *s, uint32_t *out);

/* Runs p through mav2_send with key signing (the 0xFF 0x00 r s v user-op signature),
 * prints the userOpHash first (stdout, flushed, as soon as the bundler has it),
 * progress on stderr, then the receipt. p's sign, progress and waiting fields are
 * set here from n. Returns the exit code. */
int mav2_cli_send_op(const mav2_cli_cmd *cmd, const mav2_cli_net *n, mav2_rpc *node,
                     mav2_rpc *bundler, mav2_send_params *p, EVP_PKEY *key);

/* mav2 send --unsigned-out: runs p through mav2_send up to signing (params.unsigned_only)
 * and writes the op (JSON-RPC form, stub signature) to path ("-": stdout); chain id,
 * entry point, entity and userOpHash on stderr (and stdout). Returns the exit code. */
int mav2_cli_send_unsigned(const mav2_cli_cmd *cmd, const mav2_cli_net *n, mav2_rpc *node,
                           mav2_rpc *bundler, mav2_send_params *p, const char *path);

#endif
