/* SPDX-License-Identifier: Apache-2.0 */
/* ethcall.c: eth_call's params and answer, the one home of both (rpc.h). */
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "mav2/core/address.h"
#include "mav2/core/error.h"
#include "mav2/net/rpc.h"
#include "mav2/net/rpc_json.h"

json_object *mav2_eth_call_params(const uint8_t to[MAV2_ADDRESS_LEN], const uint8_t *data,
                                  size_t len, const uint8_t *from)
{
    json_object *params = json_object_new_array(), *call = json_object_new_object();
    char addr[MAV2_ADDRESS_STR_MAX], *hex = malloc(mh_hex_encoded_size(len, 1));

    if (params == NULL || call == NULL || hex == NULL || (data == NULL && len)) {
        free(hex);
        json_object_put(params);
        json_object_put(call);
        return NULL;
    }
    mh_hex_encode(data, len, hex, mh_hex_encoded_size(len, 1), 1);
    if (from != NULL) {
        mav2_address_format(from, addr);
        json_object_object_add(call, "from", json_object_new_string(addr));
    }
    mav2_address_format(to, addr);
    json_object_object_add(call, "to", json_object_new_string(addr));
    json_object_object_add(call, "data", json_object_new_string(hex));
    free(hex);
    json_object_array_add(params, call);
    json_object_array_add(params, json_object_new_string("latest"));
    return params;
}

int mav2_eth_call_answer(json_object *res, mav2_buf *out, const char *what)
{
    uint8_t *b = NULL;
    size_t n = 0;
    int ok;
    if (!json_object_is_type(res, json_type_string) ||
        !mh_hex_decode_alloc(json_object_get_string(res), &b, &n, NULL))
        return mav2_error_set("%s: the answer is not hex", what);
    ok = mav2_buf_set(out, b, n);
    free(b);
    return ok ? 1 : mav2_error_set("out of memory");
}

int mav2_eth_call(mav2_rpc *rpc, const uint8_t to[MAV2_ADDRESS_LEN], const uint8_t *data,
                  size_t len, mav2_buf *out)
{
    json_object *params = mav2_eth_call_params(to, data, len, NULL), *res = NULL;
    char what[16 + MAV2_ADDRESS_STR_MAX];
    int ok;
    if (params == NULL)
        return mav2_error_set("out of memory");
    ok = mav2_rpc_call(rpc, "eth_call", params, &res);
    json_object_put(params);
    if (!ok)
        return 0;
    strcpy(what, "eth_call to ");
    mav2_address_format(to, what + strlen(what));
    ok = mav2_eth_call_answer(res, out, what);
    json_object_put(res);
    return ok;
}
