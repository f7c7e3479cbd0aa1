/* SPDX-License-Identifier: Apache-2.0 */
/* rpc_caps.h (internal to libmav2, not installed): what a JSON-RPC server, known by
 * its URL, was seen not to do (answer a batch; a method it answered -32601 for), so
 * that rpc.c asks again only after MAV2_RPC_CAPS_TTL_S: a batch to a server that
 * refuses batches goes out call by call at once, and a call of a method it does not
 * have fails without a request. Remembered in the process and, for a URL given to
 * mav2_rpc_caps_persist, in a file of the state directory (one process per op, as
 * the CLI, pays a refusal once a day, not once per op). A URL may hold an API key:
 * only its Keccak-256 is kept. Thread-safe. */
#ifndef MAV2_RPC_CAPS_H
#define MAV2_RPC_CAPS_H

#define MAV2_RPC_CAPS_TTL_S 86400

/* Reads url's entry from dir/.rpc-caps-HASH (if younger than the TTL) into the
 * process's and writes it there from now on whenever it changes. */
void mav2_rpc_caps_persist(const char *url, const char *dir);

/* 1 if url refused a batch within the TTL. */
int mav2_rpc_caps_no_batch(const char *url);
/* 1 if url answered "method not found" for method within the TTL. */
int mav2_rpc_caps_lacks(const char *url, const char *method);

void mav2_rpc_caps_learn_no_batch(const char *url);
void mav2_rpc_caps_learn_lacks(const char *url, const char *method);

#endif
