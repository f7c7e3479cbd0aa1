/* SPDX-License-Identifier: Apache-2.0 */
/* test-account: MAv2 formats against mav2_nonce.json, mav2_signatures.json (layout, stub,
 * EIP-191 digest, ERC-1271 replay-safe hash and packing), mav2_calldata.json (execute,
 * executeBatch, executeUserOp prefix, installValidation, permission builder,
 * uninstallValidation) and mav2_factory.json (factory data, init code, addresses). */
#include <stdlib.h>
#include <string.h>

#include "mav2/core/account.h"
#include "mav2/core/address.h"
#include "mav2/core/error.h"
#include "tap.h"
#include "vectors.h"

static void u256_of(json_object *o, const char *key, mav2_u256 *r)
{
    if (!mav2_u256_parse(r, vec_str(o, key)))
        tap_bail(mav2_last_error());
}

static void addr_of(json_object *o, const char *key, uint8_t a[20])
{
    if (!mav2_address_parse(vec_str(o, key), a))
        tap_bail(mav2_last_error());
}

static int buf_eq_hex(const mav2_buf *b, json_object *o, const char *key)
{
    size_t n;
    uint8_t *want = vec_hex(o, key, &n);
    int eq = n == b->len && (n == 0 || memcmp(want, b->data, n) == 0);
    free(want);
    return eq;
}

static void test_nonce(void)
{
    json_object *v = vec_load("mav2_nonce.json"), *arr = vec_get(v, "vectors");
    for (size_t i = 0; i < vec_len(arr); i++) {
        json_object *e = vec_at(arr, i);
        uint32_t id = (uint32_t)vec_int(e, "entityId");
        uint8_t opt = (uint8_t)((vec_bool(e, "isGlobalValidation") ? MAV2_NONCE_GLOBAL : 0) |
                                (vec_bool(e, "isDeferredAction") ? MAV2_NONCE_DEFERRED : 0));
        mav2_u256 lane, seq, key, want, full, k2, lane2;
        uint64_t s;
        uint32_t id2;
        uint8_t opt2;
        u256_of(e, "nonceKey", &lane);
        u256_of(e, "seq", &seq);
        u256_of(e, "buildFullNonceKey", &want);
        tap_ok(mav2_nonce_key(&key, &lane, id, opt) && mav2_u256_cmp(&key, &want) == 0,
               "nonce key entity %u opt %u lane #%zu", id, opt, i);
        mav2_u256_to_u64(&seq, &s);
        u256_of(e, "fullNonce_uint256", &want);
        tap_ok(mav2_nonce_full(&full, &key, s) && mav2_u256_cmp(&full, &want) == 0,
               "full nonce #%zu", i);
        char hex[MAV2_U256_HEX_MAX];
        mav2_u256_to_hex(&full, hex);
        tap_ok(strcmp(hex, vec_str(e, "fullNonce_rpcHex")) == 0, "full nonce RPC hex #%zu", i);
        mav2_nonce_split(&full, &k2, &s);
        mav2_nonce_key_parts(&k2, &lane2, &id2, &opt2);
        tap_ok(mav2_u256_cmp(&k2, &key) == 0 && mav2_u256_cmp(&lane2, &lane) == 0 && id2 == id &&
                   opt2 == opt,
               "nonce split back #%zu", i);
        /* what a normal send asks the EntryPoint for: never the deferred bit */
        mav2_u256 sendkey;
        u256_of(e, "accountGetNonce_keyPassedToEntryPointGetNonce", &want);
        mav2_nonce_key(&sendkey, &lane, id, opt & MAV2_NONCE_GLOBAL);
        tap_ok(mav2_u256_cmp(&sendkey, &want) == 0, "getNonce key for a send #%zu", i);
        mav2_buf cd = MAV2_BUF_INIT;
        uint8_t sender[20] = {0x55};
        tap_ok(mav2_calldata_get_nonce(sender, &sendkey, &cd) && cd.len == 68 &&
                   memcmp(cd.data, MAV2_SEL_GET_NONCE, 4) == 0,
               "getNonce call data #%zu", i);
        mav2_buf_free(&cd);
    }
    mav2_u256 big, key;
    mav2_u256_from_u64(&big, 1);
    for (int i = 0; i < 152; i++)
        mav2_u256_mul_u64(&big, &big, 2);
    tap_ok(!mav2_nonce_key(&key, &big, 1, 1), "lane of 2^152 rejected: %s", mav2_last_error());
    json_object_put(v);
}

static void test_signatures(void)
{
    json_object *v = vec_load("mav2_signatures.json"), *arr = vec_get(v, "userOpSignatures");
    for (size_t i = 0; i < vec_len(arr); i++) {
        json_object *e = vec_at(arr, i);
        uint8_t sig[67], want[67], h[32], d[32], wd[32], s65[65];
        if (vec_opt(e, "dummySignature")) {
            vec_hex_exact(e, "dummySignature", want, 67);
            mav2_stub_signature(sig);
            tap_mem_eq(sig, want, 67, "stub signature");
            continue;
        }
        vec_hex_exact(e, "userOpHash", h, 32);
        vec_hex_exact(e, "eip191HashSigned", wd, 32);
        mav2_userop_digest(h, d);
        tap_mem_eq(d, wd, 32, "EIP-191 digest of userOpHash");
        vec_hex_exact(e, "innerEcdsa65", s65, 65);
        vec_hex_exact(e, "userOpSignature", want, 67);
        tap_ok(vec_int(e, "userOpSignatureLength") == MAV2_USEROP_SIG_LEN &&
                   mav2_userop_signature(s65, sig) && memcmp(sig, want, 67) == 0,
               "user-op signature layout entity %lld", (long long)vec_int(e, "entityId"));
        uint8_t bad[65];
        memcpy(bad, s65, 65);
        bad[64] -= 27;
        tap_ok(!mav2_userop_signature(bad, sig), "v = 0/1 refused: %s", mav2_last_error());
    }
    arr = vec_get(v, "erc1271");
    for (size_t i = 0; i < vec_len(arr); i++) {
        json_object *e = vec_at(arr, i);
        uint32_t id = (uint32_t)vec_int(e, "entityId");
        uint64_t chain = (uint64_t)vec_int(e, "chainId");
        uint8_t acct[20], h[32], want[32], got[32], s65[65], sig[72], wsig[72];
        const char *msg = vec_str(e, "message");
        addr_of(e, "account", acct);
        vec_hex_exact(e, "eip191Hash", h, 32);
        vec_hex_exact(e, "replaySafeHash", want, 32);
        tap_ok(mav2_replay_safe_hash(h, chain, acct, id, NULL, got) && memcmp(got, want, 32) == 0,
               "ERC-1271 replay-safe hash entity %u chain %llu \"%s\"", id,
               (unsigned long long)chain, msg);
        vec_hex_exact(e, "innerEcdsa65", s65, 65);
        vec_hex_exact(e, "packed1271Signature", wsig, 72);
        tap_ok(mav2_1271_signature(id, s65, sig) && memcmp(sig, wsig, 72) == 0,
               "ERC-1271 signature packing entity %u", id);
    }
    /* a high-s signature is refused */
    uint8_t hs[65] = {0}, out[67];
    memset(hs + 32, 0xff, 32);
    hs[64] = 27;
    tap_ok(!mav2_userop_signature(hs, out) && strstr(mav2_last_error(), "high"), "high s refused");
    json_object_put(v);
}

static void calls_of(json_object *arr, mav2_call *calls, uint8_t **datas)
{
    for (size_t i = 0; i < vec_len(arr); i++) {
        json_object *c = vec_at(arr, i);
        addr_of(c, "target", calls[i].target);
        u256_of(c, "value", &calls[i].value);
        datas[i] = vec_hex(c, "data", &calls[i].data_len);
        calls[i].data = datas[i];
    }
}

static void hooks_of(json_object *arr, mav2_hook *hooks)
{
    for (size_t i = 0; i < vec_len(arr); i++) {
        json_object *h = vec_at(arr, i);
        size_t n;
        uint8_t *d = vec_hex(h, "initData", &n);
        memset(&hooks[i], 0, sizeof(hooks[i]));
        vec_hex_exact(h, "hookConfigBytes25", hooks[i].config, 25);
        mav2_buf_set(&hooks[i].install_data, d, n);
        free(d);
    }
}

static mav2_perm_type perm_type(const char *t)
{
    static const struct {
        const char *name;
        mav2_perm_type type;
    } map[] = {{"root", MAV2_PERM_ROOT},
               {"contract-access", MAV2_PERM_CONTRACT_ACCESS},
               {"functions-on-contract", MAV2_PERM_FUNCTIONS_ON_CONTRACT},
               {"functions-on-all-contracts", MAV2_PERM_FUNCTIONS_ON_ALL_CONTRACTS},
               {"account-functions", MAV2_PERM_ACCOUNT_FUNCTIONS},
               {"erc20-token-transfer", MAV2_PERM_ERC20_TOKEN_TRANSFER},
               {"native-token-transfer", MAV2_PERM_NATIVE_TOKEN_TRANSFER},
               {"gas-limit", MAV2_PERM_GAS_LIMIT}};
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(map[i].name, t) == 0)
            return map[i].type;
    tap_bail("unknown permission type in vectors");
}

static void test_permission_builder(json_object *pb)
{
    for (size_t i = 0; i < vec_len(pb); i++) {
        json_object *e = vec_at(pb, i), *perms = vec_get(e, "permissions");
        const char *name = vec_str(e, "name");
        size_t np = vec_len(perms);
        mav2_permission *p = calloc(np, sizeof(*p));
        uint8_t(*fns)[16][4] = calloc(np, sizeof(*fns));
        uint8_t key[20];
        addr_of(e, "sessionKeyAddress", key);
        for (size_t k = 0; k < np; k++) {
            json_object *x = vec_at(perms, k), *d = vec_opt(x, "data");
            p[k].type = perm_type(vec_str(x, "type"));
            if (vec_opt(d, "address"))
                addr_of(d, "address", p[k].address);
            if (vec_opt(d, "allowance"))
                u256_of(d, "allowance", &p[k].amount);
            if (vec_opt(d, "limit"))
                u256_of(d, "limit", &p[k].amount);
            if (vec_opt(d, "functions")) {
                json_object *f = vec_get(d, "functions");
                for (size_t j = 0; j < vec_len(f) && j < 16; j++) {
                    size_t n;
                    uint8_t *s = vec_hex_str(vec_at(f, j), &n);
                    memcpy(fns[k][j], s, 4);
                    free(s);
                }
                p[k].functions = (const uint8_t(*)[4])fns[k];
                p[k].n_functions = vec_len(f);
            }
        }
        mav2_session_install si;
        mav2_buf cd = MAV2_BUF_INIT;
        int ok = mav2_session_install_build(&si, NULL, key, (uint32_t)vec_int(e, "entityId"), p, np);
        if (!ok)
            tap_diag("%s", mav2_last_error());
        uint8_t vc[25];
        vec_hex_exact(e, "validationConfigBytes25", vc, 25);
        tap_ok(ok && memcmp(vc, si.validation_config, 25) == 0, "%s: validationConfig", name);
        json_object *hooks = vec_get(e, "hooks");
        int hooks_ok = ok && si.n_hooks == vec_len(hooks);
        for (size_t k = 0; hooks_ok && k < si.n_hooks; k++) {
            uint8_t hc[25];
            vec_hex_exact(vec_at(hooks, k), "hookConfigBytes25", hc, 25);
            hooks_ok = memcmp(hc, si.hooks[k].config, 25) == 0 &&
                       buf_eq_hex(&si.hooks[k].install_data, vec_at(hooks, k), "initData");
        }
        tap_ok(hooks_ok, "%s: hooks (config + init data)", name);
        json_object *sels = vec_get(e, "selectors");
        int sel_ok = ok && si.n_selectors == vec_len(sels);
        for (size_t k = 0; sel_ok && k < si.n_selectors; k++) {
            uint8_t s[4];
            size_t n;
            uint8_t *w = vec_hex_str(vec_at(sels, k), &n);
            memcpy(s, w, 4);
            free(w);
            sel_ok = memcmp(s, si.selectors[k], 4) == 0;
        }
        tap_ok(sel_ok, "%s: selectors", name);
        tap_ok(ok && si.has_exec_hooks == vec_bool(e, "hasAssociatedExecHooks"),
               "%s: has exec hooks", name);
        tap_ok(ok && mav2_session_install_calldata(&si, &cd) && buf_eq_hex(&cd, e, "callData"),
               "%s: installValidation call data", name);
        mav2_buf_free(&cd);
        mav2_session_install_clear(&si);
        free(p);
        free(fns);
    }
}

static void test_calldata(void)
{
    json_object *v = vec_load("mav2_calldata.json"), *arr;
    uint8_t account[20];
    mav2_u256 zero;
    mav2_u256_from_u64(&zero, 0);
    memset(account, 0x55, 20); /* the account the vectors call from */

    arr = vec_get(v, "execute");
    for (size_t i = 0; i < vec_len(arr); i++) {
        json_object *e = vec_at(arr, i);
        mav2_call c;
        uint8_t *d;
        mav2_buf cd = MAV2_BUF_INIT;
        addr_of(e, "target", c.target);
        u256_of(e, "value", &c.value);
        d = vec_hex(e, "data", &c.data_len);
        c.data = d;
        tap_ok(mav2_calldata_for_calls(account, &c, 1, 0, &cd) && buf_eq_hex(&cd, e, "callData"),
               "%s", vec_str(e, "name"));
        mav2_buf_free(&cd);
        /* the executeWithExecHooks vectors are the same calls with the prefix */
        json_object *xh = vec_get(v, "executeWithExecHooks");
        if (i < vec_len(xh)) {
            tap_ok(mav2_calldata_for_calls(account, &c, 1, 1, &cd) &&
                       buf_eq_hex(&cd, vec_at(xh, i), "callData"),
                   "%s", vec_str(vec_at(xh, i), "name"));
            mav2_buf_free(&cd);
        }
        free(d);
    }
    arr = vec_get(v, "executeBatch");
    for (size_t i = 0; i < vec_len(arr); i++) {
        json_object *e = vec_at(arr, i), *calls = vec_get(e, "calls");
        size_t n = vec_len(calls);
        mav2_call *c = calloc(n, sizeof(*c));
        uint8_t **datas = calloc(n, sizeof(*datas));
        mav2_buf cd = MAV2_BUF_INIT;
        calls_of(calls, c, datas);
        tap_ok(mav2_calldata_execute_batch(c, n, &cd) && buf_eq_hex(&cd, e, "callData"),
               "executeBatch %s", vec_str(e, "name"));
        mav2_buf_free(&cd);
        if (n > 1) {
            tap_ok(mav2_calldata_for_calls(account, c, n, 0, &cd) && buf_eq_hex(&cd, e, "callData"),
                   "calls -> executeBatch %s", vec_str(e, "name"));
            mav2_buf_free(&cd);
        }
        for (size_t k = 0; k < n; k++)
            free(datas[k]);
        free(datas);
        free(c);
    }
    arr = vec_get(v, "installValidation");
    for (size_t i = 0; i < vec_len(arr); i++) {
        json_object *e = vec_at(arr, i), *vc = vec_get(e, "validationConfig");
        json_object *hooks = vec_get(e, "hooks");
        const char *name = vec_str(e, "name");
        uint8_t module[20], cfg[25], key[20];
        uint32_t id = (uint32_t)vec_int(vc, "entityId");
        uint8_t flags = (uint8_t)((vec_bool(vc, "isGlobal") ? MAV2_VAL_GLOBAL : 0) |
                                  (vec_bool(vc, "isSignatureValidation") ? MAV2_VAL_SIGNATURE : 0) |
                                  (vec_bool(vc, "isUserOpValidation") ? MAV2_VAL_USEROP : 0));
        addr_of(vc, "moduleAddress", module);
        addr_of(e, "sessionKeyAddress", key);
        mav2_module_config(module, id, flags, cfg);
        uint8_t want[25];
        vec_hex_exact(e, "validationConfigBytes25", want, 25);
        tap_mem_eq(cfg, want, 25, "installValidation validationConfig");
        mav2_buf inst = MAV2_BUF_INIT, cd = MAV2_BUF_INIT;
        tap_ok(mav2_single_signer_install_data(id, key, &inst) &&
                   buf_eq_hex(&inst, e, "installData"),
               "%s: installData", name);
        size_t nh = vec_len(hooks);
        mav2_hook *h = calloc(nh ? nh : 1, sizeof(*h));
        /* rebuild each hook from its meaning, not its bytes */
        for (size_t k = 0; k < nh; k++) {
            json_object *hk = vec_at(hooks, k), *hc = vec_get(hk, "hookConfig");
            uint8_t ha[20];
            addr_of(hc, "address", ha);
            if (memcmp(ha, mav2_addr_time_range, 20) == 0) {
                size_t n;
                uint8_t *d = vec_hex(hk, "initData", &n);
                mav2_u256 until, after;
                uint64_t u, a;
                mav2_u256_from_be32(&until, d + 32);
                mav2_u256_from_be32(&after, d + 64);
                mav2_u256_to_u64(&until, &u);
                mav2_u256_to_u64(&after, &a);
                free(d);
                tap_ok(mav2_hook_time_range(&h[k], (uint32_t)vec_int(hc, "entityId"), u, a),
                       "%s: time-range hook builds", name);
                tap_ok(!mav2_hook_time_range(&h[nh > k + 1 ? k + 1 : k], 1, a, u) || a == u,
                       "time range with validUntil <= validAfter refused");
            }
            uint8_t wc[25];
            vec_hex_exact(hk, "hookConfigBytes25", wc, 25);
            tap_ok(memcmp(wc, h[k].config, 25) == 0 &&
                       buf_eq_hex(&h[k].install_data, hk, "initData"),
                   "%s: hook %zu config + init data", name, k);
        }
        tap_ok(mav2_calldata_install_validation(cfg, NULL, 0, inst.data, inst.len, h, nh, &cd) &&
                   buf_eq_hex(&cd, e, "callData"),
               "%s: callData", name);
        for (size_t k = 0; k < nh; k++)
            mav2_hook_clear(&h[k]);
        free(h);
        mav2_buf_free(&inst);
        mav2_buf_free(&cd);
    }
    /* every permissionBuilder hook also rebuilt byte-for-byte through the raw encoder */
    arr = vec_get(v, "permissionBuilder");
    for (size_t i = 0; i < vec_len(arr); i++) {
        json_object *e = vec_at(arr, i), *hooks = vec_get(e, "hooks"),
                    *sels = vec_get(e, "selectors");
        size_t nh = vec_len(hooks), ns = vec_len(sels);
        mav2_hook *h = calloc(nh ? nh : 1, sizeof(*h));
        uint8_t(*s)[4] = calloc(ns ? ns : 1, 4);
        uint8_t cfg[25];
        mav2_buf cd = MAV2_BUF_INIT;
        size_t n;
        hooks_of(hooks, h);
        for (size_t k = 0; k < ns; k++) {
            uint8_t *w = vec_hex_str(vec_at(sels, k), &n);
            memcpy(s[k], w, 4);
            free(w);
        }
        uint8_t *inst = vec_hex(e, "installData", &n);
        vec_hex_exact(e, "validationConfigBytes25", cfg, 25);
        tap_ok(mav2_calldata_install_validation(cfg, (const uint8_t(*)[4])s, ns, inst, n, h, nh,
                                                &cd) &&
                   buf_eq_hex(&cd, e, "callData"),
               "raw installValidation: %s", vec_str(e, "name"));
        for (size_t k = 0; k < nh; k++)
            mav2_hook_clear(&h[k]);
        free(h);
        free(s);
        free(inst);
        mav2_buf_free(&cd);
    }
    test_permission_builder(arr);

    arr = vec_get(v, "uninstallValidation");
    for (size_t i = 0; i < vec_len(arr); i++) {
        json_object *e = vec_at(arr, i);
        uint8_t me[24], got[24];
        vec_hex_exact(e, "moduleEntityBytes24", me, 24);
        uint32_t id =
            (uint32_t)me[20] << 24 | (uint32_t)me[21] << 16 | (uint32_t)me[22] << 8 | me[23];
        mav2_module_entity(mav2_addr_single_signer, id, got);
        tap_mem_eq(got, me, 24, "uninstall moduleEntity");
        mav2_buf cd = MAV2_BUF_INIT;
        tap_ok(vec_len(vec_get(e, "hookUninstallDatas")) == 0 &&
                   mav2_calldata_uninstall_session_key(id, &cd) && buf_eq_hex(&cd, e, "callData"),
               "%s", vec_str(e, "name"));
        mav2_buf_free(&cd);
    }

    /* module addresses match the constants */
    json_object *ma = vec_get(v, "moduleAddresses");
    uint8_t a[20];
    addr_of(ma, "singleSignerValidation", a);
    tap_ok(memcmp(a, mav2_addr_single_signer, 20) == 0, "SingleSignerValidation address");
    addr_of(ma, "timeRange", a);
    tap_ok(memcmp(a, mav2_addr_time_range, 20) == 0, "TimeRange address");
    addr_of(ma, "nativeTokenLimit", a);
    tap_ok(memcmp(a, mav2_addr_native_token_limit, 20) == 0, "NativeTokenLimit address");
    addr_of(ma, "allowlist", a);
    tap_ok(memcmp(a, mav2_addr_allowlist, 20) == 0, "Allowlist address");
    addr_of(ma, "paymasterGuard", a);
    tap_ok(memcmp(a, mav2_addr_paymaster_guard, 20) == 0, "PaymasterGuard address");
    addr_of(ma, "mav2Factory", a);
    tap_ok(memcmp(a, mav2_addr_factory, 20) == 0, "factory address");
    addr_of(ma, "smaBytecodeImpl", a);
    tap_ok(memcmp(a, mav2_addr_sma_bytecode_impl, 20) == 0, "SMA bytecode impl address");
    addr_of(ma, "maImpl", a);
    tap_ok(memcmp(a, mav2_addr_ma_impl, 20) == 0, "MA impl address");
    json_object_put(v);
}

static void test_factory(void)
{
    json_object *v = vec_load("mav2_factory.json"), *arr = vec_get(v, "vectors");
    for (size_t i = 0; i < vec_len(arr); i++) {
        json_object *e = vec_at(arr, i);
        uint8_t owner[20], factory[20], impl[20], want[20], got[20];
        mav2_u256 salt;
        mav2_buf fd = MAV2_BUF_INIT, ic = MAV2_BUF_INIT;
        addr_of(e, "owner", owner);
        addr_of(e, "factory", factory);
        addr_of(e, "implementation", impl);
        addr_of(e, "predictedAddress", want);
        u256_of(e, "salt", &salt);
        tap_ok(mav2_factory_data_sma(owner, &salt, &fd) && buf_eq_hex(&fd, e, "factoryData"),
               "factoryData #%zu", i);
        tap_ok(mav2_init_code(factory, fd.data, fd.len, &ic) && buf_eq_hex(&ic, e, "initCode"),
               "initCode #%zu", i);
        tap_ok(mav2_sma_address(factory, impl, owner, &salt, got) && memcmp(got, want, 20) == 0,
               "counterfactual address #%zu", i);
        tap_ok(mav2_sma_address(NULL, NULL, owner, &salt, got) && memcmp(got, want, 20) == 0,
               "counterfactual address with default factory/impl #%zu", i);
        mav2_buf_free(&fd);
        mav2_buf_free(&ic);
    }
    arr = vec_get(v, "sdkAccountObjectCrossCheck");
    for (size_t i = 0; i < vec_len(arr); i++) {
        json_object *e = vec_at(arr, i);
        uint8_t owner[20], want[20], got[20];
        mav2_u256 salt;
        addr_of(e, "owner", owner);
        addr_of(e, "accountAddress", want);
        u256_of(e, "salt", &salt);
        tap_ok(mav2_sma_address(NULL, NULL, owner, &salt, got) && memcmp(got, want, 20) == 0,
               "SDK account address cross-check #%zu", i);
    }
    /* createAccount: selector + 3 words */
    uint8_t owner[20] = {1};
    mav2_u256 salt;
    mav2_buf fd = MAV2_BUF_INIT;
    mav2_u256_from_u64(&salt, 7);
    tap_ok(mav2_factory_data_ma(owner, &salt, 9, &fd) && fd.len == 4 + 96 &&
               memcmp(fd.data, MAV2_SEL_CREATE_ACCOUNT, 4) == 0 && fd.data[4 + 95] == 9,
           "createAccount factory data layout");
    mav2_buf_free(&fd);
    json_object_put(v);
}

int main(void)
{
    test_nonce();
    test_signatures();
    test_calldata();
    test_factory();
    return tap_done();
}
