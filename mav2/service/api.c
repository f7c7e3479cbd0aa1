/* SPDX-License-Identifier: Apache-2.0 */
/* api.c: the JSON-RPC methods (api.h). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/hex.h"
#include "mav2/core/address.h"
#include "mav2/core/error.h"
#include "mav2/core/u256.h"
#include "mav2/service/api.h"
#include "mav2/service/metrics.h"
#include "mav2/service/store.h"

#define MAX_CALLS 64

typedef struct {
    int64_t code;
    char message[512];
} rpc_err;

__attribute__((format(printf, 3, 4))) static int fail(rpc_err *e, int64_t code, const char *fmt,
                                                      ...)
{
    va_list ap;
    e->code = code;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
    return 0;
}

static json_object *get(json_object *o, const char *k)
{
    json_object *v = NULL;
    return json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, k, &v) ? v
                                                                                           : NULL;
}

static const char *str(json_object *o, const char *k)
{
    json_object *v = get(o, k);
    return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static int parse_call(json_object *c, size_t i, mavd_job *j, rpc_err *e)
{
    const char *to = str(c, "to"), *value = str(c, "value"), *data = str(c, "data"), *why = NULL;
    char at[32];
    size_t n = 0;
    snprintf(at, sizeof(at), "calls[%zu]", i);
    if (to == NULL || !mav2_address_parse(to, j->calls[i].target))
        return fail(e, -32602, "%s.to: want an address", at);
    mav2_u256_from_u64(&j->calls[i].value, 0);
    if (value != NULL && !mav2_u256_from_hex(&j->calls[i].value, value))
        return fail(e, -32602, "%s.value: want a 0x-hex quantity", at);
    if (data != NULL && !mh_hex_decode_alloc(data, &j->datas[i], &n, &why))
        return fail(e, -32602, "%s.data: want 0x-hex bytes", at);
    j->calls[i].data = j->datas[i];
    j->calls[i].data_len = n;
    return 1;
}

/* capabilities.paymasterService {url, context} (ERC-7677); other non-optional ones are
 * refused (EIP-5792 code 5700). */
static int parse_caps(json_object *caps, mavd_job *j, rpc_err *e)
{
    json_object *pm;
    if (caps == NULL)
        return 1;
    if (!json_object_is_type(caps, json_type_object))
        return fail(e, -32602, "capabilities: want an object");
    json_object_object_foreach(caps, name, val)
    {
        json_object *opt = get(val, "optional");
        if (strcmp(name, "paymasterService") != 0 && !json_object_get_boolean(opt))
            return fail(e, 5700, "capability %s is not supported", name);
    }
    if ((pm = get(caps, "paymasterService")) == NULL)
        return 1;
    if (str(pm, "url") == NULL || strncmp(str(pm, "url"), "http", 4) != 0)
        return fail(e, -32602, "capabilities.paymasterService.url: want an http(s) URL");
    j->paymaster_url = strdup(str(pm, "url"));
    if (get(pm, "context") != NULL)
        j->paymaster_context =
            strdup(json_object_to_json_string_ext(get(pm, "context"), JSON_C_TO_STRING_PLAIN));
    return 1;
}

static int check_from_chain(const mavd_api *a, json_object *req, rpc_err *e)
{
    const char *chain = str(req, "chainId"), *from = str(req, "from"), *ver = str(req, "version");
    mav2_u256 u;
    uint64_t id = 0;
    uint8_t addr[20];
    if (ver != NULL && strcmp(ver, "2.0.0") != 0)
        return fail(e, -32602, "version %s: only 2.0.0 is supported", ver);
    if (chain == NULL || !mav2_u256_from_hex(&u, chain) || !mav2_u256_to_u64(&u, &id))
        return fail(e, -32602, "chainId: want a 0x-hex chain id");
    if (id != a->chain_id)
        return fail(e, 5710, "chainId %s is not the chain of this service", chain);
    if (from != NULL && (!mav2_address_parse(from, addr) || memcmp(addr, a->conf->account, 20)))
        return fail(e, -32602, "from %s: not the account of this service", from);
    return 1;
}

static json_object *send_calls(mavd_api *a, json_object *params, rpc_err *e)
{
    json_object *req = json_object_array_get_idx(params, 0), *calls = get(req, "calls"), *out;
    size_t n = json_object_is_type(calls, json_type_array) ? json_object_array_length(calls) : 0;
    mavd_job *j;
    char id[67];
    if (!check_from_chain(a, req, e))
        return NULL;
    if (n == 0 || n > MAX_CALLS)
        return fail(e, n == 0 ? -32602 : 5740, "calls: want 1 to 64 calls"), NULL;
    if ((j = calloc(1, sizeof(*j))) == NULL || (j->calls = calloc(n, sizeof(*j->calls))) == NULL ||
        (j->datas = calloc(n, sizeof(*j->datas))) == NULL) {
        mavd_job_free(j);
        return fail(e, -32603, "out of memory"), NULL;
    }
    j->n_calls = n;
    for (size_t i = 0; i < n; i++)
        if (!parse_call(json_object_array_get_idx(calls, i), i, j, e)) {
            mavd_job_free(j);
            return NULL;
        }
    if (!parse_caps(get(req, "capabilities"), j, e)) {
        mavd_job_free(j);
        return NULL;
    }
    mavd_lanes_submit(a->lanes, j);
    if (!j->ok) {
        fail(e, j->code, "%s", j->message);
        mavd_job_free(j);
        return NULL;
    }
    mavd_hash_hex(j->hash, id);
    mavd_job_free(j);
    out = json_object_new_object();
    json_object_object_add(out, "id", json_object_new_string(id));
    return out;
}

static json_object *calls_status(mavd_api *a, json_object *params, rpc_err *e)
{
    json_object *idv = json_object_array_get_idx(params, 0), *rec = NULL;
    const char *id = json_object_is_type(idv, json_type_string) ? json_object_get_string(idv) : "";
    if (!mavd_store_id_valid(id))
        return fail(e, -32602, "not a call id: want 0x and 64 hex digits"), NULL;
    if (!mavd_store_get(a->conf->state_dir, id, &rec))
        return fail(e, -32603, "%s", mav2_last_error()), NULL;
    if (rec == NULL)
        return fail(e, 5730, "unknown bundle id %s", id), NULL;
    json_object_object_del(rec, "lane");
    return rec;
}

static json_object *capabilities(mavd_api *a)
{
    json_object *out = json_object_new_object(), *c = json_object_new_object();
    json_object *pm = json_object_new_object(), *at = json_object_new_object();
    char chain[24];
    snprintf(chain, sizeof(chain), "0x%llx", (unsigned long long)a->chain_id);
    json_object_object_add(pm, "supported", json_object_new_boolean(1));
    json_object_object_add(at, "status", json_object_new_string("supported"));
    json_object_object_add(c, "paymasterService", pm);
    json_object_object_add(c, "atomic", at);
    json_object_object_add(out, chain, c);
    return out;
}

static json_object *dispatch(mavd_api *a, const char *m, json_object *params, rpc_err *e)
{
    char buf[MAV2_ADDRESS_STR_MAX];
    if (strcmp(m, "wallet_sendCalls") == 0 || strcmp(m, "wallet_getCallsStatus") == 0) {
        if (json_object_array_length(params) < 1)
            return fail(e, -32602, "%s: want one parameter", m), NULL;
        return m[7] == 's' ? send_calls(a, params, e) : calls_status(a, params, e);
    }
    if (strcmp(m, "wallet_getCapabilities") == 0)
        return capabilities(a);
    if (strcmp(m, "eth_chainId") == 0) {
        snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)a->chain_id);
        return json_object_new_string(buf);
    }
    if (strcmp(m, "eth_accounts") == 0 || strcmp(m, "eth_requestAccounts") == 0) {
        json_object *arr = json_object_new_array();
        mav2_address_format(a->conf->account, buf);
        json_object_array_add(arr, json_object_new_string(buf));
        return arr;
    }
    return fail(e, -32601, "method %s is not served by mav2d", m), NULL;
}

static json_object *answer(mavd_api *a, json_object *req)
{
    json_object *out = json_object_new_object(), *res = NULL, *params = get(req, "params");
    const char *m = str(req, "method");
    rpc_err e = {0, ""};
    json_object_object_add(out, "jsonrpc", json_object_new_string("2.0"));
    json_object_object_add(out, "id", json_object_get(get(req, "id")));
    mavd_metric_inc(MAVD_M_REQUESTS);
    if (m == NULL || strcmp(str(req, "jsonrpc") != NULL ? str(req, "jsonrpc") : "", "2.0") != 0)
        fail(&e, -32600, "not a JSON-RPC 2.0 request");
    else if (params != NULL && !json_object_is_type(params, json_type_array))
        fail(&e, -32602, "params: want an array");
    else {
        json_object *empty = params == NULL ? json_object_new_array() : NULL;
        res = dispatch(a, m, params != NULL ? params : empty, &e);
        json_object_put(empty);
    }
    if (e.code != 0) {
        json_object *err = json_object_new_object();
        json_object_object_add(err, "code", json_object_new_int64(e.code));
        json_object_object_add(err, "message", json_object_new_string(e.message));
        json_object_object_add(out, "error", err);
    } else
        json_object_object_add(out, "result", res);
    return out;
}

char *mavd_api_handle(mavd_api *a, const char *body, size_t len)
{
    json_tokener *tok = json_tokener_new();
    json_object *req = tok != NULL ? json_tokener_parse_ex(tok, body, (int)len) : NULL, *out;
    char *text;
    if (tok == NULL || req == NULL || json_tokener_get_error(tok) != json_tokener_success) {
        if (tok != NULL)
            json_tokener_free(tok);
        json_object_put(req);
        return strdup("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,"
                      "\"message\":\"parse error\"}}");
    }
    json_tokener_free(tok);
    if (json_object_is_type(req, json_type_array)) {
        out = json_object_new_array();
        for (size_t i = 0; i < json_object_array_length(req); i++)
            json_object_array_add(out, answer(a, json_object_array_get_idx(req, i)));
    } else
        out = answer(a, req);
    text = strdup(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN));
    json_object_put(out);
    json_object_put(req);
    return text;
}
