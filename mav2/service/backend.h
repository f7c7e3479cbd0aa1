/* SPDX-License-Identifier: Apache-2.0 */
/* backend.h: mav2d's state backend (state.h) as its settings name it: the files of
 * STATE_DIR/journal (state = files, the default) or PostgreSQL (state =
 * postgresql://..., its password from state-password-file). */
#ifndef MAV2D_BACKEND_H
#define MAV2D_BACKEND_H

#include "mav2/net/state.h"
#include "mav2/service/conf.h"

/* Opens c's state (PostgreSQL: its schema must be there, mavd_backend_init_db). */
int mavd_backend_open(const mavd_conf *c, mav2_state **out);

/* mav2d --init-db: creates or migrates c's state (schema MAV2_STATE_SCHEMA); prints
 * one line naming the backend and the schema version. */
int mavd_backend_init_db(const mavd_conf *c);

#endif
