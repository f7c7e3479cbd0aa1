#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test-install-headers.sh: libmav2's installed headers stand alone (issue 11, 6.2): a C
# program including every one of them, as installed (make install DESTDIR=...), with
# only the installed include directory given, pulls in no json-c header and compiles;
# it links against the installed libmav2.so and runs, taking a send result's receipt
# and user op as JSON text; the JSON plumbing headers are not installed; and send
# parameters not made by mav2_send_params_init are refused (issue 11, 6.3), and so are
# the other structs a caller fills in (mav2_key_opts, mav2_rpc_options,
# mav2_session_limits, mav2_guard) when not made by their _init.
. "$MH_TOP_SRCDIR/tests/harness/tap.sh"
[ -n "$MH_CC" ] || tap_skip_all "MH_CC (the C compiler) not set"
command -v make >/dev/null || tap_skip_all "make not installed"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mh-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
D="$TMP/dest"

ok "make install of libmav2's headers and library into DESTDIR" \
    make -s -C "$MH_TOP_BUILDDIR/mav2" DESTDIR="$D" install-nobase_mav2includeHEADERS \
    install-libLTLIBRARIES
inc=$(dirname "$(find "$D" -path '*/include/mav2/send/send.h' -print -quit)")
inc=${inc%/mav2/send}
lib=$(dirname "$(find "$D" -name 'libmav2.so' -print -quit)")
[ -d "$inc/mav2" ] || tap_skip_all "no installed headers under $D"
for h in net/rpc_json.h net/journal.h net/state.h net/logs.h send/ledger.h core/userop_json.h \
    send/send_int.h; do
    ok "mav2/$h is not installed" test ! -e "$inc/mav2/$h"
done

(cd "$inc" && find mav2 -name '*.h' | sort) | sed 's/.*/#include <&>/' >"$TMP/prog.c"
cat >>"$TMP/prog.c" <<'PROG'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sizes(void);
int other_sizes(void);

int main(int argc, char **argv)
{
    if (argc > 1)
        return (strcmp(argv[1], "sizes") == 0 ? sizes() : other_sizes()) ? 0 : 1;
    mav2_send_params p;
    mav2_send_result r;
    mav2_userop op;
    char *text = NULL;
    int ok;

    mav2_send_params_init(&p);
    memset(&r, 0, sizeof(r));
    mav2_userop_init(&op);
    op.sender[19] = 1;
    ok = mav2_userop_to_json_string(&op, &text) &&
         strstr(text, "\"sender\":\"0x0000000000000000000000000000000000000001\"") != NULL;
    r.user_op = text; /* owned by r from here */
    r.receipt = malloc(sizeof("{}"));
    ok = ok && r.receipt != NULL && p.wait_timeout_ms == 120000;
    if (r.receipt != NULL)
        memcpy(r.receipt, "{}", sizeof("{}"));
    mav2_send_result_clear(&r);
    ok = ok && r.user_op == NULL && r.receipt == NULL;
    mav2_userop_clear(&op);
    puts(ok ? "ok" : "not ok");
    return ok ? 0 : 1;
}

/* A params struct not made by mav2_send_params_init (struct_size 0, or another
 * build's size): every entry point refuses it before any network call. */
static int refused(const char *what, int ret, const mav2_send_result *r)
{
    int ok = ret == 0 && (r == NULL || r->outcome == MAV2_SEND_INVALID) &&
             strstr(mav2_last_error(), "struct_size") != NULL;
    printf("%s %s: %s\n", ok ? "refused" : "NOT REFUSED", what, mav2_last_error());
    return ok;
}

int sizes(void)
{
    mav2_send_params p, big[1];
    mav2_send_result r, rs[1];
    mav2_u256 base, prio, max_fee, max_prio;
    mav2_rpc *rpc = mav2_rpc_new("http://127.0.0.1:9", NULL);
    uint8_t hash[32] = {0};
    int ok = rpc != NULL;

    memset(&p, 0, sizeof(p));
    mav2_u256_from_u64(&base, 1);
    mav2_u256_from_u64(&prio, 1);
    ok &= refused("mav2_send_urls", mav2_send_urls("http://127.0.0.1:9", NULL, NULL, &p, &r), &r);
    mav2_send_result_clear(&r);
    ok &= refused("mav2_send", mav2_send(rpc, rpc, &p, &r), &r);
    mav2_send_result_clear(&r);
    ok &= refused("mav2_send_replace", mav2_send_replace(rpc, rpc, &p, &r), &r);
    mav2_send_result_clear(&r);
    ok &= refused("mav2_wait_receipt", mav2_wait_receipt(rpc, hash, &p, &r), &r);
    mav2_send_result_clear(&r);
    ok &= refused("mav2_fees_compute",
                  mav2_fees_compute(&base, NULL, &prio, &p, &max_fee, &max_prio), NULL);
    mav2_send_params_init(&big[0]);
    big[0].struct_size += 8;
    ok &= refused("mav2_send_many (a larger struct_size)",
                  mav2_send_many("http://127.0.0.1:9", NULL, NULL, big, rs, 1), &rs[0]);
    mav2_send_result_clear(&rs[0]);
    mav2_rpc_free(rpc);
    return ok;
}

/* The other caller-filled structs, as a build with one more field would pass them
 * (struct_size larger), each refused naming the struct; their _init sets struct_size. */
static int named(const char *what, int ret, const char *name)
{
    char want[64];
    int ok;
    snprintf(want, sizeof(want), "%s: struct_size", name);
    ok = ret == 0 && strstr(mav2_last_error(), want) != NULL;
    printf("%s %s: %s\n", ok ? "refused" : "NOT REFUSED", what, mav2_last_error());
    return ok;
}

int other_sizes(void)
{
    mav2_key_opts ko;
    mav2_rpc_options ro;
    mav2_session_limits sl;
    mav2_guard g;
    mav2_send_params p;
    mav2_send_result r, rs[1];
    mav2_validation_data vd;
    EVP_PKEY *k = NULL;
    uint8_t account[20] = {1}, hash[32] = {0};
    mav2_rpc *rpc = mav2_rpc_new("http://127.0.0.1:9", NULL);
    int ok = rpc != NULL;

    mav2_key_opts_init(&ko);
    mav2_rpc_options_init(&ro);
    mav2_session_limits_init(&sl);
    mav2_guard_init(&g);
    mav2_send_params_init(&p);
    memset(&vd, 0, sizeof(vd));
    ok &= ko.struct_size == sizeof(ko) && ro.struct_size == sizeof(ro) &&
          sl.struct_size == sizeof(sl) && g.struct_size == sizeof(g);
    ko.struct_size += 8;
    ro.struct_size += 8;
    sl.struct_size += 8;
    g.struct_size += 8;
    ok &= named("mav2_key_load", mav2_key_load("/nonexistent.pem", &ko, &k), "mav2_key_opts");
    ok &= named("mav2_rpc_new", mav2_rpc_new("http://127.0.0.1:9", &ro) != NULL,
                "mav2_rpc_options");
    ok &= named("mav2_send_urls", mav2_send_urls("http://127.0.0.1:9", NULL, &ro, &p, &r),
                "mav2_rpc_options");
    mav2_send_result_clear(&r);
    ok &= named("mav2_send_many", mav2_send_many("http://127.0.0.1:9", NULL, &ro, &p, rs, 1),
                "mav2_rpc_options");
    mav2_send_result_clear(&rs[0]);
    ok &= named("mav2_session_limits_read",
                mav2_session_limits_read(rpc, account, &vd, 0, &sl), "mav2_session_limits");
    ok &= named("mav2_guard_outcome_of",
                mav2_guard_outcome_of(&g, 1, account, hash, MAV2_SEND_INCLUDED, NULL),
                "mav2_guard");
    mav2_rpc_free(rpc);
    return ok;
}
PROG
# -M lists every header the program reads, system ones too
$MH_CC -M -I"$inc" "$TMP/prog.c" >"$TMP/deps" 2>"$TMP/err"
ok "the installed headers preprocess with only -I$inc" test -s "$TMP/deps"
sed 's/^/# /' "$TMP/err" | head -5
is "json-c headers the installed headers pull in" "$(tr ' \\' '\n\n' <"$TMP/deps" | grep -c 'json-c/')" 0
ok "the program compiles against them (-Wall -Wextra -Werror)" \
    $MH_CC -std=c11 -Wall -Wextra -Werror -I"$inc" -c -o "$TMP/prog.o" "$TMP/prog.c"
# a result that must be looked at (MAV2_WARN_UNUSED_RESULT), ignored: refused
cat >"$TMP/ignore.c" <<'PROG'
#include <mav2/keys/signer.h>
void sign(mav2_signer *s, const unsigned char d[32], unsigned char sig[65]);
void sign(mav2_signer *s, const unsigned char d[32], unsigned char sig[65])
{
    mav2_signer_sign_digest(s, d, sig);
}
PROG
! $MH_CC -std=c11 -Wall -Werror -I"$inc" -c -o "$TMP/ignore.o" "$TMP/ignore.c" 2>"$TMP/ignore.err"
ok "ignoring mav2_signer_sign_digest's result does not compile (-Wall -Werror)" \
    grep -q "unused-result\|unused result\|warn_unused_result" "$TMP/ignore.err"
if [ -n "$MH_SANITIZERS" ]; then
    tap_skip "the program links against the installed libmav2.so and runs" \
        "sanitizer build: the runtime is not linked into the test program"
else
    ok "the program links against the installed libmav2.so" \
        $MH_CC -o "$TMP/prog" "$TMP/prog.o" -L"$lib" -lmav2 -Wl,-rpath-link,"$MH_TOP_BUILDDIR/common/.libs"
    is "the program runs: the result's user op and receipt are JSON text" \
        "$(LD_LIBRARY_PATH="$lib" "$TMP/prog" 2>&1)" "ok"
    LD_LIBRARY_PATH="$lib" "$TMP/prog" sizes >"$TMP/sizes" 2>&1
    sed 's/^/# /' "$TMP/sizes"
    is "send params without mav2_send_params_init: refused by all 6 entry points" \
        "$(grep -c '^refused ' "$TMP/sizes")" 6
    LD_LIBRARY_PATH="$lib" "$TMP/prog" other >"$TMP/other" 2>&1
    sed 's/^/# /' "$TMP/other"
    is "key opts, rpc options, session limits, guard of another size: 6 refusals naming each" \
        "$(grep -c '^refused ' "$TMP/other")" 6
fi
tap_done
