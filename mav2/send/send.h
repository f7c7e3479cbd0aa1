/* SPDX-License-Identifier: Apache-2.0 */
/* send.h: sending one MAv2 user operation through an ERC-4337 bundler, as a library:
 * chain check, deployed-or-factory, nonce (EntryPoint.getNonce on the MAv2 key), fees,
 * gas estimation with the stub signature, signing through a caller's callback (this
 * module never sees a key), eth_sendUserOperation, then waiting for the receipt.
 *
 * The signed op is written to a journal (journal.h) before it is sent, with its intent:
 * the entry point, call data, factory and factory data, the sponsorship (digests of the
 * paymaster URL and context, of the gas policy id: no secret is stored) and the fee
 * options (multipliers, verification_gas_extra). Running mav2_send again with the same
 * intent for the same chain, account and nonce key while that op is pending resumes it
 * (r->resumed) instead of signing a second op, unless params.force_new is set: the op
 * is sent again, the same bytes, when the bundler does not know it
 * (eth_getUserOperationByHash null: its first send failed after journaling) and the
 * lane's nonce has not passed it; once the nonce passed it without a receipt for it,
 * it is superseded (outcome REJECTED, "superseded: ...", entry cleared). Another
 * intent on a lane with a pending op waits for that op (MAV2_STAGE_BUSY; it is seen
 * through the same way, its own stages not reported), then makes its own op with the
 * next nonce within what is left of wait_timeout_ms; still pending then: outcome
 * TIMEOUT, nothing signed, the message naming the pending op and `mav2 receipt` /
 * `mav2 replace` for it. So success means this call's own op was included.
 *
 * HTTP round trips per op (node and bundler on one URL, batching supported): 1 batch
 * (chainId, getCode, getNonce, EntryPoint deposit, latest block, both priority-fee
 * hints) + estimate + send + receipt polls (first poll after poll_initial_ms): 4 when
 * the op is in the first poll. With two URLs the first step is two batches (node,
 * then bundler). Sponsored: Gas Manager 1 batch (chainId, getCode, getNonce) + 1
 * alchemy_requestGasAndPaymasterAndData + send + polls (same 4); ERC-7677 adds the
 * stub and final paymaster calls to the unsponsored count (6; 5 when the stub is final).
 *
 * Concurrency: with the journal on, the lane (account, nonce key) is locked (flock on
 * a lock file in the state directory) from reading the nonce until the op is sent, so
 * two processes sending on one lane at once never sign two ops for one nonce: the
 * second one finds the first one's op journaled and resumes it (same intent) or waits
 * for it (another intent).
 *
 * Outcomes are kept apart: rejected (the node/bundler answered no), timed out (sent,
 * not yet included; the journal keeps it), network (no answer). mav2_last_error()
 * holds one sentence (AAxx reasons and revert data decoded, see mav2_explain_error).
 *
 *   mav2_send_params p;
 *   mav2_send_result r;
 *   mav2_send_params_init(&p);
 *   p.chain_id = 31337;  memcpy(p.account, account, 20);  p.entity_id = 1;
 *   p.call_data = cd.data;  p.call_data_len = cd.len;      (account.h builds it)
 *   p.sign = my_sign;  p.sign_ctx = signer;                 (e.g. mav2_signer_sign_userop)
 *   if (!mav2_send_urls(rpc_url, bundler_url, NULL, &p, &r))
 *       fprintf(stderr, "%s\n", r.message);                 (r.outcome says which failure)
 *   mav2_send_result_clear(&r); */
#ifndef MAV2_SEND_H
#define MAV2_SEND_H

#include <stddef.h>
#include <stdint.h>

#include "mav2/core/buf.h"
#include "mav2/net/rpc.h"
#include "mav2/core/u256.h"
#include "mav2/core/address.h"
#include "mav2/core/userop.h"
#include "mav2/core/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Turns the 32-byte userOpHash into the final user-op signature bytes (for a MAv2
 * session key: 0xFF 0x00 r s v, see account.h). Returns 1, or 0 with
 * mav2_last_error() set. */
typedef int (*mav2_sign_fn)(void *ctx, const uint8_t user_op_hash[32], mav2_buf *signature);

typedef enum {
    MAV2_STAGE_PREPARED,  /* nonce, fees and deployment known */
    MAV2_STAGE_ESTIMATED, /* gas limits from the bundler */
    MAV2_STAGE_SIGNED,
    MAV2_STAGE_SENT,     /* bundler accepted the op; detail = userOpHash */
    MAV2_STAGE_RESUMED,  /* a journaled pending op is awaited instead; detail = userOpHash */
    MAV2_STAGE_WAITING,  /* before each receipt poll; detail = "poll N" */
    MAV2_STAGE_INCLUDED, /* detail = transaction hash */

    /* an op of another intent is pending on the lane: waited for before this one is
     * made; detail = its userOpHash */
    MAV2_STAGE_BUSY
} mav2_send_stage;

typedef void (*mav2_progress_fn)(void *ctx, mav2_send_stage stage, const char *detail);

/* The guard (params.guard): called for every op the flow signs (mav2_send, a
 * replacement, --replace-after), right before the signing callback
 * (MAV2_GUARD_BEFORE_SIGN) and right after it, before the op is journaled or sent
 * (MAV2_GUARD_SIGNED). Returning 0 refuses: nothing (more) is signed, journaled or
 * sent, outcome INVALID, the guard's mav2_last_error() the message. mav2_guard_hook
 * (guard.h) checks the off-chain policy and writes the audit ledger. */
typedef enum { MAV2_GUARD_BEFORE_SIGN, MAV2_GUARD_SIGNED } mav2_guard_stage;
typedef struct {
    uint64_t chain_id;
    const uint8_t *account; /* 20 bytes */
    uint32_t entity_id;
    const mav2_u256 *nonce_key;
    const mav2_userop *op;       /* gas and fees set; the stub signature before signing */
    const uint8_t *user_op_hash; /* 32 bytes */
    mav2_u256 max_cost;          /* all five gas limits x maxFeePerGas, whoever pays */
    const char *replaces;        /* the userOpHash ("0x...") of the op it replaces (same
                                  * nonce, higher fees), or NULL */
} mav2_guard_event;
typedef int (*mav2_guard_fn)(void *ctx, mav2_guard_stage stage, const mav2_guard_event *ev);

typedef enum {
    MAV2_SEND_INCLUDED = 0, /* included and the call succeeded */
    MAV2_SEND_REVERTED,     /* included, but the account's call reverted */
    MAV2_SEND_REJECTED,     /* the node or bundler refused (estimate or send) */
    MAV2_SEND_TIMEOUT,      /* sent, no receipt before wait_timeout_ms (still pending) */
    MAV2_SEND_NETWORK,      /* node or bundler unreachable / no valid answer */
    MAV2_SEND_INVALID,      /* bad parameters, chain mismatch, signer or journal failure */
    MAV2_SEND_SUBMITTED,    /* sent and not awaited (wait_timeout_ms < 0) */
    MAV2_SEND_UNSIGNED      /* built and estimated, not signed nor sent (unsigned_only) */
} mav2_send_outcome;

/* Send parameters. The caller allocates them and must fill them with
 * mav2_send_params_init first: struct_size tells the library which layout it was
 * given, so fields can be added at the end without a new soname. */
typedef struct {
    size_t struct_size;         /* sizeof(mav2_send_params) when made; set by params_init */
    uint64_t chain_id;          /* expected chain; 0 = whatever the node says */
    const uint8_t *entry_point; /* NULL = EntryPoint v0.7; v0.8 gets its EIP-712 hash */
    uint8_t account[MAV2_ADDRESS_LEN];
    uint32_t entity_id;     /* validation entity signing (1 = first session key) */
    uint8_t nonce_options;  /* MAV2_NONCE_GLOBAL (global validation) by default; 0 =
                             * validation scoped to the selectors it was installed for */
    mav2_u256 lane;         /* userNonceKey (152 bits), 0 by default */
    const uint8_t *factory; /* used only if the account has no code; NULL = none */
    const uint8_t *factory_data;
    size_t factory_data_len;
    const uint8_t *call_data;
    size_t call_data_len;

    /* Fees. With rundler_maxPriorityFeePerGas (Alchemy):
     *   priority = ceil(hint * priority_mul); maxFee = ceil((ceil(base * base_mul)
     *   + priority) * max_fee_mul)    defaults "1.05", "1.5", "1.5".
     * Otherwise priority = eth_maxPriorityFeePerGas and
     *   maxFee = ceil(base * generic_base_mul) + priority    default "1.2". */
    const char *priority_mul;
    const char *base_mul;
    const char *max_fee_mul;
    const char *generic_base_mul;

    mav2_sign_fn sign;
    void *sign_ctx;

    /* Waiting: polls after poll_initial_ms, each wait poll_factor (x1000, so 1500 =
     * x1.5) longer, capped at poll_max_ms, with jitter, for at most wait_timeout_ms
     * (< 0: do not wait, 0: one check). Defaults 0, 1500, 15000, 120000; a
     * poll_initial_ms of 0 is the time an op is expected in a block: the chain's block
     * time (its preset's block_ms, settings.h), MAV2_SEND_POLL_FALLBACK_MS on a chain
     * without a preset. */
    long poll_initial_ms;
    long poll_factor_x1000;
    long poll_max_ms;
    long wait_timeout_ms;
    mav2_progress_fn progress;
    void *progress_ctx;

    /* Journal: state_dir NULL = mav2_journal_default_dir(); no_journal disables it;
     * force_new signs a new op even if one is pending on this account and key. */
    const char *state_dir;
    int no_journal;
    int force_new;

    /* Sponsorship (at most one of the two; both NULL = the account pays).
     * paymaster_url: an ERC-7677 paymaster service. pm_getPaymasterStubData(op,
     *   entryPoint, chainId, context) gives the paymaster fields the op is estimated
     *   with; pm_getPaymasterData(same, with the estimated gas) the final ones (skipped
     *   when the stub answer says isFinal). Paymaster gas limits from the stub win over
     *   the bundler's estimate. paymaster_context: JSON object text (NULL = {}).
     * gas_policy_id: Alchemy Gas Manager policy. One
     *   alchemy_requestGasAndPaymasterAndData({policyId, entryPoint, userOperation,
     *   dummySignature, overrides}) to the bundler URL returns gas limits, fees and the
     *   paymaster fields, replacing the fee hints and eth_estimateUserOperationGas;
     *   overrides carry max_fee_mul and priority_mul as multipliers. */
    const char *paymaster_url;
    const char *paymaster_context;
    const char *gas_policy_id;

    /* Added to the estimated verificationGasLimit when the account pays its prefund
     * (no paymaster) and its EntryPoint deposit (EntryPoint.balanceOf, read in the
     * first batch) is below the op's maximum cost: some bundlers (Alto 0.0.20) leave
     * the ~30k gas of paying missingAccountFunds out of their estimate, and the op is
     * then dropped after eth_sendUserOperation (AA26). Default 40000; 0 = off. */
    uint64_t verification_gas_extra;

    /* > 0: when no receipt came replace_after_ms after sending, replace the op once
     * (same nonce, fees raised to max(fresh fee, 1.1 x old), as mav2_send_replace)
     * and keep waiting (for either op) until wait_timeout_ms. 0 = never. */
    long replace_after_ms;

    /* Stop before signing (the offline-signing path): r->user_op is the op with the
     * stub signature (nonce, fees, gas, sponsorship set), r->user_op_hash its hash,
     * outcome UNSIGNED, success 1. Nothing is journaled or sent; sign may be NULL. */
    int unsigned_only;

    /* Cost cap in wei (zero = the chain's default cap, bounds.h). When the account
     * pays (no paymaster), the op's maximum cost (callGasLimit + verificationGasLimit +
     * preVerificationGas + paymasterVerificationGasLimit + paymasterPostOpGasLimit) x
     * maxFeePerGas is computed before signing (a replacement's too, with its raised
     * fees; the unsigned_only op too); above the cap (or overflowing 256 bits) nothing
     * is signed, journaled or sent: outcome INVALID, the message names both amounts in
     * ETH. A --replace-after replacement over the cap is not made: the first op is
     * awaited, the result's message says so. */
    mav2_u256 max_cost_wei;

    /* Bounds on what the node, bundler and paymaster say, checked before signing (and
     * before the unsigned_only result); out of bounds: outcome INVALID, the message
     * names the field, its value and the bound. Gas limits (0 = not bounded):
     * verificationGasLimit <= max_verification_gas (default 1500000), callGasLimit <=
     * max_call_gas (3000000), each paymaster gas limit <= max_paymaster_gas (500000);
     * preVerificationGas <= the calldata-cost formula (bounds.h) x pvg_max_mul (NULL =
     * the chain's margin, bounds.h; "0" = not bounded). Fees (mav2_fees_compute):
     * maxPriorityFeePerGas <= max_priority_fee_wei (zero = the chain's ceiling,
     * bounds.h), and maxFeePerGas is capped at ceil(base fee x fee_cap_base_mul) +
     * maxPriorityFeePerGas (default "2"; NULL = not capped). */
    uint64_t max_verification_gas;
    uint64_t max_call_gas;
    uint64_t max_paymaster_gas;
    const char *pvg_max_mul;
    mav2_u256 max_priority_fee_wei;
    const char *fee_cap_base_mul;
    /* Deferred grant (grant.h, mav2_grant_sig_prefix): these bytes go in front of the
     * stub signature for the estimate and of what sign returns, for the op that installs
     * the session key; nonce_options must then carry MAV2_NONCE_DEFERRED. NULL = none. */
    const uint8_t *sig_prefix;
    size_t sig_prefix_len;
    /* Gas paid in an ERC-20 token (erc20_gas.c), with paymaster_url only: the context
     * gets "erc20Context": {"tokenAddress", "maxTokenAmount" (0x-hex base units, when
     * max_token_amount is set)} merged into it. Before estimating, one stub call names
     * the paymaster and the account's allowance(account, paymaster) is read (eth_call):
     * below *max_token_amount, approve(paymaster, *max_token_amount) on the token is
     * batched in front of the op's calls (call data of execute / executeBatch, with or
     * without executeUserOp; r->message notes it); without max_token_amount a zero
     * allowance is refused (INVALID) and nothing is approved. A service that refuses
     * the cap (pm_*: REJECTED) stops the op before signing. NULL = the ETH way. */
    const uint8_t *paymaster_token;
    const mav2_u256 *max_token_amount; /* base units; NULL = no cap */
    /* Called before and after each signature (mav2_guard_fn above); NULL = none. From
     * op i's thread in mav2_send_many: then it must be thread-safe. */
    mav2_guard_fn guard;
    void *guard_ctx;
    /* Shared state (state.h), for several hosts on one account: with state and
     * state_lane (a lane of this account and nonce key that the caller claimed with
     * mav2_state_lane_claim and renews), the journal is state's instead of state_dir's
     * and no lane lock is taken. Before signing, the chain's nonce is checked against
     * the lane's journal row (mav2_state_nonce_check: a pending op there is resumed or
     * awaited as above, never a second op signed for its nonce), and the signed op is
     * journaled only while the lease holds: once it is lost nothing is sent (outcome
     * INVALID, "lease lost"). Both NULL = the file journal (state_dir). */
    struct mav2_state *state; /* state.h (internal to libmav2) */
    const struct mav2_state_lane *state_lane;
} mav2_send_params;

/* Sets every field of *p (caller-allocated, not retained): struct_size, the defaults
 * documented above, zero/NULL for the rest; account, call data and sign are then the
 * caller's to fill. Every function taking a mav2_send_params refuses one whose
 * struct_size this library does not know (outcome INVALID, mav2_last_error() says
 * so): call this before setting fields, never memset or copy one from another build.
 * Thread-safe (touches only *p). */
void mav2_send_params_init(mav2_send_params *p);

typedef struct {
    mav2_send_outcome outcome;
    int success;       /* 1 iff outcome is MAV2_SEND_INCLUDED (or SUBMITTED when not waiting) */
    char message[512]; /* the one-sentence reason on failure (= mav2_last_error()); on
                        * success "" or a note (e.g. the bundler's userOpHash differs) */
    int have_hash;
    uint8_t user_op_hash[32];
    mav2_u256 nonce;       /* full nonce of the op (key192 << 64 | seq) */
    int resumed;           /* a journaled op was awaited instead of sending a new one */
    int replaced;          /* mav2_send_replace: a higher-fee op replaced the journaled one */
    char *receipt;         /* the bundler's receipt (eth_getUserOperationReceipt) as JSON
                            * object text when included, else NULL (owned: cleared by
                            * mav2_send_result_clear) */
    char tx_hash[67];      /* "0x..." when included ("" if the nonce moved on without a receipt) */
    uint64_t block_number; /* block of the bundle transaction, when included */
    mav2_u256 actual_gas_cost;   /* wei, from the receipt, when included */
    char *user_op;               /* the op as sent, JSON-RPC object text (userop.h) when
                                  * signed, else NULL (owned, as receipt) */
    unsigned long http_requests; /* HTTP requests made (node + bundler, retries too) */
    uintptr_t reserved[8];       /* room for fields added later without a new size: zero */
} mav2_send_result;

void mav2_send_result_clear(mav2_send_result *r);

/* Runs the flow. node answers eth_* node methods, bundler the ERC-4337 ones; they may
 * be the same client (then node and bundler calls share batches). Returns 1 when the
 * op was included and succeeded (or submitted, when not waiting); else 0 with
 * r->outcome saying which failure and mav2_last_error() one sentence. r is
 * initialised by the call; clear it with mav2_send_result_clear. */
MAV2_WARN_UNUSED_RESULT int mav2_send(mav2_rpc *node, mav2_rpc *bundler, const mav2_send_params *p,
                                      mav2_send_result *r);

/* The same flow on URLs: opens one client for rpc_url and, when bundler_url is NULL
 * or equal to rpc_url, uses it for the bundler too (calls then share batches); else a
 * second client. opt NULL = rpc.h defaults. Closes the clients before returning. */
MAV2_WARN_UNUSED_RESULT int mav2_send_urls(const char *rpc_url, const char *bundler_url,
                                           const mav2_rpc_options *opt, const mav2_send_params *p,
                                           mav2_send_result *r);

/* Drop-and-replace of the op journaled for p's chain, account and nonce key (a stuck op,
 * or "replacement underpriced"): the same op (same nonce, call data, gas limits) with
 * both fees raised to max(fresh fee, ceil(1.1 x old fee)), signed again through p->sign,
 * journaled in place of the old one (so one nonce never has two live ops of ours), sent
 * and awaited like mav2_send. If the on-chain nonce already moved past the journaled op,
 * nothing is signed: the old op's outcome is reported (r->resumed). Fails INVALID when
 * nothing is journaled (or p->no_journal). p->call_data/factory are not used. */
MAV2_WARN_UNUSED_RESULT int mav2_send_replace(mav2_rpc *node, mav2_rpc *bundler,
                                              const mav2_send_params *p, mav2_send_result *r);

/* Sends n ops at once, one thread per op, each with its own node and bundler clients
 * (rpc_url, bundler_url, opt as in mav2_send_urls), and waits for all of them. The ops
 * must be on distinct nonce keys (lane, entity_id and nonce_options of ps[i]; else
 * nothing is sent, every rs[i] is INVALID). ps[i].sign and .progress are called from
 * op i's thread: a signer shared between ops must be thread-safe (mav2_signer is).
 * rs[i] gets op i's result (clear each). Returns 1 iff every op succeeded. */
MAV2_WARN_UNUSED_RESULT int mav2_send_many(const char *rpc_url, const char *bundler_url,
                                           const mav2_rpc_options *opt, const mav2_send_params *ps,
                                           mav2_send_result *rs, size_t n);

/* Waits for the receipt of user_op_hash with the waiting parameters of p (the rest of
 * p is ignored; p NULL = defaults): what `mav2 receipt` needs. Outcome INCLUDED,
 * REVERTED, TIMEOUT or NETWORK; returns 1 only for INCLUDED. r->nonce is the
 * receipt's. */
int mav2_wait_receipt(mav2_rpc *bundler, const uint8_t user_op_hash[32], const mav2_send_params *p,
                      mav2_send_result *r);

/* One sentence for a node/bundler error: the AAxx reason, decoded revert data
 * (ValidationFunctionMissing, FailedOp, Error(string), ...) found in the error's
 * message or data, or the JSON-RPC code's meaning. entity_id names the validation in
 * the sentence. Always NUL-terminates out. */
void mav2_explain_error(const mav2_rpc_error *e, uint32_t entity_id, char *out, size_t cap);

/* Fee rule alone (for tests and `mav2 fees`): rundler_hint NULL = generic rule with
 * eth_priority. Multipliers NULL = defaults (p NULL: all of params_init's). A
 * priority fee over the ceiling (max_priority_fee_wei, else the default of
 * p->chain_id, bounds.h) fails naming both; maxFeePerGas is capped by
 * fee_cap_base_mul (see mav2_send_params). */
int mav2_fees_compute(const mav2_u256 *base_fee, const mav2_u256 *rundler_hint,
                      const mav2_u256 *eth_priority, const mav2_send_params *p, mav2_u256 *max_fee,
                      mav2_u256 *max_priority);

#ifdef __cplusplus
}
#endif
#endif
