/* SPDX-License-Identifier: Apache-2.0 */
/* ledger_link.c: the audit ledger's links (ledger_link.h). */
#include "config.h"

#include "mav2/net/ledger_link.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "common/keccak.h"
#include "mav2/core/error.h"

/* The first bytes of link seq after prev: {"seq":N,"prev":"0x...", (NUL-terminated). */
#define PREFIX_MAX (sizeof("{\"seq\":,\"prev\":\"\",") + 20 + 66)

static size_t link_prefix(uint64_t seq, const uint8_t prev[32], char out[PREFIX_MAX])
{
    char h[67];
    mh_hex_encode(prev, 32, h, sizeof(h), 1);
    return (size_t)snprintf(out, PREFIX_MAX, "{\"seq\":%llu,\"prev\":\"%s\",",
                            (unsigned long long)seq, h);
}

/* text (len bytes) as one JSON object, or NULL. */
static json_object *parse_object(const char *text, size_t len)
{
    json_tokener *t = json_tokener_new();
    json_object *o = t != NULL ? json_tokener_parse_ex(t, text, (int)len) : NULL;
    if (o != NULL && json_tokener_get_parse_end(t) != len) {
        json_object_put(o);
        o = NULL;
    }
    json_tokener_free(t);
    if (o != NULL && !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        o = NULL;
    }
    return o;
}

int mav2_ledger_record_check(const char *record, size_t max_len)
{
    size_t n = record != NULL ? strlen(record) : 0;
    json_object *o;
    int ok;
    if (n < 2 || n > max_len || record[0] != '{' || strchr(record, '\n') != NULL)
        return mav2_error_set("ledger: a record is one line of 2 to %zu bytes starting with {",
                              max_len);
    if ((o = parse_object(record, n)) == NULL)
        return mav2_error_set("ledger: a record is a JSON object");
    ok = json_object_object_length(o) > 0 && !json_object_object_get_ex(o, "seq", NULL) &&
         !json_object_object_get_ex(o, "prev", NULL);
    json_object_put(o);
    return ok ? 1 : mav2_error_set("ledger: a record has members, none named seq or prev");
}

int mav2_ledger_link_make(const char *record, uint64_t seq, const uint8_t prev[32], char **line)
{
    char pre[PREFIX_MAX];
    size_t n = link_prefix(seq, prev, pre), m = strlen(record + 1);
    *line = NULL;
    if (record[0] != '{')
        return mav2_error_set("ledger: a record starts with {");
    if ((*line = malloc(n + m + 1)) == NULL)
        return mav2_error_set("ledger: out of memory");
    memcpy(*line, pre, n);
    memcpy(*line + n, record + 1, m + 1);
    return 1;
}

void mav2_ledger_link_hash(const char *line, size_t len, uint8_t out[32])
{
    mh_keccak256(line, len, out);
}

static int is_hash(const char *s)
{
    if (strlen(s) != 66 || strncmp(s, "0x", 2) != 0)
        return 0;
    return strspn(s + 2, "0123456789abcdef") == 64;
}

int mav2_ledger_link_parse(const char *line, size_t len, json_object **out, uint64_t *seq,
                           uint8_t prev[32])
{
    json_object *o, *v;
    int64_t n;
    if (out != NULL)
        *out = NULL;
    if (len == 0 || memchr(line, '\n', len) != NULL || memchr(line, '\0', len) != NULL)
        return mav2_error_set("not a ledger line (empty, or a newline or NUL inside)");
    if ((o = parse_object(line, len)) == NULL)
        return mav2_error_set("not a JSON object");
    if (!json_object_object_get_ex(o, "seq", &v) || !json_object_is_type(v, json_type_int) ||
        (n = json_object_get_int64(v)) < 1)
        return json_object_put(o), mav2_error_set("no seq (a number >= 1)");
    if (!json_object_object_get_ex(o, "prev", &v) || !json_object_is_type(v, json_type_string) ||
        !is_hash(json_object_get_string(v)))
        return json_object_put(o), mav2_error_set("no prev (0x and 64 lowercase hex digits)");
    if (prev != NULL)
        mh_hex_decode_exact(json_object_get_string(v), prev, 32, NULL);
    if (seq != NULL)
        *seq = (uint64_t)n;
    if (out != NULL)
        *out = o;
    else
        json_object_put(o);
    return 1;
}

/* Why line (parsed as o, seq, p) is not link no after prev. */
static int why_not(json_object *o, uint64_t seq, const uint8_t p[32], uint64_t no,
                   const uint8_t prev[32], const char *unit)
{
    if (memcmp(p, prev, 32) != 0) {
        if (json_object_object_get_ex(o, "hash", NULL) &&
            json_object_object_get_ex(o, "record", NULL))
            return mav2_error_set("%s %llu: a version 1 state ledger link (hash and record "
                                  "members); this mav2 reads format version 2 only",
                                  unit, (unsigned long long)no);
        if (no == 1)
            return mav2_error_set("%s 1: prev is not zero (%ss before it removed?)", unit, unit);
        return mav2_error_set("%s %llu: prev is not the hash of %s %llu (%s %llu changed, or "
                              "%ss removed between them)",
                              unit, (unsigned long long)no, unit, (unsigned long long)no - 1, unit,
                              (unsigned long long)no - 1, unit);
    }
    if (seq != no)
        return mav2_error_set("%s %llu: seq %llu, expected %llu", unit, (unsigned long long)no,
                              (unsigned long long)seq, (unsigned long long)no);
    return mav2_error_set("%s %llu: seq and prev are not its first members, as written", unit,
                          (unsigned long long)no);
}

int mav2_ledger_link_check(const char *line, size_t len, uint64_t no, const uint8_t prev[32],
                           const char *unit, size_t *record_at)
{
    char pre[PREFIX_MAX];
    size_t n = link_prefix(no, prev, pre);
    json_object *o;
    uint64_t seq;
    uint8_t p[32];
    int ok = 1;
    if (!mav2_ledger_link_parse(line, len, &o, &seq, p))
        return mav2_error_prefix("%s %llu", unit, (unsigned long long)no);
    if (len <= n || memcmp(line, pre, n) != 0)
        ok = why_not(o, seq, p, no, prev, unit);
    json_object_put(o);
    if (ok && record_at != NULL)
        *record_at = n;
    return ok;
}

char *mav2_ledger_link_record(const char *line, size_t len, size_t record_at)
{
    char *r = malloc(len - record_at + 2);
    if (r != NULL) {
        r[0] = '{';
        memcpy(r + 1, line + record_at, len - record_at);
        r[len - record_at + 1] = '\0';
    }
    return r;
}

/* The string member k of o, or "". */
static const char *member(json_object *o, const char *k)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_string))
        return "";
    return json_object_get_string(v);
}

/* Whether text (len bytes) holds s. */
static int holds(const char *text, size_t len, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i + n <= len; i++)
        if (text[i] == s[0] && memcmp(text + i, s, n) == 0)
            return 1;
    return 0;
}

/* text as an outcome record: o (json_object_put it), else NULL. */
static json_object *outcome_of(const char *text, size_t len)
{
    json_object *o;
    if (!holds(text, len, "\"event\":\"outcome\"") || (o = parse_object(text, len)) == NULL)
        return NULL;
    if (strcmp(member(o, "event"), "outcome") == 0 && is_hash(member(o, "userOpHash")))
        return o;
    json_object_put(o);
    return NULL;
}

static int is_note(const char *outcome)
{
    return strcmp(outcome, "submitted") == 0 || strcmp(outcome, "timeout") == 0;
}

int mav2_ledger_outcome_key(const char *text, size_t len, char key[MAV2_LEDGER_OUTCOME_KEY_MAX])
{
    json_object *o = outcome_of(text, len);
    if (o == NULL)
        return 0;
    snprintf(key, MAV2_LEDGER_OUTCOME_KEY_MAX, "%s %s",
             is_note(member(o, "outcome")) ? "note" : "final", member(o, "userOpHash"));
    json_object_put(o);
    return 1;
}

/* Whether line (len bytes) is the "sign" line of the op hash. */
static int is_sign_of(const char *line, size_t len, const char *hash)
{
    json_object *o;
    int yes;
    if (!holds(line, len, "\"event\":\"sign\"") || (o = parse_object(line, len)) == NULL)
        return 0;
    yes = strcmp(member(o, "event"), "sign") == 0 && strcmp(member(o, "userOpHash"), hash) == 0;
    json_object_put(o);
    return yes;
}

int mav2_ledger_outcome_find(const char *text, size_t len, const char *key, size_t *at, size_t *n)
{
    const char *hash = strchr(key, ' ') != NULL ? strchr(key, ' ') + 1 : key;
    char k[MAV2_LEDGER_OUTCOME_KEY_MAX];
    size_t end = len > 0 && text[len - 1] == '\n' ? len - 1 : len;
    for (;;) {
        size_t start = end;
        while (start > 0 && text[start - 1] != '\n')
            start--;
        if (holds(text + start, end - start, hash)) {
            if (mav2_ledger_outcome_key(text + start, end - start, k) && strcmp(k, key) == 0) {
                *at = start;
                *n = end - start;
                return 1;
            }
            if (is_sign_of(text + start, end - start, hash))
                return 0;
        }
        if (start == 0)
            return 0;
        end = start - 1;
    }
}

int mav2_ledger_outcome_again(const char *have, size_t have_len, const char *record)
{
    json_object *a = outcome_of(have, have_len), *b = outcome_of(record, strlen(record));
    char first[16], then[16], hash[67];
    int same = a == NULL || b == NULL || is_note(member(b, "outcome")) ||
               strcmp(member(a, "outcome"), member(b, "outcome")) == 0;
    snprintf(first, sizeof(first), "%s", a != NULL ? member(a, "outcome") : "");
    snprintf(then, sizeof(then), "%s", b != NULL ? member(b, "outcome") : "");
    snprintf(hash, sizeof(hash), "%s", b != NULL ? member(b, "userOpHash") : "");
    json_object_put(a);
    json_object_put(b);
    if (same)
        return 1;
    return mav2_error_set("op %s already has its outcome, %s: %s is not recorded", hash, first,
                          then);
}
