/* SPDX-License-Identifier: Apache-2.0 */
/* session_key_create.c: `mav2 session-key create`: a key pair generated on the token
 * through the p11k1 provider. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "common/hex.h"
#include "mav2/cli/session_keys.h"
#include "mav2/keys/key.h"
#include "mav2/keys/signer.h"

/* What the command line says. */
typedef struct {
    const char *token, *label, *id_s, *pin;
    int json;
} create_args;

static const mav2_cli_opt create_table[] = {
    MAV2_OPT_STR_REQ("token", "URI", create_args, token,
                     "the token (pkcs11: URI; a pin-source in it is used)"),
    MAV2_OPT_STR_REQ("label", "L", create_args, label, "the key's label (CKA_LABEL)"),
    MAV2_OPT_STR("id", "HEX", create_args, id_s,
                 "the key's id (CKA_ID, 1..64 bytes); default random"),
    MAV2_OPT_STR("pin-source", "FILE", create_args, pin,
                 "token PIN, first line of FILE (when the URI and the\n"
                 "provider configuration give none)"),
    MAV2_OPT_FLAG_("json", create_args, json,
                   "{\"uri\": ..., \"address\": ..., \"publicKey\": ...}"),
    MAV2_OPT_END_};

const mav2_cli_page mav2_page_session_create = {
    "NAME\n"
    "    mav2 session-key create - generate a session key on a PKCS#11 token\n"
    "\n"
    "SYNOPSIS\n"
    "    mav2 session-key create --token 'pkcs11:token=LABEL' --label L [--id HEX]\n"
    "        [--pin-source FILE] [--json]\n"
    "\n"
    "DESCRIPTION\n"
    "    Generates a secp256k1 key pair on the token through the p11k1 OpenSSL\n"
    "    provider (the private key is made on the token, sensitive and not\n"
    "    extractable) and prints the URI naming it and its Ethereum address: the\n"
    "    address to install with mav2 session-key install --session-key URI.\n"
    "    A label or id already used on the token is refused.\n"
    "\n"
    "OPTIONS\n",
    create_table,
    "\n"
    "OUTPUT\n"
    "    \"uri pkcs11:...\" then \"address 0x...\".\n"
    "\n"
    "EXIT STATUS\n"
    "    0 ok, 1 usage error, 2 key or token error (label in use, PIN, no token)\n"
    "\n"
    "EXAMPLES\n"
    "    mav2 session-key create --token 'pkcs11:token=hsm' --label sk2 --id 02 \\\n"
    "      --pin-source /run/secrets/pin\n"};

int mav2_cmd_session_create(const mav2_cli_cmd *self0, int argc, char **argv)
{
    mav2_cli_cmd cmd = *self0;
    const mav2_cli_cmd *self = &cmd;
    create_args o;
    const char *why = NULL;
    uint8_t id[64];
    size_t id_len = 0;
    int rc;
    EVP_PKEY *pkey = NULL;
    mav2_signer *signer;
    char *uri = NULL;

    cmd.page = &mav2_page_session_create;
    memset(&o, 0, sizeof(o));
    if ((rc = mav2_cli_opts_parse(self, &o, argc, argv)) != MAV2_CLI_PARSED)
        return rc;
    if (strncmp(o.token, "pkcs11:", 7) != 0)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--token: not a pkcs11: URI");
    if (*o.label == '\0')
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--label: empty");
    if (o.id_s != NULL && (!mh_hex_decode(o.id_s, id, sizeof(id), &id_len, &why) || id_len == 0))
        return mav2_cli_fail(self, MAV2_EXIT_USAGE, "--id: not 1 to 64 bytes of hex%s%s",
                             why != NULL ? ": " : "", why != NULL ? why : "");
    if (!mav2_key_generate(o.token, o.label, o.id_s != NULL ? id : NULL, id_len, o.pin, &pkey,
                           &uri))
        return mav2_cli_fail_lib(self, MAV2_EXIT_KEY, NULL);
    signer = mav2_signer_new(pkey);
    EVP_PKEY_free(pkey);
    if (signer == NULL) {
        free(uri);
        return mav2_cli_fail_lib(self, MAV2_EXIT_KEY, "the new key");
    }
    if (o.json) {
        json_object *j = json_object_new_object();
        json_object_object_add(j, "uri", json_object_new_string(uri));
        mav2_cli_signer_json(j, signer);
        rc = mav2_cli_print(self, json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
        json_object_put(j);
    } else {
        size_t n = strlen(uri) + 64;
        char *s = malloc(n);
        if (s == NULL)
            rc = mav2_cli_fail(self, MAV2_EXIT_INTERNAL, "out of memory");
        else {
            snprintf(s, n, "uri %s\naddress %s", uri, mav2_signer_address_str(signer));
            rc = mav2_cli_print(self, s);
            free(s);
        }
    }
    free(uri);
    mav2_signer_free(signer);
    return rc;
}
