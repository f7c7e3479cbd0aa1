/* SPDX-License-Identifier: Apache-2.0 */
/* replace.h: `mav2 replace` (drop-and-replace of a journaled op, replace.c). */
#ifndef MAV2_CLI_REPLACE_H
#define MAV2_CLI_REPLACE_H

#include "mav2/cli/cli.h"
#include "mav2/send/send.h"

int mav2_cmd_replace(const mav2_cli_cmd *self, int argc, char **argv);
extern const mav2_cli_page mav2_page_replace;

#endif
