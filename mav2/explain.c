/* explain.c: bundler / EntryPoint errors turned into one sentence (see send.h). */
#include "config.h"

#include "mav2/send.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"

static const uint8_t SEL_FAILED_OP[4] = {0x22, 0x02, 0x66, 0xb6};
static const uint8_t SEL_FAILED_OP_REVERT[4] = {0x65, 0xc8, 0xfd, 0x4d};
static const uint8_t SEL_ERROR[4] = {0x08, 0xc3, 0x79, 0xa0};
static const uint8_t SEL_VFM[4] = {0xcf, 0x7b, 0x49, 0xf6};  /* ValidationFunctionMissing(bytes4) */
static const uint8_t SEL_RUOC[4] = {0x5f, 0x49, 0xf0, 0x0a}; /* RequireUserOperationContext() */
static const uint8_t SEL_VSSM[4] = {0x15, 0x1d, 0x90,
                                    0xfe}; /* ValidationSignatureSegmentMissing() */
static const uint8_t SEL_PRE_EXEC[4] = {0x74, 0xa1, 0xa7, 0x2c}; /* PreExecHookReverted */
static const uint8_t SEL_NATIVE_LIMIT[4] = {0x94, 0xc5, 0x8c,
                                            0x94};                  /* ExceededNativeTokenLimit() */
static const uint8_t SEL_SIG_INVALID[4] = {0x07, 0x39, 0x16, 0x94}; /* SignatureValidationInvalid */

/* What the revert data found in an error says. */
typedef struct {
    int vfm;
    uint8_t vfm_selector[4];
    int require_uo_context, segment_missing, native_limit, pre_exec, sig_invalid;
    char reason[160]; /* Error(string) or FailedOp reason */
} revert_info;

static long find_sel(const uint8_t *b, size_t n, const uint8_t sel[4])
{
    for (size_t i = 0; i + 4 <= n; i++) {
        if (memcmp(b + i, sel, 4) == 0)
            return (long)i;
    }
    return -1;
}

/* ABI string at head offset word `word` of the tuple starting at b (after a selector). */
static void abi_string(const uint8_t *b, size_t n, size_t word, char *out, size_t cap)
{
    uint64_t off = 0, len = 0;
    size_t i;
    if ((word + 1) * 32 > n)
        return;
    for (i = 24; i < 32; i++)
        off = off << 8 | b[word * 32 + i];
    if (off > n || n - off < 32)
        return;
    for (i = 24; i < 32; i++)
        len = len << 8 | b[off + i];
    if (len > n - off - 32)
        return;
    for (i = 0; i < len && i + 1 < cap; i++)
        out[i] = isprint(b[off + 32 + i]) ? (char)b[off + 32 + i] : '?';
    out[i] = '\0';
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
    ri->pre_exec |= find_sel(b, n, SEL_PRE_EXEC) >= 0;
    ri->sig_invalid |= find_sel(b, n, SEL_SIG_INVALID) >= 0;
    if (ri->reason[0] == '\0' && ((at = find_sel(b, n, SEL_FAILED_OP)) == 0 ||
                                  (at = find_sel(b, n, SEL_FAILED_OP_REVERT)) == 0))
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

    if (ri.vfm)
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
    else if (ri.native_limit)
        snprintf(head, sizeof(head),
                 "this would exceed the native-token spend limit of entity %u "
                 "(ExceededNativeTokenLimit)",
                 entity_id);
    else if (aa == 23)
        snprintf(head, sizeof(head), "the account's validation reverted%s%s (AA23)",
                 ri.reason[0] ? ": " : "", ri.reason);
    else if (aa != 0 && (s = aa_sentence(aa)) != NULL)
        snprintf(head, sizeof(head), "%s", s);
    else if (ri.pre_exec)
        snprintf(head, sizeof(head), "a permission hook of entity %u refused the call%s%s",
                 entity_id, ri.reason[0] ? ": " : "", ri.reason);
    else if ((s = code_sentence(e->code)) != NULL)
        snprintf(head, sizeof(head), "%s%s%s", s, ri.reason[0] ? ": " : "", ri.reason);
    else
        snprintf(head, sizeof(head), "the server refused the request (JSON-RPC error %lld)",
                 (long long)e->code);
    snprintf(out, cap, "%s [server: %.200s%s]", head, e->message,
             strlen(e->message) > 200 ? "..." : "");
}
