/* SPDX-License-Identifier: Apache-2.0 */
/* guard.c: policy before the signature, ledger after it (guard.h). */
#include "config.h"

#include "mav2/send/guard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/hex.h"
#include "mav2/core/account.h"
#include "mav2/core/address.h"
#include "mav2/core/error.h"
#include "mav2/keys/key.h"
#include "mav2/send/ledger.h"
#include "mav2/send/policy_state.h"

void mav2_guard_init(mav2_guard *g)
{
    memset(g, 0, sizeof(*g));
    g->struct_size = sizeof(*g);
}

static int guard_check(const mav2_guard *g)
{
    if (g == NULL)
        return mav2_error_set("guard: missing argument");
    if (g->struct_size != sizeof(*g))
        return mav2_error_set("mav2_guard: struct_size %zu is not this library's (%zu): "
                              "fill it with mav2_guard_init",
                              g->struct_size, sizeof(*g));
    return 1;
}

int mav2_guard_set_key(mav2_guard *g, EVP_PKEY *pkey)
{
    if (!guard_check(g))
        return 0;
    return mav2_key_token_ref(pkey, g->token_serial, sizeof(g->token_serial), g->key_id,
                              sizeof(g->key_id));
}

static json_object *hex_string(const uint8_t *b, size_t n)
{
    size_t cap = mh_hex_encoded_size(n, 1);
    char *s = malloc(cap);
    json_object *o = NULL;
    if (s != NULL && mh_hex_encode(b, n, s, cap, 1))
        o = json_object_new_string(s);
    free(s);
    return o;
}

static json_object *address(const uint8_t a[20])
{
    char s[MAV2_ADDRESS_STR_MAX];
    mav2_address_format(a, s);
    return json_object_new_string(s);
}

static json_object *quantity(const mav2_u256 *v)
{
    char s[MAV2_U256_HEX_MAX];
    mav2_u256_to_hex(v, s);
    return json_object_new_string(s);
}

/* The calls of the op's call data; other call data: one call to the account. */
static json_object *calls_of(const mav2_guard_event *ev)
{
    const mav2_userop *op = ev->op;
    mav2_call *calls = NULL;
    size_t n = 0;
    json_object *a = json_object_new_array();
    if (!mav2_calldata_decode_calls(op->call_data.data, op->call_data.len, &calls, &n) || n == 0) {
        json_object *c = json_object_new_object();
        json_object_object_add(c, "to", address(ev->account));
        json_object_object_add(c, "value", json_object_new_string("0x0"));
        json_object_object_add(c, "data", hex_string(op->call_data.data, op->call_data.len));
        json_object_array_add(a, c);
    }
    for (size_t i = 0; i < n; i++) {
        json_object *c = json_object_new_object();
        json_object_object_add(c, "to", address(calls[i].target));
        json_object_object_add(c, "value", quantity(&calls[i].value));
        json_object_object_add(c, "data", hex_string(calls[i].data, calls[i].data_len));
        json_object_array_add(a, c);
    }
    free(calls);
    return a;
}

/* The fields every line about the op ev carries, after event. */
static json_object *op_entry(const char *event, const mav2_guard_event *ev)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "event", json_object_new_string(event));
    json_object_object_add(o, "chain", json_object_new_int64((int64_t)ev->chain_id));
    json_object_object_add(o, "account", address(ev->account));
    json_object_object_add(o, "entity", json_object_new_int64(ev->entity_id));
    json_object_object_add(o, "nonceKey", quantity(ev->nonce_key));
    json_object_object_add(o, "nonce", quantity(&ev->op->nonce));
    json_object_object_add(o, "calls", calls_of(ev));
    json_object_object_add(o, "userOpHash", hex_string(ev->user_op_hash, 32));
    json_object_object_add(o, "sponsored", json_object_new_boolean(ev->op->has_paymaster));
    json_object_object_add(o, "maxCost", quantity(&ev->max_cost));
    if (ev->replaces != NULL)
        json_object_object_add(o, "replaces", json_object_new_string(ev->replaces));
    return o;
}

static int refused(mav2_guard *g, const mav2_guard_event *ev, const char *rule)
{
    char why[512];
    json_object *o;
    g->refused_rule = rule != NULL ? rule : "policy";
    if (g->ledger == NULL)
        return 0;
    snprintf(why, sizeof(why), "%s", mav2_last_error());
    o = op_entry("refused", ev);
    json_object_object_add(o, "rule", json_object_new_string(g->refused_rule));
    json_object_object_add(o, "reason", json_object_new_string(why));
    if (!mav2_ledger_put(g->ledger, g->state, ev->account, o, time(NULL)))
        mav2_error_set("%s (and the ledger: %s)", why, mav2_last_error());
    else
        mav2_error_set("%s", why);
    json_object_put(o);
    return 0;
}

static int check_policy(mav2_guard *g, const mav2_guard_event *ev)
{
    mav2_policy_op q = {.chain_id = ev->chain_id,
                        .account = ev->account,
                        .entity_id = ev->entity_id,
                        .call_data = ev->op->call_data.data,
                        .call_data_len = ev->op->call_data.len,
                        .max_cost = ev->max_cost,
                        .replaces = ev->replaces != NULL};
    const char *rule = NULL;
    if (!mav2_policy_is_set(g->policy))
        return 1;
    if (!mav2_policy_check_in(g->policy, g->state_dir, g->state, &q, time(NULL), &rule))
        return refused(g, ev, rule);
    return 1;
}

static int record_signature(mav2_guard *g, const mav2_guard_event *ev)
{
    json_object *o;
    int ok;
    if (g->ledger == NULL)
        return 1;
    o = op_entry("sign", ev);
    json_object_object_add(o, "tokenSerial", json_object_new_string(g->token_serial));
    json_object_object_add(o, "keyId", json_object_new_string(g->key_id));
    json_object_object_add(
        o, "verdict", json_object_new_string(mav2_policy_is_set(g->policy) ? "allowed" : "none"));
    ok = mav2_ledger_put(g->ledger, g->state, ev->account, o, time(NULL));
    json_object_put(o);
    if (!ok)
        return mav2_error_prefix("the signature is not used (every signature is recorded)");
    g->signed_ops++;
    snprintf(g->replaced_hash, sizeof(g->replaced_hash), "%s",
             ev->replaces != NULL ? ev->replaces : "");
    return 1;
}

int mav2_guard_hook(void *ctx, mav2_guard_stage stage, const mav2_guard_event *ev)
{
    mav2_guard *g = ctx;
    if (!guard_check(g))
        return 0;
    if (ev == NULL || ev->op == NULL)
        return mav2_error_set("guard: missing argument");
    g->chain_id = ev->chain_id;
    return stage == MAV2_GUARD_BEFORE_SIGN ? check_policy(g, ev) : record_signature(g, ev);
}

static const char *outcome_name(mav2_send_outcome o)
{
    switch (o) {
    case MAV2_SEND_INCLUDED:
        return "included";
    case MAV2_SEND_REVERTED:
        return "reverted";
    case MAV2_SEND_REJECTED:
        return "rejected";
    case MAV2_SEND_TIMEOUT:
        return "timeout";
    case MAV2_SEND_SUBMITTED:
        return "submitted";
    default:
        return NULL;
    }
}

/* An "outcome" line: hash's op ended as name (by: the op that replaced it, or NULL). */
static int outcome_line(const mav2_guard *g, uint64_t chain_id, const uint8_t *account,
                        const char *hash, const char *name, const char *by, const char *tx)
{
    json_object *o = json_object_new_object();
    int ok;
    json_object_object_add(o, "event", json_object_new_string("outcome"));
    json_object_object_add(o, "chain",
                           json_object_new_int64((int64_t)(chain_id ? chain_id : g->chain_id)));
    json_object_object_add(o, "account", address(account));
    json_object_object_add(o, "userOpHash", json_object_new_string(hash));
    json_object_object_add(o, "outcome", json_object_new_string(name));
    if (by != NULL)
        json_object_object_add(o, "by", json_object_new_string(by));
    if (tx != NULL && tx[0] != '\0')
        json_object_object_add(o, "txHash", json_object_new_string(tx));
    ok = mav2_ledger_put(g->ledger, g->state, account, o, time(NULL));
    json_object_put(o);
    return ok;
}

int mav2_guard_outcome(mav2_guard *g, const mav2_send_params *p, const mav2_send_result *r)
{
    const char *name = outcome_name(r->outcome);
    char hash[67];
    if (!guard_check(g))
        return 0;
    if (g->ledger == NULL || name == NULL || !r->have_hash || (g->signed_ops == 0 && !r->resumed))
        return 1;
    mh_hex_encode(r->user_op_hash, 32, hash, sizeof(hash), 1);
    if (r->replaced && g->replaced_hash[0] != '\0' && strcmp(g->replaced_hash, hash) != 0 &&
        !outcome_line(g, p->chain_id, p->account, g->replaced_hash, "replaced", hash, NULL))
        return 0;
    return outcome_line(g, p->chain_id, p->account, hash, name, NULL, r->tx_hash);
}

int mav2_guard_outcome_of(const mav2_guard *g, uint64_t chain_id,
                          const uint8_t account[MAV2_ADDRESS_LEN], const uint8_t user_op_hash[32],
                          mav2_send_outcome outcome, const char *tx_hash)
{
    const char *name = outcome_name(outcome);
    char hash[67];
    if (!guard_check(g))
        return 0;
    if (g->ledger == NULL || name == NULL)
        return 1;
    mh_hex_encode(user_op_hash, 32, hash, sizeof(hash), 1);
    return outcome_line(g, chain_id, account, hash, name, NULL, tx_hash);
}
