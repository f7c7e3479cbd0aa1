/* SPDX-License-Identifier: Apache-2.0 */
/* owner.h: what the owner-side session-key commands share (cmd_session.c: install,
 * revoke; cmd_session_update.c: update): the owner options, their checks, and the
 * connection that reads the session key's entity before the owner signs anything. */
#ifndef MAV2_CLI_OWNER_H
#define MAV2_CLI_OWNER_H

#include <stdint.h>

#include <openssl/evp.h>

#include "mav2/core/abi.h"
#include "mav2/core/buf.h"
#include "mav2/cli/online.h"

/* Options both take; the permission ones only install. */
typedef struct {
    mav2_cli_net net;
    const char *account_s, *owner_key, *pin, *entity_s, *owner_entity_s;
    const char *factory_owner_s, *salt_s;
    uint8_t account[20];
    uint32_t entity, owner_entity;
} owner_args;

#define OWNER_OPTS                                                                                 \
    MAV2_CLI_NET_OPTS, {"account", required_argument, NULL, 'a'},                                  \
        {"owner-key", required_argument, NULL, 'k'}, {"pin-source", required_argument, NULL, 'p'}, \
        {"entity-id", required_argument, NULL, 'e'},                                               \
        {"owner-entity-id", required_argument, NULL, 'E'},                                         \
        {"factory-owner", required_argument, NULL, 'o'},                                           \
    {                                                                                              \
        "salt", required_argument, NULL, 's'                                                       \
    }

/* Common option checks and factory data into p / fd; returns an exit code. */
int owner_prepare(const mav2_cli_cmd *self, owner_args *a, mav2_send_params *p, mav2_buf *fd);
/* Returns 1 if c was an owner option, 2 if its value was bad. */
int owner_opt(const mav2_cli_cmd *self, owner_args *a, int c, const char *arg);
/* Loads the owner key, opens the clients, reads the entity: *vd (its validation data),
 * *in_use, *deployed. Returns an exit code. */
int owner_connect(const mav2_cli_cmd *self, owner_args *a, EVP_PKEY **key, mav2_rpc **node,
                  mav2_rpc **bundler, mav2_validation_data *vd, int *in_use, int *deployed);

/* mav2 session-key update (cmd_session_update.c). */
int mav2_cmd_session_update(const mav2_cli_cmd *self, int argc, char **argv);
extern const char mav2_help_session_update[];

#endif
