/* SPDX-License-Identifier: Apache-2.0 */
/* test-grant: deferred grants (grant.h) against mav2_calldata.json "deferredAction"
 * (account kit's compileDeferred + buildDeferredActionDigest): the EIP-712 digest, the
 * nonce, the string parsed and written back byte for byte, the owner recovered, a grant
 * signed here recovering to its signer, and the parser's refusals. */
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <stdlib.h>
#include <string.h>

#include "mav2/core/error.h"
#include "mav2/core/grant.h"
#include "mav2/keys/signer.h"
#include "tap.h"
#include "vectors.h"

/* A software secp256k1 EVP_PKEY from a private scalar (public point computed). */
static EVP_PKEY *pkey_from_priv(const uint8_t priv[32])
{
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY *pkey = NULL;
    BIGNUM *d = BN_bin2bn(priv, 32, NULL);
    EC_GROUP *group = EC_GROUP_new_by_curve_name(NID_secp256k1);
    EC_POINT *pt = group ? EC_POINT_new(group) : NULL;
    unsigned char pub[65];
    if (bld == NULL || ctx == NULL || d == NULL || pt == NULL ||
        !EC_POINT_mul(group, pt, d, NULL, NULL, NULL) ||
        EC_POINT_point2oct(group, pt, POINT_CONVERSION_UNCOMPRESSED, pub, 65, NULL) != 65 ||
        !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "secp256k1", 0) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) ||
        !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, 65) ||
        (params = OSSL_PARAM_BLD_to_param(bld)) == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params) <= 0)
        tap_bail("cannot build a secp256k1 EVP_PKEY");
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(ctx);
    BN_clear_free(d);
    EC_POINT_free(pt);
    EC_GROUP_free(group);
    return pkey;
}

typedef struct {
    uint64_t chain_id;
    uint8_t account[20], owner[20];
    mav2_u256 nonce;
    uint64_t deadline;
    uint8_t *call, *full, *sig;
    size_t call_len, full_len, sig_len;
} vec;

static void load(json_object *v, vec *x)
{
    json_object *td = vec_get(v, "typedData"), *msg = vec_get(td, "message");
    uint8_t priv[32];
    EVP_PKEY *pk;
    x->chain_id = (uint64_t)vec_int(vec_get(td, "domain"), "chainId");
    if (!mav2_address_parse(vec_str(vec_get(td, "domain"), "verifyingContract"), x->account) ||
        !mav2_u256_parse(&x->nonce, vec_str(msg, "nonce")))
        tap_bail(mav2_last_error());
    x->deadline = (uint64_t)vec_int(msg, "deadline");
    x->call = vec_hex(msg, "call", &x->call_len);
    x->full = vec_hex(v, "deferredActionDigest", &x->full_len);
    x->sig = vec_hex(v, "ownerDeferredSignature", &x->sig_len);
    vec_hex_exact(v, "ownerPrivateKey", priv, 32);
    pk = pkey_from_priv(priv);
    if (!mav2_pkey_address(pk, x->owner, NULL))
        tap_bail(mav2_last_error());
    EVP_PKEY_free(pk);
}

static void test_vector(json_object *v, const vec *x)
{
    uint8_t d[32], want[32], who[20];
    mav2_grant g;
    mav2_buf b = MAV2_BUF_INIT;
    mav2_u256 n;
    uint32_t entity;
    uint64_t seq;
    mav2_grant_init(&g);
    vec_hex_exact(v, "typedDataHash", want, 32);
    tap_ok(mav2_grant_digest(x->chain_id, x->account, &x->nonce, x->deadline, x->call, x->call_len,
                             d) &&
               memcmp(d, want, 32) == 0,
           "EIP-712 DeferredAction digest = typedDataHash");
    tap_ok(mav2_grant_nonce(&n, NULL, 1, 1, 0) && mav2_u256_cmp(&n, &x->nonce) == 0,
           "nonce of entity 1, global, deferred, sequence 0");
    tap_ok(mav2_grant_parse(x->full, x->full_len, &g), "account kit's grant parses: %s",
           mav2_last_error());
    mav2_grant_nonce_parts(&g, NULL, &entity, NULL, &seq);
    tap_ok(!g.exec_hooks && mav2_u256_cmp(&g.nonce, &x->nonce) == 0 && entity == 1 && seq == 0 &&
               g.owner_entity == 0 && g.owner_global && g.deadline == x->deadline,
           "flag, nonce, owner locator and deadline read");
    tap_ok(g.call.len == x->call_len && memcmp(g.call.data, x->call, x->call_len) == 0,
           "call = the typed data's call");
    tap_ok(x->sig_len == 66 && memcmp(g.owner_sig, x->sig, 66) == 0, "owner signature read");
    tap_ok(mav2_grant_serialize(&g, &b) && b.len == x->full_len &&
               memcmp(b.data, x->full, b.len) == 0,
           "written back byte for byte");
    tap_ok(mav2_grant_sig_prefix(&g, &b) && b.len == x->full_len - 33 &&
               memcmp(b.data, x->full + 33, b.len) == 0,
           "user-op signature prefix = the string after flag and nonce");
    tap_ok(mav2_grant_recover_owner(&g, x->chain_id, x->account, who) &&
               memcmp(who, x->owner, 20) == 0,
           "the owner recovered from account kit's signature");
    tap_ok(!mav2_grant_recover_owner(&g, x->chain_id + 1, x->account, who) ||
               memcmp(who, x->owner, 20) != 0,
           "another chain id does not recover the owner");
    mav2_buf_free(&b);
    mav2_grant_clear(&g);
}

static void test_sign(const vec *x)
{
    EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "secp256k1");
    mav2_signer *s = pk ? mav2_signer_new(pk) : NULL;
    mav2_grant g, back;
    char *hex = NULL;
    uint8_t who[20];
    if (s == NULL)
        tap_bail("no secp256k1 key");
    mav2_grant_init(&g);
    mav2_grant_init(&back);
    g.nonce = x->nonce;
    g.deadline = x->deadline;
    g.exec_hooks = 1;
    if (!mav2_buf_set(&g.call, x->call, x->call_len))
        tap_bail("oom");
    tap_ok(mav2_grant_sign(s, x->chain_id, x->account, &g) && g.owner_sig[0] == 0 &&
               mav2_grant_to_hex(&g, &hex) && strncmp(hex, "0x01", 4) == 0,
           "a grant signed here, flag 0x01 for execution hooks");
    tap_ok(hex != NULL && mav2_grant_parse_hex(hex, &back) && back.exec_hooks &&
               mav2_grant_recover_owner(&back, x->chain_id, x->account, who) &&
               memcmp(who, mav2_signer_address(s), 20) == 0,
           "its hex parses and recovers to the signer");
    free(hex);
    mav2_grant_clear(&g);
    mav2_grant_clear(&back);
    mav2_signer_free(s);
    EVP_PKEY_free(pk);
}

/* One byte changed (or the length cut) must be refused, naming the part. */
static void refuse(const vec *x, size_t off, int val, size_t len, const char *what,
                   const char *needle)
{
    uint8_t *d = malloc(x->full_len + 1);
    mav2_grant g;
    memcpy(d, x->full, x->full_len);
    if (off < x->full_len + 1)
        d[off] = (uint8_t)val;
    mav2_grant_init(&g);
    tap_ok(!mav2_grant_parse(d, len, &g) && strstr(mav2_last_error(), needle) != NULL &&
               g.call.len == 0,
           "refused: %s (%s)", what, mav2_last_error());
    free(d);
    mav2_grant_clear(&g);
}

static void test_refusals(const vec *x)
{
    size_t sig_off = x->full_len - 66, n = x->full_len;
    refuse(x, 0, 0x02, n, "flag byte 0x02", "flag byte");
    refuse(x, 24, 0x01, n, "nonce without the deferred bit", "deferred bit");
    refuse(x, 37, 0x01, n, "owner locator with a module address", "direct-call");
    refuse(x, 57, 0x03, n, "owner locator options 0x03", "locator options");
    refuse(x, 34, 0xff, n, "encoded length past the end", "exceeds");
    refuse(x, sig_off - 1, 65, n, "owner signature of 65 bytes", "65 bytes");
    refuse(x, sig_off, 0x01, n, "owner signature type 0x01", "EOA");
    refuse(x, n, 0x00, n + 1, "a byte after the signature", "67 bytes where");
    refuse(x, 0, 0x00, n - 1, "the last byte cut", "65 bytes where");
    refuse(x, 0, 0x00, 20, "20 bytes", "too short");
    tap_ok(!mav2_grant_parse_hex("0xzz", &(mav2_grant){0}) &&
               strstr(mav2_last_error(), "not hex") != NULL,
           "refused: not hex");
}

int main(void)
{
    json_object *all = vec_load("mav2_calldata.json"), *v = vec_get(all, "deferredAction");
    vec x;
    load(v, &x);
    test_vector(v, &x);
    test_sign(&x);
    test_refusals(&x);
    free(x.call);
    free(x.full);
    free(x.sig);
    json_object_put(all);
    return tap_done();
}
