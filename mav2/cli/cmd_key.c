/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_key.c: subcommands about keys: address, key info (where a key is held and
 * its token attributes), and the session-key hardware check of session-key install. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "common/hex.h"
#include "mav2/core/buf.h"
#include "mav2/cli/cli.h"
#include "mav2/core/error.h"
#include "mav2/keys/key.h"
#include "mav2/keys/signer.h"

const char mav2_help_address[] =
    "NAME\n"
    "    mav2 address - print the Ethereum address of a key\n"
    "\n"
    "SYNOPSIS\n"
    "    mav2 address --key URI|FILE [--pin-source FILE] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    Loads the key through OpenSSL (a pkcs11: URI via the p11k1 provider, a\n"
    "    file: URI, or a PEM/DER file holding a private or public key), checks that\n"
    "    it is on secp256k1 and prints its address keccak256(X || Y)[12..32) in\n"
    "    EIP-55 form. This is the address to install as a session key. A public\n"
    "    key is enough: no PIN is needed unless the token requires a login to see\n"
    "    the key.\n"
    "\n"
    "OPTIONS\n"
    "    --key URI|FILE       the key (see KEYS in mav2 --help)\n"
    "    --pin-source FILE    PIN or PEM passphrase, first line of FILE\n"
    "    --json               {\"address\": \"0x...\", \"publicKey\": \"0x04...\"}\n"
    "    --help               this text\n"
    "\n"
    "EXIT STATUS\n"
    "    0 ok, 1 usage error, 2 key error (see mav2 --help)\n"
    "\n"
    "EXAMPLES\n"
    "    mav2 address --key 'pkcs11:token=hsm;object=sk1'\n"
    "    mav2 address --key session.pem --json\n";

int mav2_cmd_address(const mav2_cli_cmd *self, int argc, char **argv)
{
    static const struct option opts[] = {{"key", required_argument, NULL, 'k'},
                                         {"pin-source", required_argument, NULL, 'p'},
                                         {"json", no_argument, NULL, 'j'},
                                         {NULL, 0, NULL, 0}};
    const char *key = NULL, *pin = NULL, *arg;
    int json = 0, c, rc;
    mav2_cli_parser p;
    mav2_signer *signer;

    mav2_cli_parser_init(&p, self, opts, argc, argv);
    while ((c = mav2_cli_next(&p, &arg)) != -1) {
        switch (c) {
        case 'k':
            key = arg;
            break;
        case 'p':
            pin = arg;
            break;
        case 'j':
            json = 1;
            break;
        case 'h':
            return MAV2_EXIT_OK;
        default:
            return MAV2_EXIT_USAGE;
        }
    }
    if (key == NULL)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--key is required");
    if ((signer = mav2_cli_load_signer(self, key, pin, 0)) == NULL)
        return MAV2_EXIT_KEY;
    if (json) {
        json_object *o = json_object_new_object();
        mav2_cli_signer_json(o, signer);
        rc = mav2_cli_print(self, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
        json_object_put(o);
    } else {
        rc = mav2_cli_print(self, mav2_signer_address_str(signer));
    }
    mav2_signer_free(signer);
    return rc;
}

const char mav2_help_key[] =
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
    "OPTIONS\n"
    "    --key URI|FILE       the key (see KEYS in mav2 --help)\n"
    "    --pin-source FILE    PIN or PEM passphrase, first line of FILE\n"
    "    --json               {\"address\", \"publicKey\", \"held\", \"uri\", \"sensitive\",\n"
    "                         \"alwaysSensitive\", \"extractable\", \"neverExtractable\",\n"
    "                         \"local\", \"hardware\", \"failing\"}; attributes true,\n"
    "                         false or null (unknown, or not a token key)\n"
    "    --help               this text\n"
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
    "    mav2 key info --key session.pem --json\n";

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

static json_object *info_json(const mav2_signer *s, const mav2_key_protection *pr, const char *uri,
                              int hw, const char *failing)
{
    json_object *o = json_object_new_object();
    int v[5];

    attr_values(pr, v);
    mav2_cli_signer_json(o, s);
    json_object_object_add(o, "held", json_object_new_string(held_name(pr->held)));
    json_object_object_add(o, "uri", uri != NULL ? json_object_new_string(uri) : NULL);
    for (int i = 0; i < 5; i++)
        json_object_object_add(o, attr_json[i],
                               v[i] == 0 || v[i] == 1 ? json_object_new_boolean(v[i]) : NULL);
    json_object_object_add(o, "hardware", json_object_new_boolean(hw));
    json_object_object_add(o, "failing", failing != NULL ? json_object_new_string(failing) : NULL);
    return o;
}

static int info_text(mav2_buf *b, const mav2_signer *s, const mav2_key_protection *pr,
                     const char *uri, const char *failing)
{
    char line[1200];
    int v[5], ok;

    attr_values(pr, v);
    snprintf(line, sizeof(line), "address %s\nheld %s\n", mav2_signer_address_str(s),
             held_name(pr->held));
    ok = mav2_buf_append(b, line, strlen(line));
    if (uri != NULL) {
        snprintf(line, sizeof(line), "uri %s\n", uri);
        ok = ok && mav2_buf_append(b, line, strlen(line));
    }
    for (int i = 0; pr->held == MAV2_KEY_HELD_TOKEN && i < 5; i++) {
        snprintf(line, sizeof(line), "%s %s\n", attr_names[i],
                 v[i] == 1   ? "yes"
                 : v[i] == 0 ? "no"
                             : "unknown");
        ok = ok && mav2_buf_append(b, line, strlen(line));
    }
    snprintf(line, sizeof(line), "hardware %s%s", failing != NULL ? "no " : "yes",
             failing != NULL ? failing : "");
    return ok && mav2_buf_append(b, line, strlen(line) + 1);
}

static int key_info(const mav2_cli_cmd *self, int argc, char **argv)
{
    static const struct option opts[] = {{"key", required_argument, NULL, 'k'},
                                         {"pin-source", required_argument, NULL, 'p'},
                                         {"json", no_argument, NULL, 'j'},
                                         {NULL, 0, NULL, 0}};
    const char *key = NULL, *pin = NULL, *arg, *failing = NULL;
    char uri[1024];
    int json = 0, c, rc, hw, has_uri;
    mav2_cli_parser p;
    mav2_key_protection pr;
    mav2_signer *signer;
    EVP_PKEY *pkey;

    mav2_cli_parser_init(&p, self, opts, argc, argv);
    while ((c = mav2_cli_next(&p, &arg)) != -1) {
        if (c == 'k')
            key = arg;
        else if (c == 'p')
            pin = arg;
        else if (c == 'j')
            json = 1;
        else
            return c == 'h' ? MAV2_EXIT_OK : MAV2_EXIT_USAGE;
    }
    if (key == NULL)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--key is required");
    if ((pkey = mav2_cli_load_key(self, key, pin, 0)) == NULL)
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
    if (json) {
        json_object *o = info_json(signer, &pr, has_uri ? uri : NULL, hw, failing);
        rc = mav2_cli_print(self, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
        json_object_put(o);
    } else {
        mav2_buf b = MAV2_BUF_INIT;
        rc = info_text(&b, signer, &pr, has_uri ? uri : NULL, failing)
                 ? mav2_cli_print(self, (const char *)b.data)
                 : mav2_cli_fail(self, MAV2_EXIT_INTERNAL, "out of memory");
        mav2_buf_free(&b);
    }
    mav2_signer_free(signer);
    return rc;
}

int mav2_cmd_key(const mav2_cli_cmd *self, int argc, char **argv)
{
    mav2_cli_cmd sub = *self;

    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(self->help, stdout);
        return MAV2_EXIT_OK;
    }
    if (argc < 2 || strcmp(argv[1], "info") != 0)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "%s%s%s (see mav2 key --help)",
                             argc < 2 ? "which one?" : "unknown subcommand \"",
                             argc < 2 ? "" : argv[1], argc < 2 ? "" : "\"");
    sub.name = "key info";
    return key_info(&sub, argc - 1, argv + 1);
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
