/* SPDX-License-Identifier: Apache-2.0 */
/* guard_cli.h: the policy and audit ledger (mav2/send/guard.h) the online commands put
 * around their signatures, from the settings (policy-* and ledger keys of the profile). */
#ifndef MAV2_CLI_GUARD_H
#define MAV2_CLI_GUARD_H

#include <limits.h>

#include "mav2/cli/cli.h"
#include "mav2/keys/signer.h"
#include "mav2/send/guard.h"

typedef struct {
    mav2_guard g;
    mav2_policy *policy;
    char ledger[PATH_MAX];
} mav2_cli_guard;

/* The ledger the settings name into out: the `ledger` setting, else
 * STATE_DIR/ledger.jsonl (state_dir NULL = the journal's default); "" when `ledger =
 * off`. Prints the error and returns 0 when no path can be made. */
int mav2_cli_ledger_path(const mav2_cli_cmd *cmd, const char *state_dir, char *out, size_t cap);
/* Sets g up from the settings for signing with key and hooks it into p. Prints the
 * error (a bad policy-* value, naming where it was set) and returns 0. */
int mav2_cli_guard_setup(const mav2_cli_cmd *cmd, mav2_cli_guard *g, mav2_send_params *p,
                         EVP_PKEY *key);
/* The outcome line of r (r NULL: none; a warning when it cannot be written); frees g's
 * policy. Safe on a zeroed g and twice. */
void mav2_cli_guard_done(const mav2_cli_cmd *cmd, mav2_cli_guard *g, const mav2_send_params *p,
                         const mav2_send_result *r);

/* The signer of the offline signing commands (mav2 sign, mav2 sign-message): key loaded
 * as mav2_cli_load_signer does, g set up to record its signatures in the ledger the
 * settings name, as mav2 audit finds it (no policy: they sign what they are given). Returns an exit
 * code after printing the error; *out is the signer on success. */
int mav2_cli_ledger_signer(const mav2_cli_cmd *cmd, const char *uri, const char *pin,
                           mav2_cli_guard *g, mav2_signer **out);
/* The "sign" line of what g's signer signed (guard.h: mav2_guard_signed_op, _message),
 * before the signature is printed. Returns an exit code after printing the error. */
int mav2_cli_ledger_op(const mav2_cli_cmd *cmd, mav2_cli_guard *g, uint64_t chain_id,
                       const mav2_userop *op, const uint8_t hash[32]);
int mav2_cli_ledger_message(const mav2_cli_cmd *cmd, mav2_cli_guard *g, uint64_t chain_id,
                            const uint8_t account[MAV2_ADDRESS_LEN], uint32_t entity_id,
                            const uint8_t hash[32], const uint8_t replay_safe_hash[32]);

/* mav2 audit verify | show (audit.c). */
int mav2_cmd_audit(const mav2_cli_cmd *self, int argc, char **argv);
extern const char mav2_help_audit[];

#define MAV2_CLI_GUARD_HELP                                                                        \
    "POLICY AND LEDGER\n"                                                                          \
    "    Before the key signs, the profile's off-chain policy is checked (policy-allow,\n"         \
    "    policy-max-value, policy-value-cap, policy-ops-per-minute, policy-max-cost;\n"            \
    "    see mav2 audit --help); an op outside it is refused with the rule named (exit\n"          \
    "    1), nothing signed. Every signature is appended to the audit ledger (the\n"               \
    "    profile's ledger = PATH, default STATE_DIR/ledger.jsonl; ledger = off: none).\n"

/* The offline signing commands' --help section (mav2 sign, mav2 sign-message). */
#define MAV2_CLI_LEDGER_HELP                                                                       \
    "AUDIT LEDGER\n"                                                                               \
    "    The signature is appended to the audit ledger as a \"sign\" line before it\n"             \
    "    is printed (the profile's ledger = PATH, the profile named by MAV2_PROFILE;\n"            \
    "    default STATE_DIR/ledger.jsonl; ledger = off: none); when the line cannot\n"              \
    "    be written nothing is printed (exit 6). mav2 audit verify checks the ledger.\n"

#endif
