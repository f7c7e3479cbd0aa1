/* SPDX-License-Identifier: Apache-2.0 */
/* explain.c: bundler / EntryPoint errors turned into one sentence (see send.h). */
#include "config.h"

#include "mav2/send/send.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "mav2/core/account.h"

static const uint8_t SEL_FAILED_OP[4] = {0x22, 0x02, 0x66, 0xb6};
static const uint8_t SEL_FAILED_OP_REVERT[4] = {0x65, 0xc8, 0xfd, 0x4d};
static const uint8_t SEL_ERROR[4] = {0x08, 0xc3, 0x79, 0xa0};
static const uint8_t SEL_VFM[4] = {0xcf, 0x7b, 0x49, 0xf6};  /* ValidationFunctionMissing(bytes4) */
static const uint8_t SEL_RUOC[4] = {0x5f, 0x49, 0xf0, 0x0a}; /* RequireUserOperationContext() */
static const uint8_t SEL_VSSM[4] = {0x15, 0x1d, 0x90,
                                    0xfe}; /* ValidationSignatureSegmentMissing() */
static const uint8_t SEL_RECURSION[4] = {0x54, 0xff, 0x92,
                                         0x9d}; /* SelfCallRecursionDepthExceeded() */
static const uint8_t SEL_NATIVE_LIMIT[4] = {0x94, 0xc5, 0x8c,
                                            0x94};                  /* ExceededNativeTokenLimit() */
static const uint8_t SEL_SIG_INVALID[4] = {0x07, 0x39, 0x16, 0x94}; /* SignatureValidationInvalid */
static const uint8_t SEL_SPENDING[4] = {0xf6, 0x1c, 0x9d,
                                        0x52}; /* SpendingRequestNotAllowed(bytes4) */

/* Errors wrapping a hook's revert: (bytes24 moduleEntity, bytes revertReason). */
static const struct {
    uint8_t sel[4];
    const char *name;
} hook_errors[] = {
    {{0x4d, 0xb9, 0x6e, 0x31}, "PreUserOpValidationHookReverted"},
    {{0x74, 0xa1, 0xa7, 0x2c}, "PreExecHookReverted"},
    {{0xf1, 0x9f, 0xc5, 0x93}, "PostExecHookReverted"},
};

/* What a permission module's error means. */
static const struct {
    uint8_t sel[4];
    const char *name, *what;
} module_errors[] = {
    {{0x2b, 0x53, 0x78, 0x4e},
     "AddressNotAllowed",
     "the call's target address is not on the key's allowlist"},
    {{0xbd, 0xb5, 0x18, 0xd2},
     "SelectorNotAllowed",
     "the function called on that target is not on the key's allowlist"},
    {{0x3a, 0xec, 0xa7, 0x7f},
     "NoSelectorSpecified",
     "the call to that target has no function selector, but only listed functions are allowed"},
    {{0xa5, 0x5a, 0xc8, 0x77}, "ExceededTokenLimit", "the ERC-20 spend limit would be exceeded"},
    {{0x94, 0xc5, 0x8c, 0x94},
     "ExceededNativeTokenLimit",
     "the native-token spend limit would be exceeded"},
    {{0xbe, 0x17, 0x94, 0x85},
     "BadPaymasterSpecified",
     "the op is not paid by the paymaster this key is restricted to"},
    {{0x22, 0x86, 0x30, 0x66}, "TimeRangeNotValid", "the key's time range is not valid now"},
    {{0xd2, 0x18, 0xaa, 0xfb},
     "UnexpectedDataPassed",
     "the signature carries data for a hook that takes none"},
};

static const struct {
    const uint8_t *addr;
    const char *name;
} module_names[] = {
    {mav2_addr_time_range, "TimeRangeModule"},
    {mav2_addr_native_token_limit, "NativeTokenLimitModule"},
    {mav2_addr_allowlist, "AllowlistModule"},
    {mav2_addr_paymaster_guard, "PaymasterGuardModule"},
    {mav2_addr_single_signer, "SingleSignerValidationModule"},
};

/* A hook's revert found in revert data. */
typedef struct {
    const char *wrapper; /* NULL = none found */
    uint8_t module[MAV2_ADDRESS_LEN];
    uint32_t entity;
    int reason; /* 0 cut off, 1 empty, 2 selector (+ arg / text) known */
    uint8_t sel[4], arg[4];
    int has_arg;
    char text[120]; /* Error(string) as the hook's reason */
} hook_info;

/* What the revert data found in an error says. */
typedef struct {
    int vfm;
    uint8_t vfm_selector[4];
    int require_uo_context, segment_missing, native_limit, sig_invalid, recursion;
    hook_info hook;
    char reason[160]; /* Error(string) or FailedOp reason */
} revert_info;

static long find_sel_from(const uint8_t *b, size_t n, size_t from, const uint8_t sel[4])
{
    for (size_t i = from; i + 4 <= n; i++) {
        if (memcmp(b + i, sel, 4) == 0)
            return (long)i;
    }
    return -1;
}

static long find_sel(const uint8_t *b, size_t n, const uint8_t sel[4])
{
    return find_sel_from(b, n, 0, sel);
}

/* The 32-byte word at b as a number; 0 if it does not fit 48 bits (no sane offset or
 * length does). */
static int abi_word(const uint8_t *b, uint64_t *v)
{
    size_t i;
    *v = 0;
    for (i = 0; i < 26; i++) {
        if (b[i] != 0)
            return 0;
    }
    for (; i < 32; i++)
        *v = *v << 8 | b[i];
    return 1;
}

/* ABI bytes at head offset word `word` of the tuple b[0..n) (after a selector): *out
 * and *len. A body cut short returns what is there with *cut = 1; 0 = no body. */
static int abi_bytes(const uint8_t *b, size_t n, size_t word, const uint8_t **out, size_t *len,
                     int *cut)
{
    uint64_t off, l;
    if ((word + 1) * 32 > n || !abi_word(b + word * 32, &off) || off > n || n - off < 32 ||
        !abi_word(b + off, &l))
        return 0;
    *out = b + off + 32;
    *cut = l > n - off - 32;
    *len = *cut ? n - off - 32 : (size_t)l;
    return 1;
}

/* ABI string at head offset word `word` of the tuple starting at b (after a selector). */
static void abi_string(const uint8_t *b, size_t n, size_t word, char *out, size_t cap)
{
    const uint8_t *s;
    size_t len, i;
    int cut;
    if (!abi_bytes(b, n, word, &s, &len, &cut) || cut)
        return;
    for (i = 0; i < len && i + 1 < cap; i++)
        out[i] = isprint(s[i]) ? (char)s[i] : '?';
    out[i] = '\0';
}

/* b[0..n) starts with a hook wrapper's selector: decodes it into h. 0 if the
 * moduleEntity is not there or is not a bytes24 (garbage that only looks alike). */
static int decode_hook(const uint8_t *b, size_t n, const char *wrapper, hook_info *h)
{
    const uint8_t *r;
    size_t rlen;
    int cut;
    if (n < 4 + 32)
        return 0;
    for (size_t i = 4 + 24; i < 4 + 32; i++) {
        if (b[i] != 0)
            return 0;
    }
    memset(h, 0, sizeof(*h));
    h->wrapper = wrapper;
    memcpy(h->module, b + 4, 20);
    h->entity = (uint32_t)b[24] << 24 | (uint32_t)b[25] << 16 | (uint32_t)b[26] << 8 | b[27];
    if (!abi_bytes(b + 4, n - 4, 1, &r, &rlen, &cut))
        return 1;
    if (rlen == 0 && !cut) {
        h->reason = 1;
    } else if (rlen >= 4) {
        h->reason = 2;
        memcpy(h->sel, r, 4);
        if (memcmp(r, SEL_SPENDING, 4) == 0 && rlen >= 8) {
            memcpy(h->arg, r + 4, 4);
            h->has_arg = 1;
        }
        if (memcmp(r, SEL_ERROR, 4) == 0)
            abi_string(r + 4, rlen - 4, 0, h->text, sizeof(h->text));
    }
    return 1;
}

static void find_hook(const uint8_t *b, size_t n, hook_info *h)
{
    for (size_t k = 0; k < sizeof(hook_errors) / sizeof(hook_errors[0]); k++) {
        long at = -1;
        while (h->wrapper == NULL &&
               (at = find_sel_from(b, n, (size_t)(at + 1), hook_errors[k].sel)) >= 0)
            decode_hook(b + at, n - (size_t)at, hook_errors[k].name, h);
    }
}

static void decode_blob(const uint8_t *b, size_t n, revert_info *ri)
{
    long at;
    if ((at = find_sel(b, n, SEL_VFM)) >= 0 && (size_t)at + 8 <= n) {
        ri->vfm = 1;
        memcpy(ri->vfm_selector, b + at + 4, 4);
    }
    ri->require_uo_context |= find_sel(b, n, SEL_RUOC) >= 0;
    ri->segment_missing |= find_sel(b, n, SEL_VSSM) >= 0;
    ri->native_limit |= find_sel(b, n, SEL_NATIVE_LIMIT) >= 0;
    ri->sig_invalid |= find_sel(b, n, SEL_SIG_INVALID) >= 0;
    ri->recursion |= find_sel(b, n, SEL_RECURSION) >= 0;
    if (ri->hook.wrapper == NULL)
        find_hook(b, n, &ri->hook);
    if (ri->reason[0] == '\0' && n >= 4 &&
        (memcmp(b, SEL_FAILED_OP, 4) == 0 || memcmp(b, SEL_FAILED_OP_REVERT, 4) == 0))
        abi_string(b + 4, n - 4, 1, ri->reason, sizeof(ri->reason));
    if (ri->reason[0] == '\0' && (at = find_sel(b, n, SEL_ERROR)) >= 0)
        abi_string(b + at + 4, n - (size_t)at - 4, 0, ri->reason, sizeof(ri->reason));
}
/* Scans text for 0x-hex runs of at least 4 bytes and decodes each. */
static void scan_text(const char *s, revert_info *ri)
{
    while (s != NULL && (s = strstr(s, "0x")) != NULL) {
        size_t n = strspn(s + 2, "0123456789abcdefABCDEF");
        if (n >= 8) {
            size_t even = n & ~(size_t)1, blen;
            char *h = strndup(s + 2, even);
            uint8_t *b = malloc(even / 2 + 1);
            if (h != NULL && b != NULL && mh_hex_decode(h, b, even / 2 + 1, &blen, NULL))
                decode_blob(b, blen, ri);
            free(h);
            free(b);
        }
        s += 2 + n;
    }
}

/* First "AAnn" in s (0 if none). */
static int find_aa(const char *s)
{
    for (; s != NULL && *s; s++) {
        if (s[0] == 'A' && s[1] == 'A' && isdigit((unsigned char)s[2]) &&
            isdigit((unsigned char)s[3]) && !isalnum((unsigned char)s[4]))
            return (s[2] - '0') * 10 + (s[3] - '0');
    }
    return 0;
}

static const char *aa_sentence(int aa)
{
    switch (aa) {
    case 10:
        return "the account is already deployed, yet a factory was sent (AA10 sender already "
               "constructed)";
    case 13:
        return "deploying the account failed: the factory call reverted or ran out of gas (AA13 "
               "initCode failed or OOG)";
    case 14:
        return "the factory deployed a different address than the op's sender (AA14 initCode must "
               "return sender)";
    case 15:
        return "the factory did not deploy the account (AA15 initCode must create sender)";
    case 20:
        return "the account is not deployed and no factory was given (AA20 account not deployed)";
    case 21:
        return "the account has too little ETH to prefund this op: fund it or use a paymaster "
               "(AA21 didn't pay prefund)";
    case 22:
        return "the op is outside its validity window: expired or not valid yet, e.g. a time-range "
               "permission (AA22 expired or not due)";
    case 25:
        return "invalid nonce: another op on this nonce lane was included or is pending; retry to "
               "take the next nonce (AA25 invalid account nonce)";
    case 26:
        return "verification used more gas than verificationGasLimit (AA26 over "
               "verificationGasLimit)";
    case 30:
        return "the paymaster is not deployed (AA30 paymaster not deployed)";
    case 31:
        return "the paymaster's deposit is too low to pay for this op (AA31 paymaster deposit too "
               "low)";
    case 32:
        return "the paymaster's approval expired or is not valid yet (AA32 paymaster expired or "
               "not due)";
    case 33:
        return "the paymaster refused to sponsor this op: its validation reverted, e.g. policy "
               "limits (AA33 reverted)";
    case 34:
        return "the paymaster's signature is invalid (AA34 signature error)";
    case 40:
        return "verification gas exceeded the limit (AA40 over verificationGasLimit)";
    case 41:
        return "too little verificationGas to handle the paymaster postOp (AA41)";
    case 51:
        return "the prefund was below the actual gas cost (AA51)";
    case 95:
        return "the bundler ran out of gas handling the op (AA95 out of gas)";
    default:
        return NULL;
    }
}

static const char *code_sentence(int64_t code)
{
    switch (code) {
    case -32500:
        return "the account's validation rejected the op";
    case -32501:
        return "the paymaster rejected the op";
    case -32502:
        return "the op uses an opcode bundlers forbid during validation";
    case -32503:
        return "the op is outside its validity time range";
    case -32504:
        return "the bundler throttled or banned an entity of the op (account, factory or "
               "paymaster)";
    case -32505:
        return "an entity of the op lacks the stake the bundler requires";
    case -32506:
        return "the op's aggregator is not supported";
    case -32507:
        return "the signature does not verify";
    case -32521:
        return "the call reverted during simulation";
    case -32602:
        return "the bundler refused the op's fields as invalid";
    case -32601:
        return "the server does not implement this method";
    default:
        return NULL;
    }
}

/* "the AllowlistModule hook of entity 7 refused the call: <what> (<wrapper>: <error>)". */
static void hook_sentence(const hook_info *h, uint32_t entity_id, int aa, char *out, size_t cap)
{
    char who[112], ent[40], why[200] = "", code[96];
    const char *name = NULL, *err = NULL;
    size_t k;
    for (k = 0; k < sizeof(module_names) / sizeof(module_names[0]); k++) {
        if (memcmp(h->module, module_names[k].addr, 20) == 0)
            name = module_names[k].name;
    }
    /* Execution hooks of a permission module sit at entityId + 0x7fffffff. */
    if (h->entity == entity_id || h->entity == entity_id + MAV2_EXEC_HOOK_ENTITY_OFFSET)
        snprintf(ent, sizeof(ent), " of entity %u", entity_id);
    else
        snprintf(ent, sizeof(ent), " (hook entity %u)", h->entity);
    if (name != NULL) {
        snprintf(who, sizeof(who), "the %s hook%s", name, ent);
    } else {
        char hex[41];
        mh_hex_encode(h->module, 20, hex, sizeof(hex), 0);
        snprintf(who, sizeof(who), "the hook module 0x%s%s", hex, ent);
    }
    if (h->reason == 2) {
        for (k = 0; k < sizeof(module_errors) / sizeof(module_errors[0]); k++) {
            if (memcmp(h->sel, module_errors[k].sel, 4) == 0) {
                err = module_errors[k].name;
                snprintf(why, sizeof(why), "%s", module_errors[k].what);
            }
        }
        if (memcmp(h->sel, SEL_SPENDING, 4) == 0) {
            err = "SpendingRequestNotAllowed";
            if (h->has_arg)
                snprintf(why, sizeof(why),
                         "only transfer and approve may be called on a token with an ERC-20 "
                         "spend limit, not function 0x%02x%02x%02x%02x",
                         h->arg[0], h->arg[1], h->arg[2], h->arg[3]);
            else
                snprintf(why, sizeof(why),
                         "only transfer and approve may be called on a token with an ERC-20 "
                         "spend limit");
        } else if (memcmp(h->sel, SEL_ERROR, 4) == 0) {
            err = "Error";
            snprintf(why, sizeof(why), "%s", h->text[0] ? h->text : "a reason that was cut off");
        }
    }
    if (err != NULL)
        snprintf(code, sizeof(code), "%s%s: %s", aa == 23 ? "AA23 " : "", h->wrapper, err);
    else if (h->reason == 2)
        snprintf(code, sizeof(code), "%s%s: error 0x%02x%02x%02x%02x", aa == 23 ? "AA23 " : "",
                 h->wrapper, h->sel[0], h->sel[1], h->sel[2], h->sel[3]);
    else
        snprintf(code, sizeof(code), "%s%s", aa == 23 ? "AA23 " : "", h->wrapper);
    if (why[0])
        snprintf(out, cap, "%s refused the call: %s (%s)", who, why, code);
    else if (h->reason == 1)
        snprintf(out, cap, "%s refused the call without giving a reason (%s)", who, code);
    else if (h->reason == 2)
        snprintf(out, cap, "%s refused the call with an error this tool does not know (%s)", who,
                 code);
    else
        snprintf(out, cap, "%s refused the call; its reason was cut off (%s)", who, code);
}

void mav2_explain_error(const mav2_rpc_error *e, uint32_t entity_id, char *out, size_t cap)
{
    revert_info ri;
    char head[512];
    int aa;
    const char *s;
    if (cap == 0)
        return;
    out[0] = '\0';
    if (e == NULL)
        return;
    if (e->status != MAV2_RPC_E_RPC) {
        snprintf(out, cap, "%s", e->message);
        return;
    }
    memset(&ri, 0, sizeof(ri));
    scan_text(e->message, &ri);
    scan_text(e->data, &ri);
    aa = find_aa(e->message);
    if (aa == 0)
        aa = find_aa(e->data);
    if (aa == 0)
        aa = find_aa(ri.reason);

    if (ri.hook.wrapper != NULL)
        hook_sentence(&ri.hook, entity_id, aa, head, sizeof(head));
    else if (ri.vfm)
        snprintf(head, sizeof(head),
                 "entity %u is not installed on this account or may not call selector "
                 "0x%02x%02x%02x%02x (%sValidationFunctionMissing)",
                 entity_id, ri.vfm_selector[0], ri.vfm_selector[1], ri.vfm_selector[2],
                 ri.vfm_selector[3], aa ? "AA23 " : "");
    else if (aa == 24 || ri.sig_invalid)
        snprintf(head, sizeof(head),
                 "the signature does not match the session key installed for entity %u on "
                 "this account (AA24 signature error)",
                 entity_id);
    else if (ri.require_uo_context)
        snprintf(head, sizeof(head),
                 "entity %u has execution hooks: its call data must start with executeUserOp "
                 "(0x8dd7712f) (RequireUserOperationContext)",
                 entity_id);
    else if (ri.segment_missing)
        snprintf(head, sizeof(head),
                 "the signature lacks the 0xFF validation segment marker "
                 "(ValidationSignatureSegmentMissing)");
    else if (ri.recursion)
        snprintf(head, sizeof(head),
                 "the call nests execute or executeBatch on the account itself, which the "
                 "account refuses (SelfCallRecursionDepthExceeded)");
    else if (ri.native_limit)
        snprintf(head, sizeof(head),
                 "the native-token spend limit of entity %u would be exceeded "
                 "(ExceededNativeTokenLimit)",
                 entity_id);
    else if (aa == 23)
        snprintf(head, sizeof(head), "the account's validation reverted%s%s (AA23)",
                 ri.reason[0] ? ": " : "", ri.reason);
    else if (aa != 0 && (s = aa_sentence(aa)) != NULL)
        snprintf(head, sizeof(head), "%s", s);
    else if ((s = code_sentence(e->code)) != NULL)
        snprintf(head, sizeof(head), "%s%s%s", s, ri.reason[0] ? ": " : "", ri.reason);
    else
        snprintf(head, sizeof(head), "the server refused the request (JSON-RPC error %lld)",
                 (long long)e->code);
    snprintf(out, cap, "%s [server: %.200s%s]", head, e->message,
             strlen(e->message) > 200 ? "..." : "");
}
