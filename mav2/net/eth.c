/* SPDX-License-Identifier: Apache-2.0 */
/* eth.c: the node reads other than eth_call (ethcall.c) and eth_getLogs (logs.c):
 * eth_chainId and eth_getCode, one home each (rpc.h). */
#include <stdio.h>
#include <string.h>

#include "mav2/core/account.h"
#include "mav2/core/address.h"
#include "mav2/core/error.h"
#include "mav2/core/u256.h"
#include "mav2/net/rpc.h"
#include "mav2/net/rpc_json.h"

int mav2_eth_chain_id_answer(json_object *res, uint64_t *chain)
{
    mav2_u256 v;
    return (json_object_is_type(res, json_type_string) &&
            mav2_u256_from_hex(&v, json_object_get_string(res)) && mav2_u256_to_u64(&v, chain)) ||
           mav2_error_set("eth_chainId: the answer is not a chain id");
}

int mav2_eth_chain_id(mav2_rpc *rpc, uint64_t *chain)
{
    json_object *res = NULL;
    int ok;
    if (rpc == NULL || chain == NULL)
        return mav2_error_set("eth_chainId: no client");
    if (!mav2_rpc_call(rpc, "eth_chainId", NULL, &res))
        return 0;
    ok = mav2_eth_chain_id_answer(res, chain);
    json_object_put(res);
    return ok;
}

int mav2_eth_has_code(mav2_rpc *rpc, const uint8_t account[MAV2_ADDRESS_LEN], uint64_t block,
                      int *has)
{
    json_object *params = json_object_new_array(), *res = NULL;
    char a[MAV2_ADDRESS_STR_MAX], tag[24] = "latest";
    int ok;
    if (params == NULL)
        return mav2_error_set("out of memory");
    if (block != MAV2_ETH_LATEST)
        snprintf(tag, sizeof(tag), "0x%llx", (unsigned long long)block);
    mav2_address_format(account, a);
    json_object_array_add(params, json_object_new_string(a));
    json_object_array_add(params, json_object_new_string(tag));
    ok = mav2_rpc_call(rpc, "eth_getCode", params, &res) && mav2_eth_code_answer(res, has);
    json_object_put(params);
    json_object_put(res);
    return ok;
}

int mav2_eth_code_answer(json_object *res, int *has)
{
    if (!json_object_is_type(res, json_type_string))
        return mav2_error_set("eth_getCode: the answer is not hex");
    *has = strlen(json_object_get_string(res)) > 2;
    return 1;
}

int mav2_eth_nonce_seq(mav2_rpc *rpc, const uint8_t entry_point[MAV2_ADDRESS_LEN],
                       const uint8_t account[MAV2_ADDRESS_LEN], const mav2_u256 *key, uint64_t *seq)
{
    mav2_buf data = {0}, out = {0};
    int ok;
    if (rpc == NULL || entry_point == NULL || account == NULL || key == NULL || seq == NULL)
        return mav2_error_set("EntryPoint.getNonce: missing argument");
    ok = mav2_calldata_get_nonce(account, key, &data) &&
         mav2_eth_call(rpc, entry_point, data.data, data.len, &out);
    if (ok && out.len != 32)
        ok = mav2_error_set("EntryPoint.getNonce: a short answer");
    *seq = 0;
    for (size_t i = 24; ok && i < 32; i++)
        *seq = *seq << 8 | out.data[i];
    mav2_buf_free(&data);
    mav2_buf_free(&out);
    return ok;
}
