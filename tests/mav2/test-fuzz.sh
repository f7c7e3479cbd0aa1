#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs each libFuzzer target (user-op JSON parser, hex, amounts; JSON-RPC answers:
# envelope, batch, receipt, estimate, getValidationData; journal files; PIN files;
# URL checking and redaction; call signatures; deferred grants; audit ledger files
# and policy values) for a bounded time (MH_FUZZ_SECONDS, default 15 s
# each) from its seed corpus: part of the plain build's `make check` when clang is
# installed.
. "$MH_TOP_SRCDIR/tests/harness/tap.sh"
[ -z "${MH_SANITIZERS:-}" ] || tap_skip_all "the fuzz targets run in the plain build"
command -v clang >/dev/null 2>&1 || tap_skip_all "clang not installed"
secs=${MH_FUZZ_SECONDS:-15}
build="$MH_TOP_BUILDDIR/tests/mav2"
src="$MH_TOP_SRCDIR/tests/harness"
# The build log goes to the TAP log (not the build tree: distcleancheck).
blog=$(mktemp)
if ! make -s -C "$build" fuzz >"$blog" 2>&1; then
    sed 's/^/# /' "$blog" | tail -20
    rm -f "$blog"
    ok "fuzz targets build" false
    tap_done
fi
rm -f "$blog"
for t in userop-json hex amount grant abi-sig rpc-response journal pin-file url ledger; do
    work=$(mktemp -d)
    cp "$src/fuzz/corpus/$t/"* "$work/"
    ok "fuzz-$t: no crash in ${secs} s" \
        sh -c "cd '$work' && '$build/fuzz-$t' -max_total_time=$secs -max_len=4096 \
            -print_final_stats=1 . >'$work.log' 2>&1"
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work.log")
    [ -n "$runs" ] && echo "# fuzz-$t: $runs inputs"
    grep -E "ERROR|SUMMARY" "$work.log" | sed 's/^/# /' | head -5
    rm -rf "$work" "$work.log"
done
tap_done
