/* SPDX-License-Identifier: Apache-2.0 */
/* hooks.h: THE HOOK POINT of mav2d for the off-chain policy engine and the audit
 * ledger (issue 14; wired in by the lead once those modules are merged). Every op
 * passes here, in this order, and nowhere else:
 *   1. mavd_hooks.policy_check   before anything is signed (the lane, the calls);
 *                                0 refuses the request with *why (the rule named)
 *   2. mavd_hooks.ledger_signed  right after the token signed (userOpHash known)
 *   3. mavd_hooks.ledger_outcome when the op's fate is known (included / reverted /
 *                                refused by the bundler / failed)
 * The defaults accept everything and record nothing. Hooks are called from lane
 * threads and the receipt poller, concurrently: they must be thread-safe. */
#ifndef MAV2D_HOOKS_H
#define MAV2D_HOOKS_H

#include <stddef.h>
#include <stdint.h>

#include "mav2/core/account.h"

typedef struct {
    uint64_t chain_id;
    const uint8_t *account; /* 20 bytes */
    uint32_t entity_id;
    unsigned lane;
    const mav2_call *calls;
    size_t n_calls;
    const char *paymaster_url; /* NULL: the account pays */
} mavd_op_info;

typedef enum { MAVD_OUTCOME_INCLUDED, MAVD_OUTCOME_REVERTED, MAVD_OUTCOME_FAILED } mavd_outcome;

typedef struct {
    int (*policy_check)(void *ctx, const mavd_op_info *op, char *why, size_t cap);
    void (*ledger_signed)(void *ctx, const mavd_op_info *op, const uint8_t user_op_hash[32]);
    void (*ledger_outcome)(void *ctx, const uint8_t user_op_hash[32], mavd_outcome outcome,
                           const char *tx_hash);
    void *ctx;
} mavd_hook_table;

/* Set before the lanes start (main.c); the defaults are no-ops. */
extern mavd_hook_table mavd_hooks;

#endif
