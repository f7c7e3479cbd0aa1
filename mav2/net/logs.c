/* SPDX-License-Identifier: Apache-2.0 */
/* logs.c: eth_getLogs in pages that halve while the node refuses them, and the block
 * an account was deployed in (logs.h). */
#include <stdio.h>
#include <string.h>

#include "mav2/core/address.h"
#include "mav2/core/error.h"
#include "mav2/net/logs.h"
#include "mav2/core/u256.h"

static int block_number(mav2_rpc *node, uint64_t *out)
{
    json_object *res = NULL;
    mav2_u256 v;
    int ok;
    if (!mav2_rpc_call(node, "eth_blockNumber", NULL, &res))
        return 0;
    ok = json_object_is_type(res, json_type_string) &&
         mav2_u256_from_hex(&v, json_object_get_string(res)) && mav2_u256_to_u64(&v, out);
    json_object_put(res);
    return ok ? 1 : mav2_error_set("eth_blockNumber: not a block number");
}

static json_object *hex_block(uint64_t b)
{
    char s[24];
    snprintf(s, sizeof(s), "0x%llx", (unsigned long long)b);
    return json_object_new_string(s);
}

/* One eth_getLogs over [a, b]: 1 with *res (an array), 0 with the node's error. */
static int get_page(mav2_rpc *node, json_object *filter, uint64_t a, uint64_t b, json_object **res)
{
    json_object *f = NULL, *params = json_object_new_array();
    int ok;
    if (params == NULL || json_object_deep_copy(filter, &f, NULL) != 0) {
        json_object_put(params);
        return mav2_error_set("out of memory");
    }
    json_object_object_add(f, "fromBlock", hex_block(a));
    json_object_object_add(f, "toBlock", hex_block(b));
    json_object_array_add(params, f);
    ok = mav2_rpc_call(node, "eth_getLogs", params, res);
    json_object_put(params);
    if (ok && !json_object_is_type(*res, json_type_array)) {
        json_object_put(*res);
        *res = NULL;
        return mav2_error_set("eth_getLogs: the answer is not a list of logs");
    }
    return ok;
}

int mav2_get_logs(mav2_rpc *node, json_object *filter, uint64_t from, json_object **logs,
                  unsigned *pages)
{
    uint64_t latest, span, cur = from;
    unsigned n = 0;
    if (node == NULL || filter == NULL || logs == NULL)
        return mav2_error_set("get logs: argument missing");
    if ((*logs = json_object_new_array()) == NULL)
        return mav2_error_set("out of memory");
    if (!block_number(node, &latest))
        goto fail;
    span = latest >= from ? latest - from + 1 : 0;
    while (cur <= latest && span > 0) {
        uint64_t end = latest - cur + 1 > span ? cur + span - 1 : latest;
        json_object *res = NULL;
        n++;
        if (!get_page(node, filter, cur, end, &res)) {
            if (mav2_rpc_last_error(node)->status != MAV2_RPC_E_RPC || end == cur)
                goto fail;
            span = (end - cur + 1) / 2; /* the provider's cap: ask half as much */
            continue;
        }
        for (size_t i = 0; i < json_object_array_length(res); i++)
            json_object_array_add(*logs, json_object_get(json_object_array_get_idx(res, i)));
        json_object_put(res);
        cur = end + 1;
    }
    if (pages != NULL)
        *pages = n;
    mav2_error_clear();
    return 1;
fail:
    if (pages != NULL)
        *pages = n;
    json_object_put(*logs);
    *logs = NULL;
    return mav2_error_prefix("eth_getLogs");
}

int mav2_deploy_block(mav2_rpc *node, const uint8_t account[MAV2_ADDRESS_LEN], uint64_t *block,
                      int *deployed)
{
    uint64_t lo = 0, hi;
    int has = 0;
    if (node == NULL || account == NULL || block == NULL || deployed == NULL)
        return mav2_error_set("deploy block: argument missing");
    *block = 0;
    *deployed = 0;
    if (!block_number(node, &hi) || !mav2_eth_has_code(node, account, hi, &has))
        return 0;
    if (!has)
        return 1;
    while (lo < hi) { /* code at hi, first block with code in [lo, hi] */
        uint64_t mid = lo + (hi - lo) / 2;
        if (!mav2_eth_has_code(node, account, mid, &has))
            return 0;
        if (has)
            hi = mid;
        else
            lo = mid + 1;
    }
    *block = lo;
    *deployed = 1;
    return 1;
}
