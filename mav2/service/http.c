/* SPDX-License-Identifier: Apache-2.0 */
/* http.c: the HTTP listeners (http.h). */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "mav2/core/error.h"
#include "mav2/service/http.h"
#include "mav2/service/metrics.h"

#define MAX_BODY (1 << 20)

typedef struct {
    mavd_http *h;
    int tcp; /* requires the bearer token */
} listener;

struct mavd_http {
    mavd_api *api;
    struct MHD_Daemon *unix_d, *tcp_d;
    listener unix_l, tcp_l;
    char *socket_path;
    pthread_mutex_t mu;
    char *token;
    size_t token_len;
};

typedef struct {
    char *body;
    size_t len;
    int too_big;
} upload;

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
                             char *text)
{
    struct MHD_Response *r;
    enum MHD_Result ret;
    if (text == NULL)
        return MHD_NO;
    r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    if (r == NULL) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", type);
    if (status == MHD_HTTP_UNAUTHORIZED)
        MHD_add_response_header(r, "WWW-Authenticate", "Bearer");
    ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static int authorized(mavd_http *h, struct MHD_Connection *c)
{
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    int ok;
    if (v == NULL || strncmp(v, "Bearer ", 7) != 0)
        return 0;
    v += 7;
    pthread_mutex_lock(&h->mu);
    ok = h->token != NULL && strlen(v) == h->token_len &&
         CRYPTO_memcmp(v, h->token, h->token_len) == 0;
    pthread_mutex_unlock(&h->mu);
    return ok;
}

static enum MHD_Result get_page(mavd_http *h, struct MHD_Connection *c, const char *url)
{
    if (strcmp(url, "/healthz") == 0)
        return reply(c, MHD_HTTP_OK, "text/plain", strdup("ok\n"));
    if (strcmp(url, "/metrics") == 0) {
        size_t q, p;
        mavd_lanes_gauges(h->api->lanes, &q, &p);
        return reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4", mavd_metrics_text(q, p));
    }
    return reply(c, MHD_HTTP_NOT_FOUND, "text/plain", strdup("not found\n"));
}

static int take_body(upload *u, const char *data, size_t *size)
{
    char *p;
    if (u->too_big || u->len + *size > MAX_BODY) {
        u->too_big = 1;
        *size = 0;
        return 1;
    }
    if ((p = realloc(u->body, u->len + *size + 1)) == NULL)
        return 0;
    u->body = p;
    memcpy(u->body + u->len, data, *size);
    u->len += *size;
    u->body[u->len] = '\0';
    *size = 0;
    return 1;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **state)
{
    listener *l = cls;
    upload *u = *state;
    (void)version;
    if (u == NULL) { /* headers only: check before reading a body */
        if (l->tcp && !authorized(l->h, c)) {
            mavd_metric_inc(MAVD_M_AUTH_FAILURES);
            return reply(c, MHD_HTTP_UNAUTHORIZED, "text/plain",
                         strdup("missing or wrong bearer token\n"));
        }
        if (strcmp(method, "GET") == 0)
            return get_page(l->h, c, url);
        if (strcmp(method, "POST") != 0)
            return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain",
                         strdup("GET or POST only\n"));
        if ((u = calloc(1, sizeof(*u))) == NULL)
            return MHD_NO;
        *state = u;
        return MHD_YES;
    }
    if (*size > 0)
        return take_body(u, data, size) ? MHD_YES : MHD_NO;
    if (u->too_big)
        return reply(c, MHD_HTTP_CONTENT_TOO_LARGE, "text/plain", strdup("body too large\n"));
    return reply(c, MHD_HTTP_OK, "application/json",
                 mavd_api_handle(l->h->api, u->body != NULL ? u->body : "", u->len));
}

static void on_done(void *cls, struct MHD_Connection *c, void **state,
                    enum MHD_RequestTerminationCode why)
{
    upload *u = *state;
    (void)cls, (void)c, (void)why;
    if (u != NULL) {
        free(u->body);
        free(u);
        *state = NULL;
    }
}

static int bind_unix(const char *path, int *fd)
{
    struct sockaddr_un a;
    memset(&a, 0, sizeof(a));
    a.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(a.sun_path))
        return mav2_error_set("listen %s: path too long for a Unix socket", path);
    strcpy(a.sun_path, path);
    if ((*fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
        return mav2_error_set("listen %s: %s", path, strerror(errno));
    unlink(path); /* a stale socket of a previous run */
    if (bind(*fd, (struct sockaddr *)&a, sizeof(a)) != 0 || chmod(path, 0660) != 0 ||
        listen(*fd, 64) != 0) {
        int e = errno;
        close(*fd);
        return mav2_error_set("listen %s: %s", path, strerror(e));
    }
    return 1;
}

static int bind_tcp(const mavd_conf *conf, int *fd)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    int one = 1, v6 = strchr(conf->tcp_host, ':') != NULL;
    memset(&ss, 0, sizeof(ss));
    if (v6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)conf->tcp_port);
        inet_pton(AF_INET6, conf->tcp_host, &a->sin6_addr);
        sl = sizeof(*a);
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)conf->tcp_port);
        inet_pton(AF_INET, conf->tcp_host, &a->sin_addr);
        sl = sizeof(*a);
    }
    if ((*fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
        return mav2_error_set("tcp %s: %s", conf->tcp, strerror(errno));
    setsockopt(*fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(*fd, (struct sockaddr *)&ss, sl) != 0 || listen(*fd, 64) != 0) {
        int e = errno;
        close(*fd);
        return mav2_error_set("tcp %s: %s", conf->tcp, strerror(e));
    }
    return 1;
}

static struct MHD_Daemon *serve(int fd, listener *l)
{
    return MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                                MHD_USE_POLL | MHD_USE_ITC,
                            0, NULL, NULL, on_request, l, MHD_OPTION_LISTEN_SOCKET, fd,
                            MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)300, MHD_OPTION_END);
}

static int start_one(mavd_http *h, int tcp, const mavd_conf *conf)
{
    int fd = -1;
    struct MHD_Daemon *d;
    if (!(tcp ? bind_tcp(conf, &fd) : bind_unix(conf->listen, &fd)))
        return 0;
    d = serve(fd, tcp ? &h->tcp_l : &h->unix_l);
    if (d == NULL) {
        close(fd);
        return mav2_error_set("%s: the HTTP server did not start", tcp ? conf->tcp : conf->listen);
    }
    *(tcp ? &h->tcp_d : &h->unix_d) = d;
    return 1;
}

int mavd_http_start(const mavd_conf *conf, mavd_api *api, mavd_http **out)
{
    mavd_http *h = calloc(1, sizeof(*h));
    *out = NULL;
    if (h == NULL)
        return mav2_error_set("out of memory");
    h->api = api;
    h->unix_l = (listener){h, 0};
    h->tcp_l = (listener){h, 1};
    pthread_mutex_init(&h->mu, NULL);
    mavd_http_set_token(h, conf->token, conf->token_len);
    if ((conf->listen != NULL &&
         ((h->socket_path = strdup(conf->listen)) == NULL || !start_one(h, 0, conf))) ||
        (conf->tcp != NULL && !start_one(h, 1, conf))) {
        mavd_http_stop(h);
        return 0;
    }
    *out = h;
    return 1;
}

void mavd_http_set_token(mavd_http *h, const char *token, size_t len)
{
    pthread_mutex_lock(&h->mu);
    if (h->token != NULL)
        OPENSSL_clear_free(h->token, h->token_len + 1);
    h->token = token != NULL ? OPENSSL_memdup(token, len + 1) : NULL;
    h->token_len = h->token != NULL ? len : 0;
    pthread_mutex_unlock(&h->mu);
}

void mavd_http_quiesce(mavd_http *h)
{
    int fd;
    if (h->unix_d != NULL && (fd = MHD_quiesce_daemon(h->unix_d)) >= 0)
        close(fd);
    if (h->tcp_d != NULL && (fd = MHD_quiesce_daemon(h->tcp_d)) >= 0)
        close(fd);
}

void mavd_http_stop(mavd_http *h)
{
    if (h == NULL)
        return;
    if (h->unix_d != NULL)
        MHD_stop_daemon(h->unix_d);
    if (h->tcp_d != NULL)
        MHD_stop_daemon(h->tcp_d);
    if (h->socket_path != NULL && h->unix_d != NULL)
        unlink(h->socket_path);
    free(h->socket_path);
    mavd_http_set_token(h, NULL, 0);
    pthread_mutex_destroy(&h->mu);
    free(h);
}
