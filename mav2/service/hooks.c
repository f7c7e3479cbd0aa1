/* SPDX-License-Identifier: Apache-2.0 */
/* hooks.c: the default (no-op) policy and ledger hooks (hooks.h). */
#include "config.h"

#include "mav2/service/hooks.h"

static int accept_all(void *ctx, const mavd_op_info *op, char *why, size_t cap)
{
    (void)ctx, (void)op, (void)why, (void)cap;
    return 1;
}

static void no_signed(void *ctx, const mavd_op_info *op, const uint8_t user_op_hash[32])
{
    (void)ctx, (void)op, (void)user_op_hash;
}

static void no_outcome(void *ctx, const uint8_t user_op_hash[32], mavd_outcome outcome,
                       const char *tx_hash)
{
    (void)ctx, (void)user_op_hash, (void)outcome, (void)tx_hash;
}

mavd_hook_table mavd_hooks = {accept_all, no_signed, no_outcome, NULL};
