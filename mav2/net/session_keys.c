/* SPDX-License-Identifier: Apache-2.0 */
/* session_keys.c: the account's live validations from its ValidationInstalled /
 * ValidationUninstalled events, then getValidationData and signers() of each. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "common/hex.h"
#include "mav2/core/account.h"
#include "mav2/core/address.h"
#include "mav2/core/error.h"
#include "mav2/net/logs.h"
#include "mav2/net/session_keys.h"

const uint8_t mav2_topic_validation_installed[32] = {
    0xc3, 0x6a, 0x28, 0x04, 0x5e, 0x90, 0xa1, 0x16, 0x3d, 0x24, 0xd4, 0x21, 0x6c, 0x8c, 0xfd, 0x8c,
    0x44, 0xc4, 0xe8, 0x35, 0xa4, 0x86, 0xfb, 0x84, 0xd5, 0x11, 0xd6, 0xb9, 0xe0, 0x73, 0x6d, 0xb9};
const uint8_t mav2_topic_validation_uninstalled[32] = {
    0x43, 0xf7, 0x30, 0x9d, 0x11, 0xba, 0x6b, 0x2e, 0x18, 0x0e, 0x9a, 0xb8, 0xa6, 0xda, 0x09, 0xd2,
    0xfa, 0x1f, 0x58, 0x5d, 0x7d, 0xae, 0xd4, 0xb2, 0x6c, 0x1c, 0x7f, 0x2a, 0x90, 0xb8, 0x67, 0xa2};

const char *mav2_module_name(const uint8_t module[MAV2_ADDRESS_LEN])
{
    static const struct {
        const uint8_t *addr;
        const char *name;
    } known[] = {
        {mav2_addr_single_signer, "SingleSignerValidationModule"},
        {mav2_addr_time_range, "TimeRangeModule"},
        {mav2_addr_native_token_limit, "NativeTokenLimitModule"},
        {mav2_addr_allowlist, "AllowlistModule"},
        {mav2_addr_paymaster_guard, "PaymasterGuardModule"},
    };

    if (module == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (memcmp(module, known[i].addr, 20) == 0)
            return known[i].name;
    return NULL;
}

static json_object *hex_json(const uint8_t *b, size_t n)
{
    char s[2 * 32 + 3];

    if (n > 32 || !mh_hex_encode(b, n, s, sizeof(s), 1))
        return NULL;
    return json_object_new_string(s);
}

/* A 32-byte topic from a JSON hex string. */
static int topic_of(json_object *t, uint8_t out[32])
{
    const char *why = NULL;
    return json_object_is_type(t, json_type_string) &&
           mh_hex_decode_exact(json_object_get_string(t), out, 32, &why);
}

/* Records one event: a (module, entity) seen for the first time is appended. */
static int note_event(mav2_session_list *l, int **live, const uint8_t module[MAV2_ADDRESS_LEN],
                      uint32_t entity, int installed)
{
    mav2_session_key_info *k;
    int *lv;

    for (size_t i = 0; i < l->n; i++)
        if (l->keys[i].entity_id == entity && memcmp(l->keys[i].module, module, 20) == 0) {
            (*live)[i] = installed;
            return 1;
        }
    if (!installed)
        return 1;
    k = realloc(l->keys, (l->n + 1) * sizeof(*k));
    if (k == NULL)
        return mav2_error_set("out of memory");
    l->keys = k;
    lv = realloc(*live, (l->n + 1) * sizeof(*lv));
    if (lv == NULL)
        return mav2_error_set("out of memory");
    *live = lv;
    memset(&k[l->n], 0, sizeof(k[l->n]));
    memcpy(k[l->n].module, module, 20);
    k[l->n].entity_id = entity;
    lv[l->n] = 1;
    l->n++;
    return 1;
}

/* eth_getLogs of both events on account (paged, logs.h), applied in the node's order. */
static int read_events(mav2_rpc *node, const uint8_t account[MAV2_ADDRESS_LEN], uint64_t from_block,
                       mav2_session_list *l, int **live)
{
    json_object *filter = json_object_new_object(), *topics = json_object_new_array();
    json_object *t0 = json_object_new_array(), *res = NULL;
    char addr[MAV2_ADDRESS_STR_MAX];
    int ok = 1;

    if (filter == NULL || topics == NULL || t0 == NULL) {
        json_object_put(filter);
        json_object_put(topics);
        json_object_put(t0);
        return mav2_error_set("out of memory");
    }
    mav2_address_format(account, addr);
    json_object_array_add(t0, hex_json(mav2_topic_validation_installed, 32));
    json_object_array_add(t0, hex_json(mav2_topic_validation_uninstalled, 32));
    json_object_array_add(topics, t0);
    json_object_object_add(filter, "address", json_object_new_string(addr));
    json_object_object_add(filter, "topics", topics);
    ok = mav2_get_logs(node, filter, from_block, &res, NULL);
    json_object_put(filter);
    if (!ok)
        return 0;
    for (size_t i = 0; ok && i < json_object_array_length(res); i++) {
        json_object *log = json_object_array_get_idx(res, i), *tp = NULL, *rm = NULL;
        uint8_t t[3][32];

        if (json_object_object_get_ex(log, "removed", &rm) && json_object_get_boolean(rm))
            continue;
        if (!json_object_object_get_ex(log, "topics", &tp) ||
            !json_object_is_type(tp, json_type_array) || json_object_array_length(tp) < 3 ||
            !topic_of(json_object_array_get_idx(tp, 0), t[0]) ||
            !topic_of(json_object_array_get_idx(tp, 1), t[1]) ||
            !topic_of(json_object_array_get_idx(tp, 2), t[2])) {
            ok = mav2_error_set("eth_getLogs: log %zu has malformed topics", i);
            break;
        }
        ok = note_event(l, live, t[1] + 12,
                        (uint32_t)t[2][28] << 24 | (uint32_t)t[2][29] << 16 |
                            (uint32_t)t[2][30] << 8 | t[2][31],
                        memcmp(t[0], mav2_topic_validation_installed, 32) == 0);
    }
    json_object_put(res);
    return ok;
}

/* getValidationData and, on SingleSignerValidationModule, signers() of one key. */
static int read_key(mav2_rpc *node, const uint8_t account[MAV2_ADDRESS_LEN],
                    mav2_session_key_info *k)
{
    mav2_buf q = MAV2_BUF_INIT, res = MAV2_BUF_INIT;
    uint8_t me[24];
    mav2_abi *e;
    int ok;

    mav2_module_entity(k->module, k->entity_id, me);
    e = mav2_abi_new();
    if (e == NULL)
        return mav2_error_set("out of memory");
    mav2_abi_bytesn(e, me, 24);
    ok = mav2_abi_finish_call(e, (const uint8_t *)MAV2_SEL_GET_VALIDATION_DATA, &q) &&
         mav2_eth_call(node, account, q.data, q.len, &res);
    if (ok && !mav2_abi_decode_validation_data(res.data, res.len, &k->vd))
        ok = mav2_error_prefix("getValidationData of entity %u", (unsigned)k->entity_id);
    mav2_buf_free(&q);
    mav2_buf_free(&res);
    k->single_signer = memcmp(k->module, mav2_addr_single_signer, 20) == 0;
    if (!ok || !k->single_signer)
        return ok;
    e = mav2_abi_new();
    if (e == NULL)
        return mav2_error_set("out of memory");
    mav2_abi_u64(e, k->entity_id);
    mav2_abi_address(e, account);
    ok = mav2_abi_finish_call(e, (const uint8_t *)MAV2_SEL_SIGNERS, &q) &&
         mav2_eth_call(node, mav2_addr_single_signer, q.data, q.len, &res);
    if (ok && !mav2_abi_decode_address(res.data, res.len, k->signer))
        ok = mav2_error_prefix("signers(%u, account)", (unsigned)k->entity_id);
    mav2_buf_free(&q);
    mav2_buf_free(&res);
    return ok;
}

static int key_is_empty(const mav2_session_key_info *k)
{
    return k->vd.flags == 0 && k->vd.n_selectors == 0 && k->vd.n_validation_hooks == 0 &&
           k->vd.n_execution_hooks == 0 && mav2_address_is_zero(k->signer);
}

int mav2_session_list_keys(mav2_rpc *node, const uint8_t account[MAV2_ADDRESS_LEN],
                           uint64_t from_block, mav2_session_list *out)
{
    int *live = NULL, ok;
    size_t kept = 0;

    if (out == NULL)
        return mav2_error_set("mav2_session_list_keys: no output");
    memset(out, 0, sizeof(*out));
    if (node == NULL || account == NULL)
        return mav2_error_set("mav2_session_list_keys: no node or account");
    ok = read_events(node, account, from_block, out, &live);
    for (size_t i = 0; ok && i < out->n; i++) {
        if (!live[i])
            continue;
        ok = read_key(node, account, &out->keys[i]);
        if (ok && key_is_empty(&out->keys[i]))
            live[i] = 0;
    }
    /* keep the live ones, in order */
    for (size_t i = 0; i < out->n; i++) {
        if (ok && live[i]) {
            out->keys[kept++] = out->keys[i];
            continue;
        }
        mav2_validation_data_free(&out->keys[i].vd);
    }
    free(live);
    out->n = kept;
    return ok;
}

void mav2_session_list_free(mav2_session_list *l)
{
    if (l == NULL)
        return;
    for (size_t i = 0; i < l->n; i++)
        mav2_validation_data_free(&l->keys[i].vd);
    free(l->keys);
    l->keys = NULL;
    l->n = 0;
}
