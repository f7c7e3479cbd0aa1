/* SPDX-License-Identifier: Apache-2.0 */
/* api.h: mav2d's JSON-RPC 2.0 methods (EIP-5792 version 2.0.0): wallet_sendCalls,
 * wallet_getCallsStatus, wallet_getCapabilities, eth_chainId, eth_accounts. */
#ifndef MAV2D_API_H
#define MAV2D_API_H

#include <stddef.h>
#include <stdint.h>

#include "mav2/service/conf.h"
#include "mav2/service/lanes.h"

typedef struct {
    const mavd_conf *conf;
    mavd_lanes *lanes;
    uint64_t chain_id; /* the node's */
} mavd_api;

/* Answers a request body (one call or a batch); a malloc'd JSON text. */
char *mavd_api_handle(mavd_api *a, const char *body, size_t len);

#endif
