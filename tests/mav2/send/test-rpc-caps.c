/* SPDX-License-Identifier: Apache-2.0 */
/* test-rpc-caps.c: a bundler that refuses JSON-RPC batches and has no
 * rundler_maxPriorityFeePerGas (as Alto) costs its failed attempts once: later ops of
 * the process, and of other processes with the same state directory, send the bundler
 * only what it answers (rpc_caps.h). Node and bundler are the send-flow mock
 * (sendmock.h) on two loopback URLs; the other processes are children forked before
 * anything was learnt, started once the parent's op is done. */
#include "sendmock.h"
#include "mav2/send/send.h"
#include "tap.h"

#include <dirent.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
    mock m;
    int batches; /* batches refused */
} alto_like;

/* Alto 0.0.20's answer to any batch, else the mock */
static void alto_handler(void *ctx, const char *body, th_reply *r)
{
    alto_like *a = ctx;
    if (body[strspn(body, " \t\r\n")] == '[') {
        a->batches++;
        r->body = strdup("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"message\":\"invalid "
                         "JSON-RPC request Validation error: Expected object, received "
                         "array\",\"code\":-32602}}");
        return;
    }
    mock_handler(&a->m, body, r);
}

/* One op from node_url to bundler_url; 1 if included. */
static int one_op(const char *node_url, const char *bundler_url)
{
    mav2_rpc_options o;
    mav2_rpc *node, *bundler;
    mav2_send_params p;
    mav2_send_result r;
    int ok;
    mav2_rpc_options_init(&o);
    o.max_retries = 1;
    node = mav2_rpc_new(node_url, &o);
    bundler = mav2_rpc_new(bundler_url, &o);
    params_for_flow(&p);
    ok = node != NULL && bundler != NULL && mav2_send(node, bundler, &p, &r) &&
         r.outcome == MAV2_SEND_INCLUDED;
    if (!ok)
        tap_diag("op: %s", r.message);
    mav2_send_result_clear(&r);
    mav2_rpc_free(node);
    mav2_rpc_free(bundler);
    return ok;
}

typedef struct {
    pid_t pid;
    int go; /* write end: the two URLs, one line each */
} child;

/* A process that waits for the URLs, sends one op and exits 0 if it was included. */
static child fork_child(void)
{
    child c = {-1, -1};
    int fd[2];
    if (pipe(fd) != 0 || (c.pid = fork()) < 0)
        tap_bail("pipe/fork");
    if (c.pid == 0) {
        char urls[2][512];
        FILE *f = fdopen(fd[0], "r");
        close(fd[1]);
        if (f == NULL || fgets(urls[0], sizeof(urls[0]), f) == NULL ||
            fgets(urls[1], sizeof(urls[1]), f) == NULL)
            _exit(2);
        urls[0][strcspn(urls[0], "\n")] = '\0';
        urls[1][strcspn(urls[1], "\n")] = '\0';
        _exit(one_op(urls[0], urls[1]) ? 0 : 1);
    }
    close(fd[0]);
    c.go = fd[1];
    return c;
}

static int run_child(child *c, const th_server *sn, const th_server *sb)
{
    int st = 0;
    dprintf(c->go, "%s\n%s\n", th_url(sn), th_url(sb));
    close(c->go);
    return waitpid(c->pid, &st, 0) == c->pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* The one .rpc-caps-* file of the state directory into buf; 1 if there is exactly one. */
static int caps_file(char *path, size_t cap, char *buf, size_t bufcap)
{
    DIR *d = opendir(state_dir);
    struct dirent *de;
    int n = 0;
    FILE *f;
    size_t len;
    while (d != NULL && (de = readdir(d)) != NULL)
        if (strncmp(de->d_name, ".rpc-caps-", 10) == 0 && strstr(de->d_name, ".tmp") == NULL &&
            n++ == 0)
            snprintf(path, cap, "%s/%s", state_dir, de->d_name);
    if (d != NULL)
        closedir(d);
    if (n != 1 || (f = fopen(path, "r")) == NULL)
        return 0;
    len = fread(buf, 1, bufcap - 1, f);
    buf[len] = '\0';
    fclose(f);
    return 1;
}

int main(void)
{
    json_object *v = sm_setup(0);
    child fresh, stale;
    mock mn;
    alto_like b;
    th_server *sn, *sb;
    char path[4200], text[512];
    struct stat st;
    int req, ok;
    FILE *f;

    fresh = fork_child(); /* before anything is learnt: their memory knows nothing */
    stale = fork_child();
    mock_init(&mn, flow);
    memset(&b, 0, sizeof(b));
    mock_init(&b.m, flow);
    b.m.rundler = 0; /* method not found */
    sn = th_start(mock_handler, &mn);
    sb = th_start(alto_handler, &b);

    ok = one_op(th_url(sn), th_url(sb));
    tap_ok(ok && b.batches == 1 && count_calls(&b.m, "rundler_maxPriorityFeePerGas") == 1,
           "first op: the batch refused, then rundler_maxPriorityFeePerGas not found (%d, %d)",
           b.batches, count_calls(&b.m, "rundler_maxPriorityFeePerGas"));

    req = th_requests(sb);
    mock_reset_calls(&b.m);
    ok = one_op(th_url(sn), th_url(sb));
    tap_ok(ok && b.batches == 1 && count_calls(&b.m, "rundler_maxPriorityFeePerGas") == 0 &&
               count_calls(&b.m, "eth_chainId") == 1,
           "second op, same process: no batch, no rundler call, the chain id alone");
    tap_ok(req == 6 && th_requests(sb) - req == 4,
           "bundler requests: first op 6 (batch, rundler, chain id, estimate, send, poll): %d; "
           "second op 4: %d",
           req, th_requests(sb) - req);

    tap_ok(caps_file(path, sizeof(path), text, sizeof(text)) && strstr(text, "no-batch ") != NULL &&
               strstr(text, "no-method rundler_maxPriorityFeePerGas ") != NULL,
           "remembered in the state directory: no batches, no rundler_maxPriorityFeePerGas");
    tap_ok(stat(path, &st) == 0 && (st.st_mode & 077) == 0 && strstr(text, "secret") == NULL &&
               strstr(text, "127.0.0.1") == NULL && strstr(path, "secret") == NULL,
           "the file is private and holds no URL (only its hash)");

    mock_reset_calls(&b.m);
    ok = run_child(&fresh, sn, sb);
    tap_ok(ok && b.batches == 1 && count_calls(&b.m, "rundler_maxPriorityFeePerGas") == 0 &&
               count_calls(&b.m, "eth_chainId") == 1,
           "another process with the state directory: no batch, no rundler call");

    /* entries older than a day are asked again */
    if ((f = fopen(path, "w")) != NULL) {
        fputs("no-batch 1000\nno-method rundler_maxPriorityFeePerGas 1000\n", f);
        fclose(f);
    }
    mock_reset_calls(&b.m);
    ok = run_child(&stale, sn, sb);
    tap_ok(ok && b.batches == 2 && count_calls(&b.m, "rundler_maxPriorityFeePerGas") == 1,
           "entries older than the TTL are forgotten: batch and rundler tried again");
    tap_ok(caps_file(path, sizeof(path), text, sizeof(text)) && strstr(text, " 1000\n") == NULL,
           "and written back with the new time");

    th_stop(sn);
    th_stop(sb);
    mock_free(&mn);
    mock_free(&b.m);
    sm_cleanup(v);
    return tap_done();
}
