/* SPDX-License-Identifier: Apache-2.0 */
/* test-send-policy.c: what the signing validation allows, applied by the send flow
 * before signing (send_policy.c), against the mock node + bundler (sendmock.c):
 * executeUserOp added when the validation has execution hooks, and every call checked
 * against the validation's AllowlistModule hook, since the module itself does not look
 * inside executeUserOp. */
#include "sendmock.h"
#include "mav2/core/account.h"
#include "mav2/send/send.h"
#include "tap.h"
#include "vectors.h"

#include "common/hex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define W0 "0000000000000000000000000000000000000000000000000000000000000000"
#define W1 "0000000000000000000000000000000000000000000000000000000000000001"
/* a bytes25[] of one hook config: module || entity 1 || flags, left-aligned */
#define HOOK(module, flags) W1 module "00000001" flags "00000000000000"
#define NATIVE_LIMIT        "00000000000001e541f0d090868fbe24b59fbe06"
#define ALLOWLIST           "00000000003e826473a313e600b5b9b791f5a59a"

/* (flags 0x01, validationHooks, executionHooks, selectors [execute]) */
static const char with_exec_hook[] =
    "0x0000000000000000000000000000000000000000000000000000000000000020"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0000000000000000000000000000000000000000000000000000000000000080"
    "00000000000000000000000000000000000000000000000000000000000000a0"
    "00000000000000000000000000000000000000000000000000000000000000e0" W0 HOOK(NATIVE_LIMIT, "04")
        W1 "b61d27f600000000000000000000000000000000000000000000000000000000";
static const char with_allowlist[] =
    "0x0000000000000000000000000000000000000000000000000000000000000020"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0000000000000000000000000000000000000000000000000000000000000080"
    "00000000000000000000000000000000000000000000000000000000000000c0"
    "00000000000000000000000000000000000000000000000000000000000000e0" HOOK(ALLOWLIST, "05") W0 W1
    "b61d27f600000000000000000000000000000000000000000000000000000000";

static uint8_t allowed_target[20] = {0x33, 0x33};

/* checkAllowlistCalldata(entity, execute(target, value, data)) as the module would: only
 * allowed_target, only function 0x12345678 on it. */
static const char *allowlist_answer(const struct mock *m, const char *d)
{
    char t[41];
    (void)m;
    mh_hex_encode(allowed_target, 20, t, sizeof(t), 0);
    if (strlen(d) < 466 || strncmp(d + 202, "b61d27f6", 8) != 0)
        return "{\"code\":3,\"message\":\"execution reverted\",\"data\":\"0xca0ad260\"}";
    if (strncmp(d + 234, t, 40) != 0)
        return "{\"code\":3,\"message\":\"execution reverted\",\"data\":\"0x2b53784e\"}";
    if (strspn(d + 402, "0") >= 64) /* execute's data is empty */
        return "{\"code\":3,\"message\":\"execution reverted\",\"data\":\"0x3aeca77f\"}";
    if (strncmp(d + 466, "12345678", 8) != 0)
        return "{\"code\":3,\"message\":\"execution reverted\",\"data\":\"0xbdb518d2\"}";
    return NULL;
}

static int run(mock *m, const uint8_t *cd, size_t len, mav2_send_result *r)
{
    th_server *s = th_start(mock_handler, m);
    mav2_rpc *rpc = client(s);
    mav2_send_params p;
    int ok;
    params_for_flow(&p);
    p.call_data = cd;
    p.call_data_len = len;
    ok = mav2_send(rpc, rpc, &p, r);
    mav2_rpc_free(rpc);
    th_stop(s);
    return ok;
}

static const char *estimated_call_data(const mock *m)
{
    json_object *op =
                    json_object_array_get_idx(call_params(m, "eth_estimateUserOperationGas", 0), 0),
                *v = NULL;
    return json_object_object_get_ex(op, "callData", &v) ? json_object_get_string(v) : "";
}

static void test_exec_user_op_added(void)
{
    mock m;
    mav2_send_result r;
    int ok;
    mock_init(&m, flow);
    m.validation = with_exec_hook;
    ok = run(&m, call_data, call_data_len, &r);
    tap_ok(ok, "execution hooks: sent (%s)", r.message);
    tap_ok(strncmp(estimated_call_data(&m), "0x8dd7712f", 10) == 0,
           "execution hooks: the call data is wrapped in executeUserOp");
    tap_ok(count_calls(&m, "eth_call") >= 2 && count_calls(&m, "eth_sendUserOperation") == 1,
           "execution hooks: getValidationData read in the first batch, op sent once");
    mav2_send_result_clear(&r);
    mock_free(&m);

    mock_init(&m, flow);
    ok = run(&m, call_data, call_data_len, &r);
    tap_ok(ok && strncmp(estimated_call_data(&m), "0x8dd7712f", 10) != 0,
           "no execution hooks: the call data is sent as given");
    mav2_send_result_clear(&r);
    mock_free(&m);
}

static size_t build(const uint8_t target[20], const char *data_hex, int wrap, mav2_buf *out)
{
    mav2_call c;
    uint8_t d[64];
    size_t n = 0;
    memset(&c, 0, sizeof(c));
    memcpy(c.target, target, 20);
    mh_hex_decode(data_hex, d, sizeof(d), &n, NULL);
    c.data = d;
    c.data_len = n;
    out->len = 0;
    if (!mav2_calldata_for_calls(NULL, &c, 1, wrap, out))
        tap_bail("cannot build call data");
    return out->len;
}

static void expect_refused(const uint8_t target[20], const char *data, int wrap, const char *what,
                           const char *why)
{
    mock m;
    mav2_send_result r;
    mav2_buf cd = MAV2_BUF_INIT;
    int ok;
    mock_init(&m, flow);
    m.validation = with_allowlist;
    m.allowlist = allowlist_answer;
    build(target, data, wrap, &cd);
    ok = run(&m, cd.data, cd.len, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_REJECTED && strstr(r.message, why) != NULL &&
               strstr(r.message, "before signing") != NULL,
           "%s: refused before signing (%s)", what, r.message);
    tap_ok(signer.calls == 0 && count_calls(&m, "eth_estimateUserOperationGas") == 0 &&
               count_calls(&m, "eth_sendUserOperation") == 0,
           "%s: nothing signed, estimated or sent", what);
    mav2_send_result_clear(&r);
    mav2_buf_free(&cd);
    mock_free(&m);
}

static void test_allowlist(void)
{
    uint8_t other[20] = {0x44};
    mock m;
    mav2_send_result r;
    mav2_buf cd = MAV2_BUF_INIT;
    int ok;

    expect_refused(other, "12345678", 0, "target off the allowlist", "not on the key's allowlist");
    expect_refused(other, "12345678", 1, "target off the allowlist inside executeUserOp",
                   "not on the key's allowlist");
    expect_refused(allowed_target, "deadbeef", 1, "function off the allowlist inside executeUserOp",
                   "(0xdeadbeef): refused before signing: the function is not on the key's "
                   "allowlist (AllowlistModule, entity 1)");
    expect_refused(allowed_target, "", 0, "no selector on a selector allowlist",
                   "names functions and the call has none");

    mock_init(&m, flow);
    m.validation = with_allowlist;
    m.allowlist = allowlist_answer;
    build(allowed_target, "12345678", 0, &cd);
    ok = run(&m, cd.data, cd.len, &r);
    tap_ok(ok && signer.calls == 1, "allowed target and function: signed and sent (%s)", r.message);
    tap_ok(count_eth_calls(&m, "0x0a80192f") == 1,
           "allowed: the module's checkAllowlistCalldata was asked once (%d)",
           count_eth_calls(&m, "0x0a80192f"));
    mav2_send_result_clear(&r);
    mav2_buf_free(&cd);
    mock_free(&m);
}

static void test_decode_calls(void)
{
    mav2_call in[3], *out = NULL;
    mav2_buf cd = MAV2_BUF_INIT;
    uint8_t d0[5] = {1, 2, 3, 4, 5};
    size_t n = 0;
    memset(in, 0, sizeof(in));
    for (int i = 0; i < 3; i++) {
        memset(in[i].target, 0x10 + i, 20);
        mav2_u256_from_u64(&in[i].value, (uint64_t)i * 7);
        in[i].data = i == 1 ? NULL : d0;
        in[i].data_len = i == 1 ? 0 : (size_t)(5 - i);
    }
    int ok = mav2_calldata_for_calls(NULL, in, 3, 1, &cd) &&
             mav2_calldata_decode_calls(cd.data, cd.len, &out, &n) && n == 3;
    for (size_t i = 0; ok && i < 3; i++)
        ok = memcmp(out[i].target, in[i].target, 20) == 0 &&
             mav2_u256_cmp(&out[i].value, &in[i].value) == 0 && out[i].data_len == in[i].data_len &&
             (in[i].data_len == 0 || memcmp(out[i].data, in[i].data, in[i].data_len) == 0);
    tap_ok(ok, "executeUserOp(executeBatch(3 calls)) decodes back to the calls");
    free(out);
    size_t decoded = 0;
    for (size_t cut = 4; cut + 32 < cd.len; cut++) { /* the last word is only padding */
        out = NULL;
        n = 0;
        if (mav2_calldata_decode_calls(cd.data, cut, &out, &n) && n > 0)
            decoded++;
        free(out);
    }
    tap_ok(decoded == 0, "truncated executeBatch call data never decodes (%zu did)", decoded);
    mav2_buf_free(&cd);
}

int main(void)
{
    json_object *v = sm_setup(0);
    test_decode_calls();
    test_exec_user_op_added();
    test_allowlist();
    sm_cleanup(v);
    return tap_done();
}
