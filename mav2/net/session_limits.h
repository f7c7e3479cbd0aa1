/* SPDX-License-Identifier: Apache-2.0 */
/* session_limits.h: what a session key's permission hooks allow and how much of each
 * limit is left, read from the modules (MAV2.md, "Permissions"), and the call data of
 * the modules' own setters that change them without reinstalling the key.
 *
 * The hooks are found in the key's getValidationData (mav2_validation_data) by module
 * and kind, each read at its own hook entity (the reference client puts the native
 * limit and the allowlist at the key's entity N, the gas limit and the ERC-20 limits
 * at N + 0x7fffffff):
 *   NativeTokenLimitModule execution hook   native (ETH value) limit, limits(entity, account)
 *   NativeTokenLimitModule validation hook  gas limit, limits(entity, account)
 *   AllowlistModule execution hook          ERC-20 limits, erc20SpendLimits(entity, token, account)
 *   AllowlistModule validation hook         targets and selectors
 *   TimeRangeModule validation hook         timeRanges(entity, account)
 *   PaymasterGuardModule validation hook    paymasters(entity, account)
 * The AllowlistModule's storage is not enumerable: its targets, selectors and tokens
 * come from its AddressAllowlistUpdated / SelectorAllowlistUpdated /
 * ERC20SpendLimitUpdated events for the account (eth_getLogs), replayed in order; the
 * ERC-20 tokens so found are then confirmed on chain (addressAllowlist's
 * hasERC20SpendLimit). The "any contract" entry (target address 0) is the module's
 * selector wildcard: the selectors listed may be called on any contract.
 * All eth_calls of one key go in one JSON-RPC batch.
 * Functions returning int return 1, or 0 with mav2_last_error() set. */
#ifndef MAV2_SESSION_LIMITS_H
#define MAV2_SESSION_LIMITS_H

#include <stddef.h>
#include <stdint.h>

#include "mav2/core/abi.h"
#include "mav2/core/buf.h"
#include "mav2/net/rpc.h"
#include "mav2/core/u256.h"
#include "mav2/core/address.h"

#ifdef __cplusplus
extern "C" {
#endif

/* TimeRangeModule's "no end": validUntil 0 is stored as 2^48 - 1. */
#define MAV2_TIME_RANGE_NO_END 0xffffffffffffULL

/* One allowlisted target (the zero address: any contract). With has_selector_allowlist
 * only the selectors listed may be called on it. */
typedef struct {
    uint8_t target[MAV2_ADDRESS_LEN];
    int has_selector_allowlist;
    int has_erc20_spend_limit;
    uint8_t (*selectors)[4];
    size_t n_selectors;
} mav2_allowlist_target;

typedef struct {
    uint8_t token[MAV2_ADDRESS_LEN];
    mav2_u256 left; /* base units still spendable */
} mav2_erc20_left;

/* has_X: the key has that hook; X_entity: the hook's entity id. The caller allocates
 * it and must fill it with mav2_session_limits_init first: struct_size tells the
 * library which layout it was given, so fields can be added at the end without a new
 * soname. */
typedef struct {
    size_t struct_size; /* sizeof(mav2_session_limits) when made; set by limits_init */
    int has_native;
    uint32_t native_entity;
    mav2_u256 native_left; /* wei of ETH value still spendable */
    int has_gas;
    uint32_t gas_entity;
    mav2_u256 gas_left; /* wei of gas still spendable */
    int has_erc20;
    uint32_t erc20_entity;
    mav2_erc20_left *erc20; /* tokens in order of first appearance */
    size_t n_erc20;
    int has_allowlist;
    uint32_t allowlist_entity;
    mav2_allowlist_target *targets; /* in order of first appearance */
    size_t n_targets;
    int has_time;
    uint32_t time_entity;
    uint64_t valid_after, valid_until; /* unix seconds; until MAV2_TIME_RANGE_NO_END: none */
    int has_paymaster;
    uint32_t paymaster_entity;
    uint8_t paymaster[MAV2_ADDRESS_LEN];
} mav2_session_limits;

/* Sets every field of *l (caller-allocated): struct_size, no hook, nothing held.
 * Call it before mav2_session_limits_read; never memset one or copy one from another
 * build. */
void mav2_session_limits_init(mav2_session_limits *l);

/* Reads the hooks of vd (the validation data of a key of account) from node, the
 * AllowlistModule's events from block from_block on, into *out (made by
 * mav2_session_limits_init; one whose struct_size this library does not know is
 * refused and left untouched). Release *out with mav2_session_limits_free, also after
 * a failure. */
int mav2_session_limits_read(mav2_rpc *node, const uint8_t account[MAV2_ADDRESS_LEN],
                             const mav2_validation_data *vd, uint64_t from_block,
                             mav2_session_limits *out);
/* Releases what *l holds and makes it as mav2_session_limits_init does (it may be read
 * into again). One whose struct_size this library does not know is left untouched. */
void mav2_session_limits_free(mav2_session_limits *l);

/* The name of a known function selector: the account's own (execute, executeBatch,
 * executeUserOp, installValidation, ...) and ERC-20 transfer, approve and
 * transferFrom; NULL when unknown. */
const char *mav2_selector_name(const uint8_t sel[4]);

/* Setter call data (each a call from the account to the module, value 0):
 * NativeTokenLimitModule updateLimits(uint32 entityId, uint256 newLimit); */
int mav2_calldata_native_limit_update(uint32_t entity, const mav2_u256 *limit, mav2_buf *out);
/* AllowlistModule updateLimits(uint32 entityId, address token, bool hasERC20SpendLimit,
 * uint256 newLimit) with hasERC20SpendLimit true; */
int mav2_calldata_erc20_limit_update(uint32_t entity, const uint8_t token[MAV2_ADDRESS_LEN],
                                     const mav2_u256 *limit, mav2_buf *out);
/* TimeRangeModule setTimeRange(uint32 entityId, uint48 validUntil, uint48 validAfter);
 * refused unless both fit 48 bits and valid_until > valid_after. */
int mav2_calldata_time_range_update(uint32_t entity, uint64_t valid_until, uint64_t valid_after,
                                    mav2_buf *out);

/* t (unix seconds) as ISO-8601 UTC, "YYYY-MM-DDTHH:MM:SSZ", into out (at least
 * MAV2_ISO_TIME_MAX bytes). Returns 0 for a time gmtime cannot show. */
#define MAV2_ISO_TIME_MAX 32
int mav2_iso_time(uint64_t t, char out[MAV2_ISO_TIME_MAX]);

#ifdef __cplusplus
}
#endif
#endif
