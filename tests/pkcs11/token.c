/* SPDX-License-Identifier: Apache-2.0 */
/* token.c: test helpers (see token.h). */
#include "config.h"

#include "token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <secp256k1.h>

#include "tap.h"

static char dir[256];
static pid_t owner;

static void cleanup(void)
{
    char cmd[300];
    if (dir[0] != '\0' && getpid() == owner && getenv("P11K1_TEST_KEEP") == NULL) {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "cannot remove %s\n", dir);
    }
}

const char *tok_module(void)
{
    const char *m = getenv("SOFTHSM_MODULE");
    if (m == NULL || *m == '\0' || access(m, R_OK) != 0)
        tap_skip_all("SoftHSM2 module not found (SOFTHSM_MODULE)");
    return m;
}

const char *tok_spy(void)
{
    const char *m = getenv("PKCS11_SPY");
    return m != NULL && *m != '\0' && access(m, R_OK) == 0 ? m : NULL;
}

const char *tok_dir(void)
{
    return dir;
}

const char *tok_init(const char *label)
{
    static char pin_file[300];
    char path[300], cmd[600];
    FILE *f;

    tok_module();
    if (dir[0] == '\0') {
        const char *tmp = getenv("TMPDIR");
        snprintf(dir, sizeof(dir), "%s/p11k1-test.XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (mkdtemp(dir) == NULL)
            tap_bail("mkdtemp failed");
        owner = getpid();
        atexit(cleanup);
        snprintf(path, sizeof(path), "%s/tokens", dir);
        if (mkdir(path, 0700) != 0)
            tap_bail("mkdir failed");
        snprintf(path, sizeof(path), "%s/softhsm2.conf", dir);
        if ((f = fopen(path, "w")) == NULL)
            tap_bail("cannot write softhsm2.conf");
        fprintf(f,
                "directories.tokendir = %s/tokens\nobjectstore.backend = file\n"
                "log.level = ERROR\nslots.removable = false\n",
                dir);
        fclose(f);
        setenv("SOFTHSM2_CONF", path, 1);
        snprintf(pin_file, sizeof(pin_file), "%s/pin", dir);
        if ((f = fopen(pin_file, "w")) == NULL)
            tap_bail("cannot write the PIN file");
        fputs("1234\n", f);
        fclose(f);
    }
    snprintf(cmd, sizeof(cmd),
             "softhsm2-util --init-token --free --label '%s' --so-pin 5678 --pin 1234 "
             ">/dev/null",
             label);
    if (system(cmd) != 0)
        tap_bail("softhsm2-util --init-token failed");
    return pin_file;
}

p11k1_ctx *tok_ctx(void)
{
    p11k1_config cfg;
    p11k1_ctx *ctx = NULL;
    p11k1_config_init(&cfg);
    cfg.module = tok_module();
    if (p11k1_ctx_new(&cfg, &ctx) != CKR_OK) {
        tap_diag("%s", p11k1_last_error());
        tap_bail("cannot load the SoftHSM2 module");
    }
    return ctx;
}

int tok_sig_ok(const unsigned char pub[65], const unsigned char digest[32],
               const unsigned char sig[64])
{
    static secp256k1_context *ctx;
    secp256k1_pubkey pk;
    secp256k1_ecdsa_signature s;
    if (ctx == NULL)
        ctx = secp256k1_context_create(SECP256K1_CONTEXT_VERIFY);
    if (!secp256k1_ec_pubkey_parse(ctx, &pk, pub, 65) ||
        !secp256k1_ecdsa_signature_parse_compact(ctx, &s, sig))
        return 0;
    secp256k1_ecdsa_signature_normalize(ctx, &s, &s);
    return secp256k1_ecdsa_verify(ctx, &s, digest, &pk) == 1;
}

int tok_count_lines(const char *path, const char *word)
{
    char line[4096];
    int n = 0;
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strstr(line, word) != NULL)
            n++;
    }
    fclose(f);
    return n;
}

int tok_raw_keypair(p11k1_ctx *ctx, const char *token, const char *pin, const char *kind,
                    const char *label, const unsigned char *id, size_t id_len)
{
    static const unsigned char p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48,
                                         0xce, 0x3d, 0x03, 0x01, 0x07};
    CK_FUNCTION_LIST *f = p11k1_ctx_module(ctx);
    CK_SLOT_ID slots[16];
    CK_ULONG n = 16, bits = 1024; /* any RSA key will do: the tests see it refused */
    CK_TOKEN_INFO ti;
    CK_SESSION_HANDLE s;
    CK_OBJECT_HANDLE pub, priv;
    static const unsigned char k1[] = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a};
    CK_BBOOL yes = CK_TRUE, sign = strcmp(kind, "k1-nosign") != 0;
    int rsa = strcmp(kind, "rsa") == 0;
    const unsigned char *curve = sign ? p256 : k1;
    size_t curve_len = sign ? sizeof(p256) : sizeof(k1);
    CK_MECHANISM mech = {rsa ? CKM_RSA_PKCS_KEY_PAIR_GEN : CKM_EC_KEY_PAIR_GEN, NULL, 0};
    CK_ATTRIBUTE pub_t[] = {
        {CKA_TOKEN, &yes, sizeof(yes)},
        {CKA_LABEL, (void *)label, strlen(label)},
        {CKA_ID, (void *)id, id_len},
        {rsa ? CKA_MODULUS_BITS : CKA_EC_PARAMS, rsa ? (void *)&bits : (void *)curve,
         rsa ? sizeof(bits) : curve_len},
    };
    CK_ATTRIBUTE priv_t[] = {
        {CKA_TOKEN, &yes, sizeof(yes)},  {CKA_PRIVATE, &yes, sizeof(yes)},
        {CKA_SIGN, &sign, sizeof(sign)}, {CKA_LABEL, (void *)label, strlen(label)},
        {CKA_ID, (void *)id, id_len},
    };
    CK_ULONG i;
    int ok = 0;

    if (f == NULL || f->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK)
        return 0;
    for (i = 0; i < n; i++) {
        char lab[33];
        size_t l = sizeof(ti.label);
        if (f->C_GetTokenInfo(slots[i], &ti) != CKR_OK)
            continue;
        while (l > 0 && ti.label[l - 1] == ' ')
            l--;
        memcpy(lab, ti.label, l);
        lab[l] = '\0';
        if (strcmp(lab, token) == 0)
            break;
    }
    if (i == n ||
        f->C_OpenSession(slots[i], CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s) != CKR_OK)
        return 0;
    {
        CK_RV rv = f->C_Login(s, CKU_USER, (CK_UTF8CHAR *)pin, strlen(pin));
        if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN)
            ok = f->C_GenerateKeyPair(s, &mech, pub_t, 4, priv_t, 5, &pub, &priv) == CKR_OK;
    }
    f->C_CloseSession(s);
    return ok;
}
