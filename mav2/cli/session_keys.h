/* SPDX-License-Identifier: Apache-2.0 */
/* session_keys.h: `mav2 session-key create|list` (session_key_create.c,
 * session_key_list.c; run from the session-key group in session_key.c) and `mav2
 * sign-message` (ERC-1271 account signatures). */
#ifndef MAV2_CLI_SESSION_KEYS_H
#define MAV2_CLI_SESSION_KEYS_H

#include "mav2/cli/cli.h"

int mav2_cmd_session_create(const mav2_cli_cmd *self, int argc, char **argv);
int mav2_cmd_session_list(const mav2_cli_cmd *self, int argc, char **argv);
int mav2_cmd_sign_message(const mav2_cli_cmd *self, int argc, char **argv);
extern const mav2_cli_page mav2_page_session_create, mav2_page_session_list;
extern const mav2_cli_page mav2_page_sign_message; /* sign_message.c */

#endif
