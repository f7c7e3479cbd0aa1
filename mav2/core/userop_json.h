/* SPDX-License-Identifier: Apache-2.0 */
/* userop_json.h (not installed): the JSON-RPC form of a user op (userop.h) as json-c
 * objects, for libmav2's own modules, mav2 and mav2d. */
#ifndef MAV2_USEROP_JSON_H
#define MAV2_USEROP_JSON_H

#include <json-c/json.h>

#include "mav2/core/userop.h"

/* JSON-RPC form: sender, nonce, [factory, factoryData], callData, callGasLimit,
 * verificationGasLimit, preVerificationGas, maxFeePerGas, maxPriorityFeePerGas,
 * [paymaster, paymasterVerificationGasLimit, paymasterPostOpGasLimit, paymasterData],
 * signature. Quantities minimal hex, bytes 0x-hex, addresses EIP-55. */
int mav2_userop_to_json(const mav2_userop *op, json_object **out);
/* Strict parse of an object, as mav2_userop_from_json_string (userop.h) parses text.
 * op is initialised by the call (clear it even on failure). */
int mav2_userop_from_json(mav2_userop *op, json_object *obj);

#endif
