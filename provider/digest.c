/* SPDX-License-Identifier: Apache-2.0 */
/* digest.c: "KECCAK-256" (Ethereum's Keccak, original padding) for OpenSSL
 * 3.0, which has none; the hashing itself is common/keccak's. */
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>

#include "common/keccak.h"
#include "provider/prov.h"

static void *kc_newctx(void *provctx)
{
    return OPENSSL_zalloc(sizeof(mh_keccak256_ctx));
}

static void kc_freectx(void *vctx)
{
    OPENSSL_clear_free(vctx, sizeof(mh_keccak256_ctx));
}

static void *kc_dupctx(void *vctx)
{
    return OPENSSL_memdup(vctx, sizeof(mh_keccak256_ctx));
}

static int kc_init(void *vctx, const OSSL_PARAM params[])
{
    mh_keccak256_init(vctx);
    return 1;
}

static int kc_update(void *vctx, const unsigned char *in, size_t inl)
{
    mh_keccak256_update(vctx, in, inl);
    return 1;
}

static int kc_final(void *vctx, unsigned char *out, size_t *outl, size_t outsz)
{
    if (outsz < MH_KECCAK256_LEN)
        return 0;
    mh_keccak256_final(vctx, out);
    *outl = MH_KECCAK256_LEN;
    return 1;
}

static int kc_digest(void *provctx, const unsigned char *in, size_t inl, unsigned char *out,
                     size_t *outl, size_t outsz)
{
    if (outsz < MH_KECCAK256_LEN)
        return 0;
    mh_keccak256(in, inl, out);
    *outl = MH_KECCAK256_LEN;
    return 1;
}

static int kc_get_params(OSSL_PARAM params[])
{
    OSSL_PARAM *p;

    if ((p = OSSL_PARAM_locate(params, OSSL_DIGEST_PARAM_BLOCK_SIZE)) != NULL &&
        !OSSL_PARAM_set_size_t(p, MH_KECCAK256_RATE))
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_DIGEST_PARAM_SIZE)) != NULL &&
        !OSSL_PARAM_set_size_t(p, MH_KECCAK256_LEN))
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_DIGEST_PARAM_XOF)) != NULL && !OSSL_PARAM_set_int(p, 0))
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_DIGEST_PARAM_ALGID_ABSENT)) != NULL &&
        !OSSL_PARAM_set_int(p, 0))
        return 0;
    return 1;
}

static const OSSL_PARAM kc_gettable[] = {
    OSSL_PARAM_size_t(OSSL_DIGEST_PARAM_BLOCK_SIZE, NULL),
    OSSL_PARAM_size_t(OSSL_DIGEST_PARAM_SIZE, NULL),
    OSSL_PARAM_int(OSSL_DIGEST_PARAM_XOF, NULL),
    OSSL_PARAM_int(OSSL_DIGEST_PARAM_ALGID_ABSENT, NULL),
    OSSL_PARAM_END,
};

static const OSSL_PARAM *kc_gettable_params(void *provctx)
{
    return kc_gettable;
}

const OSSL_DISPATCH p11k1_keccak256_functions[] = {
    {OSSL_FUNC_DIGEST_NEWCTX, (void (*)(void))kc_newctx},
    {OSSL_FUNC_DIGEST_FREECTX, (void (*)(void))kc_freectx},
    {OSSL_FUNC_DIGEST_DUPCTX, (void (*)(void))kc_dupctx},
    {OSSL_FUNC_DIGEST_INIT, (void (*)(void))kc_init},
    {OSSL_FUNC_DIGEST_UPDATE, (void (*)(void))kc_update},
    {OSSL_FUNC_DIGEST_FINAL, (void (*)(void))kc_final},
    {OSSL_FUNC_DIGEST_DIGEST, (void (*)(void))kc_digest},
    {OSSL_FUNC_DIGEST_GET_PARAMS, (void (*)(void))kc_get_params},
    {OSSL_FUNC_DIGEST_GETTABLE_PARAMS, (void (*)(void))kc_gettable_params},
    {0, NULL},
};
