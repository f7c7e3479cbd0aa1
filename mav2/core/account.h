/* SPDX-License-Identifier: Apache-2.0 */
/* account.h: Alchemy Modular Account V2 (ERC-6900, EntryPoint v0.7) wire formats for a
 * session-key signer: nonce keys, the user-op and ERC-1271 signature layouts and
 * digests, account call data (execute, executeBatch, executeUserOp prefix),
 * installing / uninstalling a session-key validation with permission hooks, and the
 * factory (init code, counterfactual address). No network, no keys.
 * Functions returning int return 1, or 0 with mav2_last_error() set. */
#ifndef MAV2_ACCOUNT_H
#define MAV2_ACCOUNT_H

#include <stddef.h>
#include <stdint.h>

#include "mav2/core/buf.h"
#include "mav2/core/u256.h"
#include "mav2/core/address.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Deployed addresses (the same on every chain with MAv2). */
extern const uint8_t mav2_addr_factory[MAV2_ADDRESS_LEN];           /* AccountFactory */
extern const uint8_t mav2_addr_ma_impl[MAV2_ADDRESS_LEN];           /* ModularAccount */
extern const uint8_t mav2_addr_sma_bytecode_impl[MAV2_ADDRESS_LEN]; /* SemiModularAccountBytecode */
extern const uint8_t mav2_addr_single_signer[MAV2_ADDRESS_LEN]; /* SingleSignerValidationModule */
extern const uint8_t mav2_addr_time_range[MAV2_ADDRESS_LEN];    /* TimeRangeModule */
extern const uint8_t mav2_addr_native_token_limit[MAV2_ADDRESS_LEN]; /* NativeTokenLimitModule */
extern const uint8_t mav2_addr_allowlist[MAV2_ADDRESS_LEN];          /* AllowlistModule */
extern const uint8_t mav2_addr_paymaster_guard[MAV2_ADDRESS_LEN];    /* PaymasterGuardModule */

/* Selectors */
#define MAV2_SEL_EXECUTE              "\xb6\x1d\x27\xf6"
#define MAV2_SEL_EXECUTE_BATCH        "\x34\xfc\xd5\xbe"
#define MAV2_SEL_EXECUTE_USER_OP      "\x8d\xd7\x71\x2f"
#define MAV2_SEL_INSTALL_VALIDATION   "\x1b\xbf\x56\x4c"
#define MAV2_SEL_UNINSTALL_VALIDATION "\xb6\xb1\xcc\xfe"
#define MAV2_SEL_GET_NONCE            "\x35\x56\x7e\x1a" /* EntryPoint.getNonce(address,uint192) */
#define MAV2_SEL_GET_VALIDATION_DATA  "\xd3\x1b\x57\x5b" /* getValidationData(bytes24) */
#define MAV2_SEL_SIGNERS              "\x21\x71\x78\xfb" /* signers(uint32,address) */
#define MAV2_SEL_CREATE_SMA           "\x8b\x4e\x46\x4e" /* createSemiModularAccount(address,uint256) */
#define MAV2_SEL_CREATE_ACCOUNT       "\xaf\xa6\x3a\x10" /* createAccount(address,uint256,uint32) */

/* ---- nonce ---------------------------------------------------------------------- */
#define MAV2_NONCE_GLOBAL   0x01 /* global validation */
#define MAV2_NONCE_DEFERRED 0x02 /* deferred action (not for a normal send) */
#define MAV2_NONCE_DIRECT   0x04 /* direct-call validation (not for session keys) */

/* key192 = lane(152 bits) << 40 | entityId << 8 | options. lane may be NULL (0);
 * fails if lane >= 2^152. */
int mav2_nonce_key(mav2_u256 *key, const mav2_u256 *lane, uint32_t entity_id, uint8_t options);
/* nonce = key192 << 64 | seq; fails if key >= 2^192. */
int mav2_nonce_full(mav2_u256 *nonce, const mav2_u256 *key, uint64_t seq);
/* Splits a full nonce into key192 and sequence (either may be NULL). */
void mav2_nonce_split(const mav2_u256 *nonce, mav2_u256 *key, uint64_t *seq);
/* Inverse of mav2_nonce_key on a key192. Any output may be NULL. */
void mav2_nonce_key_parts(const mav2_u256 *key, mav2_u256 *lane, uint32_t *entity_id,
                          uint8_t *options);
/* eth_call data for EntryPoint.getNonce(sender, key192). */
int mav2_calldata_get_nonce(const uint8_t sender[MAV2_ADDRESS_LEN], const mav2_u256 *key,
                            mav2_buf *out);

/* ---- signatures ----------------------------------------------------------------- */
#define MAV2_SIG65_LEN      65 /* r || s || v (v = 27 / 28) */
#define MAV2_USEROP_SIG_LEN 67 /* 0xFF || 0x00 || r || s || v */
#define MAV2_1271_SIG_LEN   72 /* 0x00 || uint32 entityId || 0xFF || 0x00 || r || s || v */

/* EIP-191 digest the session key signs for a user op:
 * keccak256("\x19Ethereum Signed Message:\n32" || userOpHash). */
void mav2_userop_digest(const uint8_t user_op_hash[32], uint8_t out[32]);
/* 0xFF || 0x00 || sig65. Fails unless v is 27 or 28 and s is low (s <= n/2). */
int mav2_userop_signature(const uint8_t sig65[MAV2_SIG65_LEN], uint8_t out[MAV2_USEROP_SIG_LEN]);
/* The SDK's gas-estimation stub signature (67 bytes, valid shape, never verifies). */
void mav2_stub_signature(uint8_t out[MAV2_USEROP_SIG_LEN]);
/* Checks r||s||v the way the module's OpenZeppelin ECDSA does (low s, v 27/28). */
int mav2_sig65_check(const uint8_t sig65[MAV2_SIG65_LEN]);

/* ERC-1271 ReplaySafeHash digest (EIP-712, not EIP-191 wrapped) of hash for account:
 * entity 0 (semi-modular owner): domain (chainId, verifyingContract = account);
 * entity != 0: domain (chainId, verifyingContract = module, salt = account), module
 * NULL = SingleSignerValidationModule. */
int mav2_replay_safe_hash(const uint8_t hash[32], uint64_t chain_id,
                          const uint8_t account[MAV2_ADDRESS_LEN], uint32_t entity_id,
                          const uint8_t *module, uint8_t out[32]);
/* 0x00 || uint32 entityId || 0xFF || 0x00 || sig65 */
int mav2_1271_signature(uint32_t entity_id, const uint8_t sig65[MAV2_SIG65_LEN],
                        uint8_t out[MAV2_1271_SIG_LEN]);

/* ---- account call data ---------------------------------------------------------- */
typedef struct {
    uint8_t target[MAV2_ADDRESS_LEN];
    mav2_u256 value;
    const uint8_t *data;
    size_t data_len;
} mav2_call;

int mav2_calldata_execute(const mav2_call *call, mav2_buf *out);
int mav2_calldata_execute_batch(const mav2_call *calls, size_t n, mav2_buf *out);
/* What the reference client sends for calls from account: one call -> execute (a
 * call to the account itself with value 0 -> its data unwrapped), several ->
 * executeBatch; exec_hooks (the signing validation has execution hooks) -> the
 * executeUserOp selector in front. n >= 1. */
int mav2_calldata_for_calls(const uint8_t account[MAV2_ADDRESS_LEN], const mav2_call *calls,
                            size_t n, int exec_hooks, mav2_buf *out);
/* The calls in call data made of execute or executeBatch, with or without the
 * executeUserOp prefix: *calls (free() it) gets *n >= 1 calls whose data point into
 * cd. Any other call data (an account function called directly): *n = 0, *calls NULL.
 * Returns 0 for malformed execute / executeBatch arguments. */
int mav2_calldata_decode_calls(const uint8_t *cd, size_t len, mav2_call **calls, size_t *n);
/* Prefixes 0x8dd7712f (executeUserOp) to data. */
int mav2_calldata_exec_user_op(const uint8_t *data, size_t len, mav2_buf *out);

/* ---- install / uninstall a validation ------------------------------------------ */
#define MAV2_VAL_USEROP      0x01 /* validationConfig flags */
#define MAV2_VAL_SIGNATURE   0x02
#define MAV2_VAL_GLOBAL      0x04
#define MAV2_HOOK_VALIDATION 0x01 /* hookConfig flags */
#define MAV2_HOOK_POST       0x02
#define MAV2_HOOK_PRE        0x04
/* Entity offset the reference client uses for the second (execution) hook of a
 * permission module: entityId + 0x7fffffff. */
#define MAV2_EXEC_HOOK_ENTITY_OFFSET 0x7fffffffu

/* module(20) || uint32 entityId || flags: validationConfig / hookConfig (bytes25). */
void mav2_module_config(const uint8_t module[MAV2_ADDRESS_LEN], uint32_t entity_id, uint8_t flags,
                        uint8_t out[25]);
/* module(20) || uint32 entityId (bytes24 ModuleEntity). */
void mav2_module_entity(const uint8_t module[MAV2_ADDRESS_LEN], uint32_t entity_id,
                        uint8_t out[24]);

/* One hooks[] element: hookConfig(25) || hook install data. */
typedef struct {
    uint8_t config[25];
    mav2_buf install_data;
} mav2_hook;
void mav2_hook_clear(mav2_hook *h);

/* Permission hooks. Each sets h->config (module, entity, flags) and the install data. */
/* TimeRangeModule (uint32 entityId, uint48 validUntil, uint48 validAfter), validation
 * hook; fails unless validUntil > validAfter and both fit 48 bits. */
int mav2_hook_time_range(mav2_hook *h, uint32_t entity_id, uint64_t valid_until,
                         uint64_t valid_after);
/* NativeTokenLimitModule (uint32 entityId, uint256 spendLimit) with the given flags
 * (the reference client: MAV2_HOOK_VALIDATION|MAV2_HOOK_PRE for a gas limit,
 * MAV2_HOOK_PRE for an execution hook limiting value). */
int mav2_hook_native_token_limit(mav2_hook *h, uint32_t entity_id, const mav2_u256 *limit,
                                 uint8_t flags);
/* AllowlistModule (uint32 entityId, (address target, bool hasSelectorAllowlist,
 * bool hasERC20SpendLimit, uint256 erc20SpendLimit, bytes4[] selectors)[]). */
typedef struct {
    uint8_t target[MAV2_ADDRESS_LEN];
    int has_selector_allowlist;
    int has_erc20_spend_limit;
    mav2_u256 erc20_spend_limit;
    const uint8_t (*selectors)[4];
    size_t n_selectors;
} mav2_allowlist_entry;
int mav2_hook_allowlist(mav2_hook *h, uint32_t entity_id, const mav2_allowlist_entry *entries,
                        size_t n, uint8_t flags);
/* PaymasterGuardModule (uint32 entityId, address paymaster), validation hook. */
int mav2_hook_paymaster_guard(mav2_hook *h, uint32_t entity_id,
                              const uint8_t paymaster[MAV2_ADDRESS_LEN]);

/* SingleSignerValidationModule install data: abi.encode(uint32 entityId, address signer). */
int mav2_single_signer_install_data(uint32_t entity_id, const uint8_t signer[MAV2_ADDRESS_LEN],
                                    mav2_buf *out);

/* installValidation(bytes25 validationConfig, bytes4[] selectors, bytes installData,
 * bytes[] hooks) with hooks[i] = config || install data. */
int mav2_calldata_install_validation(const uint8_t validation_config[25],
                                     const uint8_t (*selectors)[4], size_t n_selectors,
                                     const uint8_t *install_data, size_t install_len,
                                     const mav2_hook *hooks, size_t n_hooks, mav2_buf *out);
/* uninstallValidation(bytes24 moduleEntity, bytes uninstallData, bytes[] hookUninstallData);
 * for SingleSignerValidationModule uninstallData = abi.encode(uint32 entityId). */
int mav2_calldata_uninstall_validation(const uint8_t module[MAV2_ADDRESS_LEN], uint32_t entity_id,
                                       const uint8_t *uninstall_data, size_t uninstall_len,
                                       const mav2_buf *hook_uninstall_data, size_t n_hooks,
                                       mav2_buf *out);
/* The common case: a session key on SingleSignerValidationModule at entity_id.
 * uninstallData = abi.encode(uint32 entityId), no hook data. */
int mav2_calldata_uninstall_session_key(uint32_t entity_id, mav2_buf *out);

/* Permissions compiled into selectors + hooks as the reference client's permission
 * builder does (see mav2_calldata.json "permissionBuilder"), with its refusals. */
typedef enum {
    MAV2_PERM_ROOT,                       /* global validation; other permissions add hooks */
    MAV2_PERM_CONTRACT_ACCESS,            /* any call to address */
    MAV2_PERM_FUNCTIONS_ON_CONTRACT,      /* selectors on address */
    MAV2_PERM_FUNCTIONS_ON_ALL_CONTRACTS, /* selectors on any address */
    MAV2_PERM_ACCOUNT_FUNCTIONS,          /* the account's own functions (selectors) */
    MAV2_PERM_ERC20_TOKEN_TRANSFER,       /* transfer/approve of token address up to amount */
    MAV2_PERM_NATIVE_TOKEN_TRANSFER,      /* ETH value up to amount */
    MAV2_PERM_GAS_LIMIT,                  /* gas spend up to amount (wei) */
    MAV2_PERM_TIME_RANGE,                 /* valid_after .. valid_until */
    MAV2_PERM_PAYMASTER_GUARD,            /* only with address as paymaster */
} mav2_perm_type;

typedef struct {
    mav2_perm_type type;
    uint8_t address[MAV2_ADDRESS_LEN];
    const uint8_t (*functions)[4];
    size_t n_functions;
    mav2_u256 amount;
    uint64_t valid_after, valid_until;
} mav2_permission;

/* The installValidation pieces for a session key at entity_id with perms. */
typedef struct {
    uint8_t validation_config[25];
    size_t n_selectors;
    uint8_t (*selectors)[4];
    mav2_buf install_data;
    size_t n_hooks;
    mav2_hook *hooks;
    int has_exec_hooks; /* user ops signed by it need the executeUserOp prefix */
    int has_allowlist;  /* targets are limited: binding only on a signer that checks them */
} mav2_session_install;

/* Compiles perms for session_key at entity_id on account (NULL: not checked).
 * - ROOT: a global validation (flags 0x05); any other permission adds its hook, so a
 *   root key can carry limits and an expiry.
 * - Without ROOT the selectors are exactly the account functions named, plus execute
 *   and executeBatch only when an allowlist (contract access, functions, ERC-20
 *   transfer) limits targets; a set naming neither is refused. No selector twice.
 * Refused: entity 0 (the owner) and entity >= 0x7fffffff (the gas-limit hook lives at
 * entity + 0x7fffffff); any privileged account function (mav2_privileged_selector_name)
 * in any selector list; a target named twice; the account itself as a target; a
 * permission type other than allowlists and ERC-20 limits given twice.
 * Returns 1, or 0 with the reason in mav2_last_error() and *out cleared. */
int mav2_session_install_build(mav2_session_install *out, const uint8_t *account,
                               const uint8_t session_key[MAV2_ADDRESS_LEN], uint32_t entity_id,
                               const mav2_permission *perms, size_t n);
void mav2_session_install_clear(mav2_session_install *si);
int mav2_session_install_calldata(const mav2_session_install *si, mav2_buf *out);
/* The name of an account function no session key may hold (installValidation,
 * uninstallValidation, installExecution, uninstallExecution, upgradeToAndCall,
 * performCreate, executeWithRuntimeValidation, updateFallbackSignerData), else NULL. */
const char *mav2_privileged_selector_name(const uint8_t sel[4]);

/* ---- factory and counterfactual address --------------------------------------- */
/* createSemiModularAccount(address owner, uint256 salt) */
int mav2_factory_data_sma(const uint8_t owner[MAV2_ADDRESS_LEN], const mav2_u256 *salt,
                          mav2_buf *out);
/* createAccount(address owner, uint256 salt, uint32 entityId) */
int mav2_factory_data_ma(const uint8_t owner[MAV2_ADDRESS_LEN], const mav2_u256 *salt,
                         uint32_t entity_id, mav2_buf *out);
/* factory || factoryData (factory NULL = the MAv2 AccountFactory). */
int mav2_init_code(const uint8_t *factory, const uint8_t *factory_data, size_t len, mav2_buf *out);
/* Counterfactual address of a semi-modular account: CREATE2(factory,
 * keccak256(owner || salt || uint32 0xffffffff), keccak256(proxy init code with impl and
 * owner)). factory / impl NULL = the deployed MAv2 ones. */
int mav2_sma_address(const uint8_t *factory, const uint8_t *impl,
                     const uint8_t owner[MAV2_ADDRESS_LEN], const mav2_u256 *salt,
                     uint8_t out[MAV2_ADDRESS_LEN]);
/* CREATE2 address: keccak256(0xff || deployer || salt || init_code_hash)[12..32). */
void mav2_create2_address(const uint8_t deployer[MAV2_ADDRESS_LEN], const uint8_t salt[32],
                          const uint8_t init_code_hash[32], uint8_t out[MAV2_ADDRESS_LEN]);

#ifdef __cplusplus
}
#endif
#endif
