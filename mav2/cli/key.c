/* SPDX-License-Identifier: Apache-2.0 */
/* key.c: `mav2 key info` (where a key is held and its token attributes), and the
 * session-key hardware check of session-key install. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mav2/cli/cli.h"
#include "mav2/cli/output.h"
#include "mav2/core/error.h"
#include "mav2/keys/key.h"
#include "mav2/keys/signer.h"

/* What the command line says. */
typedef struct {
    const char *key, *pin;
    int json;
} key_info_opts;

static const mav2_cli_opt key_info_table[] = {
    MAV2_OPT_STR_REQ("key", "URI|FILE", key_info_opts, key, "the key (see KEYS in mav2 --help)"),
    MAV2_OPT_STR("pin-source", "FILE", key_info_opts, pin,
                 "PIN or PEM passphrase, first line of FILE"),
    MAV2_OPT_FLAG_("json", key_info_opts, json,
                   "{\"address\", \"publicKey\", \"held\", \"uri\", \"sensitive\",\n"
                   "\"alwaysSensitive\", \"extractable\", \"neverExtractable\",\n"
                   "\"local\", \"hardware\", \"failing\"}; attributes true,\n"
                   "false or null (unknown, or not a token key)"),
    MAV2_OPT_END_};

const mav2_cli_page mav2_page_key = {
    "NAME\n"
    "    mav2 key info - where a key is held and how its token protects it\n"
    "\n"
    "SYNOPSIS\n"
    "    mav2 key info --key URI|FILE [--pin-source FILE] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    Loads the key as mav2 address does and prints its address, where its\n"
    "    private key is held (token, software: a key file, or unknown: only a\n"
    "    public key) and, for a token key, its private key's attributes as the\n"
    "    p11k1 provider reads them from the token: CKA_SENSITIVE,\n"
    "    CKA_ALWAYS_SENSITIVE, CKA_EXTRACTABLE, CKA_NEVER_EXTRACTABLE and CKA_LOCAL\n"
    "    (generated on the token). \"hardware yes\" when all five say the private\n"
    "    key cannot leave the token (sensitive, always sensitive, not extractable,\n"
    "    never extractable, local): what mav2 session-key install requires of a\n"
    "    token session key. The private key's attributes show only after a login:\n"
    "    without a PIN they are unknown.\n"
    "\n"
    "OPTIONS\n",
    key_info_table,
    "\n"
    "OUTPUT\n"
    "    \"address 0x...\", \"held token|software|unknown\", for a token key \"uri\n"
    "    pkcs11:...\" and one line per attribute (\"sensitive yes|no|unknown\",\n"
    "    \"always-sensitive\", \"extractable\", \"never-extractable\", \"local\"), then\n"
    "    \"hardware yes\" or \"hardware no WHY\" (the first attribute that fails, or\n"
    "    software / public key only).\n"
    "\n"
    "EXIT STATUS\n"
    "    0 ok (whatever the key's protection), 1 usage error, 2 key error\n"
    "\n"
    "EXAMPLES\n"
    "    mav2 key info --key 'pkcs11:token=hsm;object=sk1'\n"
    "    mav2 key info --key session.pem --json\n"};

static const char *const attr_names[5] = {"sensitive", "always-sensitive", "extractable",
                                          "never-extractable", "local"};
static const char *const attr_json[5] = {"sensitive", "alwaysSensitive", "extractable",
                                         "neverExtractable", "local"};

static const char *held_name(int held)
{
    return held == MAV2_KEY_HELD_TOKEN      ? "token"
           : held == MAV2_KEY_HELD_SOFTWARE ? "software"
                                            : "unknown";
}

static void attr_values(const mav2_key_protection *pr, int v[5])
{
    v[0] = pr->sensitive;
    v[1] = pr->always_sensitive;
    v[2] = pr->extractable;
    v[3] = pr->never_extractable;
    v[4] = pr->local;
}

/* The address of s, where its key is held (pr) and how (a token key's uri and
 * attributes, hw: all five say hardware, else failing) printed. Exit code. */
static int info_print(const mav2_cli_cmd *self, int json, const mav2_signer *s,
                      const mav2_key_protection *pr, const char *uri, int hw, const char *failing)
{
    mav2_cli_result r;
    int v[5], token = pr->held == MAV2_KEY_HELD_TOKEN;

    attr_values(pr, v);
    mav2_cli_result_init(&r, json);
    mav2_cli_result_signer(&r, "address", s);
    mav2_cli_result_str(&r, "held", "held", held_name(pr->held));
    mav2_cli_result_str(&r, "uri", uri != NULL ? "uri" : NULL, uri);
    for (int i = 0; i < 5; i++)
        mav2_cli_result_yes_no(&r, attr_json[i], token ? attr_names[i] : NULL, v[i]);
    mav2_cli_result_bool(&r, "hardware", NULL, hw);
    mav2_cli_result_str(&r, "failing", NULL, failing);
    mav2_cli_result_line(&r, "hardware %s%s", failing != NULL ? "no " : "yes",
                         failing != NULL ? failing : "");
    return mav2_cli_result_print(self, &r);
}

static int key_info(const mav2_cli_cmd *self, int argc, char **argv)
{
    key_info_opts o;
    const char *failing = NULL;
    char uri[1024];
    int rc, hw, has_uri;
    mav2_key_protection pr;
    mav2_signer *signer;
    EVP_PKEY *pkey;

    memset(&o, 0, sizeof(o));
    if ((rc = mav2_cli_opts_parse(self, &o, argc, argv)) != MAV2_CLI_PARSED)
        return rc;
    if ((pkey = mav2_cli_load_key(self, o.key, o.pin, 0)) == NULL)
        return MAV2_EXIT_KEY;
    if (!mav2_key_protection_get(pkey, &pr)) {
        EVP_PKEY_free(pkey);
        return mav2_cli_fail_lib(self, MAV2_EXIT_KEY, "--key");
    }
    has_uri = pr.held == MAV2_KEY_HELD_TOKEN &&
              EVP_PKEY_get_utf8_string_param(pkey, "pkcs11_uri", uri, sizeof(uri), NULL) == 1;
    signer = mav2_signer_new(pkey);
    EVP_PKEY_free(pkey);
    if (signer == NULL)
        return mav2_cli_fail_lib(self, MAV2_EXIT_KEY, "--key");
    hw = mav2_key_is_hardware(&pr, &failing);
    rc = info_print(self, o.json, signer, &pr, has_uri ? uri : NULL, hw, failing);
    mav2_signer_free(signer);
    return rc;
}

static const mav2_cli_sub key_cmds[] = {
    {"info", key_info, "where a key is held and its token attributes", NULL},
};

int mav2_cmd_key(const mav2_cli_cmd *self, int argc, char **argv)
{
    return mav2_cli_dispatch(self, key_cmds, sizeof(key_cmds) / sizeof(key_cmds[0]), argc, argv);
}

int mav2_cli_check_session_key(const mav2_cli_cmd *cmd, EVP_PKEY *pkey, int allow_exportable)
{
    mav2_key_protection pr;

    if (!mav2_key_protection_get(pkey, &pr))
        return mav2_cli_fail_lib(cmd, MAV2_EXIT_KEY, "--session-key");
    if (mav2_key_is_hardware(&pr, NULL))
        return MAV2_EXIT_OK;
    if (pr.held != MAV2_KEY_HELD_TOKEN) {
        mav2_cli_fail(cmd, MAV2_EXIT_OK, "--session-key is %s",
                      pr.held == MAV2_KEY_HELD_SOFTWARE
                          ? "a software key: its private key is in a file, not on a token"
                          : "only a public key: where its private key is held is not checked");
        return MAV2_EXIT_OK;
    }
    if (allow_exportable) {
        mav2_cli_fail(cmd, MAV2_EXIT_OK,
                      "--session-key: %s; installing it anyway (--allow-exportable-key)",
                      mav2_last_error());
        return MAV2_EXIT_OK;
    }
    return mav2_cli_fail(cmd, MAV2_EXIT_USAGE,
                         "--session-key: %s (--allow-exportable-key to install it anyway)",
                         mav2_last_error());
}
