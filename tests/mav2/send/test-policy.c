/* SPDX-License-Identifier: Apache-2.0 */
/* test-policy.c: the off-chain policy (policy.h): each rule refuses what it must and
 * allows what it may, the windows survive a restart (a new policy object over the same
 * state directory); the audit ledger (ledger.h): appends chain, verify finds a changed
 * and a removed line. The send flow's guard on the devnet: tests/e2e/test-policy.sh. */
#include "mav2/core/account.h"
#include "mav2/core/error.h"
#include "mav2/send/ledger.h"
#include "mav2/send/policy.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/mav2-test-policy-XXXXXX";
static const uint8_t ACC[20] = {0xac, 0xc0};
static const uint8_t A[20] = {0xaa}, B[20] = {0xbb};
#define T0 1800000000LL

/* execute(to, value wei, data) */
static int check(const mav2_policy *pol, const uint8_t to[20], uint64_t value, const uint8_t *data,
                 size_t len, uint64_t cost, long long now, const char **rule)
{
    mav2_call c;
    mav2_buf cd = MAV2_BUF_INIT;
    mav2_policy_op op;
    int ok;
    memcpy(c.target, to, 20);
    mav2_u256_from_u64(&c.value, value);
    c.data = data;
    c.data_len = len;
    if (!mav2_calldata_execute(&c, &cd))
        tap_bail("execute call data");
    memset(&op, 0, sizeof(op));
    op.chain_id = 31337;
    op.account = ACC;
    op.entity_id = 1;
    op.call_data = cd.data;
    op.call_data_len = cd.len;
    mav2_u256_from_u64(&op.max_cost, cost);
    ok = mav2_policy_check(pol, dir, &op, (time_t)now, rule);
    mav2_buf_free(&cd);
    return ok;
}

static mav2_policy *policy(const char *key, const char *value)
{
    mav2_policy *p = mav2_policy_new();
    if (p == NULL || !mav2_policy_set(p, key, value))
        tap_bail(mav2_last_error());
    return p;
}

/* rule is read after ok was computed (a pointer: argument order is unspecified). */
static int refused_by(int ok, const char *const *rulep, const char *want)
{
    const char *rule = *rulep;
    if (!ok && rule != NULL && strcmp(rule, want) == 0 && strstr(mav2_last_error(), want))
        return 1;
    tap_diag("ok %d rule %s: %s", ok, rule ? rule : "-", mav2_last_error());
    return 0;
}

static void test_settings(void)
{
    mav2_policy *p = mav2_policy_new();
    tap_ok(!mav2_policy_is_set(p), "an empty policy has no rule");
    tap_ok(!mav2_policy_set(p, "policy-allow", "0x12"), "policy-allow: a short address refused");
    tap_ok(!mav2_policy_set(p, "policy-allow", "0xaa00000000000000000000000000000000000000:0x12"),
           "policy-allow: a short selector refused");
    tap_ok(!mav2_policy_set(p, "policy-value-cap", "1ether"),
           "policy-value-cap: no period refused");
    tap_ok(!mav2_policy_set(p, "policy-value-cap", "1ether/24y"), "policy-value-cap: bad unit");
    tap_ok(!mav2_policy_set(p, "policy-ops-per-minute", "0"), "policy-ops-per-minute: 0 refused");
    tap_ok(!mav2_policy_set(p, "policy-max-value", "lots"), "policy-max-value: bad amount");
    tap_ok(!mav2_policy_set(p, "policy-bogus", "1"), "an unknown key refused");
    tap_ok(strstr(mav2_last_error(), "policy-bogus") != NULL, "the error names the key");
    mav2_policy_free(p);
}

static void test_allow(void)
{
    const char *rule;
    const uint8_t sel[4] = {0xa9, 0x05, 0x9c, 0xbb}, other[4] = {1, 2, 3, 4};
    mav2_policy *p =
        policy("policy-allow", "0xaa00000000000000000000000000000000000000,"
                               "0xbb00000000000000000000000000000000000000:0xa9059cbb");
    tap_ok(check(p, A, 0, other, 4, 0, T0, &rule), "allow: any call to an address listed alone");
    tap_ok(check(p, B, 0, sel, 4, 0, T0, &rule), "allow: the listed selector on B");
    tap_ok(refused_by(check(p, B, 0, other, 4, 0, T0, &rule), &rule, "policy-allow"),
           "allow: another selector on B refused, the rule named");
    tap_ok(refused_by(check(p, B, 5, NULL, 0, 0, T0, &rule), &rule, "policy-allow"),
           "allow: a plain transfer to B (no selector) refused");
    tap_ok(refused_by(check(p, ACC, 0, other, 4, 0, T0, &rule), &rule, "policy-allow"),
           "allow: an unlisted target refused");
    mav2_policy_free(p);
}

static void test_value_and_cost(void)
{
    const char *rule;
    mav2_policy *p = policy("policy-max-value", "1000wei");
    if (!mav2_policy_set(p, "policy-max-cost", "0.001ether"))
        tap_bail(mav2_last_error());
    tap_ok(check(p, A, 1000, NULL, 0, 1000000000000000ULL, T0, &rule),
           "max-value and max-cost: at the limits allowed");
    tap_ok(refused_by(check(p, A, 1001, NULL, 0, 0, T0, &rule), &rule, "policy-max-value"),
           "max-value: 1 wei over refused");
    tap_ok(refused_by(check(p, A, 0, NULL, 0, 1000000000000001ULL, T0, &rule), &rule,
                      "policy-max-cost"),
           "max-cost: 1 wei over refused");
    mav2_policy_free(p);
}

static void test_windows(void)
{
    const char *rule;
    mav2_policy *p = policy("policy-ops-per-minute", "2");
    tap_ok(check(p, A, 0, NULL, 0, 0, T0, &rule) && check(p, A, 0, NULL, 0, 0, T0 + 1, &rule),
           "ops-per-minute 2: two ops allowed");
    tap_ok(refused_by(check(p, A, 0, NULL, 0, 0, T0 + 30, &rule), &rule, "policy-ops-per-minute"),
           "ops-per-minute: the third within the minute refused");
    mav2_policy_free(p);
    p = policy("policy-ops-per-minute", "2"); /* a restart: only the state directory stays */
    tap_ok(refused_by(check(p, A, 0, NULL, 0, 0, T0 + 59, &rule), &rule, "policy-ops-per-minute"),
           "ops-per-minute: still refused after a restart");
    tap_ok(check(p, A, 0, NULL, 0, 0, T0 + 60, &rule),
           "ops-per-minute: allowed once the first left");
    mav2_policy_free(p);

    p = policy("policy-value-cap", "100wei/1h 150wei/1d");
    tap_ok(check(p, B, 60, NULL, 0, 0, T0, &rule), "value-cap: 60 of 100 per hour");
    tap_ok(refused_by(check(p, B, 41, NULL, 0, 0, T0 + 10, &rule), &rule, "policy-value-cap"),
           "value-cap: 60 + 41 in an hour refused");
    mav2_policy_free(p);
    p = policy("policy-value-cap", "100wei/1h 150wei/1d");
    tap_ok(check(p, B, 40, NULL, 0, 0, T0 + 20, &rule),
           "value-cap after a restart: 60 + 40 allowed");
    tap_ok(refused_by(check(p, B, 1, NULL, 0, 0, T0 + 3599, &rule), &rule, "policy-value-cap"),
           "value-cap after a restart: the hour is full");
    tap_ok(check(p, B, 50, NULL, 0, 0, T0 + 3600, &rule),
           "value-cap: the hour rolled on (60 left it), 40 + 50 allowed");
    tap_ok(refused_by(check(p, B, 1, NULL, 0, 0, T0 + 3700, &rule), &rule, "policy-value-cap"),
           "value-cap: the day's 150 is full");
    tap_ok(check(p, B, 100, NULL, 0, 0, T0 + 86400 + 3600, &rule),
           "value-cap: a day later allowed");
    mav2_policy_free(p);
}

static int count_lines(const char *path)
{
    char buf[8192];
    int n = 0;
    FILE *f = fopen(path, "r");
    while (f != NULL && fgets(buf, sizeof(buf), f) != NULL)
        n++;
    if (f != NULL)
        fclose(f);
    return n;
}

/* Rewrites path with line `drop` left out (0: none) and "nonce":"0x1" changed in line
 * `change` (0: none). */
static void rewrite(const char *path, const char *out, int drop, int change)
{
    char buf[8192];
    int n = 0;
    FILE *f = fopen(path, "r"), *o = fopen(out, "w");
    if (f == NULL || o == NULL)
        tap_bail("rewrite");
    while (fgets(buf, sizeof(buf), f) != NULL) {
        char *at = strstr(buf, "\"nonce\":\"0x1\"");
        if (++n == drop)
            continue;
        if (n == change && at != NULL)
            at[11] = '2';
        fputs(buf, o);
    }
    fclose(f);
    fclose(o);
}

static void test_ledger(void)
{
    char path[256], bad[256], tip[67];
    unsigned long long lines = 0, at = 0;
    json_object *e = json_object_new_object();
    json_object_object_add(e, "event", json_object_new_string("sign"));
    json_object_object_add(e, "nonce", json_object_new_string("0x1"));
    snprintf(path, sizeof(path), "%s/ledger.jsonl", dir);
    snprintf(bad, sizeof(bad), "%s/bad.jsonl", dir);
    tap_ok(mav2_ledger_append(path, e, T0) && mav2_ledger_append(path, e, T0 + 1) &&
               mav2_ledger_append(path, e, T0 + 2) && mav2_ledger_append(path, e, T0 + 3),
           "ledger: four lines appended");
    json_object_put(e);
    tap_ok(count_lines(path) == 4, "ledger: four lines in the file");
    tap_ok(mav2_ledger_verify(path, &lines, &at, tip) && lines == 4, "ledger: the chain verifies");
    rewrite(path, bad, 0, 2);
    tap_ok(!mav2_ledger_verify(bad, &lines, &at, NULL) && at == 3,
           "ledger: line 2 changed: the chain breaks at line 3 (%s)", mav2_last_error());
    rewrite(path, bad, 2, 0);
    tap_ok(!mav2_ledger_verify(bad, &lines, &at, NULL) && at == 2,
           "ledger: line 2 removed: broken at (the new) line 2 (%s)", mav2_last_error());
    rewrite(path, bad, 1, 0);
    tap_ok(!mav2_ledger_verify(bad, &lines, &at, NULL) && at == 1,
           "ledger: line 1 removed: broken at line 1 (%s)", mav2_last_error());
    tap_ok(!mav2_ledger_parse_line("{\"seq\":1}", 9, NULL, NULL), "ledger: a line without prev");
    e = json_object_new_object();
    json_object_object_add(e, "event", json_object_new_string("sign"));
    FILE *f = fopen(bad, "a");
    if (f == NULL || fputs("{\"seq\":", f) < 0 || fclose(f) != 0)
        tap_bail("torn line");
    tap_ok(!mav2_ledger_append(bad, e, T0) && strstr(mav2_last_error(), "partial line"),
           "ledger: no append after a torn line (%s)", mav2_last_error());
    json_object_put(e);
}

int main(void)
{
    char cmd[128];
    if (mkdtemp(dir) == NULL)
        tap_bail("mkdtemp");
    test_settings();
    test_allow();
    test_value_and_cost();
    test_windows();
    test_ledger();
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        tap_diag("could not remove %s", dir);
    return tap_done();
}
