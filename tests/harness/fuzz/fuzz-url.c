/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: URL checking and redaction (rpc.h). Whatever the URL, the
 * redacted form and the check's message show only the scheme and host[:port]:
 * never user info, a path, a query, or anything after what parsed as a host. */
#define _GNU_SOURCE /* memmem */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mav2/net/rpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int ends_with(const char *s, size_t len, const char *tail)
{
    size_t t = strlen(tail);
    return len >= t && strcmp(s + len - t, tail) == 0;
}

/* s shows "scheme://" then only host[:port] characters that are in the URL, then
 * one of our own endings ("/...", "... (malformed)", "...: why"). */
static int shows_only_host(const char *s, const char *url)
{
    const char *p = strstr(s, "://"), *why;
    size_t n;
    if (p == NULL)
        return strcmp(s, "(invalid URL)") == 0 || strcmp(s, "not an http(s) URL") == 0 ||
               strcmp(s, "no URL given") == 0;
    p += 3;
    n = strlen(p);
    if ((why = strstr(p, "...: ")) != NULL)
        n = (size_t)(why - p);
    else if (ends_with(p, n, "... (malformed)"))
        n -= strlen("... (malformed)");
    else if (ends_with(p, n, "/..."))
        n -= 4;
    if (strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~[]:") < n)
        return 0;
    return n == 0 || memmem(url, strlen(url), p, n) != NULL;
}

/* A message cut at its buffer's end: no user info, path, query or other
 * character a host cannot have follows "://". */
static int cut_shows_only_host(const char *s)
{
    const char *p = strstr(s, "://"), *slash;
    if (p == NULL || strpbrk(p + 3, "@?#;%\\") != NULL)
        return p == NULL;
    slash = strchr(p + 3, '/'); /* only as the start of "/..." */
    return slash == NULL || strspn(slash + 1, ".") == strlen(slash + 1);
}

static int safe(const char *s, size_t cap, const char *url)
{
    return strlen(s) + 1 >= cap ? cut_shows_only_host(s) : shows_only_host(s, url);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *url = malloc(size + 1), out[300], why[400];
    int ok;
    if (url == NULL)
        return 0;
    memcpy(url, data, size);
    url[size] = '\0';
    mav2_rpc_redact_url(url, out, sizeof(out));
    if (!safe(out, sizeof(out), url))
        abort();
    ok = mav2_rpc_url_check(url, why, sizeof(why));
    if (!ok) {
        const char *m = strncmp(why, "malformed URL ", 14) == 0 ? why + 14 : why;
        if (!safe(m, sizeof(why) - (size_t)(m - why), url) || mav2_rpc_new(url, NULL) != NULL)
            abort();
    }
    (void)mav2_rpc_url_key_in_clear(url);
    free(url);
    return 0;
}
