/* SPDX-License-Identifier: Apache-2.0 */
/* vectors.c: reference vector loader for the C tests (see vectors.h). */
#include "vectors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "tap.h"

__attribute__((noreturn, format(printf, 1, 2))) static void vec_bail(const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    tap_bail(msg);
}

json_object *vec_load(const char *name)
{
    const char *dir = getenv("MH_VECTORS");
    char path[4096];
    if (dir == NULL || *dir == '\0')
        tap_skip_all("MH_VECTORS not set");
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    json_object *o = json_object_from_file(path);
    if (o == NULL)
        vec_bail("cannot read vectors %s: %s", path, json_util_get_last_err());
    return o;
}

json_object *vec_opt(json_object *o, const char *key)
{
    json_object *v = NULL;
    if (o == NULL || !json_object_is_type(o, json_type_object) ||
        !json_object_object_get_ex(o, key, &v))
        return NULL;
    return v;
}

json_object *vec_get(json_object *o, const char *key)
{
    json_object *v = NULL;
    if (o == NULL || !json_object_is_type(o, json_type_object) ||
        !json_object_object_get_ex(o, key, &v))
        vec_bail("vector key \"%s\" missing", key);
    return v;
}

json_object *vec_path(json_object *o, const char *path)
{
    char buf[512], *save = NULL;
    snprintf(buf, sizeof(buf), "%s", path);
    for (char *tok = strtok_r(buf, ".", &save); tok; tok = strtok_r(NULL, ".", &save)) {
        if (json_object_is_type(o, json_type_array)) {
            char *end;
            unsigned long i = strtoul(tok, &end, 10);
            if (*end != '\0' || i >= json_object_array_length(o))
                vec_bail("vector path \"%s\": bad index %s", path, tok);
            o = json_object_array_get_idx(o, i);
        } else {
            json_object *v = vec_opt(o, tok);
            if (v == NULL)
                vec_bail("vector path \"%s\": \"%s\" missing", path, tok);
            o = v;
        }
    }
    return o;
}

size_t vec_len(json_object *arr)
{
    if (!json_object_is_type(arr, json_type_array))
        vec_bail("vector value is not an array");
    return json_object_array_length(arr);
}

json_object *vec_at(json_object *arr, size_t i)
{
    if (i >= vec_len(arr))
        vec_bail("vector index %zu out of range", i);
    return json_object_array_get_idx(arr, i);
}

const char *vec_str(json_object *o, const char *key)
{
    json_object *v = vec_get(o, key);
    if (!json_object_is_type(v, json_type_string))
        vec_bail("vector key \"%s\" is not a string", key);
    return json_object_get_string(v);
}

int64_t vec_int(json_object *o, const char *key)
{
    json_object *v = vec_get(o, key);
    if (!json_object_is_type(v, json_type_int))
        vec_bail("vector key \"%s\" is not an integer", key);
    return json_object_get_int64(v);
}

int vec_bool(json_object *o, const char *key)
{
    json_object *v = vec_get(o, key);
    if (!json_object_is_type(v, json_type_boolean))
        vec_bail("vector key \"%s\" is not a boolean", key);
    return json_object_get_boolean(v);
}

uint8_t *vec_hex_str(json_object *s, size_t *len)
{
    const char *why = NULL;
    uint8_t *out = NULL;
    if (!json_object_is_type(s, json_type_string))
        vec_bail("vector value is not a hex string");
    if (!mh_hex_decode_alloc(json_object_get_string(s), &out, len, &why))
        vec_bail("vector value \"%.40s\": %s", json_object_get_string(s), why);
    return out;
}

uint8_t *vec_hex(json_object *o, const char *key, size_t *len)
{
    json_object *v = vec_get(o, key);
    if (!json_object_is_type(v, json_type_string))
        vec_bail("vector key \"%s\" is not a string", key);
    return vec_hex_str(v, len);
}

void vec_hex_exact(json_object *o, const char *key, uint8_t *out, size_t n)
{
    const char *why = NULL;
    if (!mh_hex_decode_exact(vec_str(o, key), out, n, &why))
        vec_bail("vector key \"%s\": %s (want %zu bytes)", key, why, n);
}

const char *vec_name(json_object *o, size_t i)
{
    static char buf[32];
    static const char *keys[] = {"name", "label", "description", "case", "id"};
    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
        json_object *v = vec_opt(o, keys[k]);
        if (v && json_object_is_type(v, json_type_string))
            return json_object_get_string(v);
    }
    snprintf(buf, sizeof(buf), "#%zu", i);
    return buf;
}
