/* SPDX-License-Identifier: Apache-2.0 */
/* send_policy.c: what the signing validation allows, applied before anything is signed
 * (send_int.h). The account's validation data is read in the send flow's first batch;
 * from it the call data is wrapped in executeUserOp when execution hooks need it, and
 * every call is checked against the validation's allowlist by the module's own
 * checkAllowlistCalldata (an eth_call from the account, one batch): MAv2 v2.0.0's
 * AllowlistModule does not look inside executeUserOp, so the allowlist binds only a
 * signer that checks it (MAV2.md, Permissions). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "mav2/core/abi.h"
#include "mav2/core/account.h"
#include "mav2/core/address.h"
#include "mav2/core/error.h"
#include "send_int.h"

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
    params = mav2_eth_call_params(c->p->account, q.data, q.len, NULL);
    mav2_buf_free(&q);
    return params;
}

int mav2_send_policy_read(mav2_send_ctx *c, json_object *result)
{
    mav2_buf d = MAV2_BUF_INIT;
    int ok;
    mav2_validation_data_free(&c->vd); /* prepare runs again before a replacement */
    c->have_vd = 0;
    if (!mav2_eth_call_answer(result, &d, "getValidationData"))
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

static int has_module(const uint8_t (*hooks)[25], size_t n, const uint8_t module[MAV2_ADDRESS_LEN])
{
    for (size_t i = 0; i < n; i++)
        if (memcmp(hooks[i], module, 20) == 0)
            return 1;
    return 0;
}

#define SEL_CHECK_ALLOWLIST "\x0a\x80\x19\x2f" /* checkAllowlistCalldata(uint32,bytes) */

/* eth_call from the account: AllowlistModule.checkAllowlistCalldata(entity,
 * execute(call)), the module's own rule for one call (it reads msg.sender's lists). */
static json_object *allowlist_query(uint32_t entity, const uint8_t account[MAV2_ADDRESS_LEN],
                                    const mav2_call *call)
{
    mav2_buf one = MAV2_BUF_INIT, q = MAV2_BUF_INIT;
    mav2_abi *e;
    json_object *params = NULL;
    if (!mav2_calldata_execute(call, &one))
        return NULL;
    e = mav2_abi_new();
    mav2_abi_u64(e, entity);
    mav2_abi_bytes(e, one.data, one.len);
    if (mav2_abi_finish_call(e, (const uint8_t *)SEL_CHECK_ALLOWLIST, &q))
        params = mav2_eth_call_params(mav2_addr_allowlist, q.data, q.len, account);
    mav2_buf_free(&one);
    mav2_buf_free(&q);
    return params;
}

/* Why the module refused (its revert data), in words. */
static const char *allowlist_reason(const mav2_rpc_error *e)
{
    static const struct {
        const char *sel, *why;
    } known[] = {{"0x2b53784e", "the target is not on the key's allowlist"},
                 {"0xbdb518d2", "the function is not on the key's allowlist"},
                 {"0x3aeca77f", "the key's allowlist names functions and the call has none"},
                 {"0xca0ad260", "the call data is too short for its function"},
                 {"0x01d4a781", "the ERC-20 token is not allowed"}};
    for (size_t i = 0; e->data != NULL && i < sizeof(known) / sizeof(known[0]); i++)
        if (strncmp(e->data, known[i].sel, 10) == 0)
            return known[i].why;
    return NULL;
}

/* 1 the module accepts the call, 0 it refuses (error set), -1 no usable answer. */
static int judge_call(const mav2_rpc_batch_item *it, const mav2_call *call, size_t i,
                      uint32_t entity)
{
    char a[MAV2_ADDRESS_STR_MAX], sel[16] = "no function";
    const char *why;
    if (it->error.status == MAV2_RPC_OK)
        return 1;
    if (it->error.status != MAV2_RPC_E_RPC) {
        mav2_error_set("checking call %zu against the key's allowlist: %s", i + 1,
                       it->error.message);
        return -1;
    }
    mav2_address_format(call->target, a);
    if (call->data_len >= 4)
        snprintf(sel, sizeof(sel), "0x%02x%02x%02x%02x", call->data[0], call->data[1],
                 call->data[2], call->data[3]);
    why = allowlist_reason(&it->error);
    mav2_error_set("call %zu to %s (%s): refused before signing: %s (AllowlistModule, entity "
                   "%u%s%s)",
                   i + 1, a, sel, why != NULL ? why : it->error.message, entity,
                   why != NULL || it->error.data == NULL ? "" : ", revert data ",
                   why != NULL || it->error.data == NULL ? "" : it->error.data);
    return 0;
}

/* Every call against the allowlist of one hook entity, in one batch. */
static int check_allowlist(mav2_send_ctx *c, uint32_t entity, const mav2_call *calls, size_t n)
{
    mav2_rpc_batch_item *it = calloc(n, sizeof(*it));
    int ok = it != NULL, verdict = 1;
    for (size_t k = 0; ok && k < n; k++) {
        it[k].method = "eth_call";
        ok = (it[k].params = allowlist_query(entity, c->p->account, &calls[k])) != NULL;
    }
    if (!ok)
        mav2_error_set("out of memory");
    else
        mav2_rpc_batch(c->node, it, n); /* each item says its own outcome */
    for (size_t i = 0; ok && verdict == 1 && i < n; i++)
        verdict = judge_call(&it[i], &calls[i], i, entity);
    if (ok && verdict != 1)
        ok = 0;
    if (!ok)
        c->r->outcome = verdict == 0 ? MAV2_SEND_REJECTED : MAV2_SEND_NETWORK;
    for (size_t k = 0; it != NULL && k < n; k++)
        json_object_put(it[k].params);
    if (it != NULL)
        mav2_rpc_batch_clear(it, n);
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
