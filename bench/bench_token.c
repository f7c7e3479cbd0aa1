/* SPDX-License-Identifier: Apache-2.0 */
/* bench_token.c: the token fixture of bench_sig and bench_signer (bench_token.h). */
#include "bench_token.h"

#include <stdio.h>
#include <string.h>

#include "mav2/core/error.h"
#include "mav2/keys/key.h"

int bench_token_open(bench_token *t, const char *prog, const char *uri, const char *module)
{
    p11k1_config cfg;
    mav2_key_opts o;
    CK_BBOOL no = CK_FALSE;
    CK_RV rv;

    memset(t, 0, sizeof(*t));
    p11k1_config_init(&cfg);
    cfg.module = module;
    mav2_key_opts_init(&o);
    o.flags = MAV2_KEY_PRIVATE;
    if ((rv = p11k1_ctx_new(&cfg, &t->ctx)) != CKR_OK ||
        (rv = p11k1_key_find(t->ctx, uri, &t->key)) != CKR_OK) {
        fprintf(stderr, "%s: p11k1: %s: %s\n", prog, p11k1_rv_name(rv), p11k1_last_error());
        return 0;
    }
    t->f = p11k1_key_module(t->key);
    t->handle = p11k1_key_private_handle(t->key);
    if (t->f->C_OpenSession(p11k1_key_slot_id(t->key), CKF_SERIAL_SESSION, NULL, NULL,
                            &t->session) != CKR_OK) {
        fprintf(stderr, "%s: C_OpenSession failed\n", prog);
        return 0;
    }
    if (t->f->C_CopyObject(t->session, t->handle, &(CK_ATTRIBUTE){CKA_TOKEN, &no, sizeof(no)}, 1,
                           &t->copy) != CKR_OK)
        t->copy = 0;
    if (!mav2_key_load(uri, &o, &t->pkey) || (t->signer = mav2_signer_new(t->pkey)) == NULL) {
        fprintf(stderr, "%s: token key through the provider: %s\n", prog, mav2_last_error());
        return 0;
    }
    return 1;
}

/* C_SignInit + C_Sign with the object h in the fixture's own session. */
static int sign_with(bench_token *t, CK_OBJECT_HANDLE h, const unsigned char d[32],
                     unsigned char rs[64])
{
    CK_MECHANISM mech = {CKM_ECDSA, NULL, 0};
    CK_ULONG len = 64;
    return h != 0 && t->f->C_SignInit(t->session, &mech, h) == CKR_OK &&
           t->f->C_Sign(t->session, (CK_BYTE_PTR)d, 32, rs, &len) == CKR_OK && len == 64;
}

int bench_token_bare_sign(bench_token *t, const unsigned char d[32], unsigned char rs[64])
{
    return sign_with(t, t->handle, d, rs);
}

int bench_token_copy_sign(bench_token *t, const unsigned char d[32], unsigned char rs[64])
{
    return sign_with(t, t->copy, d, rs);
}

void bench_token_close(bench_token *t)
{
    if (t->f != NULL && t->session != 0)
        t->f->C_CloseSession(t->session);
    mav2_signer_free(t->signer);
    EVP_PKEY_free(t->pkey);
    p11k1_key_free(t->key);
    /* The provider shares the module; see PKCS11.md on finalizing SoftHSM2 twice. */
    p11k1_ctx_free(t->ctx);
    memset(t, 0, sizeof(*t));
}
