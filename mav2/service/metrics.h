/* SPDX-License-Identifier: Apache-2.0 */
/* metrics.h: mav2d's counters, served as Prometheus text on GET /metrics. */
#ifndef MAV2D_METRICS_H
#define MAV2D_METRICS_H

#include <stddef.h>

typedef enum {
    MAVD_M_REQUESTS,  /* JSON-RPC requests answered */
    MAVD_M_SUBMITTED, /* ops the bundler accepted */
    MAVD_M_INCLUDED,
    MAVD_M_REVERTED,
    MAVD_M_REFUSED,  /* refused by policy */
    MAVD_M_REJECTED, /* refused by the node or bundler, or failed before sending */
    MAVD_M_TOKEN_ERRORS,
    MAVD_M_AUTH_FAILURES,
    MAVD_M_COUNT
} mavd_counter;

void mavd_metric_inc(mavd_counter c);
/* One signature's latency, in ms. */
void mavd_metric_sign_ms(double ms);
/* The Prometheus text; queue_depth and pending are gauges from the lanes. Returns a
 * malloc'd string or NULL. */
char *mavd_metrics_text(size_t queue_depth, size_t pending);

#endif
