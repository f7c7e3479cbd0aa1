/* SPDX-License-Identifier: Apache-2.0 */
/* decode.c: `mav2 decode`: the arguments of a function call, from its call data
 * (offline; the other way of mav2 calldata 'SIGNATURE' ARG...). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "common/hex.h"
#include "mav2/cli/cli.h"
#include "mav2/cli/output.h"
#include "mav2/core/abi.h"

/* What the command line says. */
typedef struct {
    int json;
} decode_opts;

static const mav2_cli_opt decode_table[] = {
    MAV2_OPT_FLAG_("json", decode_opts, json,
                   "{\"function\": SIGNATURE, \"args\": [\"...\", ...]}"),
    MAV2_OPT_END_AT(19)};

const mav2_cli_page mav2_page_decode = {
    "NAME\n"
    "    mav2 decode - the arguments of a function call, from its call data\n"
    "\n"
    "SYNOPSIS\n"
    "    mav2 decode 'SIGNATURE' 0xCALLDATA [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    The other way of mav2 calldata 'SIGNATURE' ARG...: checks that the data\n"
    "    starts with the signature's selector and prints each argument on its own\n"
    "    line in the syntax mav2 calldata takes (addresses EIP-55, numbers in\n"
    "    decimal, bytes in 0x-hex, strings quoted, [a,b] arrays, (a,b) tuples), so\n"
    "    the output fed back to mav2 calldata gives the same data. Values no encoder\n"
    "    writes (dirty upper bits, a bool not 0/1) and offsets outside the data are\n"
    "    refused. Offline.\n"
    "\n"
    "OPTIONS\n",
    decode_table,
    "\n"
    "EXIT STATUS\n"
    "    0 ok, 1 bad signature or data\n"
    "\n"
    "EXAMPLES\n"
    "    mav2 decode 'transfer(address,uint256)' 0xa9059cbb000...\n"};

/* The n arguments items of the call of sig printed, one a line or as {function, args}. */
static int decode_print(const mav2_cli_cmd *self, int json, const char *sig, char **items, size_t n)
{
    json_object *a = json ? json_object_new_array() : NULL;
    mav2_cli_result r;

    mav2_cli_result_init(&r, json);
    for (size_t i = 0; i < n; i++) {
        mav2_cli_result_str(&r, NULL, "", items[i]);
        if (a != NULL)
            json_object_array_add(a, json_object_new_string(items[i]));
    }
    mav2_cli_result_str(&r, "function", NULL, sig);
    mav2_cli_result_json(&r, "args", a);
    return mav2_cli_result_print(self, &r);
}

int mav2_cmd_decode(const mav2_cli_cmd *self, int argc, char **argv)
{
    decode_opts o;
    const char *args[8];
    mav2_buf text = MAV2_BUF_INIT;
    char **items = NULL;
    size_t n = 0, len = 0, count = 0, nargs = 0;
    uint8_t *data = NULL;
    const char *why = NULL;
    int rc;

    memset(&o, 0, sizeof(o));
    if ((rc = mav2_cli_opts_parse_args(self, &o, args, 8, &nargs, argc, argv)) != MAV2_CLI_PARSED)
        return rc;
    if (nargs != 2)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "want 'SIGNATURE' 0xCALLDATA [--json]");
    if (!mh_hex_decode_alloc(args[1], &data, &len, &why))
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "call data: %s", why);
    if (!mav2_abi_decode_call(args[0], data, len, &text, &count) ||
        !mav2_abi_split_args((const char *)text.data, text.len, &items, &n))
        rc = mav2_cli_fail_lib(self, MAV2_EXIT_USAGE, NULL);
    else
        rc = decode_print(self, o.json, args[0], items, n);
    for (size_t i = 0; i < n; i++)
        free(items[i]);
    free(items);
    free(data);
    mav2_buf_free(&text);
    return rc;
}
