/* SPDX-License-Identifier: Apache-2.0 */
/* fees.c: the fee rule (mav2_fees_compute, send.h): the fees from the base fee and a
 * priority hint, within the chain's bounds (bounds.h). */
#include "config.h"

#include "mav2/send/send.h"

#include "mav2/core/error.h"
#include "mav2/send/bounds.h"
#include "mav2/send/send_int.h"

/* The fee bounds (send.h): prio within its ceiling, max_fee capped at
 * ceil(base x fee_cap_base_mul) + prio. */
static int fees_bounded(const mav2_u256 *base_fee, const mav2_u256 *prio, const mav2_send_params *p,
                        mav2_u256 *max_fee)
{
    mav2_u256 ceiling, cap;
    char ps[MAV2_U256_DEC_MAX + 2], cs[MAV2_U256_DEC_MAX + 2];
    mav2_bounds_max_priority_fee(p, p->chain_id, &ceiling);
    if (mav2_u256_cmp(prio, &ceiling) > 0) {
        mav2_u256_format_units(prio, 9, ps);
        mav2_u256_format_units(&ceiling, 9, cs);
        return mav2_error_set("fees: maxPriorityFeePerGas %s gwei is over the ceiling %s gwei "
                              "(--max-priority-fee): not signing",
                              ps, cs);
    }
    if (p->fee_cap_base_mul == NULL)
        return 1;
    if (!mav2_u256_ceil_mul_dec(&cap, base_fee, p->fee_cap_base_mul) ||
        !mav2_u256_add(&cap, &cap, prio))
        return mav2_error_prefix("fees: maxFeePerGas cap");
    if (mav2_u256_cmp(max_fee, &cap) > 0)
        *max_fee = cap;
    return 1;
}

int mav2_fees_compute(const mav2_u256 *base_fee, const mav2_u256 *rundler_hint,
                      const mav2_u256 *eth_priority, const mav2_send_params *p, mav2_u256 *max_fee,
                      mav2_u256 *max_priority)
{
    mav2_send_params d;
    mav2_u256 prio, t;
    if (p == NULL) {
        mav2_send_params_init(&d);
        p = &d;
    } else if (!mav2_send_params_check(p)) {
        return 0;
    }
    if (rundler_hint != NULL) {
        if (!mav2_u256_ceil_mul_dec(&prio, rundler_hint,
                                    p->priority_mul ? p->priority_mul : "1.05") ||
            !mav2_u256_ceil_mul_dec(&t, base_fee, p->base_mul ? p->base_mul : "1.5") ||
            !mav2_u256_add(&t, &t, &prio) ||
            !mav2_u256_ceil_mul_dec(max_fee, &t, p->max_fee_mul ? p->max_fee_mul : "1.5"))
            return mav2_error_prefix("fees");
    } else {
        if (eth_priority == NULL)
            return mav2_error_set("fees: no priority fee hint from the node or bundler");
        prio = *eth_priority;
        if (!mav2_u256_ceil_mul_dec(&t, base_fee,
                                    p->generic_base_mul ? p->generic_base_mul : "1.2") ||
            !mav2_u256_add(max_fee, &t, &prio))
            return mav2_error_prefix("fees");
    }
    if (!fees_bounded(base_fee, &prio, p, max_fee))
        return 0;
    *max_priority = prio;
    return 1;
}
