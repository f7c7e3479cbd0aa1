/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the audit ledger's readers (ledger.h) and the policy's value
 * parsers (policy.h). The input is a ledger file: mav2_ledger_verify reads it as
 * `mav2 audit verify` does, mav2_ledger_append reads its last line before adding one
 * and, for an "outcome" line, looks back for its op's outcome (and must then leave a
 * file that verifies if the input did), and each line goes through
 * mav2_ledger_parse_line; the input's first line is also every policy setting's value.
 * Whatever it holds: no crash, no leak. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mav2/send/ledger.h"
#include "mav2/send/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OP_HASH "0x0c00000000000000000000000000000000000000000000000000000000000001"

static char dir[256], file[600];

static void cleanup(void)
{
    unlink(file);
    rmdir(dir);
}

static void setup(void)
{
    snprintf(dir, sizeof(dir), "%s/mav2-fuzz-ledger.XXXXXX",
             getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(dir) == NULL)
        abort();
    snprintf(file, sizeof(file), "%s/ledger.jsonl", dir);
    atexit(cleanup);
}

static void lines(const char *s, size_t size)
{
    const char *p = s, *end = s + size;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
        json_object *o = NULL;
        unsigned long long seq;
        if (mav2_ledger_parse_line(p, n, &o, &seq) && (o == NULL || seq < 1))
            abort();
        json_object_put(o);
        p += n + 1;
    }
}

static void policy(const char *s, size_t size)
{
    const char *nl = memchr(s, '\n', size);
    size_t n = nl != NULL ? (size_t)(nl - s) : size;
    char *v = malloc(n + 1);
    mav2_policy *pol = mav2_policy_new();
    if (v == NULL || pol == NULL)
        abort();
    memcpy(v, s, n);
    v[n] = '\0';
    for (size_t i = 0; mav2_policy_keys[i] != NULL; i++)
        mav2_policy_set(pol, mav2_policy_keys[i], v);
    mav2_policy_free(pol);
    free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f;
    int good;
    json_object *e;
    if (dir[0] == '\0')
        setup();
    if ((f = fopen(file, "w")) == NULL)
        abort();
    if (fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    good = mav2_ledger_verify(file, NULL, NULL, NULL);
    e = json_object_new_object();
    json_object_object_add(e, "event", json_object_new_string("fuzz"));
    if (mav2_ledger_append(file, e, 1800000000) && good &&
        !mav2_ledger_verify(file, NULL, NULL, NULL))
        abort(); /* an append broke a good chain */
    json_object_object_add(e, "event", json_object_new_string("outcome"));
    json_object_object_add(e, "userOpHash", json_object_new_string(OP_HASH));
    json_object_object_add(e, "outcome", json_object_new_string("included"));
    if (mav2_ledger_append(file, e, 1800000000) && good &&
        !mav2_ledger_verify(file, NULL, NULL, NULL))
        abort(); /* an outcome, looked for back to its op's sign line first */
    json_object_put(e);
    lines((const char *)data, size);
    policy((const char *)data, size);
    return 0;
}
