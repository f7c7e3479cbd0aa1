/* SPDX-License-Identifier: Apache-2.0 */
/* grant_cli.h: deferred grants in the CLI: `mav2 session-key grant|decode-grant`
 * (session_key_grant.c, session_key_decode_grant.c) and what `mav2 send --grant`
 * checks before anything is signed (send_grant.c). */
#ifndef MAV2_CLI_GRANT_CLI_H
#define MAV2_CLI_GRANT_CLI_H

#include <stdint.h>

#include "mav2/cli/cli.h"
#include "mav2/core/grant.h"
#include "mav2/net/rpc.h"
#include "mav2/send/send.h"

int mav2_cmd_session_grant(const mav2_cli_cmd *self, int argc, char **argv);
int mav2_cmd_session_decode_grant(const mav2_cli_cmd *self, int argc, char **argv);
extern const mav2_cli_page mav2_page_session_grant, mav2_page_session_decode_grant;

/* A grant given to mav2 send. */
typedef struct {
    mav2_grant g;
    mav2_buf prefix; /* the user-op signature prefix (mav2_grant_sig_prefix) */
} mav2_cli_grant;

/* Reads --grant (a file holding the hex string, or the hex string itself) and checks
 * it against the op's lane in p (entity, global, nonce key must be the grant's).
 * Returns an exit code (error printed). Clear gr with mav2_cli_grant_clear. */
int mav2_cli_grant_load(const mav2_cli_cmd *cmd, const char *spec, const mav2_send_params *p,
                        mav2_cli_grant *gr);
/* The checks before signing, on the node (its reads in one JSON-RPC batch; one call at
 * a time for a node that refuses batches, rpc_caps.h): the deadline not past (by the
 * latest block's timestamp); the owner recovered for the node's chain and p->account is
 * the account's owner (read with getFallbackSignerData, or factory_owner for an account
 * without code: NULL then refuses); the key installed at the entity as session_key: the
 * grant was used, it is ignored (one line on stderr); the entity held by another key:
 * refused; else the deferred lane must be at the grant's sequence. When the grant is to
 * be used, p gets the deferred nonce option and the signature prefix (pointing into
 * gr). Returns an exit code. */
int mav2_cli_grant_check(const mav2_cli_cmd *cmd, mav2_rpc *node,
                         const uint8_t session_key[MAV2_ADDRESS_LEN], const uint8_t *factory_owner,
                         mav2_send_params *p, mav2_cli_grant *gr);
/* The grant's own allowlist (its AllowlistModule validation hooks, read from its
 * installValidation) applied to every call of call_data, as the module's rule: the
 * first op installs the key, so send's check of the on-chain allowlist finds none yet.
 * A call off it is refused (exit 3, "refused before signing", the call named). */
int mav2_cli_grant_allowlist(const mav2_cli_cmd *cmd, const mav2_cli_grant *gr,
                             const uint8_t *call_data, size_t len);
void mav2_cli_grant_clear(mav2_cli_grant *gr);

#endif
