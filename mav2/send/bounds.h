/* SPDX-License-Identifier: Apache-2.0 */
/* bounds.h: what the send flow (send.h) checks the node's and bundler's numbers against
 * before anything is signed: per-chain defaults (cost cap, priority-fee ceiling,
 * preVerificationGas margin), the reference preVerificationGas formula, and the
 * checks of an op's gas limits, priority fee and maximum cost.
 *
 * Defaults per chain (the generic entry for any other chain):
 *   chain                          max cost    priority fee   preVerificationGas
 *   1 Ethereum                     0.05        100 gwei       formula x 2
 *   11155111 Sepolia, 17000
 *   Holesky, 560048 Hoodi          0.1         100 gwei       formula x 2
 *   137 Polygon, 80002 Amoy        5 (POL)     5000 gwei      formula x 2
 *   10 OP, 8453 Base, 11155420
 *   OP Sepolia, 84532 Base Sepolia 0.01        10 gwei        formula x 100 (L1 data)
 *   42161 Arbitrum One, 421614
 *   Arbitrum Sepolia               0.01        10 gwei        not bounded (L1 data)
 *   31337 local devnet (anvil)     1           100 gwei       formula x 2
 *   any other chain                0.05        100 gwei       formula x 20
 * Max cost is in the chain's native coin (18 decimals). On the rollups the
 * preVerificationGas carries the L1 data fee (ERC4337.md): there the cost cap is what
 * bounds it. */
#ifndef MAV2_BOUNDS_H
#define MAV2_BOUNDS_H

#include <stdint.h>

#include "mav2/send/send.h"
#include "mav2/core/u256.h"
#include "mav2/core/userop.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint64_t chain_id;            /* 0 for the generic entry */
    const char *name;             /* "Ethereum", ..., "other chain" */
    const char *max_cost;         /* default cost cap in the native coin ("0.05ether") */
    const char *max_priority_fee; /* default priority-fee ceiling ("100gwei") */
    const char *pvg_mul;          /* default preVerificationGas margin; "0" = not bounded */
} mav2_chain_bounds;

/* The entry of chain_id, or the generic entry. Never NULL. */
const mav2_chain_bounds *mav2_chain_bounds_for(uint64_t chain_id);

/* preVerificationGas by the reference bundler's formula (ERC4337.md): op packed with
 * preVerificationGas 21000 and a signature of max(65, its length) non-zero bytes,
 * sum of its ABI encoding's bytes (zero 4, non-zero 16) + 21000 + 18300 + 4 per
 * 32-byte word. Returns 1, or 0 with mav2_last_error() set (a field too large). */
int mav2_bounds_pvg_formula(const mav2_userop *op, mav2_u256 *out);

/* The op's maximum cost in wei: (callGasLimit + verificationGasLimit +
 * preVerificationGas + paymasterVerificationGasLimit + paymasterPostOpGasLimit) x
 * maxFeePerGas. 0 when it overflows 256 bits. */
int mav2_bounds_op_max_cost(const mav2_userop *op, mav2_u256 *cost);
/* The cost cap for chain_id: p->max_cost_wei, or the chain's default when it is zero. */
void mav2_bounds_max_cost(const mav2_send_params *p, uint64_t chain_id, mav2_u256 *cap);

/* The priority-fee ceiling for chain_id: p->max_priority_fee_wei, or the chain's
 * default when it is zero. */
void mav2_bounds_max_priority_fee(const mav2_send_params *p, uint64_t chain_id, mav2_u256 *ceiling);

/* Checks op's gas limits against p's ceilings (send.h) and its preVerificationGas
 * against the formula times p->pvg_max_mul (NULL: the chain's margin). Returns 1, or
 * 0 with mav2_last_error() one sentence naming the field, its value and the bound. */
int mav2_bounds_check_gas(const mav2_send_params *p, uint64_t chain_id, const mav2_userop *op);

#ifdef __cplusplus
}
#endif
#endif
