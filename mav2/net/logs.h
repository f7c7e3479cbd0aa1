/* SPDX-License-Identifier: Apache-2.0 */
/* logs.h: eth_getLogs over a block range in pages, as hosted providers need (they cap
 * the range of one call, or the size of its answer), and the block an account was
 * deployed in (where its logs can start). Functions returning int return 1, or 0 with
 * mav2_last_error() set (and mav2_rpc_last_error(node) for a JSON-RPC failure). */
#ifndef MAV2_LOGS_H
#define MAV2_LOGS_H

#include <stdint.h>

#include <json-c/json.h>

#include "mav2/net/rpc_json.h"
#include "mav2/core/address.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The logs matching filter (an eth_getLogs filter object without fromBlock / toBlock,
 * borrowed) from block from to the latest block (read once first), in order, into
 * *logs (a new JSON array). A page the node answers with a JSON-RPC error is split in
 * two and both halves asked, down to one block; *pages (may be NULL) gets the number of
 * eth_getLogs calls made. */
int mav2_get_logs(mav2_rpc *node, json_object *filter, uint64_t from, json_object **logs,
                  unsigned *pages);

/* The first block at which account has code (binary search on eth_getCode), into
 * *block; *deployed 0 (and *block 0) when it has none at the latest block. */
int mav2_deploy_block(mav2_rpc *node, const uint8_t account[MAV2_ADDRESS_LEN], uint64_t *block,
                      int *deployed);

#ifdef __cplusplus
}
#endif
#endif
