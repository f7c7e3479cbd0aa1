/* SPDX-License-Identifier: Apache-2.0 */
/* flow.c: what every step of the send flow shares (send_int.h): the parameters'
 * defaults, progress reports, JSON helpers, failed calls as outcomes, the clock and
 * the lane lock. Uses no other file of send/ but explain.c. */
#include "config.h"

#include "mav2/send/send.h"

#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "mav2/core/account.h"
#include "mav2/core/address.h"
#include "mav2/core/error.h"
#include "mav2/net/journal.h"
#include "mav2/send/send_int.h"

void mav2_send_params_init(mav2_send_params *p)
{
    memset(p, 0, sizeof(*p));
    p->nonce_options = MAV2_NONCE_GLOBAL;
    p->entity_id = 1;
    p->priority_mul = "1.05";
    p->base_mul = "1.5";
    p->max_fee_mul = "1.5";
    p->generic_base_mul = "1.2";
    p->poll_initial_ms = 0; /* the chain's block time */
    p->poll_factor_x1000 = 1500;
    p->poll_max_ms = 15000;
    p->wait_timeout_ms = 120000;
    p->verification_gas_extra = 40000;
    p->max_verification_gas = 1500000;
    p->max_call_gas = 3000000;
    p->max_paymaster_gas = 500000;
    p->fee_cap_base_mul = "2";
    p->struct_size = sizeof(*p);
}

int mav2_send_params_check(const mav2_send_params *p)
{
    if (p->struct_size != sizeof(*p))
        return mav2_error_set("send parameters: struct_size %zu is not this library's (%zu): "
                              "fill them with mav2_send_params_init",
                              p->struct_size, sizeof(*p));
    return 1;
}

void mav2_send_result_clear(mav2_send_result *r)
{
    free(r->receipt);
    free(r->user_op);
    memset(r, 0, sizeof(*r));
}

int mav2_send_keep_json(char **text, json_object *o)
{
    char *t = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    if (t == NULL)
        return mav2_error_set("out of memory");
    free(*text);
    *text = t;
    return 1;
}

void mav2_send_progress(const mav2_send_params *p, mav2_send_stage st, const char *detail)
{
    if (p != NULL && p->progress != NULL)
        p->progress(p->progress_ctx, st, detail);
}

json_object *mav2_send_json_hex(const uint8_t *b, size_t n)
{
    char *s = malloc(2 * n + 3);
    json_object *o;
    mh_hex_encode(b, n, s, 2 * n + 3, 1);
    o = json_object_new_string(s);
    free(s);
    return o;
}

json_object *mav2_send_json_address(const uint8_t a[MAV2_ADDRESS_LEN])
{
    char s[MAV2_ADDRESS_STR_MAX];
    mav2_address_format(a, s);
    return json_object_new_string(s);
}

int mav2_send_quantity(json_object *o, const char *what, mav2_u256 *out)
{
    if (o == NULL || !json_object_is_type(o, json_type_string))
        return mav2_error_set("%s: missing or not a hex string", what);
    if (!mav2_u256_from_hex(out, json_object_get_string(o)))
        return mav2_error_prefix("%s", what);
    return 1;
}

json_object *mav2_send_member(json_object *o, const char *k)
{
    json_object *v = NULL;
    if (o == NULL || !json_object_object_get_ex(o, k, &v))
        return NULL;
    return v;
}

int mav2_send_call_failed(mav2_send_result *r, const mav2_rpc_error *e, const char *method,
                          uint32_t entity)
{
    char why[1024];
    if (e->status == MAV2_RPC_E_DEADLINE &&
        (r->have_hash || strcmp(method, "eth_getUserOperationReceipt") == 0)) {
        r->outcome = MAV2_SEND_TIMEOUT; /* signed: it may be pending */
        return mav2_error_set("%s: %s", method, e->message);
    }
    if (e->status == MAV2_RPC_E_RPC) {
        r->outcome = MAV2_SEND_REJECTED;
        mav2_explain_error(e, entity, why, sizeof(why));
        return mav2_error_set("%s: %s", method, why);
    }
    r->outcome = MAV2_SEND_NETWORK;
    return mav2_error_set("%s: %s", method, e->message);
}

void mav2_send_unlock(mav2_send_ctx *c)
{
    mav2_journal_unlock(c->lock_fd);
    c->lock_fd = -1;
}

json_object *mav2_send_op_params(json_object *op, const uint8_t *ep)
{
    json_object *a = json_object_new_array();
    json_object_array_add(a, op);
    json_object_array_add(a, mav2_send_json_address(ep));
    return a;
}

long mav2_send_now_ms(void)
{
    return (long)mav2_rpc_now_ms();
}
