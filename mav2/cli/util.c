/* SPDX-License-Identifier: Apache-2.0 */
/* util.c: option parsing, input reading, keys and error printing for the subcommands. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "common/hex.h"
#include "mav2/core/abi.h"
#include "mav2/core/address.h"
#include "mav2/cli/cli.h"
#include "mav2/core/error.h"
#include "mav2/keys/key.h"
#include "mav2/core/u256.h"

int mav2_cli_fail(const mav2_cli_cmd *cmd, int code, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    /* one line, whatever the message holds */
    for (char *c = msg; *c != '\0'; c++)
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    fprintf(stderr, "mav2%s%s: %s\n", cmd != NULL ? " " : "", cmd != NULL ? cmd->name : "", msg);
    if (mav2_cli_out.json && !mav2_cli_out.json_done && code != MAV2_EXIT_OK)
        mav2_cli_out_failure(cmd, code, msg);
    return code;
}

void mav2_cli_fail_missing(const mav2_cli_cmd *cmd, const char *const *missing, size_t n)
{
    size_t used = 0;
    char msg[256];

    msg[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        int w = snprintf(msg + used, sizeof(msg) - used, "%s%s",
                         i == 0      ? ""
                         : i + 1 < n ? ", "
                                     : " and ",
                         missing[i]);
        if (w < 0 || (size_t)w >= sizeof(msg) - used)
            break;
        used += (size_t)w;
    }
    mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "%s %s required", msg, n == 1 ? "is" : "are");
}

int mav2_cli_require(const mav2_cli_cmd *cmd, ...)
{
    const char *missing[16];
    const char *name;
    size_t n = 0;
    va_list ap;

    va_start(ap, cmd);
    while ((name = va_arg(ap, const char *)) != NULL) {
        const char *value = va_arg(ap, const char *);
        if (value == NULL && n < sizeof(missing) / sizeof(missing[0]))
            missing[n++] = name;
    }
    va_end(ap);
    if (n == 0)
        return 1;
    mav2_cli_fail_missing(cmd, missing, n);
    return 0;
}

int mav2_cli_fail_lib(const mav2_cli_cmd *cmd, int code, const char *prefix)
{
    const char *m = mav2_last_error();

    if (*m == '\0')
        m = "failed";
    if (prefix != NULL)
        return mav2_cli_fail(cmd, code, "%s: %s", prefix, m);
    return mav2_cli_fail(cmd, code, "%s", m);
}

char *mav2_cli_read_input(const mav2_cli_cmd *cmd, const char *what, const char *path, size_t max,
                          size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;

    if (f == NULL) {
        mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "%s: cannot open %s: %s", what, path, strerror(errno));
        return NULL;
    }
    for (;;) {
        size_t got;
        if (n + 4096 + 1 > cap) {
            char *nb;
            cap = cap == 0 ? 8192 : cap * 2;
            nb = realloc(buf, cap);
            if (nb == NULL) {
                free(buf);
                buf = NULL;
                mav2_cli_fail(cmd, MAV2_EXIT_INTERNAL, "out of memory");
                break;
            }
            buf = nb;
        }
        got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (n > max) {
            free(buf);
            buf = NULL;
            mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "%s: %s is larger than %zu bytes", what, path, max);
            break;
        }
        if (got == 0) {
            if (ferror(f)) {
                free(buf);
                buf = NULL;
                mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "%s: cannot read %s", what, path);
            }
            break;
        }
    }
    if (f != stdin)
        fclose(f);
    if (buf != NULL) {
        buf[n] = '\0';
        if (len != NULL)
            *len = n;
    }
    return buf;
}

int mav2_cli_chain_id(const mav2_cli_cmd *cmd, const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;

    errno = 0;
    if (s == NULL || *s < '0' || *s > '9' ||
        (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
         (s[2] == '\0' || s[2 + strspn(s + 2, "0123456789abcdefABCDEF")] != '\0'))) {
        mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "--chain-id: \"%s\" is not a decimal or 0x-hex number",
                      s != NULL ? s : "");
        return 0;
    }
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        v = strtoull(s + 2, &end, 16);
    else
        v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v == 0 || v > INT64_MAX) {
        mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "--chain-id: \"%s\" is not a chain id (1 .. 2^63-1)",
                      s);
        return 0;
    }
    *out = v;
    return 1;
}

int mav2_cli_address(const mav2_cli_cmd *cmd, const char *name, const char *s,
                     uint8_t out[MAV2_ADDRESS_LEN])
{
    if (!mav2_address_parse(s, out)) {
        mav2_cli_fail_lib(cmd, MAV2_EXIT_USAGE, name);
        return 0;
    }
    return 1;
}

int mav2_cli_u32(const mav2_cli_cmd *cmd, const char *name, const char *s, uint32_t *out)
{
    mav2_u256 v;
    uint64_t x;

    if (!mav2_u256_parse(&v, s))
        return mav2_cli_fail_lib(cmd, MAV2_EXIT_USAGE, name), 0;
    if (!mav2_u256_to_u64(&v, &x) || x > UINT32_MAX)
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "%s: %s does not fit 32 bits", name, s), 0;
    *out = (uint32_t)x;
    return 1;
}

int mav2_cli_set_call(const mav2_cli_cmd *cmd, const mav2_cli_opt *opt, void *field,
                      const char *arg)
{
    mav2_cli_calls *l = field;

    (void)opt;
    if (l->n == MAV2_CLI_MAX_CALLS)
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "--call: at most %d calls", MAV2_CLI_MAX_CALLS),
               0;
    l->v[l->n++] = arg;
    return 1;
}

int mav2_cli_parse_call(const mav2_cli_cmd *self, const char *spec, size_t idx, mav2_call *c,
                        uint8_t **data)
{
    char buf[64], *copy = strdup(spec), *to, *value, *hex;
    const char *why = NULL;
    size_t len = 0;
    int ok = 0;

    *data = NULL;
    if (copy == NULL)
        return mav2_cli_fail(self, MAV2_EXIT_INTERNAL, "out of memory"), 0;
    to = copy;
    value = strchr(to, ',');
    hex = NULL;
    if (value != NULL) {
        *value++ = '\0';
        hex = strchr(value, ',');
        if (hex != NULL)
            *hex++ = '\0';
    }
    snprintf(buf, sizeof(buf), "--call #%zu: to", idx);
    memset(c, 0, sizeof(*c));
    if (!mav2_address_parse(to, c->target)) {
        mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, buf);
        goto out;
    }
    if (value != NULL && *value != '\0' && !mav2_u256_parse_amount(&c->value, value)) {
        snprintf(buf, sizeof(buf), "--call #%zu: value", idx);
        mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, buf);
        goto out;
    }
    if (hex != NULL && strchr(hex, '(') != NULL) { /* a signature and its arguments */
        mav2_buf enc = MAV2_BUF_INIT;
        if (!mav2_abi_encode_call_spec(hex, &enc)) {
            snprintf(buf, sizeof(buf), "--call #%zu: data", idx);
            mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, buf);
            mav2_buf_free(&enc);
            goto out;
        }
        *data = enc.data;
        len = enc.len;
    } else if (hex != NULL && *hex != '\0') {
        if (strncmp(hex, "0x", 2) != 0 && strncmp(hex, "0X", 2) != 0) {
            mav2_cli_fail(self, MAV2_EXIT_USAGE, "--call #%zu: data: must start with 0x", idx);
            goto out;
        }
        if (!mh_hex_decode_alloc(hex, data, &len, &why)) {
            mav2_cli_fail(self, MAV2_EXIT_USAGE, "--call #%zu: data: %s", idx, why);
            goto out;
        }
    }
    c->data = *data;
    c->data_len = len;
    ok = 1;
out:
    free(copy);
    if (!ok) {
        free(*data);
        *data = NULL;
    }
    return ok;
}

EVP_PKEY *mav2_cli_load_key(const mav2_cli_cmd *cmd, const char *uri, const char *pin_file,
                            int need_private)
{
    mav2_key_opts o;
    EVP_PKEY *pkey = NULL;

    mav2_key_opts_init(&o);
    o.flags = need_private ? MAV2_KEY_PRIVATE : MAV2_KEY_PUBLIC;
    o.pin_file = pin_file;
    o.interactive = pin_file == NULL && isatty(STDIN_FILENO) && isatty(STDERR_FILENO);
    if (!mav2_key_load(uri, &o, &pkey)) {
        mav2_cli_fail_lib(cmd, MAV2_EXIT_KEY, "--key");
        return NULL;
    }
    return pkey;
}

mav2_signer *mav2_cli_load_signer(const mav2_cli_cmd *cmd, const char *uri, const char *pin_file,
                                  int need_private)
{
    EVP_PKEY *pkey = mav2_cli_load_key(cmd, uri, pin_file, need_private);
    mav2_signer *s;

    if (pkey == NULL)
        return NULL;
    s = mav2_signer_new(pkey);
    EVP_PKEY_free(pkey);
    if (s == NULL)
        mav2_cli_fail_lib(cmd, MAV2_EXIT_KEY, "--key");
    return s;
}

void mav2_cli_signer_json(struct json_object *o, const mav2_signer *s)
{
    char pub[2 * MAV2_PUBKEY_LEN + 3];

    mh_hex_encode(mav2_signer_pubkey(s), MAV2_PUBKEY_LEN, pub, sizeof(pub), 1);
    json_object_object_add(o, "address", json_object_new_string(mav2_signer_address_str(s)));
    json_object_object_add(o, "publicKey", json_object_new_string(pub));
}

void mav2_cli_result_signer(mav2_cli_result *r, const char *text, const mav2_signer *s)
{
    char pub[2 * MAV2_PUBKEY_LEN + 3];

    mh_hex_encode(mav2_signer_pubkey(s), MAV2_PUBKEY_LEN, pub, sizeof(pub), 1);
    mav2_cli_result_str(r, "address", text, mav2_signer_address_str(s));
    mav2_cli_result_str(r, "publicKey", NULL, pub);
}
