#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs each libFuzzer target of tests/harness/fuzz (one per seed corpus in
# tests/harness/fuzz/corpus: user-op JSON, hex, amounts, JSON-RPC answers, journal files,
# PIN files, URLs, call signatures, deferred grants, audit ledger files) from its corpus
# for MH_FUZZ_SECONDS each (default 5): part of the plain build's `make check` when clang
# is installed. A longer hunt: MH_FUZZ_SECONDS=600 make check TESTS=test-fuzz.sh; a
# crash's reproducer is kept in tests/mav2/fuzz-crashes/ of the build tree.
. "$MH_TOP_SRCDIR/tests/harness/tap.sh"
[ -z "${MH_SANITIZERS:-}" ] || tap_skip_all "the fuzz targets run in the plain build"
[ -z "${MH_DISTCHECK:-}" ] || tap_skip_all "the fuzz targets run in the plain build, not in make distcheck"
command -v clang >/dev/null 2>&1 || tap_skip_all "clang not installed"
secs=${MH_FUZZ_SECONDS:-5}
build="$MH_TOP_BUILDDIR/tests/mav2"
corpora="$MH_TOP_SRCDIR/tests/harness/fuzz/corpus"
# The build log goes to the TAP log (not the build tree: distcleancheck).
blog=$(mktemp)
if ! make -s -C "$build" fuzz >"$blog" 2>&1; then
    sed 's/^/# /' "$blog" | tail -20
    rm -f "$blog"
    ok "fuzz targets build" false
    tap_done
fi
rm -f "$blog"
for dir in "$corpora"/*/; do
    t=$(basename "$dir")
    work=$(mktemp -d)
    cp "$dir"* "$work/"
    ok "fuzz-$t: no crash in ${secs} s" \
        sh -c "cd '$work' && '$build/fuzz-$t' -max_total_time=$secs -max_len=4096 \
            -print_final_stats=1 . >'$work.log' 2>&1"
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work.log")
    [ -n "$runs" ] && echo "# fuzz-$t: $runs inputs"
    grep -E "ERROR|SUMMARY" "$work.log" | sed 's/^/# /' | head -5
    for c in "$work"/crash-* "$work"/leak-* "$work"/timeout-*; do
        [ -f "$c" ] || continue
        mkdir -p "$build/fuzz-crashes" && cp "$c" "$build/fuzz-crashes/$t-$(basename "$c")"
        echo "# reproducer: $build/fuzz-crashes/$t-$(basename "$c")"
    done
    rm -rf "$work" "$work.log"
done
tap_done
