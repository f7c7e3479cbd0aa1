/* SPDX-License-Identifier: Apache-2.0 */
/* test-explain.c: bundler / EntryPoint errors turned into one sentence
 * (mav2_explain_error: AAxx reasons, revert data in message or data, JSON-RPC codes)
 * and the fee rule (mav2_fees_compute) against fees_and_rpc_flow.json. Permission hook
 * reverts are built from selectors computed here as keccak256(signature)[0..4), so a
 * wrong selector in explain.c fails. */
#include "mav2/core/error.h"
#include "mav2/send/send.h"
#include "tap.h"
#include "vectors.h"

#include "common/hex.h"
#include "common/keccak.h"
#include "mav2/core/account.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char out[1024];

static int starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static const char *explain(int64_t code, const char *message, const char *data, uint32_t entity)
{
    mav2_rpc_error e;
    memset(&e, 0, sizeof(e));
    e.status = MAV2_RPC_E_RPC;
    e.code = code;
    snprintf(e.message, sizeof(e.message), "%s", message);
    e.data = (char *)data;
    mav2_explain_error(&e, entity, out, sizeof(out));
    return out;
}

/* ABI building: 32-byte words in hex. */
static void word_u64(char *s, uint64_t v)
{
    char w[65];
    snprintf(w, sizeof(w), "%064llx", (unsigned long long)v);
    strcat(s, w);
}

static void word_bytes(char *s, const uint8_t *b, size_t n)
{
    char w[65];
    for (size_t off = 0; off < n; off += 32) {
        size_t k = n - off < 32 ? n - off : 32;
        memset(w, '0', 64);
        w[64] = '\0';
        mh_hex_encode(b + off, k, w, 2 * k + 1, 0);
        w[2 * k] = k < 32 ? '0' : w[2 * k];
        strcat(s, w);
    }
}

/* 0x + selector + (uint256 opIndex, string reason[, bytes inner]) */
static void failed_op(char *s, const char *reason, const uint8_t *inner, size_t inner_len)
{
    size_t rl = strlen(reason), rwords = (rl + 31) / 32;
    strcpy(s, inner ? "0x65c8fd4d" : "0x220266b6");
    word_u64(s, 0);
    word_u64(s, inner ? 0x60 : 0x40);
    if (inner)
        word_u64(s, 0x60 + 32 + 32 * rwords);
    word_u64(s, rl);
    word_bytes(s, (const uint8_t *)reason, rl);
    if (inner) {
        word_u64(s, inner_len);
        word_bytes(s, inner, inner_len);
    }
}

static void test_aa_sentences(void)
{
    static const struct {
        const char *msg;
        const char *want;
    } t[] = {
        {"AA10 sender already constructed", "already deployed, yet a factory was sent"},
        {"AA13 initCode failed or OOG", "deploying the account failed"},
        {"AA20 account not deployed", "not deployed and no factory"},
        {"AA21 didn't pay prefund", "too little ETH to prefund"},
        {"AA25 invalid account nonce", "invalid nonce"},
        {"AA31 paymaster deposit too low", "paymaster's deposit is too low"},
        {"AA33 reverted", "paymaster refused to sponsor"},
        {"AA34 signature error", "paymaster's signature is invalid"},
        {"AA22 expired or not due", "outside its validity window"},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        char msg[200];
        snprintf(msg, sizeof(msg), "UserOperation reverted during simulation with reason: %s",
                 t[i].msg);
        explain(-32500, msg, NULL, 1);
        tap_ok(strstr(out, t[i].want) != NULL && strstr(out, t[i].msg) != NULL, "%.4s: %s",
               t[i].msg, out);
    }
    explain(-32507, "AA24 signature error", NULL, 3);
    tap_ok(starts(out, "the signature does not match the session key installed for entity 3 on "
                       "this account"),
           "AA24 names the entity: %s", out);
    tap_ok(strstr(out, "[server: AA24 signature error]") != NULL, "the server's words are kept");
    explain(-32500, "xAA24y", NULL, 3);
    tap_ok(strstr(out, "session key") == NULL, "AA code must stand alone (xAA24y): %s", out);
}

static void test_revert_data(void)
{
    static const uint8_t vfm[8] = {0xcf, 0x7b, 0x49, 0xf6, 0xb6, 0x1d, 0x27, 0xf6};
    static const uint8_t ruoc[4] = {0x5f, 0x49, 0xf0, 0x0a};
    static const uint8_t native[] = {0x74, 0xa1, 0xa7, 0x2c, 0, 0, 0, 1, 0x94, 0xc5, 0x8c, 0x94};
    char *data = malloc(8192), msg[512];

    /* AA23 with ValidationFunctionMissing(execute) in FailedOpWithRevert, in error.data */
    failed_op(data, "AA23 reverted", vfm, sizeof(vfm));
    explain(-32500, "validation reverted", data, 2);
    tap_ok(starts(out, "entity 2 is not installed on this account or may not call selector "
                       "0xb61d27f6 (AA23 ValidationFunctionMissing)"),
           "AA23 + ValidationFunctionMissing (data): %s", out);

    /* the same, as hex inside the message (Alto puts the revert data there) */
    snprintf(msg, sizeof(msg), "UserOperation reverted with reason: AA23 reverted %s", data);
    explain(-32500, msg, NULL, 5);
    tap_ok(strstr(out, "entity 5 is not installed") && strstr(out, "0xb61d27f6"),
           "AA23 + ValidationFunctionMissing (message): %.100s", out);

    /* the reason only in FailedOp revert data */
    failed_op(data, "AA21 didn't pay prefund", NULL, 0);
    explain(-32500, "execution reverted", data, 1);
    tap_ok(strstr(out, "too little ETH to prefund") != NULL, "FailedOp reason decoded: %s", out);

    failed_op(data, "AA23 reverted", ruoc, sizeof(ruoc));
    explain(-32500, "validation reverted", data, 4);
    tap_ok(strstr(out, "entity 4 has execution hooks") && strstr(out, "0x8dd7712f"),
           "RequireUserOperationContext: %s", out);

    strcpy(data, "0x151d90fe");
    explain(-32500, "AA23 reverted", data, 1);
    tap_ok(strstr(out, "0xFF validation segment") != NULL, "ValidationSignatureSegmentMissing: %s",
           out);

    strcpy(data, "0x");
    word_bytes(data, native, sizeof(native));
    explain(-32521, "execution reverted", data, 6);
    tap_ok(strstr(out, "native-token spend limit of entity 6") != NULL,
           "PreExecHookReverted(ExceededNativeTokenLimit): %s", out);

    strcpy(data, "0x08c379a0");
    word_u64(data, 0x20);
    word_u64(data, 10);
    word_bytes(data, (const uint8_t *)"not owner!", 10);
    explain(-32521, "execution reverted", data, 1);
    tap_ok(starts(out, "the call reverted during simulation: not owner!"),
           "Error(string) decoded: %s", out);

    /* garbage and truncated revert data do not crash and do not invent reasons */
    strcpy(data, "0x220266b6ffffffff");
    explain(-32500, "weird", data, 1);
    tap_ok(starts(out, "the account's validation rejected the op [server: weird]"),
           "truncated FailedOp ignored: %s", out);
    strcpy(data, "0x08c379a0");
    word_u64(data, 0x20);
    word_u64(data, 1000);
    explain(-32500, "weird", data, 1);
    tap_ok(strstr(out, "rejected the op [server") != NULL, "over-long string length ignored: %s",
           out);
    free(data);
}

/* "0x" + keccak256(sig)[0..4) in hex, appended to s (without "0x" if bare). */
static void sel_hex(char *s, const char *sig, int bare)
{
    uint8_t h[32];
    char w[9];
    mh_keccak256(sig, strlen(sig), h);
    mh_hex_encode(h, 4, w, sizeof(w), 0);
    if (!bare)
        strcat(s, "0x");
    strcat(s, w);
}

/* Inner error: selector of sig + optional 32-byte argument word (bytes4 left-aligned). */
static size_t inner_err(uint8_t *b, const char *sig, const uint8_t *arg4)
{
    mh_keccak256(sig, strlen(sig), b);
    if (arg4 == NULL)
        return 4;
    memset(b + 4, 0, 32);
    memcpy(b + 4, arg4, 4);
    return 36;
}

/* wrapper(bytes24 moduleEntity, bytes reason) as hex (no 0x), appended to s. */
static void hook_revert(char *s, const char *wrapper, const uint8_t module[20], uint32_t entity,
                        const uint8_t *reason, size_t rlen)
{
    uint8_t me[24];
    mav2_module_entity(module, entity, me);
    sel_hex(s, wrapper, 1);
    word_bytes(s, me, 24);
    word_u64(s, 0x40);
    word_u64(s, rlen);
    word_bytes(s, reason, rlen);
}

#define PRE_VAL  "PreUserOpValidationHookReverted(bytes24,bytes)"
#define PRE_EXEC "PreExecHookReverted(bytes24,bytes)"

static void test_hooks(void)
{
    static const uint8_t mint[4] = {0x40, 0xc1, 0x0f, 0x19};
    static const uint8_t unknown_module[20] = {0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0, 0, 0,
                                               0,    0,    0,    0,    0, 0, 0, 0, 0, 0x01};
    static const struct {
        const char *wrapper;
        const uint8_t *module;
        uint32_t hook_entity, entity;
        const char *inner;
        const uint8_t *arg;
        const char *want;
    } t[] = {
        {PRE_VAL, mav2_addr_allowlist, 7, 7, "AddressNotAllowed()", NULL,
         "the AllowlistModule hook of entity 7 refused the call: the call's target address is "
         "not on the key's allowlist (AA23 PreUserOpValidationHookReverted: AddressNotAllowed)"},
        {PRE_VAL, mav2_addr_allowlist, 2, 2, "SelectorNotAllowed()", NULL,
         "the AllowlistModule hook of entity 2 refused the call: the function called on that "
         "target is not on the key's allowlist (AA23 PreUserOpValidationHookReverted: "
         "SelectorNotAllowed)"},
        {PRE_VAL, mav2_addr_allowlist, 2, 2, "NoSelectorSpecified()", NULL,
         "the AllowlistModule hook of entity 2 refused the call: the call to that target has no "
         "function selector"},
        {PRE_VAL, mav2_addr_paymaster_guard, 5, 5, "BadPaymasterSpecified()", NULL,
         "the PaymasterGuardModule hook of entity 5 refused the call: the op is not paid by the "
         "paymaster this key is restricted to (AA23 PreUserOpValidationHookReverted: "
         "BadPaymasterSpecified)"},
        {PRE_VAL, mav2_addr_time_range, 4, 4, "TimeRangeNotValid()", NULL,
         "the TimeRangeModule hook of entity 4 refused the call: the key's time range is not "
         "valid now (AA23 PreUserOpValidationHookReverted: TimeRangeNotValid)"},
        {PRE_VAL, mav2_addr_native_token_limit, 3, 3, "UnexpectedDataPassed()", NULL,
         "the NativeTokenLimitModule hook of entity 3 refused the call: the signature carries "
         "data for a hook that takes none"},
        {PRE_EXEC, mav2_addr_allowlist, 7 + MAV2_EXEC_HOOK_ENTITY_OFFSET, 7, "ExceededTokenLimit()",
         NULL,
         "the AllowlistModule hook of entity 7 refused the call: the ERC-20 spend limit would be "
         "exceeded (AA23 PreExecHookReverted: ExceededTokenLimit)"},
        {PRE_EXEC, mav2_addr_allowlist, 7 + MAV2_EXEC_HOOK_ENTITY_OFFSET, 7,
         "SpendingRequestNotAllowed(bytes4)", mint,
         "the AllowlistModule hook of entity 7 refused the call: only transfer and approve may "
         "be called on a token with an ERC-20 spend limit, not function 0x40c10f19 (AA23 "
         "PreExecHookReverted: SpendingRequestNotAllowed)"},
        {PRE_EXEC, mav2_addr_native_token_limit, 3, 3, "ExceededNativeTokenLimit()", NULL,
         "the NativeTokenLimitModule hook of entity 3 refused the call: the native-token spend "
         "limit would be exceeded (AA23 PreExecHookReverted: ExceededNativeTokenLimit)"},
        {PRE_EXEC, mav2_addr_native_token_limit, 12, 3, "ExceededNativeTokenLimit()", NULL,
         "the NativeTokenLimitModule hook (hook entity 12) refused the call"},
        {"PostExecHookReverted(bytes24,bytes)", mav2_addr_allowlist, 1, 1, "Boom()", NULL,
         "the AllowlistModule hook of entity 1 refused the call with an error this tool does "
         "not know (AA23 PostExecHookReverted: error 0x"},
        {PRE_VAL, unknown_module, 9, 9, "AddressNotAllowed()", NULL,
         "the hook module 0xdeadbeef00000000000000000000000000000001 of entity 9 refused the "
         "call: the call's target address is not on the key's allowlist"},
    };
    char *data = malloc(8192), *hook = malloc(4096);
    uint8_t inner[160], blob[1024];
    size_t ilen, blen;

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        ilen = inner_err(inner, t[i].inner, t[i].arg);
        hook[0] = '\0';
        hook_revert(hook, t[i].wrapper, t[i].module, t[i].hook_entity, inner, ilen);
        /* in FailedOpWithRevert("AA23 reverted", hook revert) in error.data */
        tap_ok(mh_hex_decode(hook, blob, sizeof(blob), &blen, NULL), "hook revert built");
        failed_op(data, "AA23 reverted", blob, blen);
        explain(-32500, "validation reverted", data, t[i].entity);
        tap_ok(starts(out, t[i].want), "%s in FailedOpWithRevert: %s", t[i].inner, out);
    }

    /* as the bundler words it: the revert data as hex inside the message */
    ilen = inner_err(inner, "AddressNotAllowed()", NULL);
    strcpy(data, "UserOperation reverted during simulation with reason: AA23 reverted 0x");
    hook_revert(data, PRE_VAL, mav2_addr_allowlist, 2, inner, ilen);
    explain(-32500, data, NULL, 2);
    tap_ok(starts(out,
                  "the AllowlistModule hook of entity 2 refused the call: the call's target "
                  "address is not on the key's allowlist (AA23 PreUserOpValidationHookReverted: "
                  "AddressNotAllowed) [server: UserOperation reverted"),
           "hook revert in the message: %.160s", out);

    /* bare execution-hook revert at estimation (no AA code) */
    ilen = inner_err(inner, "ExceededTokenLimit()", NULL);
    strcpy(data, "0x");
    hook_revert(data, PRE_EXEC, mav2_addr_allowlist, 7 + MAV2_EXEC_HOOK_ENTITY_OFFSET, inner, ilen);
    explain(-32521, "execution reverted", data, 7);
    tap_ok(starts(out, "the AllowlistModule hook of entity 7 refused the call: the ERC-20 spend "
                       "limit would be exceeded (PreExecHookReverted: ExceededTokenLimit)"),
           "bare PreExecHookReverted: %s", out);

    /* the hook's reason as Error(string), and an empty reason */
    memcpy(inner, (const uint8_t[]){0x08, 0xc3, 0x79, 0xa0}, 4);
    {
        char h2[512] = "";
        word_u64(h2, 0x20);
        word_u64(h2, 8);
        word_bytes(h2, (const uint8_t *)"too late", 8);
        mh_hex_decode(h2, inner + 4, sizeof(inner) - 4, &ilen, NULL);
        ilen += 4;
    }
    strcpy(data, "0x");
    hook_revert(data, PRE_VAL, mav2_addr_time_range, 4, inner, ilen);
    explain(-32500, "AA23 reverted", data, 4);
    tap_ok(starts(out, "the TimeRangeModule hook of entity 4 refused the call: too late (AA23 "
                       "PreUserOpValidationHookReverted: Error)"),
           "hook reason Error(string): %s", out);
    strcpy(data, "0x");
    hook_revert(data, PRE_VAL, mav2_addr_paymaster_guard, 5, NULL, 0);
    explain(-32500, "AA23 reverted", data, 5);
    tap_ok(starts(out, "the PaymasterGuardModule hook of entity 5 refused the call without "
                       "giving a reason"),
           "empty hook reason: %s", out);

    /* the other account errors, selectors computed from their signatures */
    strcpy(data, "");
    sel_hex(data, "SelfCallRecursionDepthExceeded()", 0);
    explain(-32521, "execution reverted", data, 1);
    tap_ok(strstr(out, "(SelfCallRecursionDepthExceeded)") != NULL,
           "SelfCallRecursionDepthExceeded: %s", out);
    strcpy(data, "");
    sel_hex(data, "RequireUserOperationContext()", 0);
    explain(-32500, "AA23 reverted", data, 3);
    tap_ok(strstr(out, "(RequireUserOperationContext)") != NULL, "RequireUserOperationContext: %s",
           out);
    strcpy(data, "");
    sel_hex(data, "ValidationFunctionMissing(bytes4)", 0);
    strcat(data, "b61d27f6");
    word_bytes(data, (const uint8_t[28]){0}, 28);
    explain(-32500, "AA23 reverted", data, 2);
    tap_ok(strstr(out, "selector 0xb61d27f6 (AA23 ValidationFunctionMissing)") != NULL,
           "ValidationFunctionMissing: %s", out);
    strcpy(data, "");
    sel_hex(data, "ExceededNativeTokenLimit()", 0);
    explain(-32521, "execution reverted", data, 3);
    tap_ok(strstr(out, "native-token spend limit of entity 3 would be exceeded") != NULL,
           "bare ExceededNativeTokenLimit: %s", out);

    /* truncated: every prefix of a hook revert (hex cut at any even length) gives a sentence
     * that never names a wrong error; long enough, it names the module */
    ilen = inner_err(inner, "SpendingRequestNotAllowed(bytes4)", mint);
    hook[0] = '\0';
    hook_revert(hook, PRE_EXEC, mav2_addr_allowlist, 7 + MAV2_EXEC_HOOK_ENTITY_OFFSET, inner, ilen);
    {
        size_t full = strlen(hook), bad = 0, named = 0;
        for (size_t cut = 0; cut <= full; cut += 2) {
            snprintf(data, 8192, "0x%.*s", (int)cut, hook);
            explain(-32521, "execution reverted", data, 7);
            if (strstr(out, "Exceeded") || strstr(out, "NotAllowed ") ||
                (strstr(out, "SpendingRequestNotAllowed") && !strstr(out, "transfer and approve")))
                bad++;
            if (cut >= 8 + 64 && !starts(out, "the AllowlistModule hook of entity 7 refused"))
                bad++;
            /* the refused function's 4 bytes end at hex 8 + 3 * 64 + 16 */
            if ((strstr(out, "not function 0x40c10f19") != NULL) != (cut >= 8 + 3 * 64 + 16))
                bad++;
            named += strstr(out, "not function 0x40c10f19") != NULL;
        }
        tap_ok(bad == 0,
               "every truncation of a hook revert: no wrong reason, module named, function only if "
               "there (%zu "
               "lengths, %zu bad)",
               full / 2 + 1, bad);
        tap_ok(named == (full - (8 + 3 * 64 + 16)) / 2 + 1,
               "the refused function is named exactly when its 4 bytes are there (%zu)", named);
        snprintf(data, 8192, "0x%.*s", (int)(8 + 64 + 64 + 64 + 8), hook);
        explain(-32521, "execution reverted", data, 7);
        tap_ok(strstr(out, "only transfer and approve") != NULL,
               "cut after the inner selector: still named: %s", out);
        snprintf(data, 8192, "0x%.*s", (int)(8 + 64 + 64), hook);
        explain(-32521, "execution reverted", data, 7);
        tap_ok(strstr(out, "its reason was cut off (PreExecHookReverted)") != NULL,
               "cut before the reason: %s", out);
    }

    /* garbage: moduleEntity with non-zero padding, absurd offsets and lengths */
    strcpy(data, "0x");
    sel_hex(data, PRE_EXEC, 1);
    strcat(data, "11111111111111111111111111111111111111111111111111111111111111ff");
    explain(-32521, "execution reverted", data, 1);
    tap_ok(starts(out, "the call reverted during simulation [server"),
           "not a bytes24 moduleEntity: ignored: %s", out);
    strcpy(data, "0x");
    hook_revert(data, PRE_VAL, mav2_addr_allowlist, 2, inner, 4);
    memcpy(data + 2 + 8 + 64, "ff", 2); /* offset word: huge */
    explain(-32500, "AA23 reverted", data, 2);
    tap_ok(
        strstr(out, "AllowlistModule hook of entity 2 refused the call; its reason was cut off") !=
            NULL,
        "absurd reason offset: %s", out);
    strcpy(data, "0x");
    hook_revert(data, PRE_VAL, mav2_addr_allowlist, 2, inner, 4);
    memcpy(data + 2 + 8 + 128 + 50, "ffffffffffffff", 14); /* length word: 2^56-ish */
    explain(-32500, "AA23 reverted", data, 2);
    tap_ok(
        strstr(out, "AllowlistModule hook of entity 2 refused the call; its reason was cut off") !=
            NULL,
        "absurd reason length: %s", out);
    strcpy(data, "0x4db96e31");
    explain(-32500, "AA23 reverted", data, 2);
    tap_ok(starts(out, "the account's validation reverted (AA23)"), "wrapper selector alone: %s",
           out);
    strcpy(data, "0x");
    sel_hex(data, PRE_EXEC, 1);
    strcat(data, "0123456789abcdeXYZ");
    explain(-32521, "execution reverted 0x74a1a72c0", data, 2);
    tap_ok(starts(out, "the call reverted during simulation"), "odd and broken hex: %s", out);
    free(hook);
    free(data);
}

static void test_codes(void)
{
    explain(-32601, "Method not found", NULL, 1);
    tap_ok(strstr(out, "does not implement this method") != NULL, "-32601: %s", out);
    explain(-32504, "banned", NULL, 1);
    tap_ok(strstr(out, "throttled or banned") != NULL, "-32504: %s", out);
    explain(-1, "something", NULL, 1);
    tap_ok(starts(out, "the server refused the request (JSON-RPC error -1)"), "unknown code: %s",
           out);
    {
        mav2_rpc_error e;
        char small[16];
        memset(&e, 0, sizeof(e));
        e.status = MAV2_RPC_E_NETWORK;
        snprintf(e.message, sizeof(e.message), "cannot connect to http://127.0.0.1:1");
        mav2_explain_error(&e, 1, out, sizeof(out));
        tap_ok(strcmp(out, e.message) == 0, "transport error passed through: %s", out);
        e.status = MAV2_RPC_E_RPC;
        snprintf(e.message, sizeof(e.message), "AA24 signature error");
        mav2_explain_error(&e, 1, small, sizeof(small));
        tap_ok(strlen(small) == sizeof(small) - 1, "output truncated and NUL-terminated");
    }
    {
        char msg[1100];
        memset(msg, 'x', sizeof(msg) - 1);
        msg[sizeof(msg) - 1] = '\0';
        explain(-32500, msg, NULL, 1);
        tap_ok(strstr(out, "...]") != NULL && strlen(out) < 400, "long server message shortened");
    }
}

static void test_fees(void)
{
    json_object *v = vec_load("fees_and_rpc_flow.json"), *arr = vec_get(v, "alchemyFeeVectors");
    mav2_send_params p;
    mav2_u256 base, hint, mf, mp, want_f, want_p, eth;
    mav2_send_params_init(&p);
    p.fee_cap_base_mul = NULL; /* the reference rule as such; the cap is test-bounds' */
    for (size_t i = 0; i < vec_len(arr); i++) {
        json_object *e = vec_at(arr, i);
        mav2_u256_from_hex(&base, vec_str(e, "baseFeePerGas"));
        mav2_u256_from_hex(&hint, vec_str(e, "rundler_maxPriorityFeePerGas"));
        mav2_u256_from_hex(&want_f, vec_str(e, "maxFeePerGas"));
        mav2_u256_from_hex(&want_p, vec_str(e, "maxPriorityFeePerGas"));
        tap_ok(mav2_fees_compute(&base, &hint, NULL, &p, &mf, &mp) &&
                   mav2_u256_cmp(&mf, &want_f) == 0 && mav2_u256_cmp(&mp, &want_p) == 0,
               "Alchemy fee rule, vector %zu (base %s)", i, vec_str(e, "baseFeePerGas"));
    }
    mav2_u256_from_u64(&base, 1000000000);
    mav2_u256_from_u64(&eth, 7);
    mav2_u256_from_u64(&want_f, 1200000007);
    tap_ok(mav2_fees_compute(&base, NULL, &eth, NULL, &mf, &mp) &&
               mav2_u256_cmp(&mf, &want_f) == 0 && mav2_u256_cmp(&mp, &eth) == 0,
           "generic fee rule: base * 1.2 + priority");
    mav2_send_params_init(&p);
    p.generic_base_mul = "2";
    mav2_u256_from_u64(&want_f, 2000000007);
    tap_ok(mav2_fees_compute(&base, NULL, &eth, &p, &mf, &mp) && mav2_u256_cmp(&mf, &want_f) == 0,
           "generic fee rule: multiplier configurable");
    p.priority_mul = "x";
    tap_ok(!mav2_fees_compute(&base, &eth, NULL, &p, &mf, &mp) &&
               starts(mav2_last_error(), "fees: "),
           "bad multiplier refused: %s", mav2_last_error());
    tap_ok(!mav2_fees_compute(&base, NULL, NULL, NULL, &mf, &mp), "no hint at all refused");
    json_object_put(v);
}

int main(void)
{
    test_aa_sentences();
    test_revert_data();
    test_hooks();
    test_codes();
    test_fees();
    return tap_done();
}
