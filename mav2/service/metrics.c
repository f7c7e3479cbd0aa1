/* SPDX-License-Identifier: Apache-2.0 */
/* metrics.c: counters and the sign-latency histogram (metrics.h). */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "mav2/service/metrics.h"

static const char *const names[MAVD_M_COUNT][2] = {
    {"mav2d_requests_total", "JSON-RPC requests answered"},
    {"mav2d_ops_submitted_total", "user ops the bundler accepted"},
    {"mav2d_ops_included_total", "user ops included, calls succeeded"},
    {"mav2d_ops_reverted_total", "user ops included, calls reverted"},
    {"mav2d_ops_refused_total", "requests refused by policy before signing"},
    {"mav2d_ops_rejected_total", "requests refused by the node or bundler or failed"},
    {"mav2d_token_errors_total", "signing failures of the token"},
    {"mav2d_auth_failures_total", "HTTP requests refused for a missing or wrong token"},
};
static const double bounds[] = {5, 10, 25, 50, 100, 250, 500, 1000, 2500};
#define NB (sizeof(bounds) / sizeof(bounds[0]))

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned long long counters[MAVD_M_COUNT];
static unsigned long long buckets[NB + 1];
static double sign_sum;

void mavd_metric_inc(mavd_counter c)
{
    pthread_mutex_lock(&mu);
    counters[c]++;
    pthread_mutex_unlock(&mu);
}

void mavd_metric_sign_ms(double ms)
{
    size_t i = 0;
    while (i < NB && ms > bounds[i])
        i++;
    pthread_mutex_lock(&mu);
    buckets[i]++;
    sign_sum += ms / 1000.0;
    pthread_mutex_unlock(&mu);
}

char *mavd_metrics_text(size_t queue_depth, size_t pending)
{
    char *out = NULL;
    size_t len = 0;
    unsigned long long cum = 0;
    FILE *f = open_memstream(&out, &len);
    if (f == NULL)
        return NULL;
    pthread_mutex_lock(&mu);
    for (int c = 0; c < MAVD_M_COUNT; c++)
        fprintf(f, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", names[c][0], names[c][1],
                names[c][0], names[c][0], counters[c]);
    fprintf(f, "# HELP mav2d_sign_seconds time the token took to sign a user op\n"
               "# TYPE mav2d_sign_seconds histogram\n");
    for (size_t i = 0; i <= NB; i++) {
        cum += buckets[i];
        if (i < NB)
            fprintf(f, "mav2d_sign_seconds_bucket{le=\"%g\"} %llu\n", bounds[i] / 1000.0, cum);
        else
            fprintf(f, "mav2d_sign_seconds_bucket{le=\"+Inf\"} %llu\n", cum);
    }
    fprintf(f, "mav2d_sign_seconds_sum %g\nmav2d_sign_seconds_count %llu\n", sign_sum, cum);
    pthread_mutex_unlock(&mu);
    fprintf(f,
            "# HELP mav2d_lane_queue_depth requests waiting for a free lane\n"
            "# TYPE mav2d_lane_queue_depth gauge\nmav2d_lane_queue_depth %zu\n"
            "# HELP mav2d_ops_pending user ops sent and not yet included\n"
            "# TYPE mav2d_ops_pending gauge\nmav2d_ops_pending %zu\n",
            queue_depth, pending);
    if (fclose(f) != 0) {
        free(out);
        return NULL;
    }
    return out;
}
