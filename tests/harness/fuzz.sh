#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs each libFuzzer target of tests/harness/fuzz for SECONDS (default 30) each; exits non-zero
# on the first crash (the reproducer crash-* is left in the current directory).
# Usage: tests/harness/fuzz.sh [SECONDS]   (builds them with `make -C tests/mav2 fuzz`;
# set MH_FUZZ_BUILDDIR for an out-of-tree build)
set -e
secs=${1:-30}
here=$(cd "$(dirname "$0")" && pwd)
build=${MH_FUZZ_BUILDDIR:-$here/../mav2}
# fuzz-rpc-response replays the send flow of the reference vectors
MH_VECTORS=${MH_VECTORS:-$(cd "$here/../.." && pwd)/tests/vectors}
export MH_VECTORS
make -C "$build" fuzz >/dev/null
status=0
for t in userop-json hex amount grant abi-sig rpc-response journal pin-file url; do
    work=$(mktemp -d)
    cp "$here/fuzz/corpus/$t/"* "$work/"
    echo "== fuzz-$t for ${secs}s"
    if "$build/fuzz-$t" -max_total_time="$secs" -max_len=4096 -print_final_stats=1 "$work" \
        >"$work.log" 2>&1; then
        grep -E "^stat::(number_of_executed_units|peak_rss_mb)" "$work.log" || true
    else
        grep -E "ERROR|SUMMARY" "$work.log" || tail -20 "$work.log"
        status=1
    fi
    rm -rf "$work" "$work.log"
    [ $status -eq 0 ] || exit $status
done
