#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The test command: installs what is missing, then builds and runs every test
# twice (plain with -Werror, and with ASan + UBSan), the C tests a third time
# under valgrind, then builds, installs and tries the Debian packages
# (tools/deb-test.sh), and ends with one line "total: N passed, N failed".
# Each stage prints its wall time. The e2e tests (a devnet each) run once, in the
# sanitized build (the plain one shows them skipped, MH_E2E_ELSEWHERE; with --quick the
# plain build runs them). make distcheck proves the tarball builds, installs and passes
# its unit and CLI tests; its e2e and fuzz tests show as skipped (MH_DISTCHECK).
#   tools/test.sh            everything
#   tools/test.sh --quick    plain build only
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
quick=no
[ "${1:-}" = "--quick" ] && quick=yes

stage_start=$SECONDS
stage() { # NAME: ends the stage before (printing its time), starts NAME
    [ -n "${stage_name:-}" ] && echo "   ($stage_name: $((SECONDS - stage_start)) s)"
    stage_name=$1 stage_start=$SECONDS
    [ -n "$1" ] && echo "== $1"
    return 0
}
stage "setup"
bash tools/setup-deps.sh --devnet
[ -x configure ] || ./autogen.sh >/dev/null

jobs=$(nproc 2>/dev/null || echo 2)
status=0
builds=(plain)
[ "$quick" = yes ] || builds+=(sanitized)
for b in "${builds[@]}"; do
    dir="$top/_build/$b"
    mkdir -p "$dir"
    flags=(--enable-werror)
    [ "$b" = sanitized ] && flags+=(--enable-sanitizers)
    stage "$b build"
    (cd "$dir" && { [ -f Makefile ] || "$top/configure" -q "${flags[@]}"; } && make -s -j"$jobs" >/dev/null) || {
        echo "$b build failed"
        exit 1
    }
    stage "$b make check"
    elsewhere=""
    [ "$b" = plain ] && [ "$quick" = no ] && elsewhere="the e2e tests run in the sanitized build"
    (cd "$dir" && MH_E2E_ELSEWHERE=$elsewhere make -s -k -j"$jobs" check >"$dir/check.out" 2>&1) ||
        status=1
    if [ "$b" = plain ] && [ "$quick" = no ]; then
        stage "plain build, C tests under valgrind"
        (cd "$dir" && make -s -k -j"$jobs" check-valgrind >>"$dir/check.out" 2>&1) || status=1
    fi
    if [ "$b" = plain ] && [ "$quick" = no ]; then
        stage "make distcheck"
        (cd "$dir" && MH_DISTCHECK=1 MH_E2E_ELSEWHERE="the e2e tests run in the sanitized build" \
            make -s -j"$jobs" distcheck >"$dir/distcheck.out" 2>&1) || {
            echo "make distcheck failed: see $dir/distcheck.out"
            status=1
        }
    fi
    grep -E '^(FAIL|ERROR|XPASS)' "$dir/check.out" || true
done

# The Debian packages: built once (-j2), installed, used, removed (tools/deb-test.sh).
if [ "$quick" = no ]; then
    stage "Debian packages"
    deb="$top/_build/deb/tests"
    mkdir -p "$deb"
    rc=0
    bash tools/deb-test.sh >"$deb/deb-test.log" 2>&1 || rc=$?
    awk '/^ok / {print ":test-result: PASS"} /^not ok / {print ":test-result: FAIL"}
         /^1\.\.0 # SKIP/ {print ":test-result: SKIP"}' "$deb/deb-test.log" >"$deb/deb-test.trs"
    if [ "$rc" -ne 0 ]; then
        status=1
        grep -q '^not ok' "$deb/deb-test.log" || echo ":test-result: ERROR" >>"$deb/deb-test.trs"
        grep -E '^not ok' "$deb/deb-test.log" || tail -n 5 "$deb/deb-test.log"
    fi
    builds+=(deb)
fi

stage ""
python3 "$top/tools/test-summary.py" "$top/_build" "${builds[@]}"
exit $status
