/* SPDX-License-Identifier: Apache-2.0 */
/* sendmock.h: the mock node + bundler + paymaster of the send-flow tests (test-send,
 * test-sponsor): a JSON-RPC handler for the loopback HTTP fixture (httpd.h) answering
 * with the results logged in fees_and_rpc_flow.json (one of its flows), recording every
 * call; a deterministic (RFC 6979) session-key signer; the common fixtures. */
#ifndef MH_TESTS_SENDMOCK_H
#define MH_TESTS_SENDMOCK_H

#include <json-c/json.h>
#include <stdint.h>

#include "httpd.h"
#include "mav2/net/journal.h"
#include "mav2/send/send.h"

#define CHAIN_ID 11155111u

typedef struct mock {
    json_object *log;           /* the flow's rpcLog (borrowed) */
    int rundler;                /* 1: rundler_maxPriorityFeePerGas answered, 0: method not found */
    const char *nonce;          /* getNonce result; NULL = the logged one */
    const char *code;           /* eth_getCode result; NULL = the logged one */
    int receipt_nulls;          /* null receipts before the logged one; < 0: always null */
    const char *estimate_error; /* JSON error object for eth_estimateUserOperationGas */
    const char *send_error;     /* JSON error object for eth_sendUserOperation */
    int drop_send; /* close the connection instead of answering eth_sendUserOperation */
    int polls;
    json_object *calls;            /* every call seen: {"method", "params"} */
    const char *deposit;           /* EntryPoint.balanceOf result; NULL = 2^128 (enough) */
    int pm_final;                  /* pm_getPaymasterStubData answers isFinal */
    const char *pm_error;          /* JSON error object for the pm_ and alchemy_ sponsor methods */
    int conn_close;                /* answer "Connection: close" (concurrent clients) */
    int send_nth;                  /* eth_sendUserOperation calls seen */
    int receipt_for_nth;           /* > 0: only the op of the nth send gets a receipt */
    int receipt_min_sends;         /* ... and only once this many ops were sent */
    json_object *sent_hashes;      /* hashes returned by eth_sendUserOperation, in order */
    const char *send_hash;         /* eth_sendUserOperation answers this, not the op's v0.7 hash */
    const char *estimate_call_gas; /* callGasLimit of the estimate; NULL = the logged one */
    const char *validation;        /* getValidationData result; NULL = global, no hooks */
    /* AllowlistModule.checkAllowlistCalldata for eth_call data d: NULL to pass, else the
     * JSON error object to answer with (a revert); no callback: everything passes */
    const char *(*allowlist)(const struct mock *m, const char *d);
    const char *estimate_vgl;     /* verificationGasLimit of the estimate; NULL = logged */
    const char *estimate_pvg;     /* preVerificationGas of the estimate; NULL = logged */
    const char *rundler_hint;     /* rundler_maxPriorityFeePerGas; NULL = the logged one */
    const char *chain_id;         /* eth_chainId answer; NULL = 0xaa36a7 (CHAIN_ID) */
    int chain_error;              /* eth_chainId answers a JSON-RPC error */
    const char *pm_vgl;           /* paymasterVerificationGasLimit of the stub; NULL = 0x11170 */
    json_object *known;           /* hashes the bundler has (eth_getUserOperationByHash) */
    int drop_known;               /* drop_send: the op reached the bundler before the cut */
    int send_garbage;             /* eth_sendUserOperation answers a non-hash, op not kept */
    int nonce_follows;            /* getNonce: seq 3 + the number of ops given a receipt */
    json_object *included;        /* hashes given a receipt */
    const char *receipt_only;     /* only this hash gets a receipt */
    const char *nonce_after_send; /* getNonce result once eth_sendUserOperation was called */
    int nonce_used; /* nonce_follows: another sender's ops on chain too; the estimate then
                     * refuses a nonce below the chain's (AA25) */
} mock;

/* getValidationData: flags 0x05 (global, user op), no hooks, no selectors */
#define MOCK_VALIDATION_GLOBAL                                                                     \
    "0x0000000000000000000000000000000000000000000000000000000000000020"                           \
    "0000000000000000000000000000000000000000000000000000000000000005"                             \
    "0000000000000000000000000000000000000000000000000000000000000080"                             \
    "00000000000000000000000000000000000000000000000000000000000000a0"                             \
    "00000000000000000000000000000000000000000000000000000000000000c0"                             \
    "0000000000000000000000000000000000000000000000000000000000000000"                             \
    "0000000000000000000000000000000000000000000000000000000000000000"                             \
    "0000000000000000000000000000000000000000000000000000000000000000"

json_object *logged(json_object *log, const char *method, int nth);
json_object *err_obj(const char *json);
/* The answer to one call (a new JSON-RPC response object), or NULL to drop. */
json_object *answer(mock *m, json_object *q);
void mock_handler(void *ctx, const char *body, th_reply *r);
void mock_init(mock *m, json_object *fl);
void mock_reset_calls(mock *m);
void mock_free(mock *m);
int count_calls(const mock *m, const char *method);
/* eth_calls whose data starts with data_prefix ("0x70a08231": EntryPoint.balanceOf) */
int count_eth_calls(const mock *m, const char *data_prefix);
/* params of the nth call of method, or NULL */
json_object *call_params(const mock *m, const char *method, int nth);
/* JSON equality with hex strings compared case-insensitively (EIP-55 vs lowercase). */
int jeq(json_object *a, json_object *b);
/* jeq of JSON text a (e.g. a send result's user_op; NULL never equal) and b. */
int jeq_text(const char *a, json_object *b);

typedef struct {
    uint8_t key[32];
    int calls;
    int fail;
} test_signer;

int sign_cb(void *ctx, const uint8_t hash[32], mav2_buf *out);

/* fixtures: state_dir (a fresh temp dir after sm_setup), the flow, its key and call data */
extern char state_dir[];
extern json_object *flow;
extern test_signer signer;
extern uint8_t call_data[512];
extern size_t call_data_len;
extern char stages[256]; /* progress stages seen, one letter each: PESTRWIB */

/* Loads the vectors and picks flow number flow_idx; returns the vector file (put it). */
json_object *sm_setup(int flow_idx);
void sm_cleanup(json_object *vectors);
void on_progress(void *ctx, mav2_send_stage st, const char *detail);
mav2_rpc *client(const th_server *s);
void params_for_flow(mav2_send_params *p);
int journal_has(const mav2_send_params *p, mav2_journal_entry *e);

#endif
