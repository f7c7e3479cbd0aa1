/* SPDX-License-Identifier: Apache-2.0 */
/* state_pg_calls.c: call records in PostgreSQL (state.h: mav2_state_call_put/get). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mav2/core/error.h"
#include "mav2/net/state_pg_int.h"

typedef struct {
    const uint8_t *id;
    const char *text;
    char **out;
} call_ctx;

static int put_body(mav2_state *st, void *ctx)
{
    call_ctx *c = ctx;
    char id[MAV2_PG_BYTEA_MAX];
    const char *p[2] = {id, c->text};
    mav2_pg_bytea(c->id, 32, id);
    return mav2_pg_run(st,
                       "INSERT INTO mav2_call (id, record) VALUES ($1, $2) ON CONFLICT (id)"
                       " DO UPDATE SET record = EXCLUDED.record, written = now()",
                       2, p);
}

static int get_body(mav2_state *st, void *ctx)
{
    call_ctx *c = ctx;
    char id[MAV2_PG_BYTEA_MAX];
    const char *p[1] = {id};
    PGresult *res;
    int r;
    mav2_pg_bytea(c->id, 32, id);
    if ((r = mav2_pg_exec(st, &res, "SELECT record FROM mav2_call WHERE id = $1", 1, p)) != 1)
        return r;
    free(*c->out);
    *c->out = NULL;
    if (PQntuples(res) == 1 && (*c->out = strdup(PQgetvalue(res, 0, 0))) == NULL)
        r = mav2_error_set("state: out of memory");
    PQclear(res);
    return r;
}

int mav2_pg_call_put(mav2_state *st, const uint8_t id[32], const char *text)
{
    call_ctx c = {id, text, NULL};
    return mav2_pg_tx1(st, put_body, &c);
}

int mav2_pg_call_get(mav2_state *st, const uint8_t id[32], char **text)
{
    call_ctx c = {id, NULL, text};
    return mav2_pg_tx1(st, get_body, &c);
}
