/* SPDX-License-Identifier: Apache-2.0 */
/* sign.c: `mav2 sign`: a user operation signed with a session key, offline (the
 * air-gapped path: built and hashed online, signed here, sent elsewhere). */
#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "common/hex.h"
#include "mav2/cli/cli.h"
#include "mav2/cli/guard_cli.h"
#include "mav2/cli/output.h"
#include "mav2/core/account.h"
#include "mav2/core/userop.h"
#include "mav2/core/userop_json.h"
#include "mav2/keys/signer.h"

/* What the command line says. */
typedef struct {
    mav2_cli_userop_in in;
    const char *key, *pin;
    int json, sig_only;
} sign_opts;

static const mav2_cli_opt sign_table[] = {
    MAV2_OPT_STR_REQ("userop", "FILE|-", sign_opts, in.userop,
                     "the user operation (- reads stdin); its signature is\n"
                     "replaced"),
    MAV2_OPT_STR_REQ("key", "URI|FILE", sign_opts, key,
                     "the session key (see KEYS in mav2 --help)"),
    MAV2_OPT_STR_REQ("chain-id", "N", sign_opts, in.chain, "chain id, decimal or 0x-hex"),
    MAV2_OPT_STR("entry-point", "ADDR", sign_opts, in.entry_point,
                 "default 0x0000000071727De22E5E9d8BAf0edAc6f37da032 (v0.7)"),
    MAV2_OPT_STR("pin-source", "FILE", sign_opts, pin,
                 "PIN or PEM passphrase, first line of FILE (prefer a\n"
                 "pin-source in the URI or the provider configuration)"),
    MAV2_OPT_FLAG_("signature-only", sign_opts, sig_only,
                   "print only the 67-byte signature (0x-hex)"),
    MAV2_OPT_FLAG_("json", sign_opts, json,
                   "{\"userOp\": {...}, \"userOpHash\": ..., \"signature\": ...,\n"
                   "\"signer\": \"0x...\"}"),
    MAV2_OPT_END_};

const mav2_cli_page mav2_page_sign = {
    "NAME\n"
    "    mav2 sign - sign a user operation with a session key, offline\n"
    "\n"
    "SYNOPSIS\n"
    "    mav2 sign --userop FILE|- --key URI|FILE --chain-id N [--entry-point ADDR]\n"
    "              [--pin-source FILE] [--signature-only | --json]\n"
    "\n"
    "DESCRIPTION\n"
    "    Computes the op's v0.7 userOpHash (see mav2 hash), signs the EIP-191\n"
    "    personal-message hash of it with the key (low s, v = 27/28, checked by\n"
    "    public-key recovery before it is printed) and prints the op with its\n"
    "    signature field set to the 67-byte MAv2 session-key signature\n"
    "    0xFF || 0x00 || r || s || v, as one line of JSON ready for\n"
    "    eth_sendUserOperation. The nonce must already carry the nonce key of the\n"
    "    validation that will check the signature (see mav2 nonce-key).\n"
    "    Nothing goes to the network: this is the air-gapped signing path\n"
    "    (build and hash online, sign here, send the output elsewhere).\n"
    "\n"
    "OPTIONS\n",
    sign_table,
    "\n" MAV2_CLI_LEDGER_HELP "\n"
    "EXIT STATUS\n"
    "    0 ok, 1 usage error or bad input, 2 key or token error (see mav2 --help),\n"
    "    6 the audit ledger\n"
    "\n"
    "EXAMPLES\n"
    "    mav2 sign --userop op.json --chain-id 1 \\\n"
    "        --key 'pkcs11:token=hsm;object=sk1?pin-source=file:/run/secrets/pin'\n"};

/* u's op with its signature sig printed: the op's JSON, or with json {userOp,
 * userOpHash, signature, signer}. Exit code. */
static int sign_print(const mav2_cli_cmd *self, int json, mav2_cli_userop *u,
                      const uint8_t sig[MAV2_USEROP_SIG_LEN], const mav2_signer *signer)
{
    char sig_hex[2 * MAV2_USEROP_SIG_LEN + 3], hash_hex[67];
    json_object *opj = NULL;
    mav2_cli_result r;

    if (!mav2_buf_set(&u->op.signature, sig, MAV2_USEROP_SIG_LEN) ||
        !mav2_userop_to_json(&u->op, &opj))
        return mav2_cli_fail_lib(self, MAV2_EXIT_INTERNAL, NULL);
    mh_hex_encode(sig, MAV2_USEROP_SIG_LEN, sig_hex, sizeof(sig_hex), 1);
    mh_hex_encode(u->hash, 32, hash_hex, sizeof(hash_hex), 1);
    mav2_cli_result_init(&r, json);
    mav2_cli_result_str(&r, NULL, "", json_object_to_json_string_ext(opj, JSON_C_TO_STRING_PLAIN));
    mav2_cli_result_json(&r, "userOp", opj);
    mav2_cli_result_str(&r, "userOpHash", NULL, hash_hex);
    mav2_cli_result_str(&r, "signature", NULL, sig_hex);
    mav2_cli_result_str(&r, "signer", NULL, mav2_signer_address_str(signer));
    return mav2_cli_result_print(self, &r);
}

int mav2_cmd_sign(const mav2_cli_cmd *self, int argc, char **argv)
{
    sign_opts o;
    mav2_cli_userop u;
    uint8_t sig[MAV2_USEROP_SIG_LEN];
    char sig_hex[2 * MAV2_USEROP_SIG_LEN + 3];
    mav2_signer *signer = NULL;
    mav2_cli_guard lg;
    int rc;

    memset(&o, 0, sizeof(o));
    if ((rc = mav2_cli_opts_parse(self, &o, argc, argv)) != MAV2_CLI_PARSED)
        return rc;
    if (o.sig_only && o.json)
        return mav2_cli_fail(self, MAV2_EXIT_USAGE,
                             "--signature-only and --json exclude each other");
    if ((rc = mav2_cli_userop_load(self, &o.in, &u)) != MAV2_EXIT_OK)
        goto done;
    if ((rc = mav2_cli_ledger_signer(self, o.key, o.pin, &lg, &signer)) != MAV2_EXIT_OK)
        goto done;
    if (!mav2_signer_sign_userop(signer, u.hash, sig)) {
        rc = mav2_cli_fail_lib(self, MAV2_EXIT_KEY, "--key");
        goto done;
    }
    if ((rc = mav2_cli_ledger_op(self, &lg, u.chain_id, &u.op, u.hash)) != MAV2_EXIT_OK)
        goto done;
    mh_hex_encode(sig, sizeof(sig), sig_hex, sizeof(sig_hex), 1);
    rc = o.sig_only ? mav2_cli_print(self, sig_hex) : sign_print(self, o.json, &u, sig, signer);
done:
    mav2_signer_free(signer);
    mav2_userop_clear(&u.op);
    return rc;
}
