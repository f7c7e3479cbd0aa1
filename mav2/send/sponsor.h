/* SPDX-License-Identifier: Apache-2.0 */
/* sponsor.h (internal to libmav2, not installed): paymaster sponsorship for the send
 * flow (send.h): ERC-7677 paymaster services (pm_getPaymasterStubData /
 * pm_getPaymasterData) and Alchemy's Gas Manager (alchemy_requestGasAndPaymasterAndData).
 * Each call fills the user op's fields from the answer. On failure: 0, *outcome
 * REJECTED (the service answered an error, explained) or NETWORK, and
 * mav2_last_error() one sentence. */
#ifndef MAV2_SPONSOR_H
#define MAV2_SPONSOR_H

#include <stdint.h>

#include "mav2/net/rpc_json.h"
#include "mav2/send/send.h"
#include "mav2/core/userop.h"
#include "mav2/core/userop_json.h"
#include "mav2/core/address.h"

/* Which paymaster gas limits the service set (the bundler's estimate fills the rest). */
#define MAV2_SPONSOR_PM_VGL  1
#define MAV2_SPONSOR_PM_POST 2

/* 1 if text is NULL or a JSON object, else 0 with the error set. */
int mav2_sponsor_check_context(const char *text);

/* With p->paymaster_token: "erc20Context": {"tokenAddress", "maxTokenAmount"?} added to
 * the service context ctx (send.h). */
void mav2_sponsor_erc20_context(json_object *ctx, const mav2_send_params *p);

/* pm_getPaymasterStubData (final = 0) or pm_getPaymasterData (final = 1) with params
 * [op_json, entryPoint, chainId as 0x-hex, context]; sets op's paymaster fields and
 * ORs MAV2_SPONSOR_PM_* into *given for the limits the answer had. *is_final gets the
 * answer's isFinal (stub only; may be NULL). */
int mav2_sponsor_erc7677(mav2_rpc *pm, int final, const mav2_send_params *p,
                         const uint8_t ep[MAV2_ADDRESS_LEN], uint64_t chain_id,
                         json_object *op_json, mav2_userop *op, int *given, int *is_final,
                         mav2_send_outcome *outcome);

/* alchemy_requestGasAndPaymasterAndData on the bundler: op's sender, nonce, factory and
 * call data go out with the stub signature; gas limits, fees and paymaster fields come
 * back into op. fee/prio NULL: overrides are p's multipliers; else these absolute fees
 * (a replacement). */
int mav2_sponsor_gas_manager(mav2_rpc *bundler, const mav2_send_params *p,
                             const uint8_t ep[MAV2_ADDRESS_LEN], mav2_userop *op,
                             const mav2_u256 *fee, const mav2_u256 *prio,
                             mav2_send_outcome *outcome);

#endif
