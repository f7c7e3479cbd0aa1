/* SPDX-License-Identifier: Apache-2.0 */
/* output.c: a command's stdout (output.h): results in text or JSON, the failure object. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "common/hex.h"

#include "mav2/cli/cli.h"
#include "mav2/cli/output.h"

mav2_cli_output mav2_cli_out;

void mav2_cli_out_failure(const mav2_cli_cmd *cmd, int code, const char *msg)
{
    json_object *o = json_object_new_object();
    char line[1200];

    snprintf(line, sizeof(line), "mav2%s%s: %s", cmd != NULL ? " " : "",
             cmd != NULL ? cmd->name : "", msg);
    json_object_object_add(o, "ok", json_object_new_boolean(0));
    json_object_object_add(o, "exit", json_object_new_int(code));
    json_object_object_add(o, "error", json_object_new_string(line));
    if (mav2_cli_out.op_hash[0] != '\0')
        json_object_object_add(o, "userOpHash", json_object_new_string(mav2_cli_out.op_hash));
    printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    fflush(stdout);
    json_object_put(o);
    mav2_cli_out.json_done = 1;
}

int mav2_cli_print(const mav2_cli_cmd *cmd, const char *s)
{
    if (fputs(s, stdout) == EOF || fputc('\n', stdout) == EOF || fflush(stdout) == EOF)
        return mav2_cli_fail(cmd, MAV2_EXIT_INTERNAL, "cannot write the output: %s",
                             strerror(errno));
    return MAV2_EXIT_OK;
}

void mav2_cli_result_init(mav2_cli_result *r, int json)
{
    memset(r, 0, sizeof(*r));
    r->json = json;
    if (json && (r->o = json_object_new_object()) == NULL)
        r->failed = 1;
}

void mav2_cli_result_clear(mav2_cli_result *r)
{
    json_object_put(r->o);
    r->o = NULL;
    mav2_buf_free(&r->text);
}

/* The text line "NAME VALUE" (NAME "": VALUE alone), of any length. */
static void text_field(mav2_cli_result *r, const char *text, const char *v)
{
    if (r->json || text == NULL || r->failed)
        return;
    if ((*text != '\0' &&
         (!mav2_buf_append(&r->text, text, strlen(text)) || !mav2_buf_append(&r->text, " ", 1))) ||
        !mav2_buf_append(&r->text, v, strlen(v)) || !mav2_buf_append(&r->text, "\n", 1))
        r->failed = 1;
}

/* Adds v (taken over) to the JSON object as key (NULL: v dropped). */
static void json_field(mav2_cli_result *r, const char *key, json_object *v)
{
    if (!r->json || key == NULL || r->o == NULL || r->failed) {
        json_object_put(v);
        return;
    }
    if (json_object_object_add(r->o, key, v) != 0) {
        json_object_put(v);
        r->failed = 1;
    }
}

void mav2_cli_result_str(mav2_cli_result *r, const char *json, const char *text, const char *v)
{
    text_field(r, text, v != NULL ? v : "-");
    if (r->json && json != NULL) {
        json_object *s = v != NULL ? json_object_new_string(v) : NULL;
        if (v != NULL && s == NULL)
            r->failed = 1;
        json_field(r, json, s);
    }
}

void mav2_cli_result_int(mav2_cli_result *r, const char *json, const char *text, int64_t v)
{
    char d[24];

    snprintf(d, sizeof(d), "%" PRId64, v);
    text_field(r, text, d);
    if (r->json && json != NULL)
        json_field(r, json, json_object_new_int64(v));
}

void mav2_cli_result_bool(mav2_cli_result *r, const char *json, const char *text, int v)
{
    text_field(r, text, v ? "true" : "false");
    if (r->json && json != NULL)
        json_field(r, json, json_object_new_boolean(v));
}

void mav2_cli_result_yes_no(mav2_cli_result *r, const char *json, const char *text, int v)
{
    text_field(r, text, v == 1 ? "yes" : v == 0 ? "no" : "unknown");
    if (r->json && json != NULL)
        json_field(r, json, v == 0 || v == 1 ? json_object_new_boolean(v) : NULL);
}

void mav2_cli_result_json(mav2_cli_result *r, const char *json, struct json_object *v)
{
    if (!r->json || json != NULL) {
        json_field(r, json, v);
        return;
    }
    json_object_put(r->o);
    r->o = v;
    if (v == NULL)
        r->failed = 1;
}

void mav2_cli_result_line(mav2_cli_result *r, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    int n;

    if (r->json || r->failed)
        return;
    va_start(ap, fmt);
    n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(line) - 1) {
        r->failed = 1;
        return;
    }
    line[n++] = '\n';
    if (!mav2_buf_append(&r->text, line, (size_t)n))
        r->failed = 1;
}

int mav2_cli_result_print(const mav2_cli_cmd *cmd, mav2_cli_result *r)
{
    const char *s;
    int rc;

    if (r->failed) {
        mav2_cli_result_clear(r);
        return mav2_cli_fail(cmd, MAV2_EXIT_INTERNAL, "out of memory");
    }
    if (r->json) {
        s = json_object_to_json_string_ext(r->o, JSON_C_TO_STRING_PLAIN);
        rc = s != NULL ? mav2_cli_print(cmd, s)
                       : mav2_cli_fail(cmd, MAV2_EXIT_INTERNAL, "out of memory");
    } else if (r->text.len > 0 && (fwrite(r->text.data, 1, r->text.len, stdout) != r->text.len ||
                                   fflush(stdout) == EOF)) {
        rc = mav2_cli_fail(cmd, MAV2_EXIT_INTERNAL, "cannot write the output: %s", strerror(errno));
    } else {
        rc = MAV2_EXIT_OK;
    }
    mav2_cli_result_clear(r);
    return rc;
}

struct json_object *mav2_cli_json_address(const uint8_t a[MAV2_ADDRESS_LEN])
{
    char s[MAV2_ADDRESS_STR_MAX];
    mav2_address_format(a, s);
    return json_object_new_string(s);
}

struct json_object *mav2_cli_json_hex(const uint8_t *b, size_t n)
{
    size_t cap = mh_hex_encoded_size(n, 1);
    char *s = malloc(cap);
    json_object *o;
    if (s == NULL)
        return NULL;
    mh_hex_encode(b, n, s, cap, 1);
    o = json_object_new_string(s);
    free(s);
    return o;
}
