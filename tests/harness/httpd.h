/* SPDX-License-Identifier: Apache-2.0 */
/* httpd.h: a tiny HTTP/1.1 server for the JSON-RPC tests, in a thread of the test
 * itself, on 127.0.0.1 with a kernel-chosen port. Each request body goes to a handler
 * that fills the reply (status, body, extra headers, delay, drop). Keep-alive is
 * honoured, so tests can count connections. Test fixture only: one client at a time.
 *
 *   th_server *s = th_start(handler, ctx);
 *   ... client talks to th_url(s) ...
 *   th_stop(s);
 *
 * th_script_* is a ready-made handler replaying a fixed list of replies in order and
 * recording every request body. */
#ifndef MH_TESTS_HTTPD_H
#define MH_TESTS_HTTPD_H

#include <stddef.h>

typedef struct {
    int status;        /* HTTP status, default 200 */
    char *body;        /* malloc'ed by the handler (the server frees it); NULL = "" */
    char headers[256]; /* extra header lines, each ending in \r\n */
    int delay_ms;      /* wait before replying; < 0: never reply (held until th_stop,
                        * so a client's timeout fires however slow the machine) */
    int drop;          /* close the connection without replying */
    int no_length;     /* no Content-Length: body until the connection closes */
} th_reply;

/* Called for each request with its NUL-terminated body; r is zeroed, status 200. */
typedef void (*th_handler)(void *ctx, const char *body, th_reply *r);

typedef struct th_server th_server;

th_server *th_start(th_handler h, void *ctx);
/* "http://127.0.0.1:PORT/v2/secret-key-in-path" */
const char *th_url(const th_server *s);
int th_port(const th_server *s);
int th_requests(const th_server *s);
int th_connections(const th_server *s);
void th_stop(th_server *s);

/* A port nothing listens on (bound, then closed). */
int th_unused_port(void);

/* Scripted handler: replays steps[i] for request i (the last one repeats); %ID% in a
 * body becomes the request's id. */
typedef struct {
    int status;
    const char *body;
    const char *headers;
    int delay_ms;
    int drop;
    int no_length;
} th_step;

typedef struct {
    const th_step *steps;
    int n;
    int next;
    char *requests[64]; /* request bodies seen (malloc'ed) */
    int nrequests;
} th_script;

void th_script_handler(void *ctx, const char *body, th_reply *r);
void th_script_free(th_script *sc);

#endif
