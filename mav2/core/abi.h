/* SPDX-License-Identifier: Apache-2.0 */
/* abi.h: Solidity ABI encoding (a small builder) and the few return-value decoders
 * the send flow needs.
 *
 * An encoder holds the items of one tuple, in order. Static items are written into
 * the head; dynamic items (bytes, T[], tuples holding dynamic items) get an offset in
 * the head and their encoding in the tail. Nested tuples and arrays are built in their
 * own encoder and then handed to the parent, which takes ownership:
 *
 *   // execute(address,uint256,bytes)
 *   mav2_abi *e = mav2_abi_new();
 *   mav2_abi_address(e, target); mav2_abi_uint(e, &value); mav2_abi_bytes(e, data, n);
 *   mav2_buf cd = MAV2_BUF_INIT;
 *   mav2_abi_finish_call(e, selector, &cd);     // frees e
 *
 *   // (address,bool)[]  : an array encoder whose items are the elements
 *   mav2_abi *arr = mav2_abi_new();
 *   for (...) { mav2_abi *t = mav2_abi_new(); ...; mav2_abi_tuple(arr, t); }
 *   mav2_abi_array(e, arr);
 *
 * Adding items never fails visibly: an allocation failure is remembered and reported
 * by mav2_abi_finish*() (which set mav2_last_error()). */
#ifndef MAV2_ABI_H
#define MAV2_ABI_H

#include <stddef.h>
#include <stdint.h>

#include "mav2/core/buf.h"
#include "mav2/core/u256.h"
#include "mav2/core/address.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mav2_abi mav2_abi;

mav2_abi *mav2_abi_new(void);
void mav2_abi_free(mav2_abi *e);

void mav2_abi_address(mav2_abi *e, const uint8_t addr[MAV2_ADDRESS_LEN]);
/* uintN for any N: the value must fit N bits (checked by the caller's types). */
void mav2_abi_uint(mav2_abi *e, const mav2_u256 *v);
void mav2_abi_u64(mav2_abi *e, uint64_t v);
void mav2_abi_bool(mav2_abi *e, int v);
/* bytesN, 1 <= n <= 32, left-aligned. */
void mav2_abi_bytesn(mav2_abi *e, const uint8_t *b, size_t n);
/* a raw 32-byte word (bytes32, or a pre-encoded static value) */
void mav2_abi_word(mav2_abi *e, const uint8_t w[32]);
/* dynamic bytes (or string) */
void mav2_abi_bytes(mav2_abi *e, const uint8_t *b, size_t n);
/* Appends child as a tuple (static inline if all its items are static); takes child. */
void mav2_abi_tuple(mav2_abi *e, mav2_abi *child);
/* Appends child's items as a dynamic array T[] (length, then the elements encoded as
 * a tuple); takes child. */
void mav2_abi_array(mav2_abi *e, mav2_abi *child);

/* The tuple encoding of e's items into out (appended). Frees e. */
int mav2_abi_finish(mav2_abi *e, mav2_buf *out);
/* selector (4 bytes) || encoding, appended to out. Frees e. */
int mav2_abi_finish_call(mav2_abi *e, const uint8_t selector[4], mav2_buf *out);

/* Call data from a function signature and text arguments, as `cast calldata`:
 * selector of the canonical signature (uint -> uint256, int -> int256) then the n
 * arguments ABI-encoded. Types: address, bool, uint8..uint256, int8..int256,
 * bytes1..bytes32, bytes, string, tuples (T,U), arrays T[] and T[k], nested. Values:
 * numbers in decimal, 0x-hex or with a unit (1ether, 1e18, 100gwei; a negative
 * number for intN), 0x-hex for bytes, true/false, [a,b] for arrays, (a,b) for tuples,
 * strings as they are or "quoted, with \" and \\". A value that does not fit its type
 * exactly is refused, naming it. Appends to out. */
int mav2_abi_encode_call(const char *sig, const char *const *args, size_t n, mav2_buf *out);

/* The same from one text "name(types),arg,arg,...": the signature up to its matching
 * ')', then the arguments split at commas outside [], () and "..." (the --call form). */
int mav2_abi_encode_call_spec(const char *spec, mav2_buf *out);

/* The other way: data (selector checked against sig's) decoded into the text of its
 * arguments, "(a,b,...)" appended to out in the syntax mav2_abi_encode_call takes
 * (addresses EIP-55, numbers in decimal, strings quoted), *n the argument count.
 * Values that no encoder would write (address or uintN upper bits, a bool not 0/1,
 * bytesN padding) and offsets or lengths outside data are refused, naming them. */
int mav2_abi_decode_call(const char *sig, const uint8_t *data, size_t len, mav2_buf *out,
                         size_t *n);

/* "(a,b,...)" (len bytes of text) split at its top-level commas into *n malloc'ed
 * strings in *items (free each, then the array; also after a failure). */
int mav2_abi_split_args(const char *text, size_t len, char ***items, size_t *n);

/* The first 4 bytes of keccak256(signature), e.g. "execute(address,uint256,bytes)". */
void mav2_abi_selector(const char *signature, uint8_t out[4]);

/* Decoders of return data (eth_call results). Each checks lengths and offsets and
 * fails with a message naming what was malformed. */
/* Word i (0-based) of data. */
int mav2_abi_get_word(const uint8_t *data, size_t len, size_t i, uint8_t out[32]);
int mav2_abi_decode_uint256(const uint8_t *data, size_t len, mav2_u256 *out);
/* A single address return value (upper 12 bytes must be zero). */
int mav2_abi_decode_address(const uint8_t *data, size_t len, uint8_t out[MAV2_ADDRESS_LEN]);
/* A single dynamic bytes return value (copied into out). */
int mav2_abi_decode_bytes(const uint8_t *data, size_t len, mav2_buf *out);

/* What ModularAccount.getValidationData(bytes24 moduleEntity) returns:
 * (uint8 validationFlags, bytes25[] validationHooks, bytes25[] executionHooks,
 *  bytes4[] selectors). */
typedef struct {
    uint8_t flags;
    size_t n_validation_hooks;
    uint8_t (*validation_hooks)[25];
    size_t n_execution_hooks;
    uint8_t (*execution_hooks)[25];
    size_t n_selectors;
    uint8_t (*selectors)[4];
} mav2_validation_data;

int mav2_abi_decode_validation_data(const uint8_t *data, size_t len, mav2_validation_data *out);
void mav2_validation_data_free(mav2_validation_data *vd);

#ifdef __cplusplus
}
#endif
#endif
