/* SPDX-License-Identifier: Apache-2.0 */
/* erc20_gas.h (internal to libmav2, not installed): gas paid in an ERC-20 token through
 * an ERC-7677 paymaster service (send.h: paymaster_token, max_token_amount): the
 * erc20Context of the service's context, and approve(paymaster, amount) batched in
 * front of the op's calls when the account's allowance is short. */
#ifndef MAV2_ERC20_GAS_H
#define MAV2_ERC20_GAS_H

#include <json-c/json.h>

#include "mav2/core/userop.h"
#include "mav2/send/send.h"
#include "mav2/send/send_int.h"

/* 1 if p's token options are consistent (a token needs paymaster_url, a maximum
 * needs a token), else 0 with the error set. */
int mav2_erc20_check_params(const mav2_send_params *p);

/* With p->paymaster_token: adds the token and the maximum to the journaled intent o. */
void mav2_erc20_intent_add(json_object *o, const mav2_send_params *p);

/* With c->p->paymaster_token, before the op's gas: a stub call names the paymaster,
 * allowance(account, paymaster) is read, and when it is below the maximum,
 * approve(paymaster, maximum) goes in front of op's calls (c->note says so). The
 * paymaster fields are cleared again for the flow's own stub call. */
int mav2_send_erc20_approve(mav2_send_ctx *c, mav2_userop *op);

#endif
