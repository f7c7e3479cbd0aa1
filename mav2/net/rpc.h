/* SPDX-License-Identifier: Apache-2.0 */
/* rpc.h: JSON-RPC 2.0 over HTTP(S) for the node and the ERC-4337 bundler
 * (libcurl + json-c).
 *
 *   mav2_rpc *rpc = mav2_rpc_new("https://eth-sepolia.example/v2/KEY", NULL);
 *   uint64_t chain;
 *   if (!mav2_eth_chain_id(rpc, &chain))
 *       fprintf(stderr, "%s\n", mav2_rpc_last_error(rpc)->message);
 *
 * One client keeps one curl handle (keep-alive connection reuse). A client is not
 * thread-safe: use one client per thread. Network errors, HTTP 429 and 5xx are
 * retried with exponential backoff and jitter; a JSON-RPC error object is an answer
 * and is never retried, nor is a TLS certificate problem (the peer's certificate does
 * not verify, or the server wants one from us). With a deadline (options.deadline_ms)
 * each attempt's timeouts and each backoff are cut to the time left, and no call
 * outlives it. Responses larger than max_response bytes, malformed JSON and
 * responses that do not follow JSON-RPC 2.0 are rejected. URLs printed in errors are
 * redacted to scheme://host[:port] (RPC URLs often carry API keys in the path).
 * With MAV2_TRACE=1 in the environment (read by mav2_rpc_new) every exchange goes to
 * stderr: the redacted URL, the request, the HTTP status, the time and the answer.
 * Failures also set the libmav2 message (error.h: "method: what went wrong");
 * mav2_rpc_last_error() keeps the details (JSON-RPC code, data, HTTP status). */
#ifndef MAV2_RPC_H
#define MAV2_RPC_H

#include <stddef.h>
#include <stdint.h>

#include "mav2/core/address.h"
#include "mav2/core/buf.h"
#include "mav2/core/u256.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mav2_rpc mav2_rpc;

/* Client options. The caller allocates them and must fill them with
 * mav2_rpc_options_init first: struct_size tells the library which layout it was
 * given, so fields can be added at the end without a new soname. */
typedef struct {
    size_t struct_size;      /* sizeof(mav2_rpc_options) when made; set by options_init */
    long connect_timeout_ms; /* TCP + TLS connect, per attempt; default 10000 */
    long timeout_ms;         /* whole HTTP exchange, per attempt; default 30000 */
    int max_retries;         /* retries after the first attempt; default 4 */
    long backoff_ms;         /* first backoff (doubles each retry); default 250 */
    long backoff_max_ms;     /* cap of one backoff; default 8000 */
    size_t max_response;     /* largest accepted response body; default 8 MiB */
    long long deadline_ms;   /* > 0: no call goes past this mav2_rpc_now_ms() time;
                              * default 0 (none) */
} mav2_rpc_options;

/* A monotonic clock in ms (CLOCK_MONOTONIC), for deadline_ms. */
long long mav2_rpc_now_ms(void);

/* Sets every field of *o (caller-allocated, not retained): struct_size and the
 * defaults above. Every function taking a mav2_rpc_options refuses one whose
 * struct_size this library does not know (mav2_last_error() says so): call this
 * before setting fields, never memset one or copy one from another build. */
void mav2_rpc_options_init(mav2_rpc_options *o);
/* The former name of mav2_rpc_options_init (the same function). */
void mav2_rpc_options_default(mav2_rpc_options *o);

/* 1 if o is NULL (the defaults) or was made by mav2_rpc_options_init of this library,
 * else 0 with mav2_last_error() naming mav2_rpc_options and the size. */
int mav2_rpc_options_check(const mav2_rpc_options *o);

/* What went wrong with a call. MAV2_RPC_E_RPC means the server answered with a
 * JSON-RPC error object (code/message/data hold it); all others mean no answer. */
typedef enum {
    MAV2_RPC_OK = 0,
    MAV2_RPC_E_NETWORK,  /* cannot connect, connection reset, DNS, TLS */
    MAV2_RPC_E_TIMEOUT,  /* connect or total timeout (after retries) */
    MAV2_RPC_E_HTTP,     /* HTTP status other than 2xx without a JSON-RPC answer */
    MAV2_RPC_E_PROTOCOL, /* malformed JSON, not JSON-RPC 2.0, oversized, id mismatch */
    MAV2_RPC_E_RPC,      /* JSON-RPC error object */
    MAV2_RPC_E_ARG,      /* bad argument to the API */
    MAV2_RPC_E_DEADLINE  /* options.deadline_ms reached (during an attempt or before a
                          * retry) */
} mav2_rpc_status;

/* JSON-RPC codes worth naming. */
#define MAV2_RPC_METHOD_NOT_FOUND (-32601)
#define MAV2_RPC_INVALID_PARAMS   (-32602)

typedef struct {
    mav2_rpc_status status;
    long http_status;      /* last HTTP status seen, 0 if none */
    int64_t code;          /* JSON-RPC error code (MAV2_RPC_E_RPC) */
    char message[1024];    /* one line: the server's message for MAV2_RPC_E_RPC, else ours */
    char *data;            /* error.data (MAV2_RPC_E_RPC): the string itself if it is a JSON string,
                            * else its JSON text; NULL if absent */
    uintptr_t reserved[4]; /* room for fields added later without a new size: zero */
} mav2_rpc_error;

/* Releases e->data and resets e to MAV2_RPC_OK. */
void mav2_rpc_error_clear(mav2_rpc_error *e);

/* Copies src into dst (dst is cleared first). Returns 1, or 0 if out of memory. */
int mav2_rpc_error_copy(mav2_rpc_error *dst, const mav2_rpc_error *src);

/* New client for url (http:// or https://); opt may be NULL for the defaults.
 * Returns NULL for a URL mav2_rpc_url_check refuses, or out of memory. */
mav2_rpc *mav2_rpc_new(const char *url, const mav2_rpc_options *opt);

void mav2_rpc_free(mav2_rpc *rpc);

/* The URL as given (may contain secrets: do not print it; see mav2_rpc_url_redacted). */
const char *mav2_rpc_url(const mav2_rpc *rpc);

/* options.deadline_ms of the client (0: none). */
long long mav2_rpc_deadline(const mav2_rpc *rpc);

/* scheme://host[:port] plus "/..." when the URL had a path or query. */
const char *mav2_rpc_url_redacted(const mav2_rpc *rpc);

/* Writes the redacted form of url into out (always NUL-terminated): only the
 * scheme and what parses as host[:port], then "/..." for a path or query, or
 * "... (malformed)" after what parsed of a malformed URL. */
void mav2_rpc_redact_url(const char *url, char *out, size_t outcap);

/* 1 if url is a well-formed http(s) URL: a host name, IPv4 or [IPv6] address,
 * an optional port 1 .. 65535, no backslash, space or control character.
 * Else 0 and why (cap bytes) says what is wrong, showing only the scheme and
 * what parsed as a host (never user info, path, query or the rest). */
int mav2_rpc_url_check(const char *url, char *why, size_t cap);

/* 1 if url sends what looks like an API key (a path segment or query value of
 * 20+ letters, digits, '-', '_' with a digit, e.g. Alchemy's /v2/KEY, or a
 * user:password@) over plain http to a host that is not loopback. */
int mav2_rpc_url_key_in_clear(const char *url);

/* The error of the last failed call (status MAV2_RPC_OK after a success). */
const mav2_rpc_error *mav2_rpc_last_error(const mav2_rpc *rpc);

/* Both around one call: eth_call(to, data) at "latest" into out. */
int mav2_eth_call(mav2_rpc *rpc, const uint8_t to[MAV2_ADDRESS_LEN], const uint8_t *data,
                  size_t len, mav2_buf *out);

/* eth_chainId into *chain. 0 on a failed call (mav2_rpc_last_error says why) or with
 * "eth_chainId: the answer is not a chain id". */
int mav2_eth_chain_id(mav2_rpc *rpc, uint64_t *chain);
/* For mav2_eth_has_code: the latest block rather than a block number. */
#define MAV2_ETH_LATEST UINT64_MAX
/* eth_getCode(account, block): *has = 1 when account has code at that block (or
 * MAV2_ETH_LATEST). 0 on a failed call (mav2_rpc_last_error says why) or with
 * "eth_getCode: the answer is not hex". */
int mav2_eth_has_code(mav2_rpc *rpc, const uint8_t account[MAV2_ADDRESS_LEN], uint64_t block,
                      int *has);

/* EntryPoint.getNonce(account, key192) at "latest" on the node: *seq = the sequence
 * (the low 64 bits). 0 on a failed call (mav2_rpc_last_error says why) or with
 * "EntryPoint.getNonce: a short answer". */
int mav2_eth_nonce_seq(mav2_rpc *rpc, const uint8_t entry_point[MAV2_ADDRESS_LEN],
                       const uint8_t account[MAV2_ADDRESS_LEN], const mav2_u256 *key,
                       uint64_t *seq);

/* Number of HTTP requests this client has sent (retries included). */
unsigned long mav2_rpc_requests_sent(const mav2_rpc *rpc);

#ifdef __cplusplus
}
#endif

#endif
