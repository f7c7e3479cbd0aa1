/* SPDX-License-Identifier: Apache-2.0 */
/* guard.h: the policy (policy.h) and the audit ledger (ledger.h) on the send flow's
 * guard (send.h, params.guard): what the mav2 CLI and the mav2d service put around
 * every signature.
 *
 *   mav2_guard g;
 *   mav2_guard_init(&g);
 *   g.policy = pol;                  (mav2_policy_new + mav2_policy_set, or NULL)
 *   g.ledger = "/var/lib/mav2d/ledger.jsonl";      (NULL: no ledger)
 *   mav2_guard_set_key(&g, pkey);    (token serial and key id for the ledger)
 *   p.guard = mav2_guard_hook;  p.guard_ctx = &g;
 *   ok = mav2_send(node, bundler, &p, &r);
 *   mav2_guard_outcome(&g, &p, &r);  (the outcome line of the op signed, if any)
 *   if (g.refused_rule != NULL) ...  (refused by the policy: nothing was signed)
 *
 * Before signing the policy is checked (and the op counted in its windows); refused:
 * nothing is signed, the ledger gets a "refused" line (rule, reason) and the send
 * fails INVALID with "refused by policy-...: why". Once signed, the ledger gets a
 * "sign" line: chain, account, entity, nonceKey, nonce, the decoded calls (to, value,
 * data), userOpHash, sponsored, maxCost, replaces (a replacement: the userOpHash of
 * the op it replaces; the policy's windows do not charge it again), tokenSerial, keyId
 * and verdict ("allowed", or "none" without a policy). If that line cannot be written
 * the op is not sent (the ledger must hold every signature that can reach the chain).
 * No PIN or secret is ever written. One mav2_guard per send at a time (it records the
 * refusal); the policy may be shared. */
#ifndef MAV2_GUARD_H
#define MAV2_GUARD_H

#include <openssl/evp.h>

#include "mav2/send/policy.h"
#include "mav2/send/send.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The caller allocates it and must fill it with mav2_guard_init first: struct_size
 * tells the library which layout it was given, so fields can be added at the end
 * without a new soname. */
typedef struct {
    size_t struct_size;        /* sizeof(mav2_guard) when made; set by mav2_guard_init */
    const mav2_policy *policy; /* NULL: no policy */
    const char *state_dir;     /* the policy's windows; NULL = mav2_journal_default_dir() */
    const char *ledger;        /* the ledger file; NULL: none */
    char token_serial[65];     /* "" when not a token key */
    char key_id[131];          /* CKA_ID in hex, "" when not a token key */
    const char *refused_rule;  /* out: the policy setting that refused, else NULL */
    int signed_ops;            /* out: "sign" lines written */
    uint64_t chain_id;         /* out: the chain of the last op seen */
    char replaced_hash[67];    /* out: the op the last one signed replaces, "" if none */
    /* Shared state (state.h, internal to libmav2: several hosts on one account): with
     * ledger set, the lines go to this state's chain of the line's account instead of
     * the file; with PostgreSQL the policy's windows are the state's instead of
     * state_dir's (every host counts into one window). A state handle is one thread's: set it on
     * the copy each thread uses. NULL: the files. */
    struct mav2_state *state;
} mav2_guard;

/* Sets every field of *g: struct_size, NULL / "" / 0 for the rest. Every function
 * taking a mav2_guard refuses one whose struct_size this library does not know
 * (mav2_last_error() says so; the hook then refuses to sign): call this before
 * setting fields, never memset one or copy one from another build. */
void mav2_guard_init(mav2_guard *g);
/* token_serial and key_id of pkey (mav2_key_token_ref). */
int mav2_guard_set_key(mav2_guard *g, EVP_PKEY *pkey);
/* The mav2_guard_fn of a mav2_guard (ctx). */
int mav2_guard_hook(void *ctx, mav2_guard_stage stage, const mav2_guard_event *ev);
/* After mav2_send (or mav2_send_replace) with g: appends the "outcome" line of r's op
 * when one was signed or resumed and r's outcome is final: "included", "reverted",
 * "rejected", "timeout" (still pending), "submitted" (not awaited); before it, when
 * r's op replaced another, that one's ("replaced", by: r's userOpHash). No ledger: 1.
 * An op gets one final outcome line (included, reverted, rejected, replaced) and at most
 * one note (timeout, submitted): recording either again adds nothing and returns
 * 1; another final outcome for it returns 0 naming both, the first one kept (ledger.h). */
int mav2_guard_outcome(mav2_guard *g, const mav2_send_params *p, const mav2_send_result *r);

/* The "outcome" line of an op whose fate becomes known later than its mav2_send (a
 * service that sends without waiting, then polls receipts): user_op_hash on account,
 * outcome as mav2_guard_outcome names it, tx_hash NULL when none. No ledger: 1.
 * Returns 1, or 0 with mav2_last_error(). Thread-safe for a shared g (only the ledger
 * file is written, under its lock) without state; with it, g's thread only. */
int mav2_guard_outcome_of(const mav2_guard *g, uint64_t chain_id,
                          const uint8_t account[MAV2_ADDRESS_LEN], const uint8_t user_op_hash[32],
                          mav2_send_outcome outcome, const char *tx_hash);

/* Signatures made outside the send flow, recorded after the key signed and before the
 * signature is given out (not given out when the line cannot be written). No ledger: 1.
 * The "sign" line of op, signed as user_op_hash on chain_id (mav2 sign): as the send
 * flow's, the account being op's sender and the entity its nonce key's. */
int mav2_guard_signed_op(mav2_guard *g, uint64_t chain_id, const mav2_userop *op,
                         const uint8_t user_op_hash[32]);
/* The "sign" line of an ERC-1271 signature of account (mav2 sign-message): chain,
 * account, entity, messageHash (the hash the account is asked about), replaySafeHash
 * (the digest the key signed), tokenSerial, keyId, verdict "none". */
int mav2_guard_signed_message(mav2_guard *g, uint64_t chain_id,
                              const uint8_t account[MAV2_ADDRESS_LEN], uint32_t entity_id,
                              const uint8_t hash[32], const uint8_t replay_safe_hash[32]);

#ifdef __cplusplus
}
#endif
#endif
