/* SPDX-License-Identifier: Apache-2.0 */
/* policy_state.h (internal to libmav2, not installed): the rolling windows of the
 * policy (policy.h), kept in the state directory, and the state directory itself. */
#ifndef MAV2_POLICY_STATE_H
#define MAV2_POLICY_STATE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "mav2/core/u256.h"
#include "mav2/send/policy.h"

typedef struct {
    mav2_u256 amount;
    long long period_s;
} mav2_policy_cap;

typedef struct {
    const mav2_policy_cap *caps;
    size_t n_caps;
    unsigned long ops_per_minute; /* 0: no rule */
} mav2_policy_windows;

/* dir (NULL: mav2_journal_default_dir()) into out, created (mode 0700) if missing. */
int mav2_state_dir_ready(const char *dir, char *out, size_t cap);

/* Under the lock of (chain, account, entity) in dir: refuses (0, *rule the setting)
 * when one more op moving value at now breaks a rule of w, else records it (the file
 * replaced atomically) and returns 1. Entries older than every window are dropped. */
int mav2_policy_windows_take(const char *dir, uint64_t chain_id, const uint8_t account[20],
                             uint32_t entity_id, const mav2_policy_windows *w, long long now,
                             const mav2_u256 *value, const char **rule);

/* As mav2_policy_windows_take, in the shared state st (state.h; PostgreSQL: every host
 * on the account counts into the same windows, at the database's clock). */
struct mav2_state;
int mav2_policy_windows_take_state(struct mav2_state *st, uint64_t chain_id,
                                   const uint8_t account[20], uint32_t entity_id,
                                   const mav2_policy_windows *w, const mav2_u256 *value,
                                   const char **rule);

/* mav2_policy_check (policy.h) with the windows in st when it is not NULL. */
int mav2_policy_check_in(const mav2_policy *pol, const char *state_dir, struct mav2_state *st,
                         const mav2_policy_op *op, time_t now, const char **rule);

#endif
