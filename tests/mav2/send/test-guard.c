/* SPDX-License-Identifier: Apache-2.0 */
/* test-guard.c: the policy and the ledger on the send flow's guard (guard.h) against
 * the mock node and bundler (sendmock.h): a refused op is never signed nor sent and
 * leaves a "refused" line; a signed op a "sign" line before it is sent, then its
 * outcome; a replacement names the op it replaces, which gets a "replaced" line; with
 * guard.state the lines go to the state's chain of the account, not to the file. */
#include "common/hex.h"
#include "mav2/core/error.h"
#include "mav2/net/state.h"
#include "mav2/send/guard.h"
#include "mav2/send/ledger.h"
#include "sendmock.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_object *vectors;
static char ledger[600];

/* The ledger's lines of event ev, as "userOpHash field" (field: a member name). */
static int lines_of(const char *ev, const char *field, char *out, size_t cap)
{
    char line[8192];
    int n = 0;
    FILE *f = fopen(ledger, "r");
    out[0] = '\0';
    while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
        json_object *o = json_tokener_parse(line), *e, *h, *v;
        if (json_object_object_get_ex(o, "event", &e) &&
            strcmp(json_object_get_string(e), ev) == 0) {
            json_object_object_get_ex(o, "userOpHash", &h);
            json_object_object_get_ex(o, field, &v);
            snprintf(out + strlen(out), cap - strlen(out), "%s %s;", json_object_get_string(h),
                     v != NULL ? json_object_get_string(v) : "-");
            n++;
        }
        json_object_put(o);
    }
    if (f != NULL)
        fclose(f);
    return n;
}

static int count_lines_of(const char *path)
{
    FILE *f = fopen(path, "r");
    int n = 0, c;
    while (f != NULL && (c = fgetc(f)) != EOF)
        n += c == '\n';
    if (f != NULL)
        fclose(f);
    return n;
}

static void test_refused(void)
{
    mock m;
    th_server *s;
    mav2_rpc *rpc;
    mav2_send_params p;
    mav2_send_result r;
    mav2_guard g;
    mav2_policy *pol = mav2_policy_new();
    char got[2048];
    int ok;

    if (pol == NULL ||
        !mav2_policy_set(pol, "policy-allow", "0x0000000000000000000000000000000000000001"))
        tap_bail(mav2_last_error());
    mock_init(&m, flow);
    s = th_start(mock_handler, &m);
    rpc = client(s);
    params_for_flow(&p);
    mav2_guard_init(&g);
    g.policy = pol;
    g.state_dir = state_dir;
    g.ledger = ledger;
    p.guard = mav2_guard_hook;
    p.guard_ctx = &g;
    ok = mav2_send(rpc, rpc, &p, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_INVALID && strstr(r.message, "refused by policy-allow"),
           "policy: refused, the rule named (%s)", r.message);
    tap_ok(signer.calls == 0 && count_calls(&m, "eth_sendUserOperation") == 0 &&
               journal_has(&p, NULL) == 0,
           "policy: nothing signed, sent or journaled");
    tap_ok(g.refused_rule != NULL && strcmp(g.refused_rule, "policy-allow") == 0,
           "policy: the guard says which rule");
    tap_ok(lines_of("refused", "rule", got, sizeof(got)) == 1 && strstr(got, " policy-allow;"),
           "ledger: one refused line with its rule (%s)", got);
    tap_ok(lines_of("sign", "verdict", got, sizeof(got)) == 0, "ledger: no sign line");
    mav2_send_result_clear(&r);
    mav2_rpc_free(rpc);
    th_stop(s);
    mock_free(&m);
    mav2_policy_free(pol);
}

/* A mav2_guard not made by mav2_guard_init of this library (another build's layout):
 * the hook refuses before anything is signed, and so does every other entry point. */
static void test_struct_size(void)
{
    mock m;
    th_server *s;
    mav2_rpc *rpc;
    mav2_send_params p;
    mav2_send_result r;
    mav2_guard g;
    uint8_t hash[32] = {0};
    int ok, before = signer.calls;

    mock_init(&m, flow);
    s = th_start(mock_handler, &m);
    rpc = client(s);
    params_for_flow(&p);
    mav2_guard_init(&g);
    tap_ok(g.struct_size == sizeof(g) && g.policy == NULL && g.ledger == NULL &&
               g.refused_rule == NULL && g.token_serial[0] == '\0',
           "mav2_guard_init: struct_size, no policy, no ledger");
    g.ledger = ledger;
    g.struct_size = sizeof(g) + 8;
    p.guard = mav2_guard_hook;
    p.guard_ctx = &g;
    ok = mav2_send(rpc, rpc, &p, &r);
    tap_ok(!ok && r.outcome == MAV2_SEND_INVALID && strstr(r.message, "mav2_guard: struct_size"),
           "a mav2_guard of another size: send refused naming the struct (%s)", r.message);
    tap_ok(signer.calls == before && count_calls(&m, "eth_sendUserOperation") == 0,
           "a mav2_guard of another size: nothing signed or sent");
    tap_ok(!mav2_guard_outcome(&g, &p, &r) &&
               !mav2_guard_outcome_of(&g, 1, p.account, hash, MAV2_SEND_INCLUDED, NULL) &&
               !mav2_guard_set_key(&g, NULL) && strstr(mav2_last_error(), "mav2_guard_init"),
           "a mav2_guard of another size: outcome, outcome_of and set_key refuse it");
    mav2_send_result_clear(&r);
    mav2_rpc_free(rpc);
    th_stop(s);
    mock_free(&m);
}

static void test_signed_and_replaced(void)
{
    mock m;
    th_server *s;
    mav2_rpc *rpc;
    mav2_send_params p;
    mav2_send_result r;
    mav2_guard g;
    char h0[67], h1[67], got[2048], want[600];
    int ok;

    mock_init(&m, flow);
    m.receipt_nulls = -1;
    s = th_start(mock_handler, &m);
    rpc = client(s);
    params_for_flow(&p);
    mav2_guard_init(&g);
    g.ledger = ledger;
    p.guard = mav2_guard_hook;
    p.guard_ctx = &g;
    p.wait_timeout_ms = -1;
    ok = mav2_send(rpc, rpc, &p, &r);
    mh_hex_encode(r.user_op_hash, 32, h0, sizeof(h0), 1);
    tap_ok(ok && r.outcome == MAV2_SEND_SUBMITTED && mav2_guard_outcome(&g, &p, &r),
           "send: submitted (%s)", r.message);
    snprintf(want, sizeof(want), "%s none;", h0);
    tap_ok(lines_of("sign", "verdict", got, sizeof(got)) == 1 && strcmp(got, want) == 0,
           "ledger: its sign line, verdict none without a policy (%s)", got);
    mav2_send_result_clear(&r);

    m.receipt_nulls = 0;
    mav2_guard_init(&g);
    g.ledger = ledger;
    p.wait_timeout_ms = 2000;
    ok = mav2_send_replace(rpc, rpc, &p, &r);
    mh_hex_encode(r.user_op_hash, 32, h1, sizeof(h1), 1);
    tap_ok(ok && r.replaced && strcmp(h0, h1) != 0 && mav2_guard_outcome(&g, &p, &r),
           "replace: a new op included (%s)", r.message);
    lines_of("sign", "replaces", got, sizeof(got));
    snprintf(want, sizeof(want), "%s -;%s %s;", h0, h1, h0);
    tap_ok(strcmp(got, want) == 0, "ledger: the replacement names the op it replaces (%s)", got);
    lines_of("outcome", "outcome", got, sizeof(got));
    snprintf(want, sizeof(want), "%s submitted;%s replaced;%s included;", h0, h0, h1);
    tap_ok(strcmp(got, want) == 0, "ledger: submitted, replaced, included (%s)", got);
    tap_ok(mav2_ledger_verify(ledger, NULL, NULL, NULL), "ledger: the chain verifies");
    mav2_send_result_clear(&r);
    mav2_rpc_free(rpc);
    th_stop(s);
    mock_free(&m);
}

/* guard.state (a files state here: the same code as PostgreSQL's above the backend):
 * the sign and outcome lines are the account's chain in the state, the file untouched. */
static void test_state_ledger(void)
{
    mock m;
    th_server *s;
    mav2_rpc *rpc;
    mav2_send_params p;
    mav2_send_result r;
    mav2_guard g;
    mav2_state *st = NULL;
    char dir[600], acct[41], h0[67], got[2048], want[600], file[sizeof(ledger)];
    uint64_t links = 0, bad = 1;
    unsigned long long lines = 0;
    int version, ok, before = count_lines_of(ledger);

    snprintf(dir, sizeof(dir), "file:%s/shared", state_dir);
    if (!mav2_state_open(dir, NULL, &st) || !mav2_state_init_db(st, &version))
        tap_bail(mav2_last_error());
    mock_init(&m, flow);
    m.receipt_nulls = -1;
    s = th_start(mock_handler, &m);
    rpc = client(s);
    params_for_flow(&p);
    mav2_guard_init(&g);
    g.ledger = ledger;
    g.state = st;
    p.guard = mav2_guard_hook;
    p.guard_ctx = &g;
    p.wait_timeout_ms = -1;
    ok = mav2_send(rpc, rpc, &p, &r);
    tap_ok(ok && mav2_guard_outcome_of(&g, p.chain_id, p.account, r.user_op_hash,
                                       MAV2_SEND_INCLUDED, NULL),
           "guard.state: sent, its outcome recorded (%s)", r.message);
    tap_ok(count_lines_of(ledger) == before, "guard.state: nothing written to the file");
    tap_ok(mav2_state_ledger_verify(st, p.account, &links, &bad, NULL) && links == 2 && bad == 0,
           "guard.state: the account's chain holds 2 links and verifies");
    mh_hex_encode(p.account, 20, acct, sizeof(acct), 0);
    mh_hex_encode(r.user_op_hash, 32, h0, sizeof(h0), 1);
    memcpy(file, ledger, sizeof(file));
    snprintf(ledger, sizeof(ledger), "%s/shared/ledger-%s", state_dir, acct);
    lines_of("sign", "verdict", got, sizeof(got));
    snprintf(want, sizeof(want), "%s none;", h0);
    tap_ok(strcmp(got, want) == 0, "guard.state: its sign line is there (%s)", got);
    tap_ok(mav2_ledger_verify(ledger, &lines, NULL, NULL) && lines == 2,
           "guard.state: the chain is a ledger file, as mav2 audit verify reads it");
    memcpy(ledger, file, sizeof(file));
    mav2_send_result_clear(&r);
    mav2_rpc_free(rpc);
    th_stop(s);
    mock_free(&m);
    mav2_state_close(st);
}

int main(void)
{
    vectors = sm_setup(0);
    snprintf(ledger, sizeof(ledger), "%s/ledger.jsonl", state_dir);
    test_refused();
    test_struct_size();
    test_signed_and_replaced();
    test_state_ledger();
    sm_cleanup(vectors);
    return tap_done();
}
