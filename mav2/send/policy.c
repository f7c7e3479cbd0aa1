/* SPDX-License-Identifier: Apache-2.0 */
/* policy.c: the off-chain policy checked before signing (policy.h). */
#include "config.h"

#include "mav2/send/policy.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "mav2/core/account.h"
#include "mav2/core/address.h"
#include "mav2/core/error.h"
#include "mav2/net/state.h"
#include "mav2/send/policy_state.h"

#define MAX_CAPS 8

typedef struct {
    uint8_t target[20];
    int any_selector;
    uint8_t selector[4];
} allow_entry;

struct mav2_policy {
    allow_entry *allow;
    size_t n_allow;
    int have_allow, have_max_value, have_max_cost;
    mav2_u256 max_value, max_cost;
    mav2_policy_cap caps[MAX_CAPS];
    size_t n_caps;
    unsigned long ops_per_minute; /* 0: no rule */
};

const char *const mav2_policy_keys[] = {"policy-allow",     "policy-max-value",
                                        "policy-value-cap", "policy-ops-per-minute",
                                        "policy-max-cost",  NULL};

mav2_policy *mav2_policy_new(void)
{
    mav2_policy *p = calloc(1, sizeof(*p));
    if (p == NULL)
        mav2_error_set("policy: out of memory");
    return p;
}

void mav2_policy_free(mav2_policy *pol)
{
    if (pol == NULL)
        return;
    free(pol->allow);
    free(pol);
}

int mav2_policy_is_set(const mav2_policy *pol)
{
    return pol != NULL && (pol->have_allow || pol->have_max_value || pol->have_max_cost ||
                           pol->n_caps > 0 || pol->ops_per_minute > 0);
}

/* The next token of *s (separated by spaces, tabs or commas) into tok; 0 at the end. */
static int next_token(const char **s, char *tok, size_t cap)
{
    const char *p = *s;
    size_t n = 0;
    while (*p == ' ' || *p == '\t' || *p == ',')
        p++;
    if (*p == '\0')
        return 0;
    while (p[n] != '\0' && p[n] != ' ' && p[n] != '\t' && p[n] != ',')
        n++;
    if (n >= cap)
        n = cap - 1; /* too long for any valid entry: fails its parser */
    memcpy(tok, p, n);
    tok[n] = '\0';
    while (*p != '\0' && *p != ' ' && *p != '\t' && *p != ',')
        p++;
    *s = p;
    return 1;
}

static int parse_allow_entry(const char *tok, allow_entry *e)
{
    char addr[64];
    const char *colon = strchr(tok, ':');
    size_t alen = colon != NULL ? (size_t)(colon - tok) : strlen(tok);
    memset(e, 0, sizeof(*e));
    if (alen >= sizeof(addr))
        return 0;
    memcpy(addr, tok, alen);
    addr[alen] = '\0';
    if (!mav2_address_parse(addr, e->target))
        return 0;
    if (colon == NULL) {
        e->any_selector = 1;
        return 1;
    }
    return strlen(colon + 1) == 10 && strncmp(colon + 1, "0x", 2) == 0 &&
           mh_hex_decode_exact(colon + 1, e->selector, 4, NULL);
}

static int set_allow(mav2_policy *pol, const char *value)
{
    char tok[128];
    const char *s = value;
    allow_entry *grown;
    while (next_token(&s, tok, sizeof(tok))) {
        grown = realloc(pol->allow, (pol->n_allow + 1) * sizeof(*grown));
        if (grown == NULL)
            return mav2_error_set("policy: out of memory");
        pol->allow = grown;
        if (!parse_allow_entry(tok, &pol->allow[pol->n_allow]))
            return mav2_error_set("policy-allow: \"%.80s\" is not ADDRESS or ADDRESS:0xSELECTOR",
                                  tok);
        pol->n_allow++;
    }
    pol->have_allow = 1;
    return 1;
}

/* "N" followed by s, m, h or d. */
static int parse_period(const char *s, long long *secs)
{
    char *end;
    unsigned long long n;
    long long unit;
    if (!isdigit((unsigned char)*s))
        return 0;
    n = strtoull(s, &end, 10);
    switch (*end) {
    case 's':
        unit = 1;
        break;
    case 'm':
        unit = 60;
        break;
    case 'h':
        unit = 3600;
        break;
    case 'd':
        unit = 86400;
        break;
    default:
        return 0;
    }
    if (end[1] != '\0' || n == 0 || n > 366ULL * 86400 / (unsigned long long)unit)
        return 0;
    *secs = (long long)n * unit;
    return 1;
}

static int set_caps(mav2_policy *pol, const char *value)
{
    char tok[128];
    const char *s = value;
    while (next_token(&s, tok, sizeof(tok))) {
        char *slash = strchr(tok, '/');
        mav2_policy_cap *c = &pol->caps[pol->n_caps];
        if (pol->n_caps == MAX_CAPS)
            return mav2_error_set("policy-value-cap: at most %d caps", MAX_CAPS);
        if (slash != NULL)
            *slash = '\0';
        if (slash == NULL || !mav2_u256_parse_amount(&c->amount, tok) ||
            !parse_period(slash + 1, &c->period_s))
            return mav2_error_set("policy-value-cap: \"%.80s%s%.40s\" is not AMOUNT/PERIOD "
                                  "(PERIOD: N followed by s, m, h or d, at most 366d)",
                                  tok, slash ? "/" : "", slash ? slash + 1 : "");
        pol->n_caps++;
    }
    if (pol->n_caps == 0)
        return mav2_error_set("policy-value-cap: empty");
    return 1;
}

int mav2_policy_set(mav2_policy *pol, const char *key, const char *value)
{
    char *end;
    if (pol == NULL || key == NULL || value == NULL)
        return mav2_error_set("policy: missing argument");
    if (strcmp(key, "policy-allow") == 0)
        return set_allow(pol, value);
    if (strcmp(key, "policy-value-cap") == 0)
        return set_caps(pol, value);
    if (strcmp(key, "policy-max-value") == 0) {
        if (!mav2_u256_parse_amount(&pol->max_value, value))
            return mav2_error_set("policy-max-value: \"%.80s\" is not an amount", value);
        return pol->have_max_value = 1;
    }
    if (strcmp(key, "policy-max-cost") == 0) {
        if (!mav2_u256_parse_amount(&pol->max_cost, value))
            return mav2_error_set("policy-max-cost: \"%.80s\" is not an amount", value);
        return pol->have_max_cost = 1;
    }
    if (strcmp(key, "policy-ops-per-minute") == 0) {
        unsigned long n = isdigit((unsigned char)*value) ? strtoul(value, &end, 10) : 0;
        if (n == 0 || *end != '\0' || n > 1000000)
            return mav2_error_set("policy-ops-per-minute: \"%.80s\" is not a number 1..1000000",
                                  value);
        pol->ops_per_minute = n;
        return 1;
    }
    return mav2_error_set("policy: unknown setting \"%.80s\"", key);
}

static int call_allowed(const mav2_policy *pol, const mav2_call *c)
{
    for (size_t i = 0; i < pol->n_allow; i++) {
        const allow_entry *e = &pol->allow[i];
        if (memcmp(e->target, c->target, 20) != 0)
            continue;
        if (e->any_selector || (c->data_len >= 4 && memcmp(c->data, e->selector, 4) == 0))
            return 1;
    }
    return 0;
}

static int refuse(const char **rule, const char *name)
{
    if (rule != NULL)
        *rule = name;
    return 0;
}

static int check_calls(const mav2_policy *pol, const mav2_call *calls, size_t n, mav2_u256 *value,
                       const char **rule)
{
    char a[MAV2_ADDRESS_STR_MAX], sel[11] = "none", v[MAV2_U256_DEC_MAX + 2],
                                  m[MAV2_U256_DEC_MAX + 2];
    mav2_u256_from_u64(value, 0);
    for (size_t i = 0; i < n; i++) {
        if (pol->have_allow && !call_allowed(pol, &calls[i])) {
            mav2_address_format(calls[i].target, a);
            if (calls[i].data_len >= 4)
                mh_hex_encode(calls[i].data, 4, sel, sizeof(sel), 1);
            mav2_error_set("refused by policy-allow: call %zu of %zu, to %s with selector %s, "
                           "is not allowed",
                           i + 1, n, a, sel);
            return refuse(rule, "policy-allow");
        }
        if (!mav2_u256_add(value, value, &calls[i].value))
            memset(value, 0xff, sizeof(*value));
    }
    if (pol->have_max_value && mav2_u256_cmp(value, &pol->max_value) > 0) {
        mav2_u256_format_units(value, 18, v);
        mav2_u256_format_units(&pol->max_value, 18, m);
        mav2_error_set("refused by policy-max-value: the op moves %s ETH, over %s ETH", v, m);
        return refuse(rule, "policy-max-value");
    }
    return 1;
}

/* The stateless rules (targets, value, cost); *value gets the op's value. */
static int check_op(const mav2_policy *pol, const mav2_policy_op *op, mav2_u256 *value,
                    const char **rule)
{
    mav2_call *calls = NULL, self;
    size_t n = 0;
    char c[MAV2_U256_DEC_MAX + 2], m[MAV2_U256_DEC_MAX + 2];
    int ok;
    if (!mav2_calldata_decode_calls(op->call_data, op->call_data_len, &calls, &n)) {
        mav2_error_prefix("refused by policy: call data not understood");
        return refuse(rule, "policy-allow");
    }
    memset(&self, 0, sizeof(self));
    memcpy(self.target, op->account, 20);
    self.data = op->call_data;
    self.data_len = op->call_data_len;
    ok = n > 0 ? check_calls(pol, calls, n, value, rule) : check_calls(pol, &self, 1, value, rule);
    free(calls);
    if (ok && pol->have_max_cost && mav2_u256_cmp(&op->max_cost, &pol->max_cost) > 0) {
        mav2_u256_format_units(&op->max_cost, 18, c);
        mav2_u256_format_units(&pol->max_cost, 18, m);
        mav2_error_set("refused by policy-max-cost: the op may cost up to %s ETH in gas, over "
                       "%s ETH",
                       c, m);
        return refuse(rule, "policy-max-cost");
    }
    return ok;
}

int mav2_policy_check(const mav2_policy *pol, const char *state_dir, const mav2_policy_op *op,
                      time_t now, const char **rule)
{
    return mav2_policy_check_in(pol, state_dir, NULL, op, now, rule);
}

int mav2_policy_check_in(const mav2_policy *pol, const char *state_dir, struct mav2_state *st,
                         const mav2_policy_op *op, time_t now, const char **rule)
{
    mav2_u256 value;
    mav2_policy_windows w;
    if (rule != NULL)
        *rule = NULL;
    if (pol == NULL || op == NULL || op->account == NULL ||
        (op->call_data == NULL && op->call_data_len > 0))
        return mav2_error_set("policy: missing argument");
    if (!check_op(pol, op, &value, rule))
        return 0;
    if ((pol->n_caps == 0 && pol->ops_per_minute == 0) || op->replaces)
        return 1;
    memset(&w, 0, sizeof(w));
    w.caps = pol->caps;
    w.n_caps = pol->n_caps;
    w.ops_per_minute = pol->ops_per_minute;
    if (st != NULL && strcmp(mav2_state_kind(st), "files") != 0)
        return mav2_policy_windows_take_state(st, op->chain_id, op->account, op->entity_id, &w,
                                              &value, rule);
    return mav2_policy_windows_take(state_dir, op->chain_id, op->account, op->entity_id, &w,
                                    (long long)now, &value, rule);
}
