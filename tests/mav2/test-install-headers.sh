#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test-install-headers.sh: libmav2's installed headers stand alone (issue 11, 6.2): a C
# program including every one of them, as installed (make install DESTDIR=...), with
# only the installed include directory given, pulls in no json-c header and compiles;
# it links against the installed libmav2.so and runs, taking a send result's receipt
# and user op as JSON text; and the JSON plumbing headers are not installed.
. "$MH_TOP_SRCDIR/tests/common/tap.sh"
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
for h in net/rpc_json.h net/journal.h net/state.h net/logs.h core/userop_json.h send/send_int.h; do
    ok "mav2/$h is not installed" test ! -e "$inc/mav2/$h"
done

(cd "$inc" && find mav2 -name '*.h' | sort) | sed 's/.*/#include <&>/' >"$TMP/prog.c"
cat >>"$TMP/prog.c" <<'PROG'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
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
PROG
# -M lists every header the program reads, system ones too
$MH_CC -M -I"$inc" "$TMP/prog.c" >"$TMP/deps" 2>"$TMP/err"
ok "the installed headers preprocess with only -I$inc" test -s "$TMP/deps"
sed 's/^/# /' "$TMP/err" | head -5
is "json-c headers the installed headers pull in" "$(tr ' \\' '\n\n' <"$TMP/deps" | grep -c 'json-c/')" 0
ok "the program compiles against them (-Wall -Wextra -Werror)" \
    $MH_CC -std=c11 -Wall -Wextra -Werror -I"$inc" -c -o "$TMP/prog.o" "$TMP/prog.c"
if [ -n "$MH_SANITIZERS" ]; then
    tap_skip "the program links against the installed libmav2.so and runs" \
        "sanitizer build: the runtime is not linked into the test program"
else
    ok "the program links against the installed libmav2.so" \
        $MH_CC -o "$TMP/prog" "$TMP/prog.o" -L"$lib" -lmav2 -Wl,-rpath-link,"$MH_TOP_BUILDDIR/common/.libs"
    is "the program runs: the result's user op and receipt are JSON text" \
        "$(LD_LIBRARY_PATH="$lib" "$TMP/prog" 2>&1)" "ok"
fi
tap_done
