/* SPDX-License-Identifier: Apache-2.0 */
/* test-recovery: the session pool recovers when its sessions are closed or the
 * login is dropped behind its back. */
#include "config.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "token.h"

static int sign_ok(p11k1_key *k, unsigned char tag)
{
    unsigned char d[32], sig[64], pub[65];
    memset(d, tag, sizeof(d));
    if (p11k1_key_sign(k, d, sig) != CKR_OK) {
        tap_diag("sign: %s", p11k1_last_error());
        return 0;
    }
    p11k1_key_public(k, pub);
    return tok_sig_ok(pub, d, sig);
}

int main(void)
{
    const char *pin = tok_init("recover");
    p11k1_ctx *ctx = tok_ctx();
    p11k1_key *k = NULL;
    CK_FUNCTION_LIST *raw = NULL, *managed;
    CK_C_GetFunctionList get;
    CK_SESSION_HANDLE s;
    void *dl;
    char uri[600];

    snprintf(uri, sizeof(uri), "pkcs11:token=recover?pin-source=%s", pin);
    if (p11k1_key_generate(ctx, uri, "r", NULL, 0, &k) != CKR_OK)
        tap_bail(p11k1_last_error());
    tap_ok(sign_ok(k, 1), "signs");

    /* the module's own function list, the same instance p11-kit loaded */
    dl = dlopen(tok_module(), RTLD_NOW | RTLD_NOLOAD);
    *(void **)&get = dl ? dlsym(dl, "C_GetFunctionList") : NULL;
    if (get == NULL || get(&raw) != CKR_OK)
        tap_bail("cannot reach the module's C_GetFunctionList");
    tap_ok(raw->C_CloseAllSessions(p11k1_key_slot_id(k)) == CKR_OK,
           "closed all sessions behind the pool's back");
    tap_ok(sign_ok(k, 2), "signs again (new session, new login)");
    tap_ok(sign_ok(k, 3), "and again");

    managed = p11k1_key_module(k);
    tap_ok(managed->C_CloseAllSessions(p11k1_key_slot_id(k)) == CKR_OK,
           "closed all sessions through p11-kit's function list");
    tap_ok(sign_ok(k, 4), "signs again");

    if (raw->C_OpenSession(p11k1_key_slot_id(k), CKF_SERIAL_SESSION, NULL, NULL, &s) == CKR_OK) {
        raw->C_Logout(s);
        raw->C_CloseSession(s);
    }
    tap_ok(sign_ok(k, 5), "signs after a C_Logout behind the pool's back");

    for (int i = 0; i < 3; i++)
        raw->C_CloseAllSessions(p11k1_key_slot_id(k));
    tap_ok(sign_ok(k, 6) && sign_ok(k, 7), "repeated closes: still signs");
    if (dl)
        dlclose(dl);
    p11k1_key_free(k);
    p11k1_ctx_free(ctx);
    return tap_done();
}
