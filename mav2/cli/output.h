/* SPDX-License-Identifier: Apache-2.0 */
/* output.h: what a `mav2` command prints on stdout, in one place: the whole command
 * line's output settings (--json, --quiet), the result of a command made once for
 * both forms (text lines "NAME VALUE", or a value alone, and the --json object),
 * and the JSON object of a failure.
 *
 * A command adds each field of its result once, naming its key in the text and in
 * the JSON object (either NULL: not in that form), then prints the result:
 *     mav2_cli_result r;
 *     mav2_cli_result_init(&r, o.json);
 *     mav2_cli_result_str(&r, "userOpHash", "", hash);     text: the hash alone
 *     mav2_cli_result_int(&r, "chainId", "chainId", chain); text: "chainId 1"
 *     return mav2_cli_result_print(self, &r);
 * Fields keep their order in both forms. Out of memory while adding is remembered and
 * reported by mav2_cli_result_print (exit 6); nothing is printed then. */
#ifndef MAV2_CLI_OUTPUT_H
#define MAV2_CLI_OUTPUT_H

#include <stdint.h>

#include "mav2/core/address.h"
#include "mav2/core/buf.h"

struct json_object;
typedef struct mav2_cli_cmd mav2_cli_cmd;

/* What the whole command line says about output (main.c): --json (a failure is one
 * JSON object on stdout too: {"ok":false,"exit":N,"error":"...","userOpHash":...}),
 * --quiet (no progress lines on stderr), --trace (MAV2_TRACE=1, rpc.h). op_hash: the
 * userOpHash of the op being sent, once known. */
typedef struct {
    int json, quiet, json_done;
    char op_hash[67];
} mav2_cli_output;
extern mav2_cli_output mav2_cli_out;

/* Prints the failure object {"ok":false,"exit":code,"error":"mav2 CMD: msg"
 * [,"userOpHash":...]} on stdout, once per run (mav2_cli_fail calls it with --json). */
void mav2_cli_out_failure(const mav2_cli_cmd *cmd, int code, const char *msg);

/* Writes s and a newline to stdout and flushes; MAV2_EXIT_INTERNAL if that fails. */
int mav2_cli_print(const mav2_cli_cmd *cmd, const char *s);

/* A command's result, built field by field (see above). */
typedef struct {
    int json;              /* the form printed: 1 the JSON object, 0 the text lines */
    struct json_object *o; /* the JSON value (an object unless replaced) */
    mav2_buf text;         /* the text lines, each ending in '\n' */
    int failed;            /* out of memory while adding */
} mav2_cli_result;

/* Starts an empty result printed as JSON when json is not 0. */
void mav2_cli_result_init(mav2_cli_result *r, int json);
/* Frees what r holds (mav2_cli_result_print does it). */
void mav2_cli_result_clear(mav2_cli_result *r);

/* A string field: text "TEXT V" ("" as TEXT: V alone), JSON "JSON": "V" (V NULL: null;
 * text then "-"). */
void mav2_cli_result_str(mav2_cli_result *r, const char *json, const char *text, const char *v);
/* An integer field: text decimal, JSON a number. */
void mav2_cli_result_int(mav2_cli_result *r, const char *json, const char *text, int64_t v);
/* A boolean field: text "true" / "false", JSON true / false. */
void mav2_cli_result_bool(mav2_cli_result *r, const char *json, const char *text, int v);
/* A yes/no field that may be unknown (v not 0 or 1): text "yes" / "no" / "unknown",
 * JSON true / false / null. */
void mav2_cli_result_yes_no(mav2_cli_result *r, const char *json, const char *text, int v);
/* A JSON-only field holding v (taken over; NULL: null). json NULL: v is the whole
 * JSON value (an array, say) instead of the object. */
void mav2_cli_result_json(mav2_cli_result *r, const char *json, struct json_object *v);
/* A text-only line, printf-formatted (at most 2 kB; the newline is added). */
__attribute__((format(printf, 2, 3))) void mav2_cli_result_line(mav2_cli_result *r, const char *fmt,
                                                                ...);

/* JSON strings for the values of a JSON-only field: an address (EIP-55 checksummed),
 * bytes as 0x-hex. NULL if out of memory. */
struct json_object *mav2_cli_json_address(const uint8_t a[MAV2_ADDRESS_LEN]);
struct json_object *mav2_cli_json_hex(const uint8_t *b, size_t n);

/* Prints r in its form (the JSON value on one line, or the text lines) and frees it.
 * Returns MAV2_EXIT_OK, or MAV2_EXIT_INTERNAL after the error line if out of memory
 * or stdout failed. */
int mav2_cli_result_print(const mav2_cli_cmd *cmd, mav2_cli_result *r);

#endif
