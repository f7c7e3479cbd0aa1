/* SPDX-License-Identifier: Apache-2.0 */
/* userop.h: ERC-4337 v0.7 user operations: the unpacked form (what JSON-RPC carries),
 * packing (initCode, accountGasLimits, gasFees, paymasterAndData), userOpHash for any
 * entry point and chain, and the JSON-RPC form as text both ways.
 * Functions returning int return 1, or 0 with mav2_last_error() naming the field. */
#ifndef MAV2_USEROP_H
#define MAV2_USEROP_H

#include <stddef.h>
#include <stdint.h>

#include "mav2/core/buf.h"
#include "mav2/core/u256.h"
#include "mav2/core/address.h"
#include "mav2/core/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* EntryPoint v0.7 0x0000000071727De22E5E9d8BAf0edAc6f37da032 */
extern const uint8_t mav2_entry_point_v07[MAV2_ADDRESS_LEN];
/* EntryPoint v0.8 0x4337084D9E255Ff0702461CF8895CE9E3b5Ff108 */
extern const uint8_t mav2_entry_point_v08[MAV2_ADDRESS_LEN];

/* Unpacked v0.7 user operation. Byte fields are owned mav2_bufs (mav2_userop_clear
 * frees them). A factory is present iff has_factory, a paymaster iff has_paymaster. */
typedef struct {
    uint8_t sender[MAV2_ADDRESS_LEN];
    mav2_u256 nonce;
    int has_factory;
    uint8_t factory[MAV2_ADDRESS_LEN];
    mav2_buf factory_data;
    mav2_buf call_data;
    mav2_u256 call_gas_limit;           /* uint128 when packed */
    mav2_u256 verification_gas_limit;   /* uint128 when packed */
    mav2_u256 pre_verification_gas;     /* uint256 */
    mav2_u256 max_fee_per_gas;          /* uint128 when packed */
    mav2_u256 max_priority_fee_per_gas; /* uint128 when packed */
    int has_paymaster;
    uint8_t paymaster[MAV2_ADDRESS_LEN];
    mav2_u256 paymaster_verification_gas_limit; /* uint128 */
    mav2_u256 paymaster_post_op_gas_limit;      /* uint128 */
    mav2_buf paymaster_data;
    mav2_buf signature;
} mav2_userop;

void mav2_userop_init(mav2_userop *op);
void mav2_userop_clear(mav2_userop *op);
/* Deep copy (dst is initialised by the call; clear it afterwards). */
int mav2_userop_copy(mav2_userop *dst, const mav2_userop *src);

/* PackedUserOperation fields that differ from the unpacked form. */
typedef struct {
    mav2_buf init_code;             /* factory || factoryData, empty without factory */
    uint8_t account_gas_limits[32]; /* uint128 verificationGasLimit || uint128 callGasLimit */
    uint8_t pre_verification_gas[32];
    uint8_t gas_fees[32];        /* uint128 maxPriorityFeePerGas || uint128 maxFeePerGas */
    mav2_buf paymaster_and_data; /* pm || uint128 pmVGL || uint128 pmPostOpGL || pmData */
} mav2_packed_userop;

/* Fails naming the field when a uint128 field does not fit 128 bits. */
int mav2_userop_pack(const mav2_userop *op, mav2_packed_userop *out);
void mav2_packed_userop_clear(mav2_packed_userop *p);

/* keccak256(abi.encode(sender, nonce, keccak(initCode), keccak(callData),
 * accountGasLimits, preVerificationGas, gasFees, keccak(paymasterAndData))) */
int mav2_userop_inner_hash(const mav2_userop *op, uint8_t out[32]);
/* keccak256(abi.encode(inner, entryPoint, chainId)): the v0.7 userOpHash. */
MAV2_WARN_UNUSED_RESULT int mav2_userop_hash(const mav2_userop *op,
                                             const uint8_t entry_point[MAV2_ADDRESS_LEN],
                                             uint64_t chain_id, uint8_t out[32]);
/* EntryPoint v0.8 EIP-712 hash (domain ERC4337 / 1 / chainId / entryPoint). */
MAV2_WARN_UNUSED_RESULT int mav2_userop_hash_v08(const mav2_userop *op,
                                                 const uint8_t entry_point[MAV2_ADDRESS_LEN],
                                                 uint64_t chain_id, uint8_t out[32]);

/* JSON-RPC form as text (a JSON object): sender, nonce, [factory, factoryData],
 * callData, callGasLimit, verificationGasLimit, preVerificationGas, maxFeePerGas,
 * maxPriorityFeePerGas, [paymaster, paymasterVerificationGasLimit,
 * paymasterPostOpGasLimit, paymasterData], signature. Quantities minimal hex, bytes
 * 0x-hex, addresses EIP-55. *out gets a new NUL-terminated string (the caller frees
 * it with free()). */
int mav2_userop_to_json_string(const mav2_userop *op, char **out);
/* Strict parse of that text: unknown keys, missing required keys, malformed hex, wrong
 * address length, quantities over 256 bits, uint128 fields over 128 bits, factoryData
 * without factory (and the like) are rejected with "field: what is wrong". A JSON null
 * counts as absent. op is initialised by the call (clear it even on failure). */
int mav2_userop_from_json_string(mav2_userop *op, const char *json);

#ifdef __cplusplus
}
#endif
#endif
