/* SPDX-License-Identifier: Apache-2.0 */
/* address.c: `mav2 address`: the Ethereum address of a key (token or file). */
#include "config.h"

#include <string.h>

#include "mav2/cli/cli.h"
#include "mav2/cli/output.h"
#include "mav2/keys/signer.h"

/* What the command line says. */
typedef struct {
    const char *key, *pin;
    int json;
} address_opts;

static const mav2_cli_opt address_table[] = {
    MAV2_OPT_STR_REQ("key", "URI|FILE", address_opts, key, "the key (see KEYS in mav2 --help)"),
    MAV2_OPT_STR("pin-source", "FILE", address_opts, pin,
                 "PIN or PEM passphrase, first line of FILE"),
    MAV2_OPT_FLAG_("json", address_opts, json,
                   "{\"address\": \"0x...\", \"publicKey\": \"0x04...\"}"),
    MAV2_OPT_END_};

const mav2_cli_page mav2_page_address = {
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
    "OPTIONS\n",
    address_table,
    "\n"
    "EXIT STATUS\n"
    "    0 ok, 1 usage error, 2 key error (see mav2 --help)\n"
    "\n"
    "EXAMPLES\n"
    "    mav2 address --key 'pkcs11:token=hsm;object=sk1'\n"
    "    mav2 address --key session.pem --json\n"};

int mav2_cmd_address(const mav2_cli_cmd *self, int argc, char **argv)
{
    address_opts o;
    mav2_signer *signer;
    mav2_cli_result r;
    int rc;

    memset(&o, 0, sizeof(o));
    if ((rc = mav2_cli_opts_parse(self, &o, argc, argv)) != MAV2_CLI_PARSED)
        return rc;
    if ((signer = mav2_cli_load_signer(self, o.key, o.pin, 0)) == NULL)
        return MAV2_EXIT_KEY;
    mav2_cli_result_init(&r, o.json);
    mav2_cli_result_signer(&r, "", signer);
    mav2_signer_free(signer);
    return mav2_cli_result_print(self, &r);
}
