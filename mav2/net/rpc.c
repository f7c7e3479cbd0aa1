/* SPDX-License-Identifier: Apache-2.0 */
/* rpc.c: JSON-RPC 2.0 client over libcurl (see rpc.h). */
#include "config.h"

#include "mav2/net/rpc.h"
#include "mav2/net/rpc_json.h"

#include "mav2/core/error.h"
#include "mav2/net/rpc_caps.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define RPC_MAX_DEPTH 64

struct mav2_rpc {
    CURL *curl;
    struct curl_slist *headers;
    char *url;
    char redacted[256];
    mav2_rpc_options opt;
    mav2_rpc_error err;
    int64_t next_id;
    unsigned int seed;
    unsigned long sent;
    char *buf; /* response body of the last exchange */
    size_t len, cap;
    int oversize;
    long http_status;
    char curl_err[CURL_ERROR_SIZE];
    int trace; /* MAV2_TRACE=1: every exchange on stderr */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static int curl_init_ok;

static void curl_init_once(void)
{
    curl_init_ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

long long mav2_rpc_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void mav2_rpc_options_init(mav2_rpc_options *o)
{
    memset(o, 0, sizeof(*o));
    o->struct_size = sizeof(*o);
    o->deadline_ms = 0;
    o->connect_timeout_ms = 10000;
    o->timeout_ms = 30000;
    o->max_retries = 4;
    o->backoff_ms = 250;
    o->backoff_max_ms = 8000;
    o->max_response = (size_t)8 << 20;
}

void mav2_rpc_options_default(mav2_rpc_options *o)
{
    mav2_rpc_options_init(o);
}

int mav2_rpc_options_check(const mav2_rpc_options *o)
{
    if (o != NULL && o->struct_size != sizeof(*o))
        return mav2_error_set("mav2_rpc_options: struct_size %zu is not this library's (%zu): "
                              "fill it with mav2_rpc_options_init",
                              o->struct_size, sizeof(*o));
    return 1;
}

void mav2_rpc_error_clear(mav2_rpc_error *e)
{
    free(e->data);
    memset(e, 0, sizeof(*e));
}

int mav2_rpc_error_copy(mav2_rpc_error *dst, const mav2_rpc_error *src)
{
    mav2_rpc_error_clear(dst);
    *dst = *src;
    dst->data = NULL;
    if (src->data != NULL && (dst->data = strdup(src->data)) == NULL)
        return 0;
    return 1;
}

/* Copies s into a one-line message: control characters become spaces. */
static void copy_line(char *out, size_t cap, const char *s)
{
    size_t i;
    for (i = 0; i + 1 < cap && s[i] != '\0'; i++)
        out[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? ' ' : s[i];
    out[i] = '\0';
}

__attribute__((format(printf, 3, 4))) static void set_error(mav2_rpc_error *e, mav2_rpc_status st,
                                                            const char *fmt, ...)
{
    char tmp[sizeof(e->message)];
    va_list ap;
    long http = e->http_status;
    mav2_rpc_error_clear(e);
    e->status = st;
    e->http_status = http;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    copy_line(e->message, sizeof(e->message), tmp);
}

/* An http(s) URL cut into what may be shown (scheme, host, port) and what may
 * not (user info, path, query). bad says why it is unusable, or is NULL. */
typedef struct {
    size_t scheme_len; /* "http" or "https", 0 if neither */
    const char *host;  /* what parses as a host (the whole host if bad is NULL) */
    size_t host_len;
    const char *port; /* digits, or NULL */
    size_t port_len;
    const char *rest; /* from the path on: "/...", "?...", "#..." or "" */
    const char *bad;
} url_parts;

static int is_host_char(char c, int bracketed)
{
    if (bracketed)
        return isxdigit((unsigned char)c) || c == ':' || c == '.';
    return isalnum((unsigned char)c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* Host, then ":port", from the authority [a, end). */
static void url_host_port(const char *a, const char *end, url_parts *u)
{
    const char *p = a, *at;
    int br;
    unsigned long port = 0;

    for (at = end; at > a && at[-1] != '@'; at--)
        ; /* user:password@ is never shown */
    p = at > a ? at : a;
    br = *p == '[';
    u->host = p;
    for (p += br; p < end && is_host_char(*p, br); p++)
        ;
    if (u->bad == NULL && p == u->host + br)
        u->bad = "it has no host";
    else if (br && p < end && *p == ']')
        p++;
    else if (br)
        u->bad = "the host's [IPv6 address] is malformed";
    u->host_len = (size_t)(p - u->host);
    if (u->bad == NULL && p < end && *p != ':')
        u->bad = "the host part has a character no host name has";
    if (u->bad != NULL || p == end)
        return;
    u->port = ++p;
    for (; p < end && isdigit((unsigned char)*p) && port <= 65535; p++)
        port = port * 10 + (unsigned long)(*p - '0');
    u->port_len = (size_t)(p - u->port);
    if (p != end || port == 0 || port > 65535) {
        u->port = NULL;
        u->bad = "the port is not a number 1 .. 65535";
    }
}

static void url_parse(const char *url, url_parts *u)
{
    const char *a, *end;

    memset(u, 0, sizeof(*u));
    if (strncasecmp(url, "http://", 7) == 0)
        u->scheme_len = 4;
    else if (strncasecmp(url, "https://", 8) == 0)
        u->scheme_len = 5;
    else {
        u->bad = "not an http(s) URL";
        return;
    }
    a = url + u->scheme_len + 3;
    end = a + strcspn(a, "/?#");
    u->rest = end;
    url_host_port(a, end, u);
    for (const char *p = url; u->bad == NULL && *p != '\0'; p++) {
        if (*p == '\\')
            u->bad = "it has a backslash";
        else if ((unsigned char)*p <= 0x20 || *p == 0x7f)
            u->bad = "it has a space or control character";
    }
}

/* scheme://host[:port], the port only when it parsed. */
static void url_shown(const char *url, const url_parts *u, char *out, size_t cap)
{
    snprintf(out, cap, "%.*s://%.*s%s%.*s", (int)u->scheme_len, url, (int)u->host_len, u->host,
             u->port != NULL ? ":" : "", (int)u->port_len, u->port != NULL ? u->port : "");
}

int mav2_rpc_url_check(const char *url, char *why, size_t cap)
{
    url_parts u;
    char shown[300];

    if (url == NULL || *url == '\0') {
        snprintf(why, cap, "no URL given");
        return 0;
    }
    url_parse(url, &u);
    if (u.bad == NULL)
        return 1;
    if (u.scheme_len == 0)
        snprintf(why, cap, "%s", u.bad);
    else {
        url_shown(url, &u, shown, sizeof(shown));
        snprintf(why, cap, "malformed URL %s...: %s", shown, u.bad);
    }
    return 0;
}

/* A path segment or query value that looks like an API key: 20 or more
 * letters, digits, '-' or '_' with at least one digit. */
static int looks_like_key(const char *s, size_t n)
{
    size_t i;
    int digit = 0;
    if (n < 20)
        return 0;
    for (i = 0; i < n; i++) {
        if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
            return 0;
        digit |= isdigit((unsigned char)s[i]) != 0;
    }
    return digit;
}

static int is_loopback(const url_parts *u)
{
    static const char *const names[] = {"localhost", "[::1]"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (u->host_len == strlen(names[i]) && strncasecmp(u->host, names[i], u->host_len) == 0)
            return 1;
    }
    return u->host_len > 4 && strncmp(u->host, "127.", 4) == 0 &&
           strspn(u->host, "0123456789.") >= u->host_len;
}

int mav2_rpc_url_key_in_clear(const char *url)
{
    url_parts u;
    const char *p;

    if (url == NULL)
        return 0;
    url_parse(url, &u);
    if (u.bad != NULL || u.scheme_len != 4 || is_loopback(&u))
        return 0;
    if (memchr(url, '@', (size_t)(u.rest - url)) != NULL)
        return 1; /* user:password@ */
    for (p = u.rest; *p != '\0' && *p != '#';) {
        size_t n;
        if (*p == '/' || *p == '?' || *p == '&' || *p == '=' || *p == ';')
            p++;
        n = strcspn(p, "/?&=;#");
        if (looks_like_key(p, n))
            return 1;
        p += n;
    }
    return 0;
}

void mav2_rpc_redact_url(const char *url, char *out, size_t outcap)
{
    url_parts u;

    if (outcap == 0)
        return;
    out[0] = '\0';
    if (url == NULL)
        return;
    url_parse(url, &u);
    if (u.scheme_len == 0) {
        snprintf(out, outcap, "(invalid URL)");
        return;
    }
    url_shown(url, &u, out, outcap);
    if (u.bad != NULL)
        snprintf(out + strlen(out), outcap - strlen(out), "... (malformed)");
    else if (*u.rest != '\0' && strcmp(u.rest, "/") != 0)
        snprintf(out + strlen(out), outcap - strlen(out), "/...");
}

mav2_rpc *mav2_rpc_new(const char *url, const mav2_rpc_options *opt)
{
    mav2_rpc *rpc;
    url_parts u;
    if (url == NULL || !mav2_rpc_options_check(opt))
        return NULL;
    url_parse(url, &u);
    if (u.bad != NULL)
        return NULL;
    pthread_once(&curl_once, curl_init_once);
    if (!curl_init_ok)
        return NULL;
    rpc = calloc(1, sizeof(*rpc));
    if (rpc == NULL)
        return NULL;
    if (opt != NULL)
        rpc->opt = *opt;
    else
        mav2_rpc_options_init(&rpc->opt);
    if (rpc->opt.max_retries < 0)
        rpc->opt.max_retries = 0;
    if (rpc->opt.max_response == 0)
        rpc->opt.max_response = (size_t)8 << 20;
    rpc->url = strdup(url);
    rpc->curl = curl_easy_init();
    rpc->headers = curl_slist_append(NULL, "Content-Type: application/json");
    if (rpc->headers != NULL)
        rpc->headers = curl_slist_append(rpc->headers, "Accept: application/json");
    if (rpc->headers != NULL) /* no "Expect: 100-continue" round trip for large bodies */
        rpc->headers = curl_slist_append(rpc->headers, "Expect:");
    if (rpc->url == NULL || rpc->curl == NULL || rpc->headers == NULL) {
        mav2_rpc_free(rpc);
        return NULL;
    }
    mav2_rpc_redact_url(url, rpc->redacted, sizeof(rpc->redacted));
    rpc->trace = getenv("MAV2_TRACE") != NULL && strcmp(getenv("MAV2_TRACE"), "1") == 0;
    rpc->next_id = 1;
    rpc->seed = (unsigned int)time(NULL) ^ (unsigned int)getpid() ^ (unsigned int)(uintptr_t)rpc;
    return rpc;
}

void mav2_rpc_free(mav2_rpc *rpc)
{
    if (rpc == NULL)
        return;
    if (rpc->curl != NULL)
        curl_easy_cleanup(rpc->curl);
    curl_slist_free_all(rpc->headers);
    free(rpc->url);
    free(rpc->buf);
    mav2_rpc_error_clear(&rpc->err);
    free(rpc);
}

const char *mav2_rpc_url(const mav2_rpc *rpc)
{
    return rpc->url;
}

long long mav2_rpc_deadline(const mav2_rpc *rpc)
{
    return rpc->opt.deadline_ms;
}

const char *mav2_rpc_url_redacted(const mav2_rpc *rpc)
{
    return rpc->redacted;
}

const mav2_rpc_error *mav2_rpc_last_error(const mav2_rpc *rpc)
{
    return &rpc->err;
}

unsigned long mav2_rpc_requests_sent(const mav2_rpc *rpc)
{
    return rpc->sent;
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
    mav2_rpc *rpc = ud;
    size_t n = size * nmemb;
    if (n > rpc->opt.max_response - rpc->len) {
        rpc->oversize = 1;
        return 0;
    }
    if (rpc->len + n + 1 > rpc->cap) {
        size_t cap = rpc->cap ? rpc->cap : 4096;
        char *b;
        while (cap < rpc->len + n + 1)
            cap *= 2;
        if ((b = realloc(rpc->buf, cap)) == NULL)
            return 0;
        rpc->buf = b;
        rpc->cap = cap;
    }
    memcpy(rpc->buf + rpc->len, ptr, n);
    rpc->len += n;
    rpc->buf[rpc->len] = '\0';
    return n;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static long backoff_delay(mav2_rpc *rpc, int attempt, long retry_after_ms)
{
    long d = rpc->opt.backoff_ms;
    for (int i = 0; i < attempt && d < rpc->opt.backoff_max_ms; i++)
        d *= 2;
    if (d > rpc->opt.backoff_max_ms)
        d = rpc->opt.backoff_max_ms;
    /* equal jitter: half fixed, half random */
    d = d / 2 + (d > 1 ? (long)(rand_r(&rpc->seed) % (unsigned long)(d / 2 + 1)) : 0);
    if (retry_after_ms > d)
        d = retry_after_ms < rpc->opt.backoff_max_ms ? retry_after_ms : rpc->opt.backoff_max_ms;
    return d;
}

/* Parses text strictly into one JSON value; NULL if malformed or trailing garbage. */
static json_object *parse_strict(const char *s, size_t len)
{
    json_tokener *tok = json_tokener_new_ex(RPC_MAX_DEPTH);
    json_object *o;
    size_t end;
    if (tok == NULL)
        return NULL;
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    o = json_tokener_parse_ex(tok, s, (int)len);
    if (o == NULL || json_tokener_get_error(tok) != json_tokener_success) {
        json_object_put(o);
        json_tokener_free(tok);
        return NULL;
    }
    end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    for (; end < len; end++) {
        if (s[end] != ' ' && s[end] != '\n' && s[end] != '\r' && s[end] != '\t') {
            json_object_put(o);
            return NULL;
        }
    }
    return o;
}

static int is_jsonrpc_reply(const json_object *o)
{
    json_object *v;
    if (json_object_is_type(o, json_type_array))
        return 1;
    return json_object_is_type(o, json_type_object) &&
           json_object_object_get_ex(o, "jsonrpc", &v) &&
           (json_object_object_get_ex(o, "error", NULL) ||
            json_object_object_get_ex(o, "result", NULL));
}

/* Does the curl error buffer leak part of the URL after the host? */
static int errbuf_leaks_url(const mav2_rpc *rpc)
{
    const char *p = strstr(rpc->url, "://");
    const char *path = p ? p + 3 + strcspn(p + 3, "/?#") : NULL;
    return path != NULL && strlen(path) > 1 && strstr(rpc->curl_err, path) != NULL;
}

/* ms left before the deadline (LONG_MAX without one; <= 0 when passed). */
static long time_left(const mav2_rpc *rpc)
{
    long long left;
    if (rpc->opt.deadline_ms <= 0)
        return LONG_MAX;
    left = rpc->opt.deadline_ms - mav2_rpc_now_ms();
    return left > LONG_MAX ? LONG_MAX : (long)left;
}

/* A certificate problem: the peer's does not verify, or the server wants ours. */
static int certificate_problem(const mav2_rpc *rpc, CURLcode rc)
{
    return rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CERTPROBLEM ||
           rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_SSL_ISSUER_ERROR ||
           rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH || strstr(rpc->curl_err, "certificate") != NULL;
}

/* Records a failed curl_easy_perform in rpc->err; 1 if it is worth a retry. */
static int curl_failed(mav2_rpc *rpc, CURLcode rc)
{
    const char *why =
        (rpc->curl_err[0] && !errbuf_leaks_url(rpc)) ? rpc->curl_err : curl_easy_strerror(rc);
    mav2_rpc_status st = MAV2_RPC_E_NETWORK;
    int retry = 0;
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        st = MAV2_RPC_E_TIMEOUT;
        retry = 1;
        break;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        retry = 1;
        break;
    default:
        break;
    }
    if (certificate_problem(rpc, rc)) {
        set_error(&rpc->err, MAV2_RPC_E_NETWORK, "TLS certificate problem with %s: %s",
                  rpc->redacted, why);
        return 0;
    }
    set_error(&rpc->err, st, "%s %s: %s",
              st == MAV2_RPC_E_NETWORK ? "cannot reach" : "timeout talking to", rpc->redacted, why);
    return retry;
}

/* MAV2_TRACE: the exchange on stderr, the URL redacted (keys live in URLs; bodies
 * carry no secret), the answer cut at 2000 bytes, with its time. */
static CURLcode traced_perform(mav2_rpc *rpc, const char *body)
{
    long long t0 = mav2_rpc_now_ms();
    long code = 0;
    CURLcode rc;
    fprintf(stderr, "mav2 trace: -> %s %.4000s\n", rpc->redacted, body);
    rc = curl_easy_perform(rpc->curl);
    curl_easy_getinfo(rpc->curl, CURLINFO_RESPONSE_CODE, &code);
    if (rc != CURLE_OK)
        fprintf(stderr, "mav2 trace: <- %s failed after %lld ms: %s\n", rpc->redacted,
                mav2_rpc_now_ms() - t0, curl_easy_strerror(rc));
    else
        fprintf(stderr, "mav2 trace: <- %s HTTP %ld in %lld ms: %.*s%s\n", rpc->redacted, code,
                mav2_rpc_now_ms() - t0, (int)(rpc->len < 2000 ? rpc->len : 2000),
                rpc->buf ? rpc->buf : "", rpc->len > 2000 ? "..." : "");
    return rc;
}

/* One exchange of body with rpc's URL; the timeouts cut to left ms. */
static CURLcode perform(mav2_rpc *rpc, const char *body, long left)
{
    CURL *c = rpc->curl;
    rpc->len = 0;
    rpc->oversize = 0;
    rpc->curl_err[0] = '\0';
    curl_easy_setopt(c, CURLOPT_URL, rpc->url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, rpc->headers);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, rpc);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, rpc->curl_err);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     rpc->opt.connect_timeout_ms < left ? rpc->opt.connect_timeout_ms : left);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
                     rpc->opt.timeout_ms < left ? rpc->opt.timeout_ms : left);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)rpc->opt.max_response);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "mav2-hsm/" PACKAGE_VERSION);
    rpc->sent++;
    if (!rpc->trace)
        return curl_easy_perform(c);
    return traced_perform(rpc, body);
}

/* Sleeps the backoff before retry attempt+1 if the deadline leaves time for it and a
 * try after it; else records that the time ran out and returns 0. */
static int backoff(mav2_rpc *rpc, int attempt, curl_off_t retry_after)
{
    long d, left;
    /* the server's Retry-After (seconds, unbounded) is capped before scaling */
    if (retry_after > rpc->opt.backoff_max_ms / 1000 + 1)
        retry_after = rpc->opt.backoff_max_ms / 1000 + 1;
    d = backoff_delay(rpc, attempt, (long)retry_after * 1000);
    left = time_left(rpc);
    if (d >= left) {
        size_t l = strlen(rpc->err.message);
        rpc->err.status = MAV2_RPC_E_DEADLINE;
        snprintf(rpc->err.message + l, sizeof(rpc->err.message) - l,
                 " (no time left for a retry: the time allowed ran out)");
        return 0;
    }
    sleep_ms(d);
    return 1;
}

/* POSTs body with retries. On return 1, rpc->buf holds the response and *reply its
 * parsed JSON (a new reference). On 0, rpc->err says why. */
static int post(mav2_rpc *rpc, const char *body, json_object **reply)
{
    int attempt;
    *reply = NULL;
    rpc->err.http_status = 0;
    for (attempt = 0;; attempt++) {
        CURLcode rc;
        long code = 0, left = time_left(rpc);
        curl_off_t retry_after = 0;
        int retry = 0;

        if (left <= 0) {
            set_error(&rpc->err, MAV2_RPC_E_DEADLINE,
                      "timeout talking to %s: the time allowed ran out", rpc->redacted);
            return 0;
        }
        rc = perform(rpc, body, left);
        if (rc == CURLE_OK) {
            curl_easy_getinfo(rpc->curl, CURLINFO_RESPONSE_CODE, &code);
            rpc->err.http_status = code;
            if (code >= 200 && code < 300)
                break;
            curl_easy_getinfo(rpc->curl, CURLINFO_RETRY_AFTER, &retry_after);
            if (code == 429 || code == 502 || code == 503 || code == 504) {
                retry = 1;
            } else {
                json_object *o = parse_strict(rpc->buf ? rpc->buf : "", rpc->len);
                if (o != NULL && is_jsonrpc_reply(o)) {
                    *reply = o; /* an answer, whatever the status says */
                    return 1;
                }
                json_object_put(o);
                retry = code >= 500;
            }
            set_error(&rpc->err, MAV2_RPC_E_HTTP, "HTTP %ld from %s", code, rpc->redacted);
        } else if (rpc->oversize || rc == CURLE_FILESIZE_EXCEEDED) {
            set_error(&rpc->err, MAV2_RPC_E_PROTOCOL,
                      "response from %s is larger than %zu bytes: rejected", rpc->redacted,
                      rpc->opt.max_response);
            return 0;
        } else {
            retry = curl_failed(rpc, rc);
        }
        if (!retry || attempt >= rpc->opt.max_retries || !backoff(rpc, attempt, retry_after)) {
            if (rpc->err.status == MAV2_RPC_E_TIMEOUT && time_left(rpc) <= 0)
                rpc->err.status = MAV2_RPC_E_DEADLINE;
            if (attempt > 0) {
                size_t l = strlen(rpc->err.message);
                snprintf(rpc->err.message + l, sizeof(rpc->err.message) - l, " (%d attempts)",
                         attempt + 1);
            }
            return 0;
        }
    }
    *reply = parse_strict(rpc->buf ? rpc->buf : "", rpc->len);
    if (*reply == NULL) {
        set_error(&rpc->err, MAV2_RPC_E_PROTOCOL, "malformed JSON in the response from %s",
                  rpc->redacted);
        return 0;
    }
    return 1;
}

/* Checks one JSON-RPC response object and takes its result or error. Returns 1 if
 * the response is well formed (result or error stored), 0 if not (e says why). */
static int take_reply(mav2_rpc *rpc, json_object *o, json_object **result, mav2_rpc_error *e)
{
    json_object *v, *res = NULL, *err = NULL, *code, *msg, *data;
    int has_res, has_err;
    if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, "jsonrpc", &v) ||
        !json_object_is_type(v, json_type_string) ||
        strcmp(json_object_get_string(v), "2.0") != 0) {
        set_error(e, MAV2_RPC_E_PROTOCOL, "not a JSON-RPC 2.0 response from %s", rpc->redacted);
        return 0;
    }
    has_res = json_object_object_get_ex(o, "result", &res);
    has_err = json_object_object_get_ex(o, "error", &err);
    if (has_res == has_err) {
        set_error(e, MAV2_RPC_E_PROTOCOL, "JSON-RPC response from %s has %s result and error",
                  rpc->redacted, has_res ? "both" : "neither");
        return 0;
    }
    if (has_res) {
        *result = res != NULL ? json_object_get(res) : NULL;
        mav2_rpc_error_clear(e);
        return 1;
    }
    if (!json_object_is_type(err, json_type_object) ||
        !json_object_object_get_ex(err, "code", &code) ||
        !json_object_is_type(code, json_type_int) ||
        !json_object_object_get_ex(err, "message", &msg) ||
        !json_object_is_type(msg, json_type_string)) {
        set_error(e, MAV2_RPC_E_PROTOCOL, "malformed JSON-RPC error object from %s", rpc->redacted);
        return 0;
    }
    set_error(e, MAV2_RPC_E_RPC, "%s", json_object_get_string(msg));
    e->code = json_object_get_int64(code);
    if (json_object_object_get_ex(err, "data", &data) && data != NULL) {
        const char *t = json_object_is_type(data, json_type_string)
                            ? json_object_get_string(data)
                            : json_object_to_json_string_ext(data, JSON_C_TO_STRING_PLAIN);
        e->data = strdup(t);
    }
    *result = NULL;
    return 1;
}

/* Mirrors rpc->err into the libmav2 error message (error.h). Returns 0. */
static int fail(const mav2_rpc *rpc, const char *method)
{
    if (rpc->err.status == MAV2_RPC_E_RPC)
        return mav2_error_set("%s: %s (JSON-RPC error %lld)", method, rpc->err.message,
                              (long long)rpc->err.code);
    return mav2_error_set("%s: %s", method, rpc->err.message);
}

static json_object *make_request(const char *method, json_object *params, int64_t id)
{
    json_object *r = json_object_new_object();
    json_object_object_add(r, "jsonrpc", json_object_new_string("2.0"));
    json_object_object_add(r, "id", json_object_new_int64(id));
    json_object_object_add(r, "method", json_object_new_string(method));
    json_object_object_add(r, "params",
                           params != NULL ? json_object_get(params) : json_object_new_array());
    return r;
}

static int reply_id(json_object *o, int64_t *id)
{
    json_object *v;
    if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, "id", &v) ||
        !json_object_is_type(v, json_type_int))
        return 0;
    *id = json_object_get_int64(v);
    return 1;
}

int mav2_rpc_call(mav2_rpc *rpc, const char *method, json_object *params, json_object **result)
{
    json_object *req, *reply;
    int64_t id, got;
    int ok;
    if (rpc == NULL)
        return mav2_error_set("mav2_rpc_call: no client");
    if (method == NULL || result == NULL ||
        (params != NULL && !json_object_is_type(params, json_type_array))) {
        set_error(&rpc->err, MAV2_RPC_E_ARG, "bad arguments to mav2_rpc_call");
        return fail(rpc, "call");
    }
    *result = NULL;
    if (mav2_rpc_caps_lacks(rpc->url, method)) {
        set_error(&rpc->err, MAV2_RPC_E_RPC, "method not found (as %s answered before)",
                  rpc->redacted);
        rpc->err.code = MAV2_RPC_METHOD_NOT_FOUND;
        return fail(rpc, method);
    }
    id = rpc->next_id++;
    req = make_request(method, params, id);
    ok = post(rpc, json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN), &reply);
    json_object_put(req);
    if (!ok)
        return fail(rpc, method);
    /* an error reply to a request the server could not read may carry id null */
    if (reply_id(reply, &got) ? got != id : !json_object_object_get_ex(reply, "error", NULL)) {
        set_error(&rpc->err, MAV2_RPC_E_PROTOCOL,
                  "response from %s does not answer request id %lld", rpc->redacted, (long long)id);
        json_object_put(reply);
        return fail(rpc, method);
    }
    ok = take_reply(rpc, reply, result, &rpc->err);
    json_object_put(reply);
    if (rpc->err.status == MAV2_RPC_E_RPC && rpc->err.code == MAV2_RPC_METHOD_NOT_FOUND)
        mav2_rpc_caps_learn_lacks(rpc->url, method);
    if (!ok || rpc->err.status != MAV2_RPC_OK)
        return fail(rpc, method);
    return 1;
}

void mav2_rpc_batch_clear(mav2_rpc_batch_item *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        json_object_put(items[i].result);
        items[i].result = NULL;
        mav2_rpc_error_clear(&items[i].error);
    }
}

/* Fallback for servers that refuse batches: one call at a time. */
static int batch_one_by_one(mav2_rpc *rpc, mav2_rpc_batch_item *items, size_t n)
{
    int all = 1;
    mav2_rpc_error first = {0};
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        if (!mav2_rpc_call(rpc, items[i].method, items[i].params, &items[i].result)) {
            mav2_rpc_error_copy(&items[i].error, &rpc->err);
            if (all) {
                mav2_rpc_error_copy(&first, &rpc->err);
                bad = i;
            }
            all = 0;
        }
    }
    if (!all) {
        mav2_rpc_error_clear(&rpc->err);
        rpc->err = first;
        return fail(rpc, items[bad].method);
    }
    return 1;
}

/* The items' methods and params checked, their results and errors reset. */
static int batch_args(mav2_rpc *rpc, mav2_rpc_batch_item *items, size_t n)
{
    if (rpc == NULL)
        return mav2_error_set("mav2_rpc_batch: no client");
    if (items == NULL && n > 0) {
        set_error(&rpc->err, MAV2_RPC_E_ARG, "bad arguments to mav2_rpc_batch");
        return fail(rpc, "batch");
    }
    for (size_t i = 0; i < n; i++) {
        items[i].result = NULL;
        memset(&items[i].error, 0, sizeof(items[i].error));
        if (items[i].method == NULL ||
            (items[i].params != NULL && !json_object_is_type(items[i].params, json_type_array))) {
            set_error(&rpc->err, MAV2_RPC_E_ARG, "bad arguments to mav2_rpc_batch");
            return fail(rpc, "batch");
        }
    }
    return 1;
}

/* Items the batch reply did not answer get a protocol error (*first_bad: the first
 * failed item); 1 if there is none. */
static int batch_unanswered(const mav2_rpc *rpc, mav2_rpc_batch_item *items, size_t n,
                            size_t *first_bad)
{
    int all = 1;
    for (size_t i = 0; i < n; i++) {
        if (items[i].error.status == MAV2_RPC_E_PROTOCOL && items[i].error.message[0] == '\0') {
            set_error(&items[i].error, MAV2_RPC_E_PROTOCOL,
                      "batch response from %s has no answer for %s", rpc->redacted,
                      items[i].method);
            all = 0;
            if (i < *first_bad)
                *first_bad = i;
        }
    }
    return all;
}

int mav2_rpc_batch(mav2_rpc *rpc, mav2_rpc_batch_item *items, size_t n)
{
    json_object *req, *reply;
    int64_t base;
    int ok, all = 1;
    size_t i, first_bad = n;
    if (!batch_args(rpc, items, n))
        return 0;
    if (n == 0) {
        mav2_rpc_error_clear(&rpc->err);
        return 1;
    }
    if (n == 1 || mav2_rpc_caps_no_batch(rpc->url))
        return batch_one_by_one(rpc, items, n);
    base = rpc->next_id;
    rpc->next_id += (int64_t)n;
    req = json_object_new_array();
    for (i = 0; i < n; i++)
        json_object_array_add(req,
                              make_request(items[i].method, items[i].params, base + (int64_t)i));
    ok = post(rpc, json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN), &reply);
    json_object_put(req);
    if (!ok) {
        for (i = 0; i < n; i++)
            mav2_rpc_error_copy(&items[i].error, &rpc->err);
        return fail(rpc, "batch");
    }
    if (!json_object_is_type(reply, json_type_array)) {
        /* a single error object for the whole batch: the server does not do batches */
        json_object_put(reply);
        mav2_rpc_caps_learn_no_batch(rpc->url);
        return batch_one_by_one(rpc, items, n);
    }
    for (i = 0; i < n; i++)
        items[i].error.status = MAV2_RPC_E_PROTOCOL; /* until answered */
    for (size_t k = 0; k < json_object_array_length(reply); k++) {
        json_object *o = json_object_array_get_idx(reply, k);
        int64_t id;
        if (!reply_id(o, &id) || id < base || id >= base + (int64_t)n ||
            items[id - base].error.status != MAV2_RPC_E_PROTOCOL ||
            items[id - base].error.message[0] != '\0') {
            set_error(&rpc->err, MAV2_RPC_E_PROTOCOL,
                      "batch response from %s has an unknown or repeated id", rpc->redacted);
            json_object_put(reply);
            mav2_rpc_batch_clear(items, n);
            for (i = 0; i < n; i++)
                mav2_rpc_error_copy(&items[i].error, &rpc->err);
            return fail(rpc, "batch");
        }
        i = (size_t)(id - base);
        items[i].error.status = MAV2_RPC_OK;
        if (!take_reply(rpc, o, &items[i].result, &items[i].error) ||
            items[i].error.status != MAV2_RPC_OK) {
            all = 0;
            if (first_bad == n || i < first_bad)
                first_bad = i;
        }
    }
    json_object_put(reply);
    if (!batch_unanswered(rpc, items, n, &first_bad))
        all = 0;
    if (all) {
        mav2_rpc_error_clear(&rpc->err);
        return 1;
    }
    mav2_rpc_error_copy(&rpc->err, &items[first_bad].error);
    return fail(rpc, items[first_bad].method);
}
