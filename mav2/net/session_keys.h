/* SPDX-License-Identifier: Apache-2.0 */
/* session_keys.h: the session keys an account has, as far as the chain tells.
 *
 * The account does not enumerate its validations and getValidationData does not
 * return the module, so the list comes from the account's ValidationInstalled /
 * ValidationUninstalled events (eth_getLogs); every validation whose last event is
 * an install is then read with getValidationData (flags, hooks, selectors) and, on
 * SingleSignerValidationModule, signers(entityId, account). The semi-modular
 * account's built-in owner (entity 0) emits no event and is not listed.
 * Functions returning int return 1, or 0 with mav2_last_error() set (and, for a
 * JSON-RPC failure, mav2_rpc_last_error(node) saying why). */
#ifndef MAV2_SESSION_KEYS_H
#define MAV2_SESSION_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "mav2/core/abi.h"
#include "mav2/net/rpc.h"
#include "mav2/core/address.h"

#ifdef __cplusplus
extern "C" {
#endif

/* keccak256("ValidationInstalled(address,uint32)") and
 * keccak256("ValidationUninstalled(address,uint32,bool)"): topic 0 of the events;
 * topic 1 is the module, topic 2 the entity id. */
extern const uint8_t mav2_topic_validation_installed[32];
extern const uint8_t mav2_topic_validation_uninstalled[32];

typedef struct {
    uint32_t entity_id;
    uint8_t module[MAV2_ADDRESS_LEN];
    int single_signer;                /* module is SingleSignerValidationModule */
    uint8_t signer[MAV2_ADDRESS_LEN]; /* its signers(entityId, account); zero if none */
    mav2_validation_data vd;          /* getValidationData(module || entityId) */
    uintptr_t reserved[8];            /* room for fields added later without a new size: zero */
} mav2_session_key_info;

typedef struct {
    mav2_session_key_info *keys; /* in order of first installation */
    size_t n;
    uintptr_t reserved[2]; /* room for fields added later without a new size: zero */
} mav2_session_list;

/* Lists the live validations of account from block from_block on (0: genesis; some
 * providers limit the range of eth_getLogs). A validation whose event says installed
 * but whose getValidationData is empty (no flags, hooks or selectors) is left out.
 * Release *out with mav2_session_list_free, also after a failure. */
int mav2_session_list_keys(mav2_rpc *node, const uint8_t account[MAV2_ADDRESS_LEN],
                           uint64_t from_block, mav2_session_list *out);
void mav2_session_list_free(mav2_session_list *l);

/* The name of a known MAv2 module address (SingleSignerValidationModule,
 * TimeRangeModule, ...), or NULL. */
const char *mav2_module_name(const uint8_t module[MAV2_ADDRESS_LEN]);

#ifdef __cplusplus
}
#endif
#endif
