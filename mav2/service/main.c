/* SPDX-License-Identifier: Apache-2.0 */
/* main.c: mav2d, the session-key signing service: EIP-5792 JSON-RPC over HTTP in front of
 * the send flow of libmav2, with the key opened once on its token. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "mav2/core/address.h"
#include "mav2/core/error.h"
#include "mav2/core/u256.h"
#include "mav2/keys/key.h"
#include "mav2/keys/signer.h"
#include "mav2/net/rpc.h"
#include "mav2/net/rpc_json.h"
#include "mav2/service/api.h"
#include "mav2/service/backend.h"
#include "mav2/service/conf.h"
#include "mav2/service/http.h"
#include "mav2/service/lanes.h"
#include "mav2/service/store.h"

static const char help[] =
    "NAME\n"
    "    mav2d - the MAv2 session-key signing service (EIP-5792 over JSON-RPC)\n"
    "\n"
    "SYNOPSIS\n"
    "    mav2d [--config FILE] [--profile NAME] [--check]\n"
    "    mav2d [--config FILE] --init-db\n"
    "    mav2d --help\n"
    "\n"
    "DESCRIPTION\n"
    "    Backends send wallet_sendCalls to mav2d; it signs each user op with the\n"
    "    profile's session key (opened once, through the p11k1 provider as the mav2\n"
    "    command does: OPENSSL_CONF), sends it through the bundler on one of its\n"
    "    nonce lanes and answers with the op's id (its userOpHash) once the bundler\n"
    "    accepted it. Every op is journaled before it is sent (STATE_DIR/journal):\n"
    "    after a crash or kill -9 the next start resumes each lane's op, so an\n"
    "    accepted op is neither lost nor sent twice, and its id stays answerable\n"
    "    (STATE_DIR/calls). One poller asks the bundler about all pending ops in\n"
    "    one batched request per poll interval. An op costs two requests before\n"
    "    its receipt (the estimate and the send): the lanes share the chain check,\n"
    "    the deployment, the fees and the signing validation (read at most once a\n"
    "    block time), and a lane knows its next nonce once its op was included\n"
    "    (with state = postgresql:// the nonce is read for every op). mav2d runs\n"
    "    in the foreground: one line \"mav2d: ready: ...\" on stdout and READY=1\n"
    "    to $NOTIFY_SOCKET (systemd Type=notify) once it serves.\n"
    "\n"
    "OPTIONS\n"
    "    --config FILE        the settings file (default /etc/mav2/mav2d.conf)\n"
    "    --profile NAME       the profile to sign with (default: [service] profile,\n"
    "                         else \"default\")\n"
    "    --check              check the settings, the state, the key and the node,\n"
    "                         then exit\n"
    "    --init-db            create or migrate the state's schema (PostgreSQL:\n"
    "                         its tables; files: the journal directory), then exit\n"
    "    -h, --help           this text\n"
    "\n"
    "SETTINGS\n"
    "    The profile is the mav2 command's (chain, rpc-url, bundler-url, account,\n"
    "    key, entity-id, global, pin-source, paymaster-url); the [service] section\n"
    "    is mav2d's own. Unknown keys are errors naming FILE:LINE.\n"
    "    profile = NAME       the profile to sign with\n"
    "    listen = PATH        Unix socket (mode 0660: access by its group)\n"
    "    tcp = HOST:PORT      loopback only (127.0.0.1, [::1]); needs\n"
    "                         bearer-token-file. No TLS: put a TLS reverse proxy\n"
    "                         in front of the port for remote clients\n"
    "    bearer-token-file = F  file whose first line is the token (16+\n"
    "                         characters; mode 0600)\n"
    "    lanes = N            nonce lanes: ops in flight at once (default 1)\n"
    "    state-dir = PATH     journal and call records (required; mode 0700)\n"
    "    poll-interval = MS   receipt poll interval (default 1000)\n"
    "    state = files | postgresql://...  where lanes and the journal live:\n"
    "                         files in state-dir (the default: one host), or a\n"
    "                         PostgreSQL database shared by several mav2d (libpq\n"
    "                         URI without a password; create its schema with\n"
    "                         --init-db first): the account's lanes (give every\n"
    "                         mav2d the same lanes), the journal and the call\n"
    "                         records, so any of them answers for any op\n"
    "    state-password-file = F  the database password (first line), else\n"
    "                         libpq's PGPASSWORD or ~/.pgpass\n"
    "    lease = MS           PostgreSQL: a lane's lease, held while the lane has\n"
    "                         work and renewed every third of it; a dead host's\n"
    "                         lanes are taken over after it and their pending ops\n"
    "                         seen through (default 30000)\n"
    "    state-wait = MS      PostgreSQL: how long a state call waits for a lost\n"
    "                         database to come back, and mav2d at start for one\n"
    "                         that is down (default 60000; 0: not at all: a\n"
    "                         database down at start is exit 2 at once). Past\n"
    "                         it, a request not yet journaled is answered with\n"
    "                         an error naming the database, nothing\n"
    "                         signed; an op already sent stays journaled and is\n"
    "                         seen through once the database is back; a lane whose\n"
    "                         lease cannot be renewed stops signing\n"
    "\n"
    "POLICY AND LEDGER\n"
    "    As with mav2 send: the profile's policy-* settings (policy-allow,\n"
    "    policy-max-value, policy-value-cap, policy-ops-per-minute,\n"
    "    policy-max-cost) are checked before the token signs; an op outside them\n"
    "    is refused (JSON-RPC error -32003 naming the rule), nothing signed. Every\n"
    "    signature, refusal and outcome is a line of the audit ledger (profile\n"
    "    key ledger = PATH, default STATE_DIR/ledger.jsonl, off to disable):\n"
    "    one sign line and one outcome line per op, however often its receipt\n"
    "    is seen (a restart, a journal entry not removed); mav2 audit verify\n"
    "    checks it. With state = postgresql://... the lines go\n"
    "    to the database instead, one chain per account for every host (ledger =\n"
    "    off: none): mav2 audit verify --state URL --account ADDR checks it;\n"
    "    the policy's windows are the database's too, one for every host.\n"
    "\n"
    "HTTP\n"
    "    POST / takes JSON-RPC 2.0: wallet_sendCalls (version 2.0.0; chainId, from\n"
    "    = the account, calls [{to, value, data}], capabilities.paymasterService\n"
    "    {url, context} per ERC-7677; answers {id}; refusals and AAxx reasons come\n"
    "    back at once as JSON-RPC errors), wallet_getCallsStatus (status 100\n"
    "    pending, 200 confirmed, 400 offchain failure, 500 reverted; receipts),\n"
    "    wallet_getCapabilities, eth_chainId, eth_accounts. GET /healthz, GET\n"
    "    /metrics (Prometheus text). On TCP every request needs the header\n"
    "    \"Authorization: Bearer TOKEN\" (401 without it).\n"
    "\n"
    "SIGNALS\n"
    "    SIGHUP reloads the bearer token and the poll interval (other settings\n"
    "    take a restart). SIGTERM stops: requests waiting for a lane are refused,\n"
    "    ops being sent are sent and journaled; pending ops resume at the next\n"
    "    start.\n"
    "\n"
    "EXIT STATUS\n"
    "    0 stopped by SIGTERM (or --check passed), 2 bad settings or state\n"
    "    directory, 3 the key, 4 the node\n"
    "\n"
    "EXAMPLES\n"
    "    OPENSSL_CONF=/etc/mav2/openssl.cnf mav2d --config /etc/mav2/mav2d.conf\n"
    "    curl --unix-socket /run/mav2d/mav2d.sock http://mav2d/metrics\n";

/* sd_notify(3) by hand: one datagram to $NOTIFY_SOCKET ('@' = abstract namespace). */
static void notify(const char *state)
{
    const char *path = getenv("NOTIFY_SOCKET");
    struct sockaddr_un a;
    socklen_t len;
    int fd;
    if (path == NULL || (path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof(a.sun_path))
        return;
    memset(&a, 0, sizeof(a));
    a.sun_family = AF_UNIX;
    memcpy(a.sun_path, path, strlen(path));
    if (path[0] == '@')
        a.sun_path[0] = '\0';
    len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
    if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
        return;
    if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&a, len) < 0)
        fprintf(stderr, "mav2d: NOTIFY_SOCKET: %s\n", strerror(errno));
    close(fd);
}

static int node_chain(const mavd_conf *c, uint64_t *chain)
{
    mav2_rpc *node = mav2_rpc_new(c->rpc_url, NULL);
    json_object *res = NULL;
    mav2_u256 v;
    int ok;
    if (node == NULL)
        return mav2_error_set("rpc-url: not an http(s) URL");
    ok = mav2_rpc_call(node, "eth_chainId", NULL, &res) &&
         json_object_is_type(res, json_type_string) &&
         mav2_u256_from_hex(&v, json_object_get_string(res)) && mav2_u256_to_u64(&v, chain);
    if (!ok)
        mav2_error_set("eth_chainId on %s: %s", mav2_rpc_url_redacted(node),
                       mav2_rpc_last_error(node)->status != MAV2_RPC_OK
                           ? mav2_rpc_last_error(node)->message
                           : "not a chain id");
    json_object_put(res);
    mav2_rpc_free(node);
    if (ok && c->chain_id != 0 && c->chain_id != *chain)
        return mav2_error_set("the node's chain is %llu, the profile's %llu",
                              (unsigned long long)*chain, (unsigned long long)c->chain_id);
    return ok;
}

/* The profile's key, and the guard every op passes (policy, ledger, the key's token
 * serial and id for the ledger). */
static mav2_signer *open_signer(const mavd_conf *c, mav2_guard *g)
{
    mav2_key_opts o;
    EVP_PKEY *pkey = NULL;
    mav2_signer *s;
    mav2_key_opts_init(&o);
    o.flags = MAV2_KEY_PRIVATE;
    o.pin_file = c->pin_source;
    if (!mav2_key_load(c->key_uri, &o, &pkey))
        return NULL;
    mav2_guard_init(g);
    g->policy = c->policy;
    g->state_dir = c->state_dir;
    g->ledger = c->ledger;
    s = mav2_guard_set_key(g, pkey) ? mav2_signer_new(pkey) : NULL;
    EVP_PKEY_free(pkey);
    return s;
}

static void reload(const char *path, const char *profile, mavd_http *http, mavd_lanes *lanes)
{
    mavd_conf n;
    notify("RELOADING=1");
    if (!mavd_conf_load(path, profile, &n)) {
        fprintf(stderr, "mav2d: reload: %s (keeping the running settings)\n", mav2_last_error());
    } else {
        mavd_http_set_token(http, n.token, n.token_len);
        mavd_lanes_set_poll(lanes, n.poll_ms);
        fprintf(stderr, "mav2d: reloaded %s (bearer token, poll-interval)\n", path);
        mavd_conf_free(&n);
    }
    notify("READY=1");
}

static void ready_line(const mavd_conf *c, uint64_t chain)
{
    char acc[MAV2_ADDRESS_STR_MAX];
    mav2_address_format(c->account, acc);
    printf("mav2d: ready: account %s, chain %llu, %u lane%s, listening on%s%s%s%s\n", acc,
           (unsigned long long)chain, c->lanes, c->lanes == 1 ? "" : "s",
           c->listen != NULL ? " unix:" : "", c->listen != NULL ? c->listen : "",
           c->tcp != NULL ? " tcp:" : "", c->tcp != NULL ? c->tcp : "");
    fflush(stdout);
    notify("READY=1");
}

/* Opens the state once to check it. */
static int check_state(const mavd_conf *c)
{
    mav2_state *st = NULL;
    int ok = mavd_backend_open(c, &st);
    mav2_state_close(st);
    return ok;
}

/* Serves until SIGTERM / SIGINT. */
static int serve(const char *path, const char *profile, mavd_conf *c, mav2_signer *s,
                 const mav2_guard *g, uint64_t chain, const sigset_t *sigs)
{
    mavd_api api = {c, NULL, chain};
    mavd_http *http = NULL;
    mav2_state *records = NULL; /* PostgreSQL: the call records every mav2d answers from */
    int sig = 0;
    if (c->state_url != NULL && !mavd_backend_open(c, &records))
        return 0;
    mavd_store_share(records);
    if (!mavd_lanes_start(c, s, g, chain, &api.lanes) || !mavd_http_start(c, &api, &http)) {
        mavd_lanes_stop(api.lanes);
        mavd_lanes_free(api.lanes);
        mavd_store_share(NULL);
        mav2_state_close(records);
        return 0;
    }
    ready_line(c, chain);
    while (sigwait(sigs, &sig) == 0 && sig == SIGHUP)
        reload(path, profile, http, api.lanes);
    notify("STOPPING=1");
    fprintf(stderr, "mav2d: stopping (signal %d)\n", sig);
    mavd_http_quiesce(http);
    mavd_lanes_stop(api.lanes);
    mavd_http_stop(http);
    mavd_lanes_free(api.lanes);
    mavd_store_share(NULL);
    mav2_state_close(records);
    return 1;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'}, {"profile", required_argument, NULL, 'p'},
        {"check", no_argument, NULL, 'k'},        {"init-db", no_argument, NULL, 'i'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    const char *path = "/etc/mav2/mav2d.conf", *profile = NULL;
    int o, check = 0, init_db = 0, rc = 0;
    uint64_t chain = 0;
    mavd_conf c;
    mav2_signer *s;
    mav2_guard g;
    sigset_t sigs;
    while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (o == 'h')
            return fputs(help, stdout) == EOF;
        if (o == '?')
            return 2;
        if (o == 'c')
            path = optarg;
        else if (o == 'p')
            profile = optarg;
        else if (o == 'i')
            init_db = 1;
        else
            check = 1;
    }
    if (optind < argc) {
        fprintf(stderr, "mav2d: unexpected argument %s\n", argv[optind]);
        return 2;
    }
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGHUP);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL); /* before any thread: sigwait gets them */
    signal(SIGPIPE, SIG_IGN);
    if (!mavd_conf_load(path, profile, &c) || !mavd_store_init(c.state_dir)) {
        fprintf(stderr, "mav2d: %s\n", mav2_last_error());
        return 2;
    }
    if (init_db || !check_state(&c)) {
        rc = init_db && mavd_backend_init_db(&c) ? 0 : 2;
        if (rc != 0)
            fprintf(stderr, "mav2d: %s\n", mav2_last_error());
        mavd_conf_free(&c);
        return rc;
    }
    if ((s = open_signer(&c, &g)) == NULL) {
        fprintf(stderr, "mav2d: key: %s\n", mav2_last_error());
        mavd_conf_free(&c);
        return 3;
    }
    if (!node_chain(&c, &chain))
        rc = 4;
    else if (!check && !serve(path, profile, &c, s, &g, chain, &sigs))
        rc = 2;
    if (rc != 0)
        fprintf(stderr, "mav2d: %s\n", mav2_last_error());
    else if (check)
        printf("mav2d: %s: ok\n", path);
    mav2_signer_free(s);
    mavd_conf_free(&c);
    return rc;
}
