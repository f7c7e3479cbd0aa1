/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_key.c: subcommands about keys: address. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "common/hex.h"
#include "mav2/cli/cli.h"
#include "mav2/signer.h"

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
