/* SPDX-License-Identifier: Apache-2.0 */
/* backend.c: mav2d's state backend (backend.h). */
#include "config.h"

#include <stdio.h>

#include "mav2/core/error.h"
#include "mav2/service/backend.h"
#include "mav2/service/store.h"

int mavd_backend_open(const mavd_conf *c, mav2_state **out)
{
    char url[4096 + 8], dir[4096];
    *out = NULL;
    if (c->state_url == NULL) {
        if (!mavd_store_journal_dir(c->state_dir, dir, sizeof(dir)))
            return 0;
        snprintf(url, sizeof(url), "file:%s", dir);
    }
    return mav2_state_open_wait(c->state_url != NULL ? c->state_url : url, c->state_password_file,
                                c->state_wait_ms, out);
}

int mavd_backend_init_db(const mavd_conf *c)
{
    mav2_state *st = NULL;
    int version = 0, ok = mavd_backend_open(c, &st) && mav2_state_init_db(st, &version);
    if (ok)
        printf("mav2d: state (%s) at schema %d\n", mav2_state_kind(st), version);
    mav2_state_close(st);
    return ok;
}
