/* cmd_send.c: online user ops: send, receipt, and what the online commands share
 * (online.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "common/hex.h"
#include "mav2/account.h"
#include "mav2/address.h"
#include "mav2/cli/online.h"
#include "mav2/cli/replace.h"
#include "mav2/error.h"
#include "mav2/journal.h"
#include "mav2/signer.h"
#include "mav2/u256.h"

#define MAX_CALLS 256

#define NET_HELP                                                                                   \
    "    --rpc-url URL        the node (JSON-RPC); also the bundler unless --bundler-url\n"        \
    "    --bundler-url URL    the ERC-4337 bundler (eth_sendUserOperation, ...)\n"                 \
    "    --timeout SECONDS    wait at most this long for the receipt (default 120;\n"              \
    "                         0: look once). The op stays journaled: run again to resume\n"        \
    "    --poll MS            first receipt poll after MS ms (default 2000; each next\n"           \
    "                         wait x1.5, at most 15 s)\n"                                          \
    "    --json               one JSON object at the end instead of lines\n"

#define OUTPUT_HELP                                                                                \
    "OUTPUT\n"                                                                                     \
    "    The userOpHash first, on its own line, as soon as the bundler accepted the op\n"          \
    "    (stdout is flushed), then once included:\n"                                               \
    "        transactionHash 0x...\n"                                                              \
    "        blockNumber N\n"                                                                      \
    "        success true\n"                                                                       \
    "        actualGasCost WEI (ETH)\n"                                                            \
    "    Progress goes to stderr. --json: {\"userOpHash\", \"transactionHash\",\n"                 \
    "    \"blockNumber\", \"success\", \"actualGasCost\", \"actualGasUsed\", \"nonce\",\n"         \
    "    \"resumed\", \"httpRequests\"}.\n"                                                        \
    "\n"                                                                                           \
    "EXIT STATUS\n"                                                                                \
    "    0 included and succeeded, 1 usage or bad input, 2 key or token error,\n"                  \
    "    3 rejected by the bundler or node (AAxx reasons as sentences) or included\n"              \
    "    but reverted, 4 timed out (still pending: run the same command again),\n"                 \
    "    5 network error, 6 internal error\n"

const char mav2_help_send[] =
    "NAME\n"
    "    mav2 send - send a user operation signed by a session key, through a bundler\n"
    "\n"
    "SYNOPSIS\n"
    "    mav2 send --rpc-url URL [--bundler-url URL] --account ADDR --key URI|FILE\n"
    "              --entity-id N [--global] [--nonce-key K] --call TO,VALUE[,DATA] ...\n"
    "              [--exec-hooks] [--factory-owner ADDR [--salt S] |\n"
    "              --factory ADDR --factory-data HEX] [--chain-id N] [--pin-source FILE]\n"
    "              [--timeout SECONDS] [--poll MS] [--new] [--json] [--unsigned-out FILE]\n"
    "\n"
    "DESCRIPTION\n"
    "    Builds the op for the account (execute for one --call, executeBatch for\n"
    "    several; one value-0 --call to the account itself is its call data as is),\n"
    "    takes the nonce from EntryPoint.getNonce on the validation's nonce\n"
    "    key, the fees from the node, the gas limits from the bundler, signs the\n"
    "    userOpHash with the key (EIP-191, 0xFF 0x00 r s v), sends it and waits for\n"
    "    the receipt. The account address is required: the key is a session key of\n"
    "    that account, not its owner.\n"
    "\n"
    "    The signed op is journaled ($MAV2_STATE_DIR, else $XDG_STATE_HOME/mav2, else\n"
    "    ~/.local/state/mav2) before it is sent. Running mav2 send again for the same\n"
    "    account and nonce key while it is pending (after a timeout or a crash)\n"
    "    resumes waiting for that op instead of signing a second one (said on\n"
    "    stderr); --new signs a new op anyway.\n"
    "\n"
    "OPTIONS\n" NET_HELP "    --account ADDR       the modular account sending the op\n"
    "    --key URI|FILE       the session key: pkcs11: URI, file: URI or PEM path\n"
    "    --pin-source FILE    PIN (first line) when the URI has no pin-source\n"
    "    --entity-id N        the session key's validation entity id\n"
    "    --global             it was installed as a global validation (nonce option 1)\n"
    "    --nonce-key K        the 152-bit user nonce lane (default 0)\n"
    "    --call TO,VALUE[,DATA]  a call; VALUE in wei or with a unit (1ether, 5gwei)\n"
    "    --exec-hooks         the validation has execution hooks (permission modules):\n"
    "                         put executeUserOp in front of the call data\n"
    "    --factory-owner ADDR deploy the account if it has no code: the semi-modular\n"
    "                         account of this owner (checked to be --account)\n"
    "    --salt S             its salt (default 0)\n"
    "    --factory ADDR, --factory-data HEX  any other factory\n"
    "    --chain-id N         refuse a node on another chain\n"
    "    --new                sign a new op even if one is pending in the journal\n"
    "    --unsigned-out FILE  stop before signing (no --key needed): write the op with\n"
    "                         the stub signature (JSON-RPC form) to FILE, chain id,\n"
    "                         entry point and userOpHash to stderr; nothing is sent or\n"
    "                         journaled. Sign with mav2 sign, send with mav2 submit\n"
    "" MAV2_CLI_SPONSOR_HELP "    --help               this text\n"
    "\n" OUTPUT_HELP "\n"
    "EXAMPLES\n"
    "    mav2 send --rpc-url $RPC --account 0xAcc... --entity-id 1 --global \\\n"
    "      --key 'pkcs11:token=t;object=sk1?pin-source=file:pin' \\\n"
    "      --call 0xd8dA6BF26964aF9D7eEd9e03E53415D37aA96045,0.01ether\n";

const char mav2_help_receipt[] =
    "NAME\n"
    "    mav2 receipt - wait for the receipt of a user operation\n"
    "\n"
    "SYNOPSIS\n"
    "    mav2 receipt HASH --rpc-url URL [--bundler-url URL] [--timeout S] [--json]\n"
    "    mav2 receipt --account ADDR --entity-id N [--global] [--nonce-key K]\n"
    "                 --rpc-url URL [--bundler-url URL] [--timeout S] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    Polls eth_getUserOperationReceipt for HASH. Without HASH, the op pending in\n"
    "    the send journal for that account and nonce key is awaited (what mav2 send\n"
    "    would resume), and its journal entry dropped once it is included.\n"
    "\n"
    "OPTIONS\n" NET_HELP
    "    --account, --entity-id, --global, --nonce-key  select the journaled op\n"
    "    --help               this text\n"
    "\n" OUTPUT_HELP;

/* ---- shared: network options, calls, exit codes ----------------------------------- */

void mav2_cli_net_init(mav2_cli_net *n)
{
    memset(n, 0, sizeof(*n));
    n->timeout_s = 120;
    n->poll_ms = -1;
}

int mav2_cli_u32(const mav2_cli_cmd *cmd, const char *name, const char *s, uint32_t *out)
{
    mav2_u256 v;
    uint64_t x;

    if (!mav2_u256_parse(&v, s))
        return mav2_cli_fail_lib(cmd, MAV2_EXIT_USAGE, name), 0;
    if (!mav2_u256_to_u64(&v, &x) || x > UINT32_MAX)
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "%s: %s does not fit 32 bits", name, s), 0;
    *out = (uint32_t)x;
    return 1;
}

static int parse_long(const mav2_cli_cmd *cmd, const char *name, const char *s, long max, long *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || v < 0 || v > max)
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "%s: \"%s\" is not a number 0 .. %ld", name, s,
                             max),
               0;
    *out = v;
    return 1;
}

/* The network options: returns 1 if c was one (2 if it was bad). */
#define NET_OPTS                                                                                   \
    {"rpc-url", required_argument, NULL, 'R'}, {"bundler-url", required_argument, NULL, 'B'},      \
        {"timeout", required_argument, NULL, 'T'}, {"poll", required_argument, NULL, 'P'},         \
    {                                                                                              \
        "json", no_argument, NULL, 'j'                                                             \
    }

static int net_opt(const mav2_cli_cmd *cmd, mav2_cli_net *n, int c, const char *arg)
{
    switch (c) {
    case 'R':
        n->rpc_url = arg;
        return 1;
    case 'B':
        n->bundler_url = arg;
        return 1;
    case 'T':
        return parse_long(cmd, "--timeout", arg, 86400, &n->timeout_s) ? 1 : 2;
    case 'P':
        return parse_long(cmd, "--poll", arg, 600000, &n->poll_ms) ? 1 : 2;
    case 'j':
        n->json = 1;
        return 1;
    default:
        return 0;
    }
}

int mav2_cli_net_open(const mav2_cli_cmd *cmd, const mav2_cli_net *n, mav2_rpc **node,
                      mav2_rpc **bundler)
{
    *node = *bundler = NULL;
    if (n->rpc_url == NULL)
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "--rpc-url is required"), 0;
    *node = mav2_rpc_new(n->rpc_url, NULL);
    if (*node == NULL)
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "--rpc-url: not an http(s) URL"), 0;
    if (n->bundler_url == NULL || strcmp(n->bundler_url, n->rpc_url) == 0) {
        *bundler = *node;
        return 1;
    }
    *bundler = mav2_rpc_new(n->bundler_url, NULL);
    if (*bundler == NULL) {
        mav2_rpc_free(*node);
        *node = NULL;
        return mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "--bundler-url: not an http(s) URL"), 0;
    }
    return 1;
}

void mav2_cli_net_close(mav2_rpc *node, mav2_rpc *bundler)
{
    if (bundler != node)
        mav2_rpc_free(bundler);
    mav2_rpc_free(node);
}

int mav2_cli_rpc_exit(const mav2_rpc_error *e)
{
    return e->status == MAV2_RPC_E_RPC ? MAV2_EXIT_REJECTED : MAV2_EXIT_NETWORK;
}

static json_object *hex_string(const uint8_t *b, size_t n)
{
    size_t sz = mh_hex_encoded_size(n, 1);
    char *s = malloc(sz);
    json_object *o;

    if (s == NULL)
        return NULL;
    mh_hex_encode(b, n, s, sz, 1);
    o = json_object_new_string(s);
    free(s);
    return o;
}

int mav2_cli_eth_call(const mav2_cli_cmd *cmd, mav2_rpc *node, const uint8_t to[20],
                      const uint8_t *data, size_t len, mav2_buf *out)
{
    json_object *params = json_object_new_array(), *call = json_object_new_object(), *res = NULL;
    char addr[MAV2_ADDRESS_STR_MAX];
    const char *why = NULL;
    uint8_t *bytes = NULL;
    size_t n = 0;
    int ok;

    mav2_address_format(to, addr);
    json_object_object_add(call, "to", json_object_new_string(addr));
    json_object_object_add(call, "data", hex_string(data, len));
    json_object_array_add(params, call);
    json_object_array_add(params, json_object_new_string("latest"));
    ok = mav2_rpc_call(node, "eth_call", params, &res);
    json_object_put(params);
    if (!ok)
        return mav2_cli_fail(cmd, mav2_cli_rpc_exit(mav2_rpc_last_error(node)),
                             "eth_call to %s: %s", addr, mav2_rpc_last_error(node)->message);
    if (!json_object_is_type(res, json_type_string) ||
        !mh_hex_decode_alloc(json_object_get_string(res), &bytes, &n, &why)) {
        json_object_put(res);
        return mav2_cli_fail(cmd, MAV2_EXIT_NETWORK, "eth_call to %s: the answer is not hex", addr);
    }
    json_object_put(res);
    ok = mav2_buf_set(out, bytes, n);
    free(bytes);
    return ok ? MAV2_EXIT_OK : mav2_cli_fail(cmd, MAV2_EXIT_INTERNAL, "out of memory");
}

int mav2_cli_has_code(const mav2_cli_cmd *cmd, mav2_rpc *node, const uint8_t account[20],
                      int *deployed)
{
    json_object *params = json_object_new_array(), *res = NULL;
    char addr[MAV2_ADDRESS_STR_MAX];
    int ok;

    mav2_address_format(account, addr);
    json_object_array_add(params, json_object_new_string(addr));
    json_object_array_add(params, json_object_new_string("latest"));
    ok = mav2_rpc_call(node, "eth_getCode", params, &res);
    json_object_put(params);
    if (!ok)
        return mav2_cli_fail(cmd, mav2_cli_rpc_exit(mav2_rpc_last_error(node)), "eth_getCode: %s",
                             mav2_rpc_last_error(node)->message);
    if (!json_object_is_type(res, json_type_string)) {
        json_object_put(res);
        return mav2_cli_fail(cmd, MAV2_EXIT_NETWORK, "eth_getCode: the answer is not hex");
    }
    *deployed = strlen(json_object_get_string(res)) > 2;
    json_object_put(res);
    return MAV2_EXIT_OK;
}

/* "TO,VALUE[,DATA]" (VALUE may be empty = 0); data malloc'ed into *data. */
static int parse_call(const mav2_cli_cmd *cmd, const char *spec, size_t idx, mav2_call *c,
                      uint8_t **data)
{
    char *copy = strdup(spec), *value, *hex = NULL;
    const char *why = NULL;
    size_t len = 0;
    int ok = 0;

    *data = NULL;
    memset(c, 0, sizeof(*c));
    if (copy == NULL)
        return mav2_cli_fail(cmd, MAV2_EXIT_INTERNAL, "out of memory"), 0;
    value = strchr(copy, ',');
    if (value != NULL) {
        *value++ = '\0';
        hex = strchr(value, ',');
        if (hex != NULL)
            *hex++ = '\0';
    }
    if (!mav2_address_parse(copy, c->target))
        mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "--call #%zu: to: %s", idx, mav2_last_error());
    else if (value != NULL && *value != '\0' && !mav2_u256_parse_amount(&c->value, value))
        mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "--call #%zu: value: %s", idx, mav2_last_error());
    else if (hex != NULL && *hex != '\0' && strncmp(hex, "0x", 2) != 0)
        mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "--call #%zu: data: must start with 0x", idx);
    else if (hex != NULL && *hex != '\0' && !mh_hex_decode_alloc(hex, data, &len, &why))
        mav2_cli_fail(cmd, MAV2_EXIT_USAGE, "--call #%zu: data: %s", idx, why);
    else
        ok = 1;
    free(copy);
    c->data = *data;
    c->data_len = len;
    return ok;
}

/* ---- sending ------------------------------------------------------------------------ */

typedef struct {
    const mav2_cli_cmd *cmd;
    const mav2_cli_net *net;
    mav2_signer *signer;
    int sign_failed;
    int hash_printed;
    int waiting_shown;
    int tty;
} send_ui;

static int sign_cb(void *ctx, const uint8_t hash[32], mav2_buf *sig)
{
    send_ui *ui = ctx;
    uint8_t s[MAV2_USEROP_SIG_LEN];

    if (!mav2_signer_sign_userop(ui->signer, hash, s)) {
        ui->sign_failed = 1;
        return 0;
    }
    return mav2_buf_set(sig, s, sizeof(s));
}

static void print_hash_line(send_ui *ui, const char *hex)
{
    if (ui->hash_printed || ui->net->json)
        return;
    ui->hash_printed = 1;
    printf("%s\n", hex);
    fflush(stdout);
}

static void progress_cb(void *ctx, mav2_send_stage st, const char *detail)
{
    send_ui *ui = ctx;
    const char *name = ui->cmd->name;

    switch (st) {
    case MAV2_STAGE_SENT:
        if (detail != NULL && strncmp(detail, "0x", 2) == 0)
            print_hash_line(ui, detail);
        fprintf(stderr, "mav2 %s: user op %s accepted by the bundler\n", name,
                detail != NULL ? detail : "");
        break;
    case MAV2_STAGE_RESUMED:
        print_hash_line(ui, detail);
        fprintf(stderr,
                "mav2 %s: resuming the user op %s journaled by an earlier run (not signing a new "
                "one; --new to force)\n",
                name, detail);
        break;
    case MAV2_STAGE_WAITING:
        if (ui->tty) {
            fprintf(stderr, "\rmav2 %s: waiting for inclusion (%s, timeout %ld s)...", name, detail,
                    ui->net->timeout_s);
            ui->waiting_shown = 1;
        } else if (!ui->waiting_shown) {
            fprintf(stderr, "mav2 %s: waiting for inclusion (timeout %ld s)...\n", name,
                    ui->net->timeout_s);
            ui->waiting_shown = 1;
        }
        break;
    case MAV2_STAGE_INCLUDED:
        if (ui->tty && ui->waiting_shown)
            fputc('\n', stderr);
        break;
    default:
        break;
    }
}

static const char *member_str(json_object *o, const char *k)
{
    json_object *v = NULL;
    if (o == NULL || !json_object_object_get_ex(o, k, &v) ||
        !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

/* Decimal of a 0x quantity member ("?" if absent or bad). */
static void member_dec(json_object *o, const char *k, char out[MAV2_U256_DEC_MAX])
{
    const char *s = member_str(o, k);
    mav2_u256 v;

    if (s == NULL || !mav2_u256_from_hex(&v, s)) {
        snprintf(out, MAV2_U256_DEC_MAX, "?");
        return;
    }
    mav2_u256_to_dec(&v, out);
}

/* Prints the receipt part of r (and the hash line if not yet printed). */
static int print_result(const mav2_cli_cmd *cmd, send_ui *ui, const mav2_send_result *r)
{
    json_object *rc = NULL, *inner = NULL, *succ = NULL;
    char hash[67], block[MAV2_U256_DEC_MAX], cost[MAV2_U256_DEC_MAX], used[MAV2_U256_DEC_MAX];
    char eth[MAV2_U256_DEC_MAX + 2], nonce[MAV2_U256_HEX_MAX];
    const char *tx = r->tx_hash[0] ? r->tx_hash : "?";
    int success;
    mav2_u256 c;

    mh_hex_encode(r->user_op_hash, 32, hash, sizeof(hash), 1);
    rc = r->receipt;
    if (rc != NULL)
        json_object_object_get_ex(rc, "receipt", &inner);
    success = rc != NULL && json_object_object_get_ex(rc, "success", &succ) &&
              json_object_get_boolean(succ);
    member_dec(inner, "blockNumber", block);
    member_dec(rc, "actualGasCost", cost);
    member_dec(rc, "actualGasUsed", used);
    snprintf(eth, sizeof(eth), "?");
    if (mav2_u256_from_dec(&c, cost))
        mav2_u256_format_units(&c, 18, eth);
    mav2_u256_to_hex(&r->nonce, nonce);
    if (ui->net->json) {
        json_object *o = json_object_new_object();
        int ret;
        json_object_object_add(o, "userOpHash", json_object_new_string(hash));
        json_object_object_add(o, "transactionHash", json_object_new_string(tx));
        json_object_object_add(o, "blockNumber", json_object_new_string(block));
        json_object_object_add(o, "success", json_object_new_boolean(success));
        json_object_object_add(o, "actualGasCost", json_object_new_string(cost));
        json_object_object_add(o, "actualGasUsed", json_object_new_string(used));
        json_object_object_add(o, "nonce", json_object_new_string(nonce));
        json_object_object_add(o, "resumed", json_object_new_boolean(r->resumed));
        json_object_object_add(o, "httpRequests", json_object_new_int64((int64_t)r->http_requests));
        ret = mav2_cli_print(cmd, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
        json_object_put(o);
        return ret;
    }
    print_hash_line(ui, hash);
    if (printf("transactionHash %s\nblockNumber %s\nsuccess %s\nactualGasCost %s (%s ETH)\n", tx,
               block, success ? "true" : "false", cost, eth) < 0 ||
        fflush(stdout) == EOF)
        return mav2_cli_fail(cmd, MAV2_EXIT_INTERNAL, "cannot write the output");
    return MAV2_EXIT_OK;
}

static int outcome_exit(const send_ui *ui, mav2_send_outcome o)
{
    switch (o) {
    case MAV2_SEND_INCLUDED:
    case MAV2_SEND_SUBMITTED:
        return MAV2_EXIT_OK;
    case MAV2_SEND_REVERTED:
    case MAV2_SEND_REJECTED:
        return MAV2_EXIT_REJECTED;
    case MAV2_SEND_TIMEOUT:
        return MAV2_EXIT_TIMEOUT;
    case MAV2_SEND_NETWORK:
        return MAV2_EXIT_NETWORK;
    default:
        return ui->sign_failed ? MAV2_EXIT_KEY : MAV2_EXIT_USAGE;
    }
}

static void set_waiting(const mav2_cli_net *n, mav2_send_params *p)
{
    p->wait_timeout_ms = n->timeout_s * 1000;
    if (n->poll_ms >= 0) {
        p->poll_initial_ms = n->poll_ms > 0 ? n->poll_ms : 1;
        if (p->poll_max_ms < p->poll_initial_ms)
            p->poll_max_ms = p->poll_initial_ms;
    }
}

int mav2_cli_send_op(const mav2_cli_cmd *cmd, const mav2_cli_net *n, mav2_rpc *node,
                     mav2_rpc *bundler, mav2_send_params *p, EVP_PKEY *key)
{
    send_ui ui = {cmd, n, NULL, 0, 0, 0, isatty(STDERR_FILENO)};
    mav2_send_result r;
    int rc, ok;

    ui.signer = mav2_signer_new(key);
    if (ui.signer == NULL)
        return mav2_cli_fail_lib(cmd, MAV2_EXIT_KEY, "--key");
    p->sign = sign_cb;
    p->sign_ctx = &ui;
    p->progress = progress_cb;
    p->progress_ctx = &ui;
    p->force_new = n->force_new;
    set_waiting(n, p);
    ok = mav2_send(node, bundler, p, &r);
    if (ok && r.outcome == MAV2_SEND_INCLUDED)
        rc = print_result(cmd, &ui, &r);
    else if (ok)
        rc = MAV2_EXIT_OK;
    else {
        if (r.outcome == MAV2_SEND_REVERTED)
            print_result(cmd, &ui, &r);
        rc = outcome_exit(&ui, r.outcome);
        if (rc == MAV2_EXIT_TIMEOUT && strstr(mav2_last_error(), "run again") == NULL)
            mav2_cli_fail(cmd, rc,
                          "%s: still pending and journaled: run the same command again "
                          "to resume waiting",
                          mav2_last_error());
        else
            mav2_cli_fail_lib(cmd, rc, NULL);
    }
    mav2_send_result_clear(&r);
    mav2_signer_free(ui.signer);
    return rc;
}

/* ---- mav2 send ------------------------------------------------------------------------ */

int mav2_cmd_send(const mav2_cli_cmd *self, int argc, char **argv)
{
    static const struct option opts[] = {NET_OPTS,
                                         {"account", required_argument, NULL, 'a'},
                                         {"key", required_argument, NULL, 'k'},
                                         {"pin-source", required_argument, NULL, 'p'},
                                         {"entity-id", required_argument, NULL, 'e'},
                                         {"global", no_argument, NULL, 'g'},
                                         {"nonce-key", required_argument, NULL, 'n'},
                                         {"call", required_argument, NULL, 'c'},
                                         {"exec-hooks", no_argument, NULL, 'x'},
                                         {"factory-owner", required_argument, NULL, 'o'},
                                         {"salt", required_argument, NULL, 's'},
                                         {"factory", required_argument, NULL, 'f'},
                                         {"factory-data", required_argument, NULL, 'd'},
                                         {"chain-id", required_argument, NULL, 'i'},
                                         {"new", no_argument, NULL, 'N'},
                                         {"unsigned-out", required_argument, NULL, 'U'},
                                         MAV2_CLI_SPONSOR_OPTS,
                                         {NULL, 0, NULL, 0}};
    const char *specs[MAX_CALLS], *arg, *account_s = NULL, *key_s = NULL, *pin = NULL;
    const char *entity_s = NULL, *lane_s = NULL, *owner_s = NULL, *salt_s = NULL;
    const char *factory_s = NULL, *fdata_s = NULL, *chain_s = NULL, *unsigned_s = NULL;
    mav2_call calls[MAX_CALLS];
    uint8_t *datas[MAX_CALLS], factory[20], owner[20], predicted[20], *fdata = NULL;
    size_t n_calls = 0, parsed = 0, fdata_len = 0;
    int c, global = 0, exec_hooks = 0, rc = MAV2_EXIT_USAGE, h;
    mav2_cli_net net;
    mav2_cli_parser ps;
    mav2_send_params p;
    mav2_buf cd = MAV2_BUF_INIT, fd = MAV2_BUF_INIT;
    mav2_rpc *node = NULL, *bundler = NULL;
    EVP_PKEY *key = NULL;
    mav2_u256 salt;

    mav2_cli_net_init(&net);
    mav2_send_params_init(&p);
    mav2_cli_parser_init(&ps, self, opts, argc, argv);
    while ((c = mav2_cli_next(&ps, &arg)) != -1) {
        if ((h = net_opt(self, &net, c, arg)) != 0 ||
            (h = mav2_cli_sponsor_opt(self, &p, c, arg))) {
            if (h == 2)
                return MAV2_EXIT_USAGE;
            continue;
        }
        switch (c) {
        case 'a':
            account_s = arg;
            break;
        case 'k':
            key_s = arg;
            break;
        case 'p':
            pin = arg;
            break;
        case 'e':
            entity_s = arg;
            break;
        case 'g':
            global = 1;
            break;
        case 'n':
            lane_s = arg;
            break;
        case 'c':
            if (n_calls == MAX_CALLS)
                return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--call: at most %d calls", MAX_CALLS);
            specs[n_calls++] = arg;
            break;
        case 'x':
            exec_hooks = 1;
            break;
        case 'o':
            owner_s = arg;
            break;
        case 's':
            salt_s = arg;
            break;
        case 'f':
            factory_s = arg;
            break;
        case 'd':
            fdata_s = arg;
            break;
        case 'i':
            chain_s = arg;
            break;
        case 'N':
            net.force_new = 1;
            break;
        case 'U':
            unsigned_s = arg;
            break;
        case 'h':
            return MAV2_EXIT_OK;
        default:
            return MAV2_EXIT_USAGE;
        }
    }
    if (account_s == NULL || (key_s == NULL && unsigned_s == NULL) || entity_s == NULL ||
        n_calls == 0 || net.rpc_url == NULL)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE,
                             "--rpc-url, --account, --key, --entity-id and --call are required");
    if (!mav2_cli_address(self, "--account", account_s, p.account) ||
        !mav2_cli_u32(self, "--entity-id", entity_s, &p.entity_id))
        return MAV2_EXIT_USAGE;
    p.nonce_options = global ? MAV2_NONCE_GLOBAL : 0;
    if (lane_s != NULL && !mav2_u256_parse(&p.lane, lane_s))
        return mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, "--nonce-key");
    if (chain_s != NULL && !mav2_cli_chain_id(self, chain_s, &p.chain_id))
        return MAV2_EXIT_USAGE;
    if (owner_s != NULL && (factory_s != NULL || fdata_s != NULL))
        return mav2_cli_fail(self, MAV2_EXIT_USAGE,
                             "--factory-owner and --factory/--factory-data exclude each other");
    if ((factory_s == NULL) != (fdata_s == NULL))
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--factory and --factory-data go together");
    if (salt_s != NULL && owner_s == NULL)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--salt needs --factory-owner");
    mav2_u256_from_u64(&salt, 0);
    if (owner_s != NULL) {
        if (!mav2_cli_address(self, "--factory-owner", owner_s, owner))
            return MAV2_EXIT_USAGE;
        if (salt_s != NULL && !mav2_u256_parse(&salt, salt_s))
            return mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, "--salt");
        if (!mav2_sma_address(NULL, NULL, owner, &salt, predicted) ||
            !mav2_factory_data_sma(owner, &salt, &fd))
            return mav2_cli_fail_lib(self, MAV2_EXIT_INTERNAL, "factory data");
        if (memcmp(predicted, p.account, 20) != 0) {
            char a[MAV2_ADDRESS_STR_MAX];
            mav2_address_format(predicted, a);
            mav2_buf_free(&fd);
            return mav2_cli_fail(self, MAV2_EXIT_USAGE,
                                 "--account is not the account of --factory-owner with this salt "
                                 "(that is %s)",
                                 a);
        }
        p.factory = mav2_addr_factory;
        p.factory_data = fd.data;
        p.factory_data_len = fd.len;
    } else if (factory_s != NULL) {
        const char *why = NULL;
        if (!mav2_cli_address(self, "--factory", factory_s, factory))
            return MAV2_EXIT_USAGE;
        if (!mh_hex_decode_alloc(fdata_s, &fdata, &fdata_len, &why))
            return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--factory-data: %s", why);
        p.factory = factory;
        p.factory_data = fdata;
        p.factory_data_len = fdata_len;
    }
    for (; parsed < n_calls; parsed++)
        if (!parse_call(self, specs[parsed], parsed + 1, &calls[parsed], &datas[parsed])) {
            parsed++;
            goto out;
        }
    /* a single value-0 call to the account itself goes unwrapped (execute would
     * call the account again: SelfCallRecursionDepthExceeded) */
    if (!mav2_calldata_for_calls(p.account, calls, n_calls, exec_hooks, &cd)) {
        rc = mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, "--call");
        goto out;
    }
    p.call_data = cd.data;
    p.call_data_len = cd.len;
    if (unsigned_s != NULL) { /* no key: it signs offline (mav2 sign) */
        if (mav2_cli_net_open(self, &net, &node, &bundler))
            rc = mav2_cli_send_unsigned(self, &net, node, bundler, &p, unsigned_s);
        goto out;
    }
    if ((key = mav2_cli_load_key(self, key_s, pin, 1)) == NULL) {
        rc = MAV2_EXIT_KEY;
        goto out;
    }
    if (!mav2_cli_net_open(self, &net, &node, &bundler))
        goto out;
    rc = mav2_cli_send_op(self, &net, node, bundler, &p, key);
out:
    for (size_t i = 0; i < parsed; i++)
        free(datas[i]);
    mav2_cli_net_close(node, bundler);
    EVP_PKEY_free(key);
    mav2_buf_free(&cd);
    mav2_buf_free(&fd);
    free(fdata);
    return rc;
}

/* ---- mav2 receipt --------------------------------------------------------------------- */

/* eth_chainId of the node. */
static int node_chain(const mav2_cli_cmd *cmd, mav2_rpc *node, uint64_t *chain)
{
    json_object *res = NULL;
    mav2_u256 v;

    if (!mav2_rpc_call(node, "eth_chainId", NULL, &res))
        return mav2_cli_fail(cmd, mav2_cli_rpc_exit(mav2_rpc_last_error(node)), "eth_chainId: %s",
                             mav2_rpc_last_error(node)->message);
    if (!json_object_is_type(res, json_type_string) ||
        !mav2_u256_from_hex(&v, json_object_get_string(res)) || !mav2_u256_to_u64(&v, chain)) {
        json_object_put(res);
        return mav2_cli_fail(cmd, MAV2_EXIT_NETWORK, "eth_chainId: not a chain id");
    }
    json_object_put(res);
    return MAV2_EXIT_OK;
}

int mav2_cmd_receipt(const mav2_cli_cmd *self, int argc, char **argv)
{
    static const struct option opts[] = {NET_OPTS,
                                         {"hash", required_argument, NULL, 'H'},
                                         {"account", required_argument, NULL, 'a'},
                                         {"entity-id", required_argument, NULL, 'e'},
                                         {"global", no_argument, NULL, 'g'},
                                         {"nonce-key", required_argument, NULL, 'n'},
                                         {NULL, 0, NULL, 0}};
    const char *arg, *hash_s = NULL, *account_s = NULL, *entity_s = NULL, *lane_s = NULL;
    uint8_t hash[32], account[20];
    uint32_t entity = 0;
    int c, h, global = 0, rc = MAV2_EXIT_USAGE, found = 0, from_journal = 0;
    mav2_cli_net net;
    mav2_cli_parser ps;
    mav2_send_params p;
    mav2_send_result r;
    mav2_rpc *node = NULL, *bundler = NULL;
    mav2_u256 lane, key;
    uint64_t chain = 0;
    char dir[4096];
    send_ui ui = {self, NULL, NULL, 0, 0, 0, isatty(STDERR_FILENO)};

    /* `mav2 receipt HASH ...`: the hash may come first, as a positional */
    if (argc > 1 && argv[1][0] != '-') {
        hash_s = argv[1];
        argc--;
        argv++;
    }
    mav2_cli_net_init(&net);
    ui.net = &net;
    mav2_u256_from_u64(&lane, 0);
    mav2_cli_parser_init(&ps, self, opts, argc, argv);
    while ((c = mav2_cli_next(&ps, &arg)) != -1) {
        if ((h = net_opt(self, &net, c, arg)) != 0) {
            if (h == 2)
                return MAV2_EXIT_USAGE;
            continue;
        }
        switch (c) {
        case 'H':
            hash_s = arg;
            break;
        case 'a':
            account_s = arg;
            break;
        case 'e':
            entity_s = arg;
            break;
        case 'g':
            global = 1;
            break;
        case 'n':
            lane_s = arg;
            break;
        case 'h':
            return MAV2_EXIT_OK;
        default:
            return MAV2_EXIT_USAGE;
        }
    }
    if (hash_s == NULL && account_s == NULL)
        return mav2_cli_fail(
            self, MAV2_EXIT_USAGE,
            "give the userOpHash, or --account and --entity-id for the journaled op");
    if (hash_s != NULL && !mh_hex_decode_exact(hash_s, hash, 32, NULL))
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "the userOpHash must be 32 bytes of 0x-hex");
    if (hash_s == NULL) {
        if (entity_s == NULL)
            return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--account needs --entity-id");
        if (!mav2_cli_address(self, "--account", account_s, account) ||
            !mav2_cli_u32(self, "--entity-id", entity_s, &entity))
            return MAV2_EXIT_USAGE;
        if (lane_s != NULL && !mav2_u256_parse(&lane, lane_s))
            return mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, "--nonce-key");
        if (!mav2_nonce_key(&key, &lane, entity, global ? MAV2_NONCE_GLOBAL : 0))
            return mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, "--nonce-key");
        from_journal = 1;
    }
    if (!mav2_cli_net_open(self, &net, &node, &bundler))
        return MAV2_EXIT_USAGE;
    if (from_journal) {
        mav2_journal_entry e;
        if ((rc = node_chain(self, node, &chain)) != MAV2_EXIT_OK)
            goto out;
        if (!mav2_journal_default_dir(dir, sizeof(dir)) ||
            !mav2_journal_get(dir, chain, account, &key, &e, &found)) {
            rc = mav2_cli_fail_lib(self, MAV2_EXIT_INTERNAL, "journal");
            goto out;
        }
        if (!found) {
            rc = mav2_cli_fail(self, MAV2_EXIT_USAGE,
                               "no pending user op in the journal for this account and key");
            goto out;
        }
        memcpy(hash, e.user_op_hash, 32);
        mav2_journal_entry_clear(&e);
        fprintf(stderr, "mav2 %s: the journal has a pending user op for this account and key\n",
                self->name);
    }
    {
        char hex[67];
        mh_hex_encode(hash, 32, hex, sizeof(hex), 1);
        print_hash_line(&ui, hex);
    }
    mav2_send_params_init(&p);
    p.progress = progress_cb;
    p.progress_ctx = &ui;
    set_waiting(&net, &p);
    if (mav2_wait_receipt(bundler, hash, &p, &r)) {
        rc = print_result(self, &ui, &r);
        if (from_journal)
            mav2_journal_remove(dir, chain, account, &key);
    } else {
        if (r.outcome == MAV2_SEND_REVERTED) {
            print_result(self, &ui, &r);
            if (from_journal)
                mav2_journal_remove(dir, chain, account, &key);
        }
        rc = mav2_cli_fail_lib(self, outcome_exit(&ui, r.outcome), NULL);
    }
    mav2_send_result_clear(&r);
out:
    mav2_cli_net_close(node, bundler);
    return rc;
}
