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
#include "mav2/net/journal.h"
#include "mav2/net/rpc_caps.h"
#include "mav2/net/rpc_json.h"

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

/* ---- the reads before signing: one JSON-RPC batch on the node -------------------------- */

enum { G_BLOCK, G_CODE, G_CHAIN, G_NONCE, G_SIGNER, G_OWNER, G_N };

/* The grant's node reads: it[0, n) in one batch (rpc.c asks a node that refuses batches
 * one call at a time); at[what] is the index of a read, -1 when it was not asked. */
typedef struct {
    mav2_rpc_batch_item it[G_N];
    int at[G_N];
    size_t n;
} grant_reads;

static void reads_clear(grant_reads *r)
{
    mav2_rpc_batch_clear(r->it, r->n);
    for (size_t i = 0; i < r->n; i++)
        json_object_put(r->it[i].params);
    r->n = 0;
}

/* Adds a read (params owned by r from here on); 0 if params is NULL (out of memory). */
static int ask(grant_reads *r, int what, const char *method, json_object *params)
{
    if (params == NULL)
        return 0;
    r->at[what] = (int)r->n;
    r->it[r->n].method = method;
    r->it[r->n++].params = params;
    return 1;
}

/* [a, b] as a new JSON array (both taken), NULL if out of memory. */
static json_object *pair(json_object *a, json_object *b)
{
    json_object *pa = json_object_new_array();
    if (pa != NULL && a != NULL && b != NULL && json_object_array_add(pa, a) == 0) {
        if (json_object_array_add(pa, b) == 0)
            return pa;
        a = NULL; /* pa's */
    }
    json_object_put(a);
    json_object_put(b);
    json_object_put(pa);
    return NULL;
}

/* eth_call params of selector ‖ e's arguments (e freed) to `to`; NULL if out of memory. */
static json_object *call_params(const uint8_t to[MAV2_ADDRESS_LEN], mav2_abi *e,
                                const uint8_t sel[4])
{
    mav2_buf q = MAV2_BUF_INIT;
    json_object *pa = NULL;
    if (mav2_abi_finish_call(e, sel, &q))
        pa = mav2_eth_call_params(to, q.data, q.len, NULL);
    mav2_buf_free(&q);
    return pa;
}

/* The chain's clock (when the grant has a deadline), the account's code, the chain id,
 * the grant's deferred lane. 0 if out of memory. */
static int ask_state(grant_reads *r, const mav2_send_params *p, const mav2_grant *g)
{
    char a[MAV2_ADDRESS_STR_MAX];
    mav2_buf q = MAV2_BUF_INIT;
    mav2_u256 key;
    int ok;
    mav2_address_format(p->account, a);
    mav2_nonce_split(&g->nonce, &key, NULL);
    ok = mav2_calldata_get_nonce(p->account, &key, &q) &&
         (g->deadline == 0 ||
          ask(r, G_BLOCK, "eth_getBlockByNumber",
              pair(json_object_new_string("latest"), json_object_new_boolean(0)))) &&
         ask(r, G_CODE, "eth_getCode",
             pair(json_object_new_string(a), json_object_new_string("latest"))) &&
         ask(r, G_CHAIN, "eth_chainId", json_object_new_array()) &&
         ask(r, G_NONCE, "eth_call",
             mav2_eth_call_params(mav2_entry_point_v07, q.data, q.len, NULL));
    mav2_buf_free(&q);
    return ok;
}

/* The key at the entity, SingleSignerValidationModule.signers(entity, account), and the
 * account's owner, getFallbackSignerData(): both used only when the account has code.
 * 0 if out of memory. */
static int ask_keys(grant_reads *r, const mav2_send_params *p)
{
    mav2_abi *e = mav2_abi_new();
    uint8_t sel[4];
    mav2_abi_u64(e, p->entity_id);
    mav2_abi_address(e, p->account);
    mav2_abi_selector("getFallbackSignerData()", sel);
    return ask(r, G_SIGNER, "eth_call",
               call_params(mav2_addr_single_signer, e, (const uint8_t *)MAV2_SEL_SIGNERS)) &&
           ask(r, G_OWNER, "eth_call", call_params(p->account, mav2_abi_new(), sel));
}

/* Read `what` failed (said as the call alone would say it): its exit code, else OK. */
static int read_failed(const mav2_cli_cmd *cmd, const grant_reads *r, int what, const char *name)
{
    const mav2_rpc_error *e = &r->it[r->at[what]].error;
    if (e->status == MAV2_RPC_OK)
        return MAV2_EXIT_OK;
    return mav2_cli_fail(cmd, mav2_cli_rpc_exit(e), "%s: %s", name, e->message);
}

/* The first word of eth_call read `what` (to `to`; short: "SHORT: a short answer"). */
static int read_word(const mav2_cli_cmd *cmd, const grant_reads *r, int what,
                     const uint8_t to[MAV2_ADDRESS_LEN], const char *shrt, uint8_t w[32])
{
    char a[MAV2_ADDRESS_STR_MAX], name[MAV2_ADDRESS_STR_MAX + 16];
    mav2_buf res = MAV2_BUF_INIT;
    int rc;
    mav2_address_format(to, a);
    snprintf(name, sizeof(name), "eth_call to %s", a);
    if ((rc = read_failed(cmd, r, what, name)) != MAV2_EXIT_OK)
        return rc;
    if (!mav2_eth_call_answer(r->it[r->at[what]].result, &res, "eth_call"))
        rc = mav2_cli_fail(cmd, MAV2_EXIT_NETWORK, "%s", mav2_last_error());
    else if (!mav2_abi_get_word(res.data, res.len, 0, w))
        rc = mav2_cli_fail(cmd, MAV2_EXIT_NETWORK, "%s: a short answer", shrt);
    mav2_buf_free(&res);
    return rc;
}

/* The reads of an account with code that the first batch went without (a node that
 * refuses batches gets them only when they are needed): one more batch. */
static int read_keys(const mav2_cli_cmd *cmd, mav2_rpc *node, const mav2_send_params *p,
                     grant_reads *r)
{
    size_t first = r->n;
    if (r->at[G_SIGNER] >= 0)
        return MAV2_EXIT_OK;
    if (!ask_keys(r, p))
        return mav2_cli_fail(cmd, MAV2_EXIT_INTERNAL, "out of memory");
    mav2_rpc_batch(node, r->it + first, r->n - first);
    return MAV2_EXIT_OK;
}

/* The grant not expired by the latest block's timestamp (the chain's clock). */
static int check_deadline(const mav2_cli_cmd *cmd, const grant_reads *r, const mav2_grant *g)
{
    json_object *ts = NULL;
    mav2_u256 v;
    uint64_t now = 0;
    int rc;
    if (g->deadline == 0)
        return MAV2_EXIT_OK;
    if ((rc = read_failed(cmd, r, G_BLOCK, "eth_getBlockByNumber")) != MAV2_EXIT_OK)
        return rc;
    if (!json_object_object_get_ex(r->it[r->at[G_BLOCK]].result, "timestamp", &ts) ||
        !json_object_is_type(ts, json_type_string) ||
        !mav2_u256_from_hex(&v, json_object_get_string(ts)) || !mav2_u256_to_u64(&v, &now))
        return mav2_cli_fail(cmd, MAV2_EXIT_NETWORK, "eth_getBlockByNumber: no timestamp");
    if (now >= g->deadline)
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE,
                             "refused before signing: --grant expired at %llu (the chain's time "
                             "is %llu)",
                             (unsigned long long)g->deadline, (unsigned long long)now);
    return MAV2_EXIT_OK;
}

/* The key at the grant's entity: *used when it is session_key (the grant was used);
 * another key there is refused. */
static int check_entity(const mav2_cli_cmd *cmd, mav2_rpc *node, const mav2_send_params *p,
                        grant_reads *r, const uint8_t session_key[MAV2_ADDRESS_LEN], int *deployed,
                        int *used)
{
    uint8_t w[32];
    int rc;
    *used = 0;
    if ((rc = read_failed(cmd, r, G_CODE, "eth_getCode")) != MAV2_EXIT_OK)
        return rc;
    if (!mav2_eth_code_answer(r->it[r->at[G_CODE]].result, deployed))
        return mav2_cli_fail(cmd, MAV2_EXIT_NETWORK, "%s", mav2_last_error());
    if (!*deployed)
        return MAV2_EXIT_OK;
    if ((rc = read_keys(cmd, node, p, r)) != MAV2_EXIT_OK ||
        (rc = read_word(cmd, r, G_SIGNER, mav2_addr_single_signer, "eth_call", w)) != MAV2_EXIT_OK)
        return rc;
    if (memcmp(w + 12, session_key, 20) == 0) {
        *used = 1;
        return MAV2_EXIT_OK;
    }
    if (!mav2_address_is_zero(w + 12))
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE,
                             "refused before signing: entity %u holds another key on the account",
                             p->entity_id);
    return MAV2_EXIT_OK;
}

/* Who signed the grant for the node's chain and this account, against the account's
 * owner: getFallbackSignerData() when deployed, else factory_owner. */
static int check_owner(const mav2_cli_cmd *cmd, const grant_reads *r, const mav2_send_params *p,
                       const mav2_grant *g, const uint8_t *factory_owner, int deployed)
{
    uint8_t owner[MAV2_ADDRESS_LEN], signer[MAV2_ADDRESS_LEN], w[32];
    char a1[MAV2_ADDRESS_STR_MAX], a2[MAV2_ADDRESS_STR_MAX];
    uint64_t chain;
    int rc;
    if ((rc = read_failed(cmd, r, G_CHAIN, "eth_chainId")) != MAV2_EXIT_OK)
        return rc;
    if (!mav2_eth_chain_id_answer(r->it[r->at[G_CHAIN]].result, &chain))
        return mav2_cli_fail(cmd, MAV2_EXIT_NETWORK, "%s", mav2_last_error());
    if (!deployed && factory_owner == NULL)
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE,
                             "the account has no code: give --factory-owner (and --salt) "
                             "so the op deploys it");
    if (!deployed)
        memcpy(owner, factory_owner, 20);
    else if ((rc = read_word(cmd, r, G_OWNER, p->account, "eth_call", w)) != MAV2_EXIT_OK)
        return rc;
    else
        memcpy(owner, w + 12, 20);
    if (mav2_grant_recover_owner(g, chain, p->account, signer) && memcmp(signer, owner, 20) == 0)
        return MAV2_EXIT_OK;
    mav2_address_format(owner, a1);
    mav2_address_format(signer, a2);
    return mav2_cli_fail(cmd, MAV2_EXIT_USAGE,
                         "refused before signing: --grant was not signed by the account's "
                         "owner %s for chain %llu (it is for another chain or account)",
                         a1, (unsigned long long)chain);
}

/* The grant's deferred lane on chain at the grant's sequence. */
static int check_lane(const mav2_cli_cmd *cmd, const grant_reads *r, const mav2_grant *g)
{
    uint8_t w[32];
    uint64_t seq = 0, want;
    int rc;
    if ((rc = read_word(cmd, r, G_NONCE, mav2_entry_point_v07, "EntryPoint.getNonce", w)) !=
        MAV2_EXIT_OK)
        return rc;
    for (int i = 24; i < 32; i++)
        seq = seq << 8 | w[i];
    mav2_grant_nonce_parts(g, NULL, NULL, NULL, &want);
    if (seq != want)
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE,
                             "refused before signing: the grant's nonce lane is at sequence "
                             "%llu, the grant is for %llu (%s)",
                             (unsigned long long)seq, (unsigned long long)want,
                             seq > want ? "it was used and the key removed since" : "not yet");
    return MAV2_EXIT_OK;
}

/* The checks on the answers, in order; *used: the grant was used (the key is there). */
static int grant_verdict(const mav2_cli_cmd *cmd, mav2_rpc *node, grant_reads *r,
                         const uint8_t session_key[MAV2_ADDRESS_LEN], const uint8_t *factory_owner,
                         const mav2_send_params *p, const mav2_grant *g, int *used)
{
    int rc, deployed = 0;
    if ((rc = check_deadline(cmd, r, g)) != MAV2_EXIT_OK ||
        (rc = check_entity(cmd, node, p, r, session_key, &deployed, used)) != MAV2_EXIT_OK || *used)
        return rc;
    if ((rc = check_owner(cmd, r, p, g, factory_owner, deployed)) != MAV2_EXIT_OK)
        return rc;
    return check_lane(cmd, r, g);
}

/* What the node refused within the day (rpc_caps.h), read as the send flow reads it, so
 * that a node refusing batches is not sent one first on every op. */
static void caps_load(mav2_rpc *node, const mav2_send_params *p)
{
    char dir[4096];
    if (p->no_journal)
        return;
    if (p->state_dir != NULL)
        mav2_rpc_caps_persist(mav2_rpc_url(node), p->state_dir);
    else if (mav2_journal_default_dir(dir, sizeof(dir)))
        mav2_rpc_caps_persist(mav2_rpc_url(node), dir);
}

int mav2_cli_grant_check(const mav2_cli_cmd *cmd, mav2_rpc *node,
                         const uint8_t session_key[MAV2_ADDRESS_LEN], const uint8_t *factory_owner,
                         mav2_send_params *p, mav2_cli_grant *gr)
{
    grant_reads r = {.n = 0};
    int rc, used = 0;
    for (int i = 0; i < G_N; i++)
        r.at[i] = -1;
    caps_load(node, p);
    /* the account's keys are asked at once unless the node takes one call at a time */
    if (!ask_state(&r, p, &gr->g) ||
        (!mav2_rpc_caps_no_batch(mav2_rpc_url(node)) && !ask_keys(&r, p)))
        rc = mav2_cli_fail(cmd, MAV2_EXIT_INTERNAL, "out of memory");
    else {
        mav2_rpc_batch(node, r.it, r.n); /* each read says its outcome */
        rc = grant_verdict(cmd, node, &r, session_key, factory_owner, p, &gr->g, &used);
    }
    reads_clear(&r);
    if (rc != MAV2_EXIT_OK)
        return rc;
    if (used) {
        fprintf(stderr, "mav2 %s: the key is installed at entity %u: --grant was used, ignored\n",
                cmd->name, p->entity_id);
        return MAV2_EXIT_OK;
    }
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
