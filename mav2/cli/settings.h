/* SPDX-License-Identifier: Apache-2.0 */
/* settings.h (cli): where each setting of an online command comes from. Precedence:
 * command-line option > environment > profile of the settings file > chain preset
 * (mav2/settings.h). Callers look at their own option first and ask here only when it
 * was not given. The CLI is single-threaded: the state is process-wide. */
#ifndef MAV2_CLI_SETTINGS_H
#define MAV2_CLI_SETTINGS_H

#include <stdint.h>

#include "mav2/cli/cli.h"

/* --profile / --chain as given on the command line (NULL: not given). Call while
 * parsing options, before mav2_cli_settings_ready. */
void mav2_cli_settings_request(const char *profile, const char *chain);
/* Loads the settings file and picks profile and chain (once). Prints the error and
 * returns 0 when the file, the profile or the chain is bad. */
int mav2_cli_settings_ready(const mav2_cli_cmd *cmd);

/* The value of name (a mav2_config_keys name, or "chain-id") from the environment,
 * the profile or the chain, or NULL. *source (may be NULL) says where: "environment
 * VAR", "FILE:LINE", "chain NAME". Secrets stay in the value: print it only through
 * mav2_cli_setting_shown. */
const char *mav2_cli_setting(const char *name, const char **source);
/* The chain id the settings expect (preset or [chain] chain-id), 0 if none. */
uint64_t mav2_cli_settings_chain_id(void);
/* value as it may be printed: URLs redacted (scheme://host[:port]/...), "***" for a
 * key file's or PIN file's content never read here. */
const char *mav2_cli_setting_shown(const char *name, const char *value, char *buf, size_t cap);

int mav2_cmd_config(const mav2_cli_cmd *self, int argc, char **argv);
int mav2_cmd_chains(const mav2_cli_cmd *self, int argc, char **argv);
extern const mav2_cli_page mav2_page_config, mav2_page_chains;

#endif
