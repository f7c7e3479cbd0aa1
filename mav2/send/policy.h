/* SPDX-License-Identifier: Apache-2.0 */
/* policy.h: the off-chain policy a key must pass before the token signs, on top of the
 * on-chain permissions: allowed targets and selectors, value per op, value per rolling
 * window, ops per minute, cost per op. The settings (a profile of the settings file,
 * or the service's configuration):
 *
 *   policy-allow = ADDR[:SELECTOR] ...   only calls to these targets; with a selector
 *                                        (0x + 8 hex digits) only call data starting with
 *                                        it (several entries: spaces or commas between)
 *   policy-max-value = AMOUNT            native value per op (the sum over its calls)
 *   policy-value-cap = AMOUNT/PERIOD ... native value of the ops signed in any rolling
 *                                        PERIOD (N s|m|h|d, e.g. 1ether/24h)
 *   policy-ops-per-minute = N            ops signed in any rolling 60 s
 *   policy-max-cost = AMOUNT             the op's maximum gas cost (its five gas limits x
 *                                        maxFeePerGas), whoever pays it
 *
 * AMOUNT as mav2_u256_parse_amount (wei, or 0.5ether, 100gwei). The calls are those of
 * execute / executeBatch (with or without executeUserOp); other call data is one call
 * to the account itself with value 0.
 *
 * The windows are kept per chain, account and entity in the state directory
 * (policy-CHAIN-ACCOUNT-ENTITY, under an exclusive flock of its .lock file, replaced
 * atomically: written, fsync'd, renamed): an op is counted when it is allowed, before
 * it is signed, so a crash after signing cannot lose a spend (an op refused later, or
 * never sent, still counts until it leaves its windows).
 *
 * Functions returning int return 1, or 0 with mav2_last_error() set. A mav2_policy is
 * read-only once set up: one may be shared between threads. */
#ifndef MAV2_POLICY_H
#define MAV2_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "mav2/core/u256.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mav2_policy mav2_policy;

/* The setting names above, NULL-terminated. */
extern const char *const mav2_policy_keys[];

/* An empty policy (allows everything). NULL if out of memory. */
mav2_policy *mav2_policy_new(void);
void mav2_policy_free(mav2_policy *pol);
/* Sets key (one of mav2_policy_keys) to value; a bad value fails naming it. */
int mav2_policy_set(mav2_policy *pol, const char *key, const char *value);
/* 1 if pol has at least one rule. */
int mav2_policy_is_set(const mav2_policy *pol);

/* What the policy is asked about: the op's account call data as it will be signed. */
typedef struct {
    uint64_t chain_id;
    const uint8_t *account; /* 20 bytes */
    uint32_t entity_id;
    const uint8_t *call_data;
    size_t call_data_len;
    mav2_u256 max_cost; /* mav2_bounds_op_max_cost */
    int replaces;       /* it replaces an op already counted (same nonce, higher fees): the
                         * windows are not charged again; the other rules apply */
} mav2_policy_op;

/* Checks op against pol at time now (seconds since the epoch) and, when allowed,
 * counts it in the windows kept in state_dir (NULL = mav2_journal_default_dir(); not
 * touched when pol has no window rule). Refused: 0 with *rule (may be NULL) the
 * setting's name and mav2_last_error() "refused by policy-...: why". */
int mav2_policy_check(const mav2_policy *pol, const char *state_dir, const mav2_policy_op *op,
                      time_t now, const char **rule);

#ifdef __cplusplus
}
#endif
#endif
