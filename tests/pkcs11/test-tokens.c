/* SPDX-License-Identifier: Apache-2.0 */
/* test-tokens.c: pkcs11: URIs that name no token, on a module with two tokens and
 * SoftHSM2's free slot (no initialized token): the free slot is passed over, a key
 * on one token is found, keys on both tokens are refused naming both. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "token.h"

static const char *pin_file;

/* base with ?pin-source=PIN FILE appended. */
static const char *U(const char *base)
{
    static char buf[1024];
    snprintf(buf, sizeof(buf), "%s?pin-source=file:%s", base, pin_file);
    return buf;
}

static int generate(p11k1_ctx *ctx, const char *token, const char *label, unsigned char id)
{
    char uri[128];
    p11k1_key *k = NULL;
    CK_RV rv;

    snprintf(uri, sizeof(uri), "pkcs11:token=%s", token);
    rv = p11k1_key_generate(ctx, U(uri), label, &id, 1, &k);
    p11k1_key_free(k);
    return rv == CKR_OK;
}

static const char *token_of(const p11k1_key *k)
{
    static char uri[512];
    char *u = p11k1_key_uri(k);
    snprintf(uri, sizeof(uri), "%s", u != NULL ? u : "");
    free(u);
    return strstr(uri, "token=one") ? "one" : strstr(uri, "token=two") ? "two" : "?";
}

int main(void)
{
    p11k1_ctx *ctx;
    p11k1_key *k = NULL, **list = NULL;
    size_t n = 0;
    CK_RV rv;

    pin_file = tok_init("one");
    tok_init("two");
    ctx = tok_ctx();
    tap_ok(generate(ctx, "one", "k1", 0x01) && generate(ctx, "two", "k2", 0x02) &&
               generate(ctx, "one", "both-a", 0x03) && generate(ctx, "two", "both-b", 0x03),
           "keys generated on tokens 'one' and 'two' (%s)", p11k1_last_error());

    rv = p11k1_key_find(ctx, U("pkcs11:id=%01"), &k);
    tap_ok(rv == CKR_OK && k != NULL && strcmp(token_of(k), "one") == 0,
           "pkcs11:id=%%01 finds k1 on 'one'; the free slot is skipped (%s)", p11k1_last_error());
    p11k1_key_free(k);
    k = NULL;
    rv = p11k1_key_find(ctx, U("pkcs11:object=k2"), &k);
    tap_ok(rv == CKR_OK && k != NULL && strcmp(token_of(k), "two") == 0,
           "pkcs11:object=k2 finds k2 on 'two' (%s)", p11k1_last_error());
    p11k1_key_free(k);
    k = NULL;
    rv = p11k1_key_find(ctx, "pkcs11:object=k1;type=public", &k);
    tap_ok(rv == CKR_OK && k != NULL && strcmp(token_of(k), "one") == 0,
           "type=public without a PIN, no token named (%s)", p11k1_last_error());
    p11k1_key_free(k);
    k = NULL;

    rv = p11k1_key_find(ctx, U("pkcs11:id=%03"), &k);
    tap_ok(rv == P11K1_R_AMBIGUOUS && k == NULL, "keys with id 03 on both tokens: ambiguous (%s)",
           p11k1_rv_name(rv));
    tap_ok(strstr(p11k1_last_error(), "'one'") && strstr(p11k1_last_error(), "'two'"),
           "the message names both tokens: %s", p11k1_last_error());
    rv = p11k1_key_find(ctx, U("pkcs11:token=two;id=%03"), &k);
    tap_ok(rv == CKR_OK && k != NULL && strcmp(p11k1_key_label(k), "both-b") == 0,
           "naming the token picks one (%s)", p11k1_last_error());
    p11k1_key_free(k);

    rv = p11k1_key_list(ctx, U("pkcs11:"), &list, &n);
    tap_ok(rv == CKR_OK && n == 4, "list pkcs11: gives the 4 keys of both tokens (%zu; %s)", n,
           p11k1_last_error());
    p11k1_key_list_free(list, n);

    p11k1_ctx_free(ctx);
    return tap_done();
}
