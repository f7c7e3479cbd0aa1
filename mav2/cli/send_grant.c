/* SPDX-License-Identifier: Apache-2.0 */
/* send_grant.c: `mav2 send --grant`: the grant read and checked before signing
 * (grant_cli.h). The bundler catches some of these only after the op is signed (an
 * expired grant), or not in words (another chain: AA23 DeferredActionSignatureInvalid). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "mav2/core/abi.h"
#include "mav2/core/address.h"
#include "mav2/cli/grant_cli.h"
#include "mav2/cli/online.h"
#include "mav2/core/error.h"
#include "mav2/core/userop.h"

void mav2_cli_grant_clear(mav2_cli_grant *gr)
{
    mav2_grant_clear(&gr->g);
    mav2_buf_free(&gr->prefix);
}

int mav2_cli_grant_load(const mav2_cli_cmd *cmd, const char *spec, const mav2_send_params *p,
                        mav2_cli_grant *gr)
{
    char *text = NULL;
    mav2_u256 lane;
    uint32_t entity;
    uint8_t opt;
    int ok;
    mav2_grant_init(&gr->g);
    gr->prefix = (mav2_buf)MAV2_BUF_INIT;
    if (strncmp(spec, "0x", 2) != 0 &&
        (text = mav2_cli_read_input(cmd, "--grant", spec, 1 << 20, NULL)) == NULL)
        return MAV2_EXIT_USAGE;
    ok = mav2_grant_parse_hex(text != NULL ? text : spec, &gr->g);
    free(text);
    if (!ok)
        return mav2_cli_fail_lib(cmd, MAV2_EXIT_USAGE, "--grant");
    mav2_grant_nonce_parts(&gr->g, &lane, &entity, &opt, NULL);
    if (entity != p->entity_id)
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "--grant is for entity %u, not --entity-id %u",
                             entity, p->entity_id);
    if ((opt & MAV2_NONCE_GLOBAL) != (p->nonce_options & MAV2_NONCE_GLOBAL))
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "--grant is for a %s key: %s --global",
                             opt & MAV2_NONCE_GLOBAL ? "global" : "non-global",
                             opt & MAV2_NONCE_GLOBAL ? "give" : "drop");
    if (mav2_u256_cmp(&lane, &p->lane) != 0)
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "--grant is for another --nonce-key");
    if (gr->g.owner_entity != 0)
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE,
                             "--grant: signed by validation entity %u; only the semi-modular "
                             "owner (entity 0) is supported",
                             gr->g.owner_entity);
    if (!mav2_grant_sig_prefix(&gr->g, &gr->prefix))
        return mav2_cli_fail_lib(cmd, MAV2_EXIT_USAGE, "--grant");
    return MAV2_EXIT_OK;
}

/* call(to, selector || args) returning one word (or the first) into w. */
static int call_word(const mav2_cli_cmd *cmd, mav2_rpc *node, const uint8_t to[MAV2_ADDRESS_LEN],
                     mav2_abi *e, const uint8_t sel[4], uint8_t w[32])
{
    mav2_buf q = MAV2_BUF_INIT, res = MAV2_BUF_INIT;
    int rc;
    if (!mav2_abi_finish_call(e, sel, &q))
        return mav2_cli_fail_lib(cmd, MAV2_EXIT_INTERNAL, NULL);
    rc = mav2_cli_eth_call(cmd, node, to, q.data, q.len, &res);
    if (rc == MAV2_EXIT_OK && !mav2_abi_get_word(res.data, res.len, 0, w))
        rc = mav2_cli_fail(cmd, MAV2_EXIT_NETWORK, "eth_call: a short answer");
    mav2_buf_free(&q);
    mav2_buf_free(&res);
    return rc;
}

/* The account's owner: getFallbackSignerData() when deployed, else factory_owner. */
static int account_owner(const mav2_cli_cmd *cmd, mav2_rpc *node,
                         const uint8_t account[MAV2_ADDRESS_LEN], const uint8_t *factory_owner,
                         int deployed, uint8_t owner[MAV2_ADDRESS_LEN])
{
    uint8_t sel[4], w[32];
    int rc;
    if (!deployed) {
        if (factory_owner == NULL)
            return mav2_cli_fail(cmd, MAV2_EXIT_USAGE,
                                 "the account has no code: give --factory-owner (and --salt) "
                                 "so the op deploys it");
        memcpy(owner, factory_owner, 20);
        return MAV2_EXIT_OK;
    }
    mav2_abi_selector("getFallbackSignerData()", sel);
    if ((rc = call_word(cmd, node, account, mav2_abi_new(), sel, w)) != MAV2_EXIT_OK)
        return rc;
    memcpy(owner, w + 12, 20);
    return MAV2_EXIT_OK;
}

/* SingleSignerValidationModule.signers(entity, account) into signer. */
static int entity_signer(const mav2_cli_cmd *cmd, mav2_rpc *node, const mav2_send_params *p,
                         uint8_t signer[MAV2_ADDRESS_LEN])
{
    mav2_abi *e = mav2_abi_new();
    uint8_t w[32];
    int rc;
    mav2_abi_u64(e, p->entity_id);
    mav2_abi_address(e, p->account);
    rc = call_word(cmd, node, mav2_addr_single_signer, e, (const uint8_t *)MAV2_SEL_SIGNERS, w);
    if (rc == MAV2_EXIT_OK)
        memcpy(signer, w + 12, 20);
    return rc;
}

/* The sequence of the grant's deferred lane on chain. */
static int lane_seq(const mav2_cli_cmd *cmd, mav2_rpc *node, const mav2_send_params *p,
                    const mav2_grant *g, uint64_t *seq)
{
    mav2_buf q = MAV2_BUF_INIT, res = MAV2_BUF_INIT;
    mav2_u256 key, n;
    int rc;
    mav2_nonce_split(&g->nonce, &key, NULL);
    if (!mav2_calldata_get_nonce(p->account, &key, &q))
        return mav2_cli_fail_lib(cmd, MAV2_EXIT_INTERNAL, NULL);
    rc = mav2_cli_eth_call(cmd, node, mav2_entry_point_v07, q.data, q.len, &res);
    if (rc == MAV2_EXIT_OK && !mav2_abi_decode_uint256(res.data, res.len, &n))
        rc = mav2_cli_fail(cmd, MAV2_EXIT_NETWORK, "EntryPoint.getNonce: a short answer");
    if (rc == MAV2_EXIT_OK)
        mav2_nonce_split(&n, NULL, seq);
    mav2_buf_free(&q);
    mav2_buf_free(&res);
    return rc;
}

/* Who signed the grant for this chain and account, against the account's owner. */
static int check_owner(const mav2_cli_cmd *cmd, mav2_rpc *node, const mav2_send_params *p,
                       const mav2_grant *g, const uint8_t *factory_owner, int deployed)
{
    uint8_t owner[MAV2_ADDRESS_LEN], signer[MAV2_ADDRESS_LEN];
    uint64_t chain;
    char a1[MAV2_ADDRESS_STR_MAX], a2[MAV2_ADDRESS_STR_MAX];
    int rc;
    if ((rc = mav2_cli_chain_of(cmd, node, &chain)) != MAV2_EXIT_OK ||
        (rc = account_owner(cmd, node, p->account, factory_owner, deployed, owner)) != MAV2_EXIT_OK)
        return rc;
    if (mav2_grant_recover_owner(g, chain, p->account, signer) && memcmp(signer, owner, 20) == 0)
        return MAV2_EXIT_OK;
    mav2_address_format(owner, a1);
    mav2_address_format(signer, a2);
    return mav2_cli_fail(cmd, MAV2_EXIT_USAGE,
                         "refused before signing: --grant was not signed by the account's "
                         "owner %s for chain %llu (it is for another chain or account)",
                         a1, (unsigned long long)chain);
}

/* The latest block's timestamp: the chain's clock decides whether a grant expired. */
static int chain_time(const mav2_cli_cmd *cmd, mav2_rpc *node, uint64_t *t)
{
    json_object *params = json_object_new_array(), *res = NULL, *ts = NULL;
    mav2_u256 v;
    int ok;
    json_object_array_add(params, json_object_new_string("latest"));
    json_object_array_add(params, json_object_new_boolean(0));
    ok = mav2_rpc_call(node, "eth_getBlockByNumber", params, &res);
    json_object_put(params);
    if (!ok)
        return mav2_cli_fail(cmd, mav2_cli_rpc_exit(mav2_rpc_last_error(node)),
                             "eth_getBlockByNumber: %s", mav2_rpc_last_error(node)->message);
    ok = json_object_object_get_ex(res, "timestamp", &ts) &&
         json_object_is_type(ts, json_type_string) &&
         mav2_u256_from_hex(&v, json_object_get_string(ts)) && mav2_u256_to_u64(&v, t);
    json_object_put(res);
    return ok ? MAV2_EXIT_OK
              : mav2_cli_fail(cmd, MAV2_EXIT_NETWORK, "eth_getBlockByNumber: no timestamp");
}

int mav2_cli_grant_check(const mav2_cli_cmd *cmd, mav2_rpc *node,
                         const uint8_t session_key[MAV2_ADDRESS_LEN], const uint8_t *factory_owner,
                         mav2_send_params *p, mav2_cli_grant *gr)
{
    uint8_t signer[MAV2_ADDRESS_LEN] = {0};
    uint64_t seq = 0, want, now = 0;
    int rc, deployed = 0;
    if (gr->g.deadline != 0 && (rc = chain_time(cmd, node, &now)) != MAV2_EXIT_OK)
        return rc;
    if (gr->g.deadline != 0 && now >= gr->g.deadline)
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE,
                             "refused before signing: --grant expired at %llu (the chain's time "
                             "is %llu)",
                             (unsigned long long)gr->g.deadline, (unsigned long long)now);
    if ((rc = mav2_cli_has_code(cmd, node, p->account, &deployed)) != MAV2_EXIT_OK ||
        (deployed && (rc = entity_signer(cmd, node, p, signer)) != MAV2_EXIT_OK))
        return rc;
    if (deployed && memcmp(signer, session_key, 20) == 0) {
        fprintf(stderr, "mav2 %s: the key is installed at entity %u: --grant was used, ignored\n",
                cmd->name, p->entity_id);
        return MAV2_EXIT_OK;
    }
    if (!mav2_address_is_zero(signer))
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE,
                             "refused before signing: entity %u holds another key on the account",
                             p->entity_id);
    if ((rc = check_owner(cmd, node, p, &gr->g, factory_owner, deployed)) != MAV2_EXIT_OK ||
        (rc = lane_seq(cmd, node, p, &gr->g, &seq)) != MAV2_EXIT_OK)
        return rc;
    mav2_grant_nonce_parts(&gr->g, NULL, NULL, NULL, &want);
    if (seq != want)
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE,
                             "refused before signing: the grant's nonce lane is at sequence "
                             "%llu, the grant is for %llu (%s)",
                             (unsigned long long)seq, (unsigned long long)want,
                             seq > want ? "it was used and the key removed since" : "not yet");
    p->nonce_options |= MAV2_NONCE_DEFERRED;
    p->sig_prefix = gr->prefix.data;
    p->sig_prefix_len = gr->prefix.len;
    return MAV2_EXIT_OK;
}

/* ---- the grant's allowlist, checked before its first op is signed ---------------- */

/* Word-reading with bounds: the big-endian word at off as a size (0 if it does not fit). */
static int word_size(const uint8_t *d, size_t len, size_t off, size_t *out)
{
    *out = 0;
    if (off > len || len - off < 32)
        return 0;
    for (int i = 0; i < 24; i++)
        if (d[off + i] != 0)
            return 0;
    for (int i = 24; i < 32; i++)
        *out = *out << 8 | d[off + i];
    return *out <= len;
}

/* Element i of a dynamic array whose length word is at base: its absolute offset. */
static int elem_at(const uint8_t *d, size_t len, size_t base, size_t i, size_t *at)
{
    size_t rel;
    return word_size(d, len, base + 32 + 32 * i, &rel) && (*at = base + 32 + rel) <= len;
}

typedef struct {
    const uint8_t *d; /* an AllowlistModule install datum */
    size_t len, arr;  /* arr: offset of its entries' length word */
    size_t n;
} allow_list;

/* The entry for target (all-zero: the wildcard) in l: its offset, 0 if none. */
static int find_entry(const allow_list *l, const uint8_t target[MAV2_ADDRESS_LEN], size_t *at)
{
    for (size_t i = 0; i < l->n; i++) {
        if (!elem_at(l->d, l->len, l->arr, i, at) || *at + 160 > l->len)
            return -1;
        if (memcmp(l->d + *at + 12, target, 20) == 0)
            return 1;
    }
    return 0;
}

/* The module's rule for one call: 1 allowed, 0 refused (said), -1 malformed. */
static int allow_call(const allow_list *l, const mav2_call *c, size_t idx)
{
    static const uint8_t any[MAV2_ADDRESS_LEN];
    char a[MAV2_ADDRESS_STR_MAX];
    size_t at, sels, n;
    int f = find_entry(l, c->target, &at);
    mav2_address_format(c->target, a);
    if (f == 0)
        f = find_entry(l, any, &at);
    if (f < 0)
        return -1;
    if (f == 0)
        return mav2_error_set("call %zu to %s: refused before signing: the target is not on "
                              "the grant's allowlist",
                              idx + 1, a);
    if (l->d[at + 63] == 0) /* hasSelectorAllowlist */
        return 1;
    if (!word_size(l->d, l->len, at + 128, &sels) || !word_size(l->d, l->len, at + sels, &n) ||
        at + sels + 32 + 32 * n > l->len)
        return -1;
    for (size_t k = 0; c->data_len >= 4 && k < n; k++)
        if (memcmp(l->d + at + sels + 32 + 32 * k, c->data, 4) == 0)
            return 1;
    return mav2_error_set("call %zu to %s: refused before signing: its function is not on the "
                          "grant's allowlist",
                          idx + 1, a);
}

/* The AllowlistModule validation hooks of the grant's installValidation, each applied
 * to every call. 1 all allowed, 0 refused or malformed (said). */
static int grant_allowlist(const mav2_grant *g, const mav2_call *calls, size_t n_calls)
{
    const uint8_t *d = g->call.data + 4;
    size_t len = g->call.len - 4, hooks, n, at, hl;
    if (!word_size(d, len, 96, &hooks) || !word_size(d, len, hooks, &n))
        return mav2_error_set("the grant's installValidation call is malformed");
    for (size_t i = 0; i < n; i++) {
        allow_list l;
        int v = 1;
        if (!elem_at(d, len, hooks, i, &at) || !word_size(d, len, at, &hl) || at + 32 + hl > len)
            return mav2_error_set("the grant's installValidation hooks are malformed");
        if (hl < 25 || memcmp(d + at + 32, mav2_addr_allowlist, 20) != 0 ||
            !(d[at + 32 + 24] & MAV2_HOOK_VALIDATION))
            continue;
        l.d = d + at + 32 + 25;
        l.len = hl - 25;
        if (!word_size(l.d, l.len, 32, &l.arr) || !word_size(l.d, l.len, l.arr, &l.n))
            return mav2_error_set("the grant's allowlist is malformed");
        for (size_t k = 0; v == 1 && k < n_calls; k++)
            v = allow_call(&l, &calls[k], k);
        if (v < 0)
            return mav2_error_set("the grant's allowlist is malformed");
        if (v == 0)
            return 0;
    }
    return 1;
}

int mav2_cli_grant_allowlist(const mav2_cli_cmd *cmd, const mav2_cli_grant *gr,
                             const uint8_t *call_data, size_t len)
{
    mav2_call *calls = NULL;
    size_t n = 0;
    int ok;
    if (gr->g.call.len < 4)
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "--grant: no installValidation call");
    if (!mav2_calldata_decode_calls(call_data, len, &calls, &n))
        return mav2_cli_fail_lib(cmd, MAV2_EXIT_USAGE, "--call");
    ok = n == 0 || grant_allowlist(&gr->g, calls, n);
    free(calls);
    return ok ? MAV2_EXIT_OK : mav2_cli_fail_lib(cmd, MAV2_EXIT_REJECTED, NULL);
}
