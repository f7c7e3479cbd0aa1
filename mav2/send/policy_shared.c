/* SPDX-License-Identifier: Apache-2.0 */
/* policy_shared.c: the policy's rolling windows in a shared state (policy_state.h:
 * mav2_policy_windows_take_state), so several hosts on one account count into one
 * window. */
#include "config.h"

#include <stdio.h>

#include "mav2/core/error.h"
#include "mav2/net/state.h"
#include "mav2/send/policy_state.h"

#define MAX_LIMITS 9 /* the ops rule and the caps (policy.c keeps up to 8) */

/* The refusal's sentence, as the files' windows say it. */
static int refusal(const mav2_state_limit *l, int ops, const mav2_u256 *sum, const char **rule)
{
    char sum_s[MAV2_U256_DEC_MAX + 2], cap_s[MAV2_U256_DEC_MAX + 2];
    uint64_t n = 0, cap = 0;
    if (ops) {
        *rule = "policy-ops-per-minute";
        mav2_u256_to_u64(sum, &n);
        mav2_u256_to_u64(&l->cap, &cap);
        return mav2_error_set("refused by policy-ops-per-minute: %llu ops signed in the last "
                              "minute, at most %llu",
                              (unsigned long long)n - 1, (unsigned long long)cap);
    }
    *rule = "policy-value-cap";
    mav2_u256_format_units(sum, 18, sum_s);
    mav2_u256_format_units(&l->cap, 18, cap_s);
    return mav2_error_set("refused by policy-value-cap: %s ETH in the last %llds with this op, "
                          "over %s ETH",
                          sum_s, (long long)l->window_s, cap_s);
}

int mav2_policy_windows_take_state(struct mav2_state *st, uint64_t chain_id,
                                   const uint8_t account[20], uint32_t entity_id,
                                   const mav2_policy_windows *w, const mav2_u256 *value,
                                   const char **rule)
{
    mav2_state_limit l[MAX_LIMITS];
    char ops[64], val[64];
    size_t n = 0;
    int refused = -1, has_ops = w->ops_per_minute > 0;
    mav2_u256 sum;
    const char *dummy;
    if (rule == NULL)
        rule = &dummy;
    if (w->n_caps + 1 > MAX_LIMITS)
        return mav2_error_set("policy: too many windows");
    snprintf(ops, sizeof(ops), "p%llu.%lu.ops", (unsigned long long)chain_id,
             (unsigned long)entity_id);
    snprintf(val, sizeof(val), "p%llu.%lu.value", (unsigned long long)chain_id,
             (unsigned long)entity_id);
    if (has_ops) {
        l[n] = (mav2_state_limit){ops, 60, {{0}}, {{0}}};
        mav2_u256_from_u64(&l[n].amount, 1);
        mav2_u256_from_u64(&l[n++].cap, w->ops_per_minute);
    }
    for (size_t k = 0; k < w->n_caps; k++, n++)
        l[n] = (mav2_state_limit){val, w->caps[k].period_s, *value, w->caps[k].amount};
    if (!mav2_state_windows_take(st, account, l, n, &refused, &sum))
        return mav2_error_prefix("policy: the shared windows");
    if (refused < 0)
        return 1;
    return refusal(&l[refused], has_ops && refused == 0, &sum, rule);
}
