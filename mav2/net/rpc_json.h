/* SPDX-License-Identifier: Apache-2.0 */
/* rpc_json.h (not installed): the JSON side of rpc.h, in json-c types, for libmav2's
 * own modules, mav2 and mav2d; the installed API takes and returns no json-c type. */
#ifndef MAV2_RPC_JSON_H
#define MAV2_RPC_JSON_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "mav2/net/rpc.h"

/* One call. params: a JSON array (borrowed; NULL means []). On success returns 1 and
 * *result gets a new reference (json_object_put it; a JSON null result gives NULL).
 * On failure returns 0 and mav2_rpc_last_error() says why. */
int mav2_rpc_call(mav2_rpc *rpc, const char *method, json_object *params, json_object **result);

/* One call of a batch. The caller fills method and params (borrowed). */
typedef struct {
    const char *method;
    json_object *params;
    json_object *result;  /* out: new reference or NULL (JSON null) */
    mav2_rpc_error error; /* out: status MAV2_RPC_OK or the error of this call */
} mav2_rpc_batch_item;

/* Sends the n calls in one HTTP POST (a JSON-RPC batch) and matches the answers by
 * id, in any order. Servers that refuse batches get the calls one by one. Returns 1
 * when every call succeeded; otherwise 0, each item says its own outcome and the
 * last error is the transport error or the first failing item's error. Release the
 * items with mav2_rpc_batch_clear. */
int mav2_rpc_batch(mav2_rpc *rpc, mav2_rpc_batch_item *items, size_t n);

/* Drops results and errors of the items (method/params untouched). */
void mav2_rpc_batch_clear(mav2_rpc_batch_item *items, size_t n);

/* eth_call params [{"from"?, "to", "data"}, "latest"] (a new JSON array) for len bytes
 * of data sent to `to`, from `from` unless NULL; NULL if out of memory. */
json_object *mav2_eth_call_params(const uint8_t to[MAV2_ADDRESS_LEN], const uint8_t *data,
                                  size_t len, const uint8_t *from);
/* An eth_call answer (a 0x-hex JSON string) into out; 0 with "WHAT: the answer is not
 * hex" otherwise. */
int mav2_eth_call_answer(json_object *res, mav2_buf *out, const char *what);
/* An eth_chainId answer into *chain (rpc.h: mav2_eth_chain_id); 0 with "eth_chainId:
 * the answer is not a chain id" otherwise. */
int mav2_eth_chain_id_answer(json_object *res, uint64_t *chain);
/* An eth_getCode answer: *has = 1 when it is code (rpc.h: mav2_eth_has_code); 0 with
 * "eth_getCode: the answer is not hex" otherwise. */
int mav2_eth_code_answer(json_object *res, int *has);

#endif
