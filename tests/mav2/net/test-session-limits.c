/* SPDX-License-Identifier: Apache-2.0 */
/* test-session-limits.c: a session key's hooks read back (session_limits.c) against a
 * mock node: the AllowlistModule's events replayed in order (targets and selectors
 * allowed, then taken back; a removed log ignored), ERC-20 tokens kept only when the
 * module still says hasERC20SpendLimit, each value read at its hook's entity, all
 * eth_calls in one batch; selector names, ISO-8601 dates and the setters' call data. */
#include "httpd.h"
#include "mav2/core/abi.h"
#include "mav2/core/account.h"
#include "mav2/core/address.h"
#include "mav2/core/error.h"
#include "mav2/net/session_limits.h"
#include "tap.h"

#include "common/hex.h"
#include "common/keccak.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XID (2u + 0x7fffffffu)

static const uint8_t account[20] = {0xac, 0xc0};
static const uint8_t tgt_a[20] = {0xaa}, tgt_b[20] = {0xbb}, tgt_c[20] = {0xcc};
static const uint8_t tok1[20] = {0x70, 0x01}, tok2[20] = {0x70, 0x02};

typedef struct {
    json_object *logs;   /* what eth_getLogs answers */
    json_object *filter; /* the filter it was asked with */
    int calls;           /* eth_calls answered */
    uint64_t next_block; /* the block of the next log added (1, 2, ...) */
    uint64_t max_range;  /* > 0: eth_getLogs over more blocks is refused (providers' cap) */
    int pages;           /* eth_getLogs answered with logs */
} node;

static char *hex(const uint8_t *b, size_t n)
{
    char *s = malloc(2 * n + 3);
    mh_hex_encode(b, n, s, 2 * n + 3, 1);
    return s;
}

static void word_u64(uint8_t w[32], uint64_t v)
{
    memset(w, 0, 32);
    for (int i = 0; i < 8; i++)
        w[31 - i] = (uint8_t)(v >> (8 * i));
}

static void add_log(node *n, const char *sig, uint32_t entity, const uint8_t *t3, size_t t3len,
                    const uint64_t *data, size_t nwords, int removed)
{
    json_object *log = json_object_new_object(), *tp = json_object_new_array();
    uint8_t w[32], d[96];
    char *s, d2[24];

    mh_keccak256(sig, strlen(sig), w);
    json_object_array_add(tp, json_object_new_string(s = hex(w, 32)));
    free(s);
    word_u64(w, entity);
    json_object_array_add(tp, json_object_new_string(s = hex(w, 32)));
    free(s);
    memset(w, 0, 32);
    memcpy(w + 12, account, 20);
    json_object_array_add(tp, json_object_new_string(s = hex(w, 32)));
    free(s);
    memset(w, 0, 32);
    memcpy(t3len == 20 ? w + 12 : w, t3, t3len); /* address or left-aligned bytes24 */
    json_object_array_add(tp, json_object_new_string(s = hex(w, 32)));
    free(s);
    for (size_t i = 0; i < nwords; i++)
        word_u64(d + 32 * i, data[i]);
    json_object_object_add(log, "topics", tp);
    json_object_object_add(log, "data", json_object_new_string(s = hex(d, 32 * nwords)));
    free(s);
    if (removed)
        json_object_object_add(log, "removed", json_object_new_boolean(1));
    snprintf(d2, sizeof(d2), "0x%llx", (unsigned long long)++n->next_block);
    json_object_object_add(log, "blockNumber", json_object_new_string(d2));
    json_object_array_add(n->logs, log);
}

static void address_ev(node *n, uint32_t e, const uint8_t t[20], int allowed, int sel, int erc20,
                       int removed)
{
    uint64_t d[3] = {(uint64_t)allowed, (uint64_t)sel, (uint64_t)erc20};
    add_log(n, "AddressAllowlistUpdated(uint32,address,address,(bool,bool,bool))", e, t, 20, d, 3,
            removed);
}

static void selector_ev(node *n, uint32_t e, const uint8_t t[20], uint32_t sel, int allowed)
{
    uint8_t ts[24];
    uint64_t d = (uint64_t)allowed;
    memcpy(ts, t, 20);
    ts[20] = (uint8_t)(sel >> 24);
    ts[21] = (uint8_t)(sel >> 16);
    ts[22] = (uint8_t)(sel >> 8);
    ts[23] = (uint8_t)sel;
    add_log(n, "SelectorAllowlistUpdated(uint32,address,bytes24,bool)", e, ts, 24, &d, 1, 0);
}

static void erc20_ev(node *n, uint32_t e, const uint8_t t[20], uint64_t limit)
{
    add_log(n, "ERC20SpendLimitUpdated(uint32,address,address,uint256)", e, t, 20, &limit, 1, 0);
}

/* The answer to eth_call data d ("0x" + selector + args), as words. */
static void call_answer(const char *d, uint64_t out[3], size_t *nw)
{
    uint8_t s[4], args[96] = {0};
    char sel[9];
    size_t len = 0;
    uint32_t entity;
    int t1;

    mh_hex_decode(d + 10, args, sizeof(args), &len, NULL);
    entity =
        (uint32_t)args[28] << 24 | (uint32_t)args[29] << 16 | (uint32_t)args[30] << 8 | args[31];
    t1 = memcmp(args + 44, tok1, 20) == 0;
    memset(out, 0, 3 * sizeof(*out));
    *nw = 1;
#define IS(sig)                                                                                    \
    (mav2_abi_selector(sig, s), mh_hex_encode(s, 4, sel, 9, 0), strncmp(d + 2, sel, 8) == 0)
    if (IS("limits(uint256,address)"))
        out[0] = entity == 2 ? 700 : entity == XID ? 12345 : 999;
    else if (IS("timeRanges(uint32,address)"))
        out[0] = entity == 2 ? 1767225600 : 1, out[1] = entity == 2 ? 1700000000 : 1, *nw = 2;
    else if (IS("paymasters(uint32,address)"))
        out[0] = entity == 2 ? 0xbad0 : 0xdead;
    else if (IS("addressAllowlist(uint32,address,address)")) /* (allowed, sel, erc20) */
        out[0] = 1, out[2] = entity == XID && t1, *nw = 3;
    else if (IS("erc20SpendLimits(uint32,address,address)"))
        out[0] = entity == XID ? (t1 ? 400 : 5) : 77;
#undef IS
}

static json_object *answer_one(node *n, json_object *req)
{
    json_object *o = json_object_new_object(), *m, *p, *id;
    const char *method;

    json_object_object_get_ex(req, "method", &m);
    json_object_object_get_ex(req, "params", &p);
    json_object_object_get_ex(req, "id", &id);
    method = json_object_get_string(m);
    json_object_object_add(o, "jsonrpc", json_object_new_string("2.0"));
    json_object_object_add(o, "id", json_object_get(id));
    if (strcmp(method, "eth_blockNumber") == 0) {
        json_object_object_add(o, "result", json_object_new_string("0x20"));
    } else if (strcmp(method, "eth_getLogs") == 0) {
        json_object *f = json_object_array_get_idx(p, 0), *v, *res = json_object_new_array();
        uint64_t from = 0, to = 0;
        json_object_put(n->filter);
        n->filter = json_object_get(f);
        if (json_object_object_get_ex(f, "fromBlock", &v))
            from = strtoull(json_object_get_string(v), NULL, 16);
        if (json_object_object_get_ex(f, "toBlock", &v))
            to = strtoull(json_object_get_string(v), NULL, 16);
        if (n->max_range > 0 && to - from + 1 > n->max_range) {
            json_object_put(res);
            json_object_object_add(o, "error",
                                   json_tokener_parse("{\"code\":-32005,\"message\":\"query "
                                                      "exceeds the maximum block range\"}"));
            return o;
        }
        for (size_t i = 0; i < json_object_array_length(n->logs); i++) {
            json_object *log = json_object_array_get_idx(n->logs, i);
            uint64_t b = json_object_object_get_ex(log, "blockNumber", &v)
                             ? strtoull(json_object_get_string(v), NULL, 16)
                             : 0;
            if (b >= from && b <= to)
                json_object_array_add(res, json_object_get(log));
        }
        n->pages++;
        json_object_object_add(o, "result", res);
    } else {
        json_object *call = json_object_array_get_idx(p, 0), *data;
        uint64_t w[3];
        uint8_t b[96];
        size_t nw;
        char *s;
        json_object_object_get_ex(call, "data", &data);
        call_answer(json_object_get_string(data), w, &nw);
        for (size_t i = 0; i < nw; i++)
            word_u64(b + 32 * i, w[i]);
        json_object_object_add(o, "result", json_object_new_string(s = hex(b, 32 * nw)));
        free(s);
        n->calls++;
    }
    return o;
}

static void handler(void *ctx, const char *body, th_reply *r)
{
    node *n = ctx;
    json_object *req = json_tokener_parse(body), *ans;

    if (json_object_is_type(req, json_type_array)) {
        ans = json_object_new_array();
        for (size_t i = 0; i < json_object_array_length(req); i++)
            json_object_array_add(ans, answer_one(n, json_object_array_get_idx(req, i)));
    } else {
        ans = answer_one(n, req);
    }
    r->body = strdup(json_object_to_json_string_ext(ans, JSON_C_TO_STRING_PLAIN));
    json_object_put(ans);
    json_object_put(req);
}

static void hook(uint8_t out[25], const uint8_t *module, uint32_t entity, uint8_t flags)
{
    mav2_module_config(module, entity, flags, out);
}

/* cap > 0: the node refuses eth_getLogs over more than cap blocks (32 blocks in all). */
static void test_read(uint64_t cap)
{
    node n = {json_object_new_array(), NULL, 0, 0, 0, 0};
    uint8_t vh[4][25], xh[2][25];
    mav2_validation_data vd = {0x01, 4, vh, 2, xh, 0, NULL};
    mav2_session_limits l;
    th_server *s;
    mav2_rpc *rpc;
    char dec[MAV2_U256_DEC_MAX];
    char *topics;
    int ok;

    n.max_range = cap;
    hook(vh[0], mav2_addr_native_token_limit, XID, 0x05);
    hook(vh[1], mav2_addr_allowlist, 2, 0x05);
    hook(vh[2], mav2_addr_time_range, 2, 0x01);
    hook(vh[3], mav2_addr_paymaster_guard, 2, 0x01);
    hook(xh[0], mav2_addr_native_token_limit, 2, 0x04);
    hook(xh[1], mav2_addr_allowlist, XID, 0x04);
    address_ev(&n, 2, tgt_a, 1, 1, 0, 0);
    selector_ev(&n, 2, tgt_a, 0x11111111, 1);
    selector_ev(&n, 2, tgt_a, 0x22222222, 1);
    address_ev(&n, 2, tgt_b, 1, 0, 0, 0);
    address_ev(&n, XID, tok1, 1, 0, 1, 0);
    erc20_ev(&n, XID, tok1, 1000);
    address_ev(&n, XID, tok2, 1, 0, 1, 0);
    erc20_ev(&n, XID, tok2, 5);
    selector_ev(&n, 2, tgt_a, 0x11111111, 0);
    address_ev(&n, 2, tgt_b, 0, 0, 0, 0);
    address_ev(&n, 2, tgt_c, 1, 0, 0, 1); /* removed by a reorg */
    /* the real module's wildcard: selectors on address 0, no address entry */
    selector_ev(&n, 2, (const uint8_t[20]){0}, 0xa9059cbb, 1);

    s = th_start(handler, &n);
    rpc = mav2_rpc_new(th_url(s), NULL);
    mav2_session_limits_init(&l);
    ok = mav2_session_limits_read(rpc, account, &vd, 0, &l);
    tap_ok(ok, "read: ok%s%s", ok ? "" : ": ", ok ? "" : mav2_last_error());
    if (cap == 0)
        tap_ok(th_requests(s) == 3,
               "eth_blockNumber, one eth_getLogs, then every eth_call in one batch (%d requests)",
               th_requests(s));
    else /* 33 blocks: 33, 16, 8 refused, then 9 pages of 4 */
        tap_ok(th_requests(s) == 14 && n.pages == 9,
               "range capped at %llu blocks: refused pages halved down to it, every block asked "
               "once (%d requests, %d pages)",
               (unsigned long long)cap, th_requests(s), n.pages);
    tap_ok(n.calls == 8, "eth_calls: native, gas, time, paymaster, 2 per ERC-20 token (%d)",
           n.calls);
    topics = strdup(
        n.filter != NULL ? json_object_to_json_string_ext(n.filter, JSON_C_TO_STRING_PLAIN) : "");
    for (char *c = topics; *c != '\0'; c++)
        *c = (char)(*c >= 'A' && *c <= 'F' ? *c + 32 : *c);
    tap_ok(strstr(topics, "\"0x00000000000000000000000000000000000000000000000000000000"
                          "00000002\",\"0x0000000000000000000000000000000000000000000000000000"
                          "000080000001\"") != NULL &&
               strstr(topics, "0x000000000000000000000000acc0") != NULL &&
               strstr(topics, "\"address\":\"0x00000000003e826473a313e600b5b9b791f5a59a\"") != NULL,
           "logs filter: the module, entities 2 and 2 + 0x7fffffff, the account");
    free(topics);
    mav2_u256_to_dec(&l.native_left, dec);
    tap_ok(l.has_native && l.native_entity == 2 && strcmp(dec, "700") == 0,
           "native limit at entity 2 (execution hook): 700 left");
    mav2_u256_to_dec(&l.gas_left, dec);
    tap_ok(l.has_gas && l.gas_entity == XID && strcmp(dec, "12345") == 0,
           "gas limit at entity 2 + 0x7fffffff (validation hook): 12345 left");
    tap_ok(l.has_time && l.valid_until == 1767225600 && l.valid_after == 1700000000,
           "time range (validUntil, validAfter) in the module's order");
    tap_ok(l.has_paymaster && l.paymaster[18] == 0xba && l.paymaster[19] == 0xd0,
           "paymaster guard");
    tap_ok(l.n_targets == 2, "allowlist: 2 targets (B taken back, the removed log ignored)");
    tap_ok(l.n_targets >= 1 && memcmp(l.targets[0].target, tgt_a, 20) == 0 &&
               l.targets[0].has_selector_allowlist && l.targets[0].n_selectors == 1 &&
               memcmp(l.targets[0].selectors[0], "\x22\x22\x22\x22", 4) == 0,
           "target A: selector 0x22222222 only (0x11111111 taken back)");
    tap_ok(l.n_targets >= 2 && mav2_address_is_zero(l.targets[1].target) &&
               l.targets[1].has_selector_allowlist && l.targets[1].n_selectors == 1 &&
               memcmp(l.targets[1].selectors[0], "\xa9\x05\x9c\xbb", 4) == 0,
           "any contract (address 0): transfer");
    mav2_u256_to_dec(l.n_erc20 > 0 ? &l.erc20[0].left : &l.gas_left, dec);
    tap_ok(l.has_erc20 && l.erc20_entity == XID && l.n_erc20 == 1 &&
               memcmp(l.erc20[0].token, tok1, 20) == 0 && strcmp(dec, "400") == 0,
           "ERC-20: token 1 with 400 left; token 2 dropped (no hasERC20SpendLimit on chain)");
    mav2_session_limits_free(&l);
    mav2_rpc_free(rpc);
    th_stop(s);
    json_object_put(n.logs);
    json_object_put(n.filter);
}

static void test_no_hooks(void)
{
    node n = {json_object_new_array(), NULL, 0, 0, 0, 0};
    mav2_validation_data vd = {0x05, 0, NULL, 0, NULL, 0, NULL};
    mav2_session_limits l;
    th_server *s = th_start(handler, &n);
    mav2_rpc *rpc = mav2_rpc_new(th_url(s), NULL);
    int ok;

    mav2_session_limits_init(&l);
    ok = mav2_session_limits_read(rpc, account, &vd, 0, &l);

    tap_ok(ok && !l.has_native && !l.has_gas && !l.has_erc20 && !l.has_allowlist && !l.has_time &&
               !l.has_paymaster,
           "a key without hooks: nothing");
    tap_ok(th_requests(s) == 0, "a key without hooks: no request");
    mav2_session_limits_free(&l);
    tap_ok(l.struct_size == sizeof(l) && l.targets == NULL && l.erc20 == NULL,
           "free leaves it as init made it (struct_size kept, nothing held)");
    mav2_rpc_free(rpc);
    th_stop(s);
    json_object_put(n.logs);
}

/* A mav2_session_limits of another layout (a caller built against another version, or
 * one not made by init) is refused before any request and left untouched. */
static void test_struct_size(void)
{
    node n = {json_object_new_array(), NULL, 0, 0, 0, 0};
    uint8_t vh[1][25];
    mav2_validation_data vd = {0x01, 1, vh, 0, NULL, 0, NULL};
    mav2_session_limits l;
    th_server *s = th_start(handler, &n);
    mav2_rpc *rpc = mav2_rpc_new(th_url(s), NULL);
    size_t sizes[2] = {0, sizeof(l) + 8};

    mav2_session_limits_init(&l);
    tap_ok(l.struct_size == sizeof(l) && !l.has_native && !l.has_gas && !l.has_erc20 &&
               !l.has_allowlist && !l.has_time && !l.has_paymaster && l.erc20 == NULL &&
               l.n_erc20 == 0 && l.targets == NULL && l.n_targets == 0,
           "mav2_session_limits_init: struct_size, no hook, nothing held");
    hook(vh[0], mav2_addr_native_token_limit, XID, 0x05);
    for (int i = 0; i < 2; i++) {
        mav2_session_limits_init(&l);
        l.struct_size = sizes[i];
        l.n_targets = 3; /* garbage a free must not follow */
        tap_ok(!mav2_session_limits_read(rpc, account, &vd, 0, &l) &&
                   strstr(mav2_last_error(), "mav2_session_limits: struct_size") != NULL,
               "struct_size %zu: refused naming the struct: %s", sizes[i], mav2_last_error());
        mav2_session_limits_free(&l);
        tap_ok(l.struct_size == sizes[i] && l.n_targets == 3 && !l.has_native,
               "struct_size %zu: left untouched by read and free", sizes[i]);
    }
    tap_ok(th_requests(s) == 0, "no request for a refused struct");
    mav2_rpc_free(rpc);
    th_stop(s);
    json_object_put(n.logs);
}

static int calldata_is(const mav2_buf *b, const char *want)
{
    char *s = hex(b->data, b->len);
    int ok = strcmp(s, want) == 0;
    if (!ok)
        tap_diag("got %s", s);
    free(s);
    return ok;
}

#define Z(n) "00000000000000000000000000000000000000000000000000000000000000" n

static void test_setters(void)
{
    mav2_buf b = MAV2_BUF_INIT;
    mav2_u256 v;
    char iso[MAV2_ISO_TIME_MAX];

    mav2_u256_from_u64(&v, 0x10);
    tap_ok(mav2_calldata_native_limit_update(3, &v, &b) &&
               calldata_is(&b, "0x71280be3" Z("03") Z("10")),
           "NativeTokenLimitModule updateLimits(uint32,uint256) 0x71280be3");
    b.len = 0;
    tap_ok(mav2_calldata_erc20_limit_update(XID, tok1, &v, &b) &&
               calldata_is(&b, "0x4380c278"
                               "0000000000000000000000000000000000000000000000000000000080000001"
                               "0000000000000000000000007001000000000000000000000000000000000000" Z(
                                   "01") Z("10")),
           "AllowlistModule updateLimits(uint32,address,bool,uint256) 0x4380c278, flag true");
    b.len = 0;
    tap_ok(mav2_calldata_time_range_update(3, 0x20, 0x10, &b) &&
               calldata_is(&b, "0xe762c77c" Z("03") Z("20") Z("10")),
           "TimeRangeModule setTimeRange(uint32,uint48 until,uint48 after) 0xe762c77c");
    tap_ok(!mav2_calldata_time_range_update(3, 0x10, 0x10, &b),
           "setTimeRange: until not after after refused");
    tap_ok(!mav2_calldata_time_range_update(3, 1ULL << 48, 0, &b),
           "setTimeRange: over uint48 refused");
    mav2_buf_free(&b);

    tap_ok(mav2_selector_name((const uint8_t *)"\xb6\x1d\x27\xf6") != NULL &&
               strcmp(mav2_selector_name((const uint8_t *)"\xb6\x1d\x27\xf6"), "execute") == 0,
           "0xb61d27f6 is execute");
    tap_ok(strcmp(mav2_selector_name((const uint8_t *)"\x34\xfc\xd5\xbe"), "executeBatch") == 0,
           "0x34fcd5be is executeBatch");
    tap_ok(strcmp(mav2_selector_name((const uint8_t *)"\x8d\xd7\x71\x2f"), "executeUserOp") == 0,
           "0x8dd7712f is executeUserOp");
    tap_ok(strcmp(mav2_selector_name((const uint8_t *)"\x1b\xbf\x56\x4c"), "installValidation") ==
               0,
           "0x1bbf564c is installValidation");
    tap_ok(strcmp(mav2_selector_name((const uint8_t *)"\xa9\x05\x9c\xbb"), "transfer") == 0,
           "0xa9059cbb is transfer");
    tap_ok(mav2_selector_name((const uint8_t *)"\x12\x34\x56\x78") == NULL, "0x12345678 unknown");
    tap_ok(mav2_iso_time(0, iso) && strcmp(iso, "1970-01-01T00:00:00Z") == 0, "iso 0");
    tap_ok(mav2_iso_time(1767225600, iso) && strcmp(iso, "2026-01-01T00:00:00Z") == 0,
           "iso 1767225600");
    tap_ok(!mav2_iso_time(MAV2_TIME_RANGE_NO_END, iso), "iso: 2^48 - 1 has no date");
}

int main(void)
{
    test_read(0);
    test_read(4);
    test_no_hooks();
    test_struct_size();
    test_setters();
    return tap_done();
}
