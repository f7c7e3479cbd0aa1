/* SPDX-License-Identifier: Apache-2.0 */
/* session_limits.c: a session key's permission hooks read back from the modules, and
 * the modules' setters (session_limits.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "common/hex.h"
#include "common/keccak.h"
#include "mav2/core/account.h"
#include "mav2/core/address.h"
#include "mav2/core/error.h"
#include "mav2/net/logs.h"
#include "mav2/net/session_limits.h"

/* ---- names --------------------------------------------------------------------- */

const char *mav2_selector_name(const uint8_t sel[4])
{
    static const struct {
        const char *name, *sig;
    } known[] = {
        {"execute", "execute(address,uint256,bytes)"},
        {"executeBatch", "executeBatch((address,uint256,bytes)[])"},
        {"executeUserOp",
         "executeUserOp((address,uint256,bytes,bytes,bytes32,uint256,bytes32,bytes,bytes),"
         "bytes32)"},
        {"invalidateDeferredValidationInstallNonce",
         "invalidateDeferredValidationInstallNonce(uint256)"},
        {"isValidSignature", "isValidSignature(bytes32,bytes)"},
        {"accountId", "accountId()"},
        {"entryPoint", "entryPoint()"},
        {"getExecutionData", "getExecutionData(bytes4)"},
        {"getValidationData", "getValidationData(bytes24)"},
        {"getFallbackSignerData", "getFallbackSignerData()"},
        {"supportsInterface", "supportsInterface(bytes4)"},
        {"transfer", "transfer(address,uint256)"},
        {"approve", "approve(address,uint256)"},
        {"transferFrom", "transferFrom(address,address,uint256)"},
    };
    const char *priv = mav2_privileged_selector_name(sel);
    uint8_t s[4];

    if (priv != NULL)
        return priv;
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        mav2_abi_selector(known[i].sig, s);
        if (memcmp(s, sel, 4) == 0)
            return known[i].name;
    }
    return NULL;
}

int mav2_iso_time(uint64_t t, char out[MAV2_ISO_TIME_MAX])
{
    time_t tt = (time_t)t;
    struct tm tm;

    if ((uint64_t)tt != t || t > 253402300799ULL || gmtime_r(&tt, &tm) == NULL) /* 9999 */
        return 0;
    return strftime(out, MAV2_ISO_TIME_MAX, "%Y-%m-%dT%H:%M:%SZ", &tm) > 0;
}

/* ---- setters ------------------------------------------------------------------- */

int mav2_calldata_native_limit_update(uint32_t entity, const mav2_u256 *limit, mav2_buf *out)
{
    uint8_t sel[4];
    mav2_abi *e = mav2_abi_new();

    mav2_abi_selector("updateLimits(uint32,uint256)", sel);
    mav2_abi_u64(e, entity);
    mav2_abi_uint(e, limit);
    return mav2_abi_finish_call(e, sel, out);
}

int mav2_calldata_erc20_limit_update(uint32_t entity, const uint8_t token[MAV2_ADDRESS_LEN],
                                     const mav2_u256 *limit, mav2_buf *out)
{
    uint8_t sel[4];
    mav2_abi *e = mav2_abi_new();

    mav2_abi_selector("updateLimits(uint32,address,bool,uint256)", sel);
    mav2_abi_u64(e, entity);
    mav2_abi_address(e, token);
    mav2_abi_bool(e, 1);
    mav2_abi_uint(e, limit);
    return mav2_abi_finish_call(e, sel, out);
}

int mav2_calldata_time_range_update(uint32_t entity, uint64_t valid_until, uint64_t valid_after,
                                    mav2_buf *out)
{
    uint8_t sel[4];
    mav2_abi *e;

    if (valid_until > MAV2_TIME_RANGE_NO_END || valid_after > MAV2_TIME_RANGE_NO_END)
        return mav2_error_set("time range: times must fit uint48");
    if (valid_until <= valid_after)
        return mav2_error_set("time range: validUntil (%llu) must be after validAfter (%llu)",
                              (unsigned long long)valid_until, (unsigned long long)valid_after);
    e = mav2_abi_new();
    mav2_abi_selector("setTimeRange(uint32,uint48,uint48)", sel);
    mav2_abi_u64(e, entity);
    mav2_abi_u64(e, valid_until);
    mav2_abi_u64(e, valid_after);
    return mav2_abi_finish_call(e, sel, out);
}

/* ---- hooks of the validation --------------------------------------------------- */

static uint32_t cfg_entity(const uint8_t cfg[25])
{
    return (uint32_t)cfg[20] << 24 | (uint32_t)cfg[21] << 16 | (uint32_t)cfg[22] << 8 | cfg[23];
}

static void take_hook(int *has, uint32_t *entity, const uint8_t cfg[25])
{
    if (*has)
        return;
    *has = 1;
    *entity = cfg_entity(cfg);
}

static void classify_hooks(const mav2_validation_data *vd, mav2_session_limits *l)
{
    for (size_t i = 0; i < vd->n_validation_hooks; i++) {
        const uint8_t *c = vd->validation_hooks[i];
        if (memcmp(c, mav2_addr_native_token_limit, 20) == 0)
            take_hook(&l->has_gas, &l->gas_entity, c);
        else if (memcmp(c, mav2_addr_allowlist, 20) == 0)
            take_hook(&l->has_allowlist, &l->allowlist_entity, c);
        else if (memcmp(c, mav2_addr_time_range, 20) == 0)
            take_hook(&l->has_time, &l->time_entity, c);
        else if (memcmp(c, mav2_addr_paymaster_guard, 20) == 0)
            take_hook(&l->has_paymaster, &l->paymaster_entity, c);
    }
    for (size_t i = 0; i < vd->n_execution_hooks; i++) {
        const uint8_t *c = vd->execution_hooks[i];
        if (memcmp(c, mav2_addr_native_token_limit, 20) == 0)
            take_hook(&l->has_native, &l->native_entity, c);
        else if (memcmp(c, mav2_addr_allowlist, 20) == 0)
            take_hook(&l->has_erc20, &l->erc20_entity, c);
    }
}

/* ---- AllowlistModule events ---------------------------------------------------- */

/* The allowlist of one hook entity as its events leave it; allowed[i] for targets[i]. */
typedef struct {
    uint32_t entity;
    int active;
    mav2_allowlist_target *t;
    int *allowed;
    size_t n;
} al_table;

/* The uint32 in the last bytes of an ABI word (an indexed uint32 topic). */
static uint32_t word_u32(const uint8_t w[32])
{
    return (uint32_t)w[28] << 24 | (uint32_t)w[29] << 16 | (uint32_t)w[30] << 8 | w[31];
}

static void topic_of_sig(const char *sig, uint8_t out[32])
{
    mh_keccak256(sig, strlen(sig), out);
}

static mav2_allowlist_target *al_find(al_table *tb, const uint8_t target[MAV2_ADDRESS_LEN])
{
    mav2_allowlist_target *t;
    int *a;

    for (size_t i = 0; i < tb->n; i++)
        if (memcmp(tb->t[i].target, target, 20) == 0)
            return &tb->t[i];
    t = realloc(tb->t, (tb->n + 1) * sizeof(*t));
    if (t == NULL)
        return NULL;
    tb->t = t;
    a = realloc(tb->allowed, (tb->n + 1) * sizeof(*a));
    if (a == NULL)
        return NULL;
    tb->allowed = a;
    memset(&t[tb->n], 0, sizeof(t[tb->n]));
    memcpy(t[tb->n].target, target, 20);
    a[tb->n] = 0;
    return &t[tb->n++];
}

static int sel_set(mav2_allowlist_target *t, const uint8_t sel[4], int on)
{
    uint8_t(*p)[4];

    for (size_t i = 0; i < t->n_selectors; i++)
        if (memcmp(t->selectors[i], sel, 4) == 0) {
            if (!on)
                memmove(t->selectors[i], t->selectors[i + 1], (t->n_selectors - i - 1) * 4);
            t->n_selectors -= !on;
            return 1;
        }
    if (!on)
        return 1;
    p = realloc(t->selectors, (t->n_selectors + 1) * sizeof(*p));
    if (p == NULL)
        return 0;
    t->selectors = p;
    memcpy(p[t->n_selectors++], sel, 4);
    return 1;
}

enum { EV_ADDRESS, EV_SELECTOR, EV_ERC20, EV_N };

static const char *const event_sigs[EV_N] = {
    "AddressAllowlistUpdated(uint32,address,address,(bool,bool,bool))",
    "SelectorAllowlistUpdated(uint32,address,bytes24,bool)",
    "ERC20SpendLimitUpdated(uint32,address,address,uint256)",
};

/* One event applied to the table of its entity. */
static int al_apply(al_table *tb, int ev, const uint8_t t3[32], const uint8_t *data, size_t len)
{
    uint8_t w[3][32];
    mav2_allowlist_target *t = al_find(tb, ev == EV_SELECTOR ? t3 : t3 + 12);

    if (t == NULL)
        return mav2_error_set("out of memory");
    if (ev == EV_ERC20)
        return 1; /* the token is a candidate; its flag and limit are read on chain */
    for (int i = 0; i < (ev == EV_ADDRESS ? 3 : 1); i++)
        if (!mav2_abi_get_word(data, len, (size_t)i, w[i]))
            return mav2_error_prefix("AllowlistModule event data");
    if (ev == EV_SELECTOR)
        return sel_set(t, t3 + 20, w[0][31] != 0) ? 1 : mav2_error_set("out of memory");
    tb->allowed[t - tb->t] = w[0][31] != 0;
    t->has_selector_allowlist = w[1][31] != 0;
    t->has_erc20_spend_limit = w[2][31] != 0;
    return 1;
}

static json_object *hex_str(const uint8_t *b, size_t n)
{
    char s[2 * 32 + 3];
    mh_hex_encode(b, n, s, sizeof(s), 1);
    return json_object_new_string(s);
}

static json_object *entity_topic(uint32_t entity)
{
    uint8_t w[32] = {0};
    w[28] = (uint8_t)(entity >> 24);
    w[29] = (uint8_t)(entity >> 16);
    w[30] = (uint8_t)(entity >> 8);
    w[31] = (uint8_t)entity;
    return hex_str(w, 32);
}

/* The eth_getLogs filter: the module, the three events, the tables' entities, account
 * (the block range is mav2_get_logs'). */
static json_object *logs_filter(const al_table tb[2], const uint8_t account[MAV2_ADDRESS_LEN])
{
    json_object *f = json_object_new_object();
    json_object *topics = json_object_new_array(), *t0 = json_object_new_array();
    json_object *t1 = json_object_new_array();
    uint8_t w[32] = {0};
    char addr[MAV2_ADDRESS_STR_MAX];

    for (int i = 0; i < EV_N; i++) {
        topic_of_sig(event_sigs[i], w);
        json_object_array_add(t0, hex_str(w, 32));
    }
    for (int i = 0; i < 2; i++)
        if (tb[i].active && (i == 0 || !tb[0].active || tb[0].entity != tb[1].entity))
            json_object_array_add(t1, entity_topic(tb[i].entity));
    memset(w, 0, sizeof(w));
    memcpy(w + 12, account, 20);
    json_object_array_add(topics, t0);
    json_object_array_add(topics, t1);
    json_object_array_add(topics, hex_str(w, 32));
    mav2_address_format(mav2_addr_allowlist, addr);
    json_object_object_add(f, "address", json_object_new_string(addr));
    json_object_object_add(f, "topics", topics);
    return f;
}

static int topic_at(json_object *tp, size_t i, uint8_t out[32])
{
    json_object *t = json_object_array_get_idx(tp, i);
    return json_object_is_type(t, json_type_string) &&
           mh_hex_decode_exact(json_object_get_string(t), out, 32, NULL);
}

/* One log: which event, then applied to every table of its entity. */
static int replay_log(json_object *log, al_table tb[2], size_t i)
{
    json_object *tp = NULL, *d = NULL, *rm = NULL;
    uint8_t t[4][32], w[32], *data = NULL;
    size_t len = 0;
    int ev = -1, ok = 1;

    if (json_object_object_get_ex(log, "removed", &rm) && json_object_get_boolean(rm))
        return 1;
    if (!json_object_object_get_ex(log, "topics", &tp) ||
        !json_object_is_type(tp, json_type_array) || json_object_array_length(tp) < 4 ||
        !topic_at(tp, 0, t[0]) || !topic_at(tp, 1, t[1]) || !topic_at(tp, 2, t[2]) ||
        !topic_at(tp, 3, t[3]) || !json_object_object_get_ex(log, "data", &d) ||
        !json_object_is_type(d, json_type_string) ||
        !mh_hex_decode_alloc(json_object_get_string(d), &data, &len, NULL))
        return mav2_error_set("eth_getLogs (AllowlistModule): log %zu is malformed", i);
    for (int k = 0; k < EV_N; k++) {
        topic_of_sig(event_sigs[k], w);
        if (memcmp(w, t[0], 32) == 0)
            ev = k;
    }
    for (int k = 0; ok && ev >= 0 && k < 2; k++)
        if (tb[k].active && tb[k].entity == word_u32(t[1]))
            ok = al_apply(&tb[k], ev, t[3], data, len);
    free(data);
    return ok;
}

static int read_allowlist_events(mav2_rpc *node, const uint8_t account[MAV2_ADDRESS_LEN],
                                 uint64_t from, al_table tb[2])
{
    json_object *filter = logs_filter(tb, account), *res = NULL;
    int ok;

    if (filter == NULL)
        return mav2_error_set("out of memory");
    ok = mav2_get_logs(node, filter, from, &res, NULL);
    json_object_put(filter);
    if (!ok)
        return mav2_error_prefix("AllowlistModule");
    for (size_t i = 0; ok && i < json_object_array_length(res); i++)
        ok = replay_log(json_object_array_get_idx(res, i), tb, i);
    json_object_put(res);
    return ok;
}

static void al_table_free(al_table *tb)
{
    for (size_t i = 0; i < tb->n; i++)
        free(tb->t[i].selectors);
    free(tb->t);
    free(tb->allowed);
    memset(tb, 0, sizeof(*tb));
}

/* The allowed targets of the allowlist table move into l. The real module keeps its
 * "any contract" entry (address 0) as selectors only, with no address entry. */
static void keep_allowed(al_table *tb, mav2_session_limits *l)
{
    size_t kept = 0;

    for (size_t i = 0; i < tb->n; i++) {
        int any = mav2_address_is_zero(tb->t[i].target) && tb->t[i].n_selectors > 0;
        if (any && !tb->allowed[i])
            tb->t[i].has_selector_allowlist = 1;
        if (tb->allowed[i] || any)
            tb->t[kept++] = tb->t[i];
        else
            free(tb->t[i].selectors);
    }
    l->targets = tb->t;
    l->n_targets = kept;
    free(tb->allowed);
    memset(tb, 0, sizeof(*tb));
}

/* ---- the values, one batch ----------------------------------------------------- */

enum { Q_NATIVE, Q_GAS, Q_TIME, Q_PAYMASTER, Q_ERC20_FLAG, Q_ERC20_LEFT };

typedef struct {
    mav2_rpc_batch_item *it;
    int *kind;
    size_t *idx; /* the token of an ERC-20 query */
    size_t n;
} query_list;

/* Queues to.sig(entity, [middle,] account). */
static int add_call(query_list *q, int kind, size_t idx, const uint8_t to[MAV2_ADDRESS_LEN],
                    const char *sig, uint32_t entity, const uint8_t *middle,
                    const uint8_t account[MAV2_ADDRESS_LEN])
{
    mav2_abi *e = mav2_abi_new();
    mav2_buf d = MAV2_BUF_INIT;
    uint8_t sel[4];
    json_object *p;

    mav2_abi_u64(e, entity);
    if (middle != NULL)
        mav2_abi_address(e, middle);
    mav2_abi_address(e, account);
    mav2_abi_selector(sig, sel);
    if (!mav2_abi_finish_call(e, sel, &d))
        return 0;
    p = mav2_eth_call_params(to, d.data, d.len, NULL);
    mav2_buf_free(&d);
    if (p == NULL)
        return mav2_error_set("out of memory");
    q->it[q->n].method = "eth_call";
    q->it[q->n].params = p;
    q->kind[q->n] = kind;
    q->idx[q->n++] = idx;
    return 1;
}

static int queue_calls(query_list *q, const mav2_session_limits *l, const al_table *erc20,
                       const uint8_t account[MAV2_ADDRESS_LEN])
{
    static const char *const ntl = "limits(uint256,address)";
    int ok = 1;

    if (l->has_native)
        ok = add_call(q, Q_NATIVE, 0, mav2_addr_native_token_limit, ntl, l->native_entity, NULL,
                      account);
    if (ok && l->has_gas)
        ok = add_call(q, Q_GAS, 0, mav2_addr_native_token_limit, ntl, l->gas_entity, NULL, account);
    if (ok && l->has_time)
        ok = add_call(q, Q_TIME, 0, mav2_addr_time_range, "timeRanges(uint32,address)",
                      l->time_entity, NULL, account);
    if (ok && l->has_paymaster)
        ok = add_call(q, Q_PAYMASTER, 0, mav2_addr_paymaster_guard, "paymasters(uint32,address)",
                      l->paymaster_entity, NULL, account);
    for (size_t i = 0; ok && i < erc20->n; i++)
        ok = add_call(q, Q_ERC20_FLAG, i, mav2_addr_allowlist,
                      "addressAllowlist(uint32,address,address)", l->erc20_entity,
                      erc20->t[i].target, account) &&
             add_call(q, Q_ERC20_LEFT, i, mav2_addr_allowlist,
                      "erc20SpendLimits(uint32,address,address)", l->erc20_entity,
                      erc20->t[i].target, account);
    return ok;
}

/* Word w of an eth_call answer. */
static int answer_word(json_object *res, size_t w, uint8_t out[32])
{
    uint8_t *b = NULL;
    size_t n = 0;
    int ok = json_object_is_type(res, json_type_string) &&
             mh_hex_decode_alloc(json_object_get_string(res), &b, &n, NULL) &&
             mav2_abi_get_word(b, n, w, out);

    free(b);
    return ok;
}

static uint64_t word_u48(const uint8_t w[32])
{
    uint64_t v = 0;
    for (int i = 26; i < 32; i++)
        v = v << 8 | w[i];
    return v;
}

static int take_answer(mav2_session_limits *l, const query_list *q, size_t k, al_table *erc20)
{
    static const char *const what[] = {"limits (native)", "limits (gas)",     "timeRanges",
                                       "paymasters",      "addressAllowlist", "erc20SpendLimits"};
    uint8_t w[32], w2[32];
    int kind = q->kind[k];

    if (!answer_word(q->it[k].result, kind == Q_ERC20_FLAG ? 2 : 0, w) ||
        (kind == Q_TIME && !answer_word(q->it[k].result, 1, w2)))
        return mav2_error_set("%s: the answer is not an ABI word", what[kind]);
    if (kind == Q_NATIVE)
        mav2_u256_from_be32(&l->native_left, w);
    else if (kind == Q_GAS)
        mav2_u256_from_be32(&l->gas_left, w);
    else if (kind == Q_PAYMASTER)
        memcpy(l->paymaster, w + 12, 20);
    else if (kind == Q_ERC20_FLAG)
        erc20->allowed[q->idx[k]] = w[31] != 0;
    else if (kind == Q_ERC20_LEFT)
        mav2_u256_from_be32(&l->erc20[q->idx[k]].left, w);
    else {
        l->valid_until = word_u48(w);
        l->valid_after = word_u48(w2);
    }
    return 1;
}

/* The tokens whose entry has hasERC20SpendLimit on chain stay in l->erc20. */
static void keep_limited(mav2_session_limits *l, const al_table *erc20)
{
    size_t kept = 0;
    for (size_t i = 0; i < l->n_erc20; i++)
        if (erc20->allowed[i])
            l->erc20[kept++] = l->erc20[i];
    l->n_erc20 = kept;
}

static int read_values(mav2_rpc *node, const uint8_t account[MAV2_ADDRESS_LEN],
                       mav2_session_limits *l, al_table *erc20)
{
    size_t cap = 4 + 2 * erc20->n;
    query_list q = {calloc(cap, sizeof(*q.it)), calloc(cap, sizeof(int)),
                    calloc(cap, sizeof(size_t)), 0};
    int ok = q.it != NULL && q.kind != NULL && q.idx != NULL;

    if (ok && erc20->n > 0) {
        l->erc20 = calloc(erc20->n, sizeof(*l->erc20));
        ok = l->erc20 != NULL;
        for (size_t i = 0; ok && i < erc20->n; i++)
            memcpy(l->erc20[i].token, erc20->t[i].target, 20);
        l->n_erc20 = erc20->n;
    }
    if (!ok)
        mav2_error_set("out of memory");
    ok = ok && queue_calls(&q, l, erc20, account);
    if (ok && q.n > 0 && !mav2_rpc_batch(node, q.it, q.n))
        ok = mav2_error_prefix("reading the key's limits");
    for (size_t k = 0; ok && k < q.n; k++)
        ok = take_answer(l, &q, k, erc20);
    if (ok)
        keep_limited(l, erc20);
    for (size_t k = 0; k < q.n; k++)
        json_object_put(q.it[k].params);
    if (q.it != NULL)
        mav2_rpc_batch_clear(q.it, q.n);
    free(q.it);
    free(q.kind);
    free(q.idx);
    return ok;
}

int mav2_session_limits_read(mav2_rpc *node, const uint8_t account[MAV2_ADDRESS_LEN],
                             const mav2_validation_data *vd, uint64_t from_block,
                             mav2_session_limits *out)
{
    al_table tb[2];
    int ok = 1;

    if (out == NULL)
        return mav2_error_set("mav2_session_limits_read: no output");
    if (out->struct_size != sizeof(*out))
        return mav2_error_set("mav2_session_limits: struct_size %zu is not this library's "
                              "(%zu): fill it with mav2_session_limits_init",
                              out->struct_size, sizeof(*out));
    mav2_session_limits_init(out);
    memset(tb, 0, sizeof(tb));
    if (node == NULL || account == NULL || vd == NULL)
        return mav2_error_set("mav2_session_limits_read: no node, account or validation data");
    classify_hooks(vd, out);
    tb[0].active = out->has_allowlist;
    tb[0].entity = out->allowlist_entity;
    tb[1].active = out->has_erc20;
    tb[1].entity = out->erc20_entity;
    if (tb[0].active || tb[1].active)
        ok = read_allowlist_events(node, account, from_block, tb);
    ok = ok && read_values(node, account, out, &tb[1]);
    if (ok && tb[0].active)
        keep_allowed(&tb[0], out);
    al_table_free(&tb[0]);
    al_table_free(&tb[1]);
    return ok;
}

void mav2_session_limits_init(mav2_session_limits *l)
{
    memset(l, 0, sizeof(*l));
    l->struct_size = sizeof(*l);
}

void mav2_session_limits_free(mav2_session_limits *l)
{
    if (l == NULL || l->struct_size != sizeof(*l))
        return;
    for (size_t i = 0; i < l->n_targets; i++)
        free(l->targets[i].selectors);
    free(l->targets);
    free(l->erc20);
    mav2_session_limits_init(l);
}
