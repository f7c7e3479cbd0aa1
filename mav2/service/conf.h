/* SPDX-License-Identifier: Apache-2.0 */
/* conf.h: mav2d's configuration: one profile of the settings file (settings.h: chain,
 * rpc-url, bundler-url, account, key, entity-id, global, pin-source, paymaster-url)
 * and its [service] section (listen, tcp, bearer-token-file, lanes, state-dir,
 * poll-interval, state, state-password-file, lease, state-wait). Errors name FILE:LINE
 * or the missing setting. */
#ifndef MAV2D_CONF_H
#define MAV2D_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "mav2/send/policy.h"

#define MAVD_MAX_LANES 64

typedef struct {
    char *path;
    char *rpc_url, *bundler_url, *key_uri, *pin_source, *paymaster_url;
    char *listen, *tcp, *state_dir;
    char *state_url;           /* state.h URL: NULL = files in state-dir (the default) */
    char *state_password_file; /* the database password's file, or NULL */
    int lease_ms;              /* a lane's lease (PostgreSQL) */
    int state_wait_ms;         /* how long opening and a state call wait for the database */
    uint64_t chain_id;         /* expected chain (0: the node's) */
    uint8_t account[20];
    uint32_t entity_id;
    int global;
    unsigned lanes;
    long poll_ms;
    char tcp_host[64];
    unsigned tcp_port;
    char *token; /* the bearer token (tcp only), wiped when freed */
    size_t token_len;
    mav2_policy *policy; /* the profile's policy-* settings; NULL: none */
    char *ledger;        /* the audit ledger (profile "ledger", default STATE_DIR/ledger.jsonl);
                            NULL: "ledger = off" */
} mavd_conf;

/* Loads path; profile NULL = the [service] profile setting, else "default".
 * Returns 1, or 0 with mav2_last_error() one line. */
int mavd_conf_load(const char *path, const char *profile, mavd_conf *c);
void mavd_conf_free(mavd_conf *c);

#endif
