#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test-tiers.sh: libmav2's tiers (ARCHITECTURE.md, "Tiers"): each tier's convenience
# library, whole, links over the tiers below it alone with no symbol left undefined
# (-z defs), so no file of a tier calls up into a higher one; and the check bites: a
# core file calling the send flow does not link.
. "$MH_TOP_SRCDIR/tests/harness/tap.sh"
B="$MH_TOP_BUILDDIR/mav2/.libs"
[ -z "$MH_SANITIZERS" ] || tap_skip_all "sanitizer build: the runtime is not linked into a -z defs test object"
for t in core keys net send; do
    [ -f "$B/libmav2$t.a" ] || tap_skip_all "$B/libmav2$t.a not built"
done
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mh-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# link ARCHIVE...: the archives, whole, into a shared object with nothing undefined
link() {
    $MH_CC -shared -o "$TMP/t.so" -Wl,-z,defs -Wl,--whole-archive "$@" -Wl,--no-whole-archive \
        "$MH_TOP_BUILDDIR/common/.libs/libmhcommon.a" $MH_TIER_LIBS 2>"$TMP/err"
}
tiers=""
for t in core keys net send; do
    tiers="$B/libmav2$t.a $tiers"
    # shellcheck disable=SC2086
    ok "$t links over the tiers below it alone" link $tiers
    grep -m3 'undefined reference' "$TMP/err" | sed 's/^/# /'
done
printf 'int mav2_send(void);\nint up(void);\nint up(void) { return mav2_send(); }\n' >"$TMP/up.c"
$MH_CC -fPIC -c -o "$TMP/up.o" "$TMP/up.c"
unlinkable() { ! link "$@"; }
ok "the check bites: core plus a file calling mav2_send does not link" \
    unlinkable "$B/libmav2core.a" "$TMP/up.o"
ok "... for the reason: mav2_send undefined" grep -q "undefined reference to .mav2_send" "$TMP/err"
tap_done
