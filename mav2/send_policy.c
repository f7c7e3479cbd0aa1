/* send_policy.c: what the signing validation allows, applied before anything is signed
 * (send_int.h). The account's validation data is read in the send flow's first batch;
 * from it the call data is wrapped in executeUserOp when execution hooks need it, and
 * every call is checked against the validation's allowlist: MAv2 v2.0.0's
 * AllowlistModule does not look inside executeUserOp, so the allowlist binds only a
 * signer that checks it (MAV2.md, Permissions). */
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "mav2/abi.h"
#include "mav2/account.h"
#include "mav2/address.h"
#include "mav2/error.h"
#include "send_int.h"

#define SEL_ADDRESS_ALLOWLIST "\xbd\x94\x56\x68" /* addressAllowlist(uint32,address,address) */
#define SEL_SELECTOR_ALLOWLIST                                                                     \
    "\x28\xf6\x0c\x17" /* selectorAllowlist(uint32,bytes4,address,address) */

static json_object *eth_call_params(const uint8_t to[20], const mav2_buf *data)
{
    json_object *params = json_object_new_array(), *call = json_object_new_object();
    char addr[MAV2_ADDRESS_STR_MAX], *hex = malloc(mh_hex_encoded_size(data->len, 1));
    if (params == NULL || call == NULL || hex == NULL) {
        free(hex);
        json_object_put(params);
        json_object_put(call);
        return NULL;
    }
    mh_hex_encode(data->data, data->len, hex, mh_hex_encoded_size(data->len, 1), 1);
    mav2_address_format(to, addr);
    json_object_object_add(call, "to", json_object_new_string(addr));
    json_object_object_add(call, "data", json_object_new_string(hex));
    free(hex);
    json_object_array_add(params, call);
    json_object_array_add(params, json_object_new_string("latest"));
    return params;
}

static int hex_result(json_object *res, mav2_buf *out, const char *what)
{
    uint8_t *b = NULL;
    size_t n = 0;
    const char *why = NULL;
    int ok;
    if (!json_object_is_type(res, json_type_string) ||
        !mh_hex_decode_alloc(json_object_get_string(res), &b, &n, &why))
        return mav2_error_set("%s: the answer is not hex", what);
    ok = mav2_buf_set(out, b, n);
    free(b);
    return ok;
}

json_object *mav2_send_policy_params(const mav2_send_ctx *c)
{
    mav2_buf q = MAV2_BUF_INIT;
    mav2_abi *e = mav2_abi_new();
    uint8_t me[24];
    json_object *params;
    mav2_module_entity(mav2_addr_single_signer, c->p->entity_id, me);
    mav2_abi_bytesn(e, me, 24);
    if (!mav2_abi_finish_call(e, (const uint8_t *)MAV2_SEL_GET_VALIDATION_DATA, &q))
        return NULL;
    params = eth_call_params(c->p->account, &q);
    mav2_buf_free(&q);
    return params;
}

int mav2_send_policy_read(mav2_send_ctx *c, json_object *result)
{
    mav2_buf d = MAV2_BUF_INIT;
    int ok;
    if (!hex_result(result, &d, "getValidationData"))
        return 0;
    if (d.len == 0) { /* no code yet: nothing installed but what initCode brings */
        mav2_buf_free(&d);
        return 1;
    }
    ok = mav2_abi_decode_validation_data(d.data, d.len, &c->vd);
    c->have_vd = ok;
    mav2_buf_free(&d);
    return ok;
}

static int has_module(const uint8_t (*hooks)[25], size_t n, const uint8_t module[20])
{
    for (size_t i = 0; i < n; i++)
        if (memcmp(hooks[i], module, 20) == 0)
            return 1;
    return 0;
}

/* The four lookups for one call: target and wildcard entries, and the call's selector
 * on each. */
enum { Q_TARGET, Q_ANY, Q_SEL_TARGET, Q_SEL_ANY, Q_N };

static json_object *allowlist_query(uint32_t entity, const uint8_t account[20],
                                    const mav2_call *call, int q)
{
    static const uint8_t any[20], none[4];
    const uint8_t *target = q == Q_TARGET || q == Q_SEL_TARGET ? call->target : any;
    mav2_abi *e = mav2_abi_new();
    mav2_buf d = MAV2_BUF_INIT;
    json_object *params;
    mav2_abi_u64(e, entity);
    if (q >= Q_SEL_TARGET)
        mav2_abi_bytesn(e, call->data_len >= 4 ? call->data : none, 4);
    mav2_abi_address(e, target);
    mav2_abi_address(e, account);
    if (!mav2_abi_finish_call(
            e,
            (const uint8_t *)(q >= Q_SEL_TARGET ? SEL_SELECTOR_ALLOWLIST : SEL_ADDRESS_ALLOWLIST),
            &d))
        return NULL;
    params = eth_call_params(mav2_addr_allowlist, &d);
    mav2_buf_free(&d);
    return params;
}

/* Word w of an eth_call answer as a bool. */
static int answer_bool(const mav2_rpc_batch_item *it, size_t w, int *out)
{
    mav2_buf d = MAV2_BUF_INIT;
    uint8_t word[32];
    int ok =
        hex_result(it->result, &d, "AllowlistModule") && mav2_abi_get_word(d.data, d.len, w, word);
    mav2_buf_free(&d);
    if (ok)
        *out = word[31] != 0;
    return ok;
}

/* The module's own rule (checkAllowlistCalldata): the target's entry, else the
 * address(0) wildcard entry; with a selector allowlist, the call's selector on the
 * entry that matched. 1 allowed, 0 refused, -1 malformed answer. */
static int judge_call(const mav2_rpc_batch_item *it, const mav2_call *call, size_t i,
                      uint32_t entity)
{
    char a[MAV2_ADDRESS_STR_MAX];
    int allowed, has_sel, sel_ok, wild = 0;
    mav2_address_format(call->target, a);
    if (!answer_bool(&it[Q_TARGET], 0, &allowed))
        return -1;
    if (!allowed) {
        wild = 1;
        if (!answer_bool(&it[Q_ANY], 0, &allowed))
            return -1;
    }
    if (!allowed)
        return mav2_error_set("call %zu to %s: refused before signing: the target is not on "
                              "the key's allowlist (AllowlistModule, entity %u)",
                              i + 1, a, entity);
    if (!answer_bool(&it[wild ? Q_ANY : Q_TARGET], 1, &has_sel))
        return -1;
    if (!has_sel)
        return 1;
    if (call->data_len < 4)
        return mav2_error_set("call %zu to %s: refused before signing: the key's allowlist "
                              "names functions and the call has no selector",
                              i + 1, a);
    if (!answer_bool(&it[wild ? Q_SEL_ANY : Q_SEL_TARGET], 0, &sel_ok))
        return -1;
    if (!sel_ok)
        return mav2_error_set("call %zu to %s: refused before signing: function "
                              "0x%02x%02x%02x%02x is not on the key's allowlist "
                              "(AllowlistModule, entity %u)",
                              i + 1, a, call->data[0], call->data[1], call->data[2], call->data[3],
                              entity);
    return 1;
}

/* Every call against the allowlist of one hook entity, in one batch. */
static int check_allowlist(mav2_send_ctx *c, uint32_t entity, const mav2_call *calls, size_t n)
{
    size_t total = n * Q_N;
    mav2_rpc_batch_item *it = calloc(total, sizeof(*it));
    int ok = it != NULL, verdict = 1;
    for (size_t k = 0; ok && k < total; k++) {
        it[k].method = "eth_call";
        ok = (it[k].params =
                  allowlist_query(entity, c->p->account, &calls[k / Q_N], (int)(k % Q_N))) != NULL;
    }
    if (!ok) {
        mav2_error_set("out of memory");
    } else if (!mav2_rpc_batch(c->node, it, total)) {
        mav2_error_prefix("reading the key's allowlist");
        ok = 0;
    }
    for (size_t i = 0; ok && verdict == 1 && i < n; i++)
        verdict = judge_call(&it[i * Q_N], &calls[i], i, entity);
    if (ok && verdict != 1)
        ok = 0;
    if (!ok)
        c->r->outcome = verdict == 0 ? MAV2_SEND_REJECTED : MAV2_SEND_NETWORK;
    for (size_t k = 0; it != NULL && k < total; k++)
        json_object_put(it[k].params);
    if (it != NULL)
        mav2_rpc_batch_clear(it, total);
    free(it);
    return ok;
}

static int allowlist_calls(mav2_send_ctx *c, const mav2_buf *cd)
{
    mav2_call *calls = NULL;
    size_t n = 0;
    int ok = mav2_calldata_decode_calls(cd->data, cd->len, &calls, &n);
    for (size_t h = 0; ok && n > 0 && h < c->vd.n_validation_hooks; h++) {
        const uint8_t *cfg = c->vd.validation_hooks[h];
        if (memcmp(cfg, mav2_addr_allowlist, 20) == 0)
            ok = check_allowlist(c,
                                 (uint32_t)cfg[20] << 24 | (uint32_t)cfg[21] << 16 |
                                     (uint32_t)cfg[22] << 8 | cfg[23],
                                 calls, n);
    }
    free(calls);
    return ok;
}

int mav2_send_policy_apply(mav2_send_ctx *c, mav2_buf *cd)
{
    if (!c->have_vd)
        return 1;
    if (c->vd.n_execution_hooks > 0 &&
        (cd->len < 4 || memcmp(cd->data, MAV2_SEL_EXECUTE_USER_OP, 4) != 0)) {
        mav2_buf w = MAV2_BUF_INIT;
        if (!mav2_calldata_exec_user_op(cd->data, cd->len, &w))
            return 0;
        mav2_buf_free(cd);
        *cd = w;
    }
    if (!has_module((const uint8_t(*)[25])c->vd.validation_hooks, c->vd.n_validation_hooks,
                    mav2_addr_allowlist))
        return 1;
    return allowlist_calls(c, cd);
}
