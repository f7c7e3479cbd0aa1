/* SPDX-License-Identifier: Apache-2.0 */
/* test-init: a module initialized already by another user in the process is
 * used as it is, and left initialized by p11k1_ctx_free. */
#include "config.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "token.h"

int main(void)
{
    const char *pin = tok_init("init");
    CK_C_INITIALIZE_ARGS args = {NULL, NULL, NULL, NULL, CKF_OS_LOCKING_OK, NULL};
    CK_FUNCTION_LIST *raw = NULL;
    CK_C_GetFunctionList get;
    CK_ULONG n = 0;
    p11k1_ctx *ctx;
    p11k1_key *k = NULL;
    unsigned char d[32] = {7}, sig[64], pub[65];
    char uri[600];
    void *dl = dlopen(tok_module(), RTLD_NOW);

    *(void **)&get = dl ? dlsym(dl, "C_GetFunctionList") : NULL;
    if (get == NULL || get(&raw) != CKR_OK)
        tap_bail("cannot load the module directly");
    tap_ok(raw->C_Initialize(&args) == CKR_OK, "another user initialized the module");

    ctx = tok_ctx();
    snprintf(uri, sizeof(uri), "pkcs11:token=init?pin-source=%s", pin);
    tap_ok(p11k1_key_generate(ctx, uri, "i", NULL, 0, &k) == CKR_OK, "p11k1 uses it (%s)",
           p11k1_last_error());
    tap_ok(k && p11k1_key_sign(k, d, sig) == CKR_OK, "and signs");
    if (k) {
        p11k1_key_public(k, pub);
        tap_ok(tok_sig_ok(pub, d, sig), "signature verifies");
    }
    p11k1_key_free(k);
    p11k1_ctx_free(ctx);
    tap_ok(raw->C_GetSlotList(CK_TRUE, NULL, &n) == CKR_OK && n >= 1,
           "the module is still initialized after p11k1_ctx_free");
    tap_ok(raw->C_Finalize(NULL) == CKR_OK, "its owner finalizes it once");
    dlclose(dl);
    return tap_done();
}
