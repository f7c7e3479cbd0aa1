#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The files state backend (mav2/net/state.h): the interface's checks, two workers on one
# account, a holder killed -9, the ledger's tamper check.
set -u
. "$MH_TOP_SRCDIR/tests/harness/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
URL=file:$tmp/state
. "$MH_TOP_SRCDIR/tests/harness/state-common.sh"

sub_tap "$driver" "$URL" unit
two_workers aa00000000000000000000000000000000000001 4 60 60000
killed_holder aa00000000000000000000000000000000000002 60000
killed_worker aa00000000000000000000000000000000000003 60000

acct=aa00000000000000000000000000000000000001
L=$tmp/state/ledger-$acct
out=$("$MH_TOP_BUILDDIR/mav2/mav2" audit verify "$L")
is "mav2 audit verify reads the backend's chain: one format" "${out% *}" "ok 120"
sed -i '7s/op/oq/' "$L"
# a file keeps no hash of its own: line 7 changed breaks line 8's prev
is "a changed ledger line is found" "$("$driver" "$URL" verify $acct)" "links 120 bad 8"
"$MH_TOP_BUILDDIR/mav2/mav2" audit verify "$L" 2>"$tmp/err" >/dev/null
ok "mav2 audit verify finds it too" grep -q 'line 8: prev is not the hash of line 7' "$tmp/err"
sed -i '7d' "$L"
is "a removed ledger line is found" "$("$driver" "$URL" verify $acct)" "links 119 bad 7"
out=$("$driver" relative/dir init 2>&1)
is "a relative state directory is refused" "$?" 1
ok "with one line naming it" test "$(printf '%s\n' "$out" | wc -l)" -eq 1 -a \
    -n "$(printf '%s' "$out" | grep 'relative/dir')"
tap_done
