/* SPDX-License-Identifier: Apache-2.0 */
/* httpd.c: the tests' loopback HTTP server (see httpd.h). */
#include "httpd.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct th_server {
    int lfd;
    int port;
    char url[128];
    th_handler handler;
    void *ctx;
    pthread_t thread;
    volatile int stop;
    volatile int requests;
    volatile int connections;
};

/* Waits ms, or until th_stop when ms < 0. */
static void nap(th_server *s, int ms)
{
    while (ms != 0 && !s->stop) {
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
        if (ms > 0)
            ms = ms > 10 ? ms - 10 : 0;
    }
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return 0;
        p += w;
        n -= (size_t)w;
    }
    return 1;
}

/* Reads more bytes into buf; 0 on EOF/error/stop. */
static int fill(th_server *s, int fd, char **buf, size_t *len, size_t *cap)
{
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        int r = poll(&p, 1, 50);
        if (s->stop)
            return 0;
        if (r < 0)
            return 0;
        if (r == 0)
            continue;
        if (*len + 4096 + 1 > *cap) {
            *cap = (*cap + 4096) * 2;
            *buf = realloc(*buf, *cap);
        }
        ssize_t got = recv(fd, *buf + *len, *cap - *len - 1, 0);
        if (got <= 0)
            return 0;
        *len += (size_t)got;
        (*buf)[*len] = '\0';
        return 1;
    }
}

static void serve_connection(th_server *s, int fd)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        char *hend;
        size_t hlen, clen = 0, used;
        const char *cl;
        th_reply r;
        while (buf == NULL || (hend = strstr(buf, "\r\n\r\n")) == NULL) {
            if (!fill(s, fd, &buf, &len, &cap))
                goto out;
        }
        hlen = (size_t)(hend - buf) + 4;
        for (cl = buf; (cl = strchr(cl, '\n')) != NULL && cl < hend;) {
            cl++;
            if (strncasecmp(cl, "Content-Length:", 15) == 0)
                clen = strtoul(cl + 15, NULL, 10);
            if (strncasecmp(cl, "Expect: 100-continue", 20) == 0 &&
                !send_all(fd, "HTTP/1.1 100 Continue\r\n\r\n", 25))
                goto out;
        }
        while (len < hlen + clen) {
            if (!fill(s, fd, &buf, &len, &cap))
                goto out;
        }
        char *body = strndup(buf + hlen, clen);
        used = hlen + clen;
        memmove(buf, buf + used, len - used);
        len -= used;
        buf[len] = '\0';

        memset(&r, 0, sizeof(r));
        r.status = 200;
        s->handler(s->ctx, body, &r);
        free(body);
        s->requests++;
        nap(s, r.delay_ms);
        if (r.drop || s->stop) {
            free(r.body);
            goto out;
        }
        const char *b = r.body ? r.body : "";
        size_t blen = strlen(b);
        char head[512];
        int n;
        if (r.no_length)
            n = snprintf(head, sizeof(head),
                         "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
                         "Connection: close\r\n%s\r\n",
                         r.status, r.headers);
        else
            n = snprintf(head, sizeof(head),
                         "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
                         "Content-Length: %zu\r\n%s\r\n",
                         r.status, blen, r.headers);
        int ok = send_all(fd, head, (size_t)n) && send_all(fd, b, blen);
        free(r.body);
        if (!ok || r.no_length)
            goto out;
    }
out:
    free(buf);
    close(fd);
}

static void *server_main(void *arg)
{
    th_server *s = arg;
    while (!s->stop) {
        struct pollfd p = {s->lfd, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0)
            continue;
        int fd = accept(s->lfd, NULL, NULL), one = 1;
        if (fd < 0)
            continue;
        /* head and body go in two writes: no Nagle wait for the client's delayed ACK */
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        s->connections++;
        serve_connection(s, fd);
    }
    return NULL;
}

static int listen_loopback(int *port)
{
    struct sockaddr_in a;
    socklen_t al = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 8) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &al) != 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(a.sin_port);
    return fd;
}

th_server *th_start(th_handler h, void *ctx)
{
    th_server *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    s->handler = h;
    s->ctx = ctx;
    if ((s->lfd = listen_loopback(&s->port)) < 0) {
        free(s);
        return NULL;
    }
    snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%d/v2/secret-key-in-path", s->port);
    if (pthread_create(&s->thread, NULL, server_main, s) != 0) {
        close(s->lfd);
        free(s);
        return NULL;
    }
    return s;
}

const char *th_url(const th_server *s)
{
    return s->url;
}

int th_port(const th_server *s)
{
    return s->port;
}

int th_requests(const th_server *s)
{
    return s->requests;
}

int th_connections(const th_server *s)
{
    return s->connections;
}

void th_stop(th_server *s)
{
    if (s == NULL)
        return;
    s->stop = 1;
    pthread_join(s->thread, NULL);
    close(s->lfd);
    free(s);
}

int th_unused_port(void)
{
    int port = 0, fd = listen_loopback(&port);
    if (fd >= 0)
        close(fd);
    return port;
}

/* Copy of tmpl with each %ID% replaced by the request's first "id" value. */
static char *subst_id(const char *tmpl, const char *req)
{
    const char *p = strstr(req, "\"id\":");
    char id[32] = "null", *out;
    size_t n = 0;
    if (p != NULL)
        snprintf(id, sizeof(id), "%.*s", (int)strspn(p + 5, "0123456789"), p + 5);
    out = malloc(strlen(tmpl) * (strlen(id) + 1) + 1);
    for (const char *t = tmpl; *t;) {
        if (strncmp(t, "%ID%", 4) == 0) {
            memcpy(out + n, id, strlen(id));
            n += strlen(id);
            t += 4;
        } else {
            out[n++] = *t++;
        }
    }
    out[n] = '\0';
    return out;
}

void th_script_handler(void *ctx, const char *body, th_reply *r)
{
    th_script *sc = ctx;
    const th_step *st = &sc->steps[sc->next < sc->n ? sc->next : sc->n - 1];
    sc->next++;
    if (sc->nrequests < (int)(sizeof(sc->requests) / sizeof(sc->requests[0])))
        sc->requests[sc->nrequests++] = strdup(body);
    r->status = st->status ? st->status : 200;
    r->body = st->body ? subst_id(st->body, body) : NULL;
    if (st->headers)
        snprintf(r->headers, sizeof(r->headers), "%s", st->headers);
    r->delay_ms = st->delay_ms;
    r->drop = st->drop;
    r->no_length = st->no_length;
}

void th_script_free(th_script *sc)
{
    for (int i = 0; i < sc->nrequests; i++)
        free(sc->requests[i]);
    sc->nrequests = 0;
}
