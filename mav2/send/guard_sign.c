/* SPDX-License-Identifier: Apache-2.0 */
/* guard_sign.c: the ledger's "sign" lines of signatures made outside the send flow
 * (guard.h: mav2_guard_signed_op, mav2_guard_signed_message). */
#include "config.h"

#include <stdio.h>
#include <time.h>

#include "common/hex.h"
#include "mav2/core/account.h"
#include "mav2/core/address.h"
#include "mav2/core/error.h"
#include "mav2/send/bounds.h"
#include "mav2/send/guard.h"
#include "mav2/send/ledger.h"

int mav2_guard_signed_op(mav2_guard *g, uint64_t chain_id, const mav2_userop *op,
                         const uint8_t user_op_hash[32])
{
    mav2_guard_event ev = {0};
    mav2_u256 key;
    if (g == NULL || op == NULL || user_op_hash == NULL)
        return mav2_error_set("guard: missing argument");
    mav2_nonce_split(&op->nonce, &key, NULL);
    mav2_nonce_key_parts(&key, NULL, &ev.entity_id, NULL);
    ev.chain_id = chain_id;
    ev.account = op->sender;
    ev.nonce_key = &key;
    ev.op = op;
    ev.user_op_hash = user_op_hash;
    if (!mav2_bounds_op_max_cost(op, &ev.max_cost))
        mav2_u256_from_u64(&ev.max_cost, 0);
    return mav2_guard_hook(g, MAV2_GUARD_SIGNED, &ev);
}

static void add_hex(json_object *o, const char *k, const uint8_t b[32])
{
    char s[67];
    mh_hex_encode(b, 32, s, sizeof(s), 1);
    json_object_object_add(o, k, json_object_new_string(s));
}

int mav2_guard_signed_message(mav2_guard *g, uint64_t chain_id,
                              const uint8_t account[MAV2_ADDRESS_LEN], uint32_t entity_id,
                              const uint8_t hash[32], const uint8_t replay_safe_hash[32])
{
    char acct[MAV2_ADDRESS_STR_MAX];
    json_object *o;
    int ok;
    if (g == NULL || account == NULL || hash == NULL || replay_safe_hash == NULL)
        return mav2_error_set("guard: missing argument");
    if (g->ledger == NULL)
        return 1;
    mav2_address_format(account, acct);
    o = json_object_new_object();
    json_object_object_add(o, "event", json_object_new_string("sign"));
    json_object_object_add(o, "chain", json_object_new_int64((int64_t)chain_id));
    json_object_object_add(o, "account", json_object_new_string(acct));
    json_object_object_add(o, "entity", json_object_new_int64(entity_id));
    add_hex(o, "messageHash", hash);
    add_hex(o, "replaySafeHash", replay_safe_hash);
    json_object_object_add(o, "tokenSerial", json_object_new_string(g->token_serial));
    json_object_object_add(o, "keyId", json_object_new_string(g->key_id));
    json_object_object_add(o, "verdict", json_object_new_string("none"));
    ok = mav2_ledger_put(g->ledger, g->state, account, o, time(NULL));
    json_object_put(o);
    if (!ok)
        return mav2_error_prefix("the signature is not used (every signature is recorded)");
    g->signed_ops++;
    return 1;
}
