/* SPDX-License-Identifier: Apache-2.0 */
/* owner.h: what the owner-side session-key commands share (session_key_install.c,
 * session_key_revoke.c, session_key_update.c; owner.c): the owner options, their
 * checks, and the connection that reads the session key's entity before the owner
 * signs anything. */
#ifndef MAV2_CLI_OWNER_H
#define MAV2_CLI_OWNER_H

#include <stdint.h>

#include <openssl/evp.h>

#include "mav2/core/abi.h"
#include "mav2/core/buf.h"
#include "mav2/cli/online.h"

/* The owner options, as the command line gives them (and checked by owner_prepare). */
typedef struct {
    mav2_cli_net net;
    const char *account_s, *owner_key, *pin, *entity_s, *owner_entity_s;
    const char *factory_owner_s, *salt_s;
    uint8_t account[MAV2_ADDRESS_LEN];
    uint32_t entity, owner_entity;
} owner_args;

/* Option groups over an owner_args (mav2_cli_net_init its net first): the network
 * options (shown as three lines: "as in mav2 send"), --account, --owner-key,
 * --pin-source, --entity-id, --owner-entity-id; and --factory-owner, --salt (the
 * commands that may deploy the account: install, revoke). */
extern const mav2_cli_opt mav2_cli_owner_group[];
extern const mav2_cli_opt mav2_cli_deploy_group[];

/* The owner's user op under way: its parameters, the owner key, the clients and
 * what the chain says of the session key's entity. owner_op_init it first,
 * owner_op_clear it last (whatever happened in between). */
typedef struct {
    mav2_send_params p;
    mav2_buf fd; /* the factory data (--factory-owner) p points into */
    EVP_PKEY *key;
    mav2_rpc *node, *bundler;
    mav2_validation_data vd; /* the entity's validation data */
    int in_use, deployed;    /* something is installed at the entity; the account has code */
} owner_op;

void owner_op_init(owner_op *op);
void owner_op_clear(owner_op *op);
/* The owner options checked (settings applied), op->p and op->fd made from them.
 * Returns an exit code. */
int owner_prepare(const mav2_cli_cmd *self, owner_args *a, owner_op *op);
/* Loads the owner key, opens the clients, reads the entity (op->vd, op->in_use,
 * op->deployed). Returns an exit code. */
int owner_connect(const mav2_cli_cmd *self, owner_args *a, owner_op *op);
/* owner_prepare, owner_connect, and the entity must be installed (else one line,
 * exit 1): for the commands that change an installed key. Returns an exit code. */
int owner_open_installed(const mav2_cli_cmd *self, owner_args *a, owner_op *op);
/* Sends op (call data cd, from the account to itself or a module) signed by the
 * owner and waits for it (mav2_cli_send_op). Returns an exit code. */
int owner_op_send(const mav2_cli_cmd *self, owner_args *a, owner_op *op, const mav2_buf *cd);

/* uninstallValidation of the entity (its hooks' uninstall data in the reverse order
 * of vd: validation hooks, then execution hooks) into out. 1, or 0 with
 * mav2_last_error set. */
int owner_revoke_calldata(const mav2_validation_data *vd, uint32_t entity, mav2_buf *out);

/* The owner-side subcommands of mav2 session-key. */
int mav2_cmd_session_install(const mav2_cli_cmd *self, int argc, char **argv);
int mav2_cmd_session_revoke(const mav2_cli_cmd *self, int argc, char **argv);
int mav2_cmd_session_update(const mav2_cli_cmd *self, int argc, char **argv);
extern const mav2_cli_page mav2_page_session_install, mav2_page_session_revoke,
    mav2_page_session_update;

#endif
