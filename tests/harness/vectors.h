/* SPDX-License-Identifier: Apache-2.0 */
/* vectors.h: read the reference vectors (tests/vectors/NAME.json, directory in
 * $MH_VECTORS) from the C tests. Every helper bails out of the test (TAP "Bail out!")
 * with the file and key named when the vector is missing or malformed, so the tests
 * can use the values directly.
 *
 *   json_object *v = vec_load("keccak.json");
 *   json_object *arr = vec_get(v, "keccak256");            // or vec_path(v, "a.b.c")
 *   for (size_t i = 0; i < vec_len(arr); i++) {
 *       json_object *e = vec_at(arr, i);
 *       size_t n; uint8_t *in = vec_hex(e, "inputHex", &n);  // malloc'ed, free()
 *       uint8_t want[32]; vec_hex_exact(e, "keccak256", want, 32);
 *   }
 *   json_object_put(v);
 */
#ifndef MH_TESTS_VECTORS_H
#define MH_TESTS_VECTORS_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

/* Parses $MH_VECTORS/name; skips the whole test (TAP SKIP) if MH_VECTORS is unset. */
json_object *vec_load(const char *name);

/* Member key of object o (bails if missing). */
json_object *vec_get(json_object *o, const char *key);
/* Member or NULL (also NULL for a JSON null). */
json_object *vec_opt(json_object *o, const char *key);
/* Dotted path "a.b.c"; a numeric component indexes an array. Bails if missing. */
json_object *vec_path(json_object *o, const char *path);

size_t vec_len(json_object *arr);
json_object *vec_at(json_object *arr, size_t i);

const char *vec_str(json_object *o, const char *key);
int64_t vec_int(json_object *o, const char *key);
int vec_bool(json_object *o, const char *key);

/* Hex string member decoded into a malloc'ed buffer (free() it, never NULL). */
uint8_t *vec_hex(json_object *o, const char *key, size_t *len);
/* Hex string member that must decode to exactly n bytes. */
void vec_hex_exact(json_object *o, const char *key, uint8_t *out, size_t n);
/* Same for a json string object itself (an array element, say). */
uint8_t *vec_hex_str(json_object *s, size_t *len);

/* Name for diagnostics: the "name" / "label" / "description" member or "#i". */
const char *vec_name(json_object *o, size_t i);

#endif
