/* SPDX-License-Identifier: Apache-2.0 */
/* many.c: several ops at once on distinct nonce lanes, one thread each
 * (mav2_send_many, see send.h). */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mav2/core/account.h"
#include "mav2/core/error.h"
#include "mav2/send/send.h"
#include "mav2/send/send_int.h"

typedef struct {
    const char *rpc_url, *bundler_url;
    const mav2_rpc_options *opt;
    const mav2_send_params *p;
    mav2_send_result *r;
    int ok;
    int threaded; /* set by the caller's thread only */
} lane_job;

static void *lane_main(void *arg)
{
    lane_job *j = arg;
    j->ok = mav2_send_urls(j->rpc_url, j->bundler_url, j->opt, j->p, j->r);
    return NULL;
}

static void fail_all(mav2_send_result *rs, size_t n, const char *msg)
{
    for (size_t i = 0; i < n; i++) {
        memset(&rs[i], 0, sizeof(rs[i]));
        rs[i].outcome = MAV2_SEND_INVALID;
        snprintf(rs[i].message, sizeof(rs[i].message), "%s", msg);
    }
}

int mav2_send_many(const char *rpc_url, const char *bundler_url, const mav2_rpc_options *opt,
                   const mav2_send_params *ps, mav2_send_result *rs, size_t n)
{
    lane_job *jobs;
    pthread_t *th;
    mav2_u256 *keys;
    int all = 1;

    if (rs == NULL || (n > 0 && ps == NULL) || rpc_url == NULL)
        return mav2_error_set("send many: missing URL, parameters or results");
    if (!mav2_rpc_options_check(opt)) {
        fail_all(rs, n, mav2_last_error());
        return 0;
    }
    keys = calloc(n ? n : 1, sizeof(*keys));
    if (keys == NULL)
        return mav2_error_set("send many: out of memory");
    for (size_t i = 0; i < n; i++) {
        if (!mav2_send_params_check(&ps[i]) ||
            !mav2_nonce_key(&keys[i], &ps[i].lane, ps[i].entity_id, ps[i].nonce_options)) {
            free(keys);
            fail_all(rs, n, mav2_last_error());
            return 0;
        }
        for (size_t k = 0; k < i; k++)
            if (memcmp(ps[k].account, ps[i].account, 20) == 0 &&
                mav2_u256_cmp(&keys[k], &keys[i]) == 0) {
                free(keys);
                mav2_error_set("send many: ops %zu and %zu are on the same nonce lane (give each "
                               "its own lane)",
                               k + 1, i + 1);
                fail_all(rs, n, mav2_last_error());
                return 0;
            }
    }
    free(keys);
    jobs = calloc(n ? n : 1, sizeof(*jobs));
    th = calloc(n ? n : 1, sizeof(*th));
    if (jobs == NULL || th == NULL) {
        free(jobs);
        free(th);
        fail_all(rs, n, "send many: out of memory");
        return mav2_error_set("send many: out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        jobs[i] = (lane_job){rpc_url, bundler_url, opt, &ps[i], &rs[i], 0, 0};
        jobs[i].threaded = pthread_create(&th[i], NULL, lane_main, &jobs[i]) == 0;
        if (!jobs[i].threaded)
            lane_main(&jobs[i]); /* no thread: this one in line */
    }
    for (size_t i = 0; i < n; i++) {
        if (jobs[i].threaded)
            pthread_join(th[i], NULL);
        all = all && jobs[i].ok;
    }
    free(jobs);
    free(th);
    if (!all) {
        for (size_t i = 0; i < n; i++)
            if (!rs[i].success)
                return mav2_error_set("send many: op %zu: %s", i + 1, rs[i].message);
    }
    mav2_error_clear();
    return 1;
}
