/* test-explain.c: bundler / EntryPoint errors turned into one sentence
 * (mav2_explain_error: AAxx reasons, revert data in message or data, JSON-RPC codes)
 * and the fee rule (mav2_fees_compute) against fees_and_rpc_flow.json. */
#include "mav2/error.h"
#include "mav2/send.h"
#include "tap.h"
#include "vectors.h"

#include "common/hex.h"

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
    for (size_t i = 0; i < vec_len(arr); i++) {
        json_object *e = vec_at(arr, i);
        mav2_u256_from_hex(&base, vec_str(e, "baseFeePerGas"));
        mav2_u256_from_hex(&hint, vec_str(e, "rundler_maxPriorityFeePerGas"));
        mav2_u256_from_hex(&want_f, vec_str(e, "maxFeePerGas"));
        mav2_u256_from_hex(&want_p, vec_str(e, "maxPriorityFeePerGas"));
        tap_ok(mav2_fees_compute(&base, &hint, NULL, NULL, &mf, &mp) &&
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
    test_codes();
    test_fees();
    return tap_done();
}
