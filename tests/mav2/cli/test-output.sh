#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test-output.sh: output a script can trust, without a network: with --json a failure
# is one JSON object on stdout (exit code, error line) besides the stderr line; --trace
# and MAV2_TRACE=1 show every JSON-RPC exchange with the URL redacted; --quiet keeps
# errors. (The userOpHash in a timed-out send's JSON: tests/e2e/test-session-rules.sh.)
. "$MH_TOP_SRCDIR/tests/harness/tap.sh"
MAV2="$MH_TOP_BUILDDIR/mav2/mav2"
[ -x "$MAV2" ] || tap_skip_all "mav2 not built"
command -v jq >/dev/null || tap_skip_all "jq not installed"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mav2-output.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export XDG_CONFIG_HOME="$TMP/cfg" # no settings file
SECRET=k3ySECRET0123456789abcdef
URL="http://127.0.0.1:1/v2/$SECRET"
A=0x00000000000000000000000000000000000000aa
B=0x00000000000000000000000000000000000000bb
run() { # NAME ARGS... : $RC, $TMP/NAME.out, $TMP/NAME.err
    local name=$1
    shift
    "$MAV2" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" </dev/null
    RC=$?
}

run j1 send --json --rpc-url "$URL" --account $A --entity-id 1 --key "$TMP/none.pem" --call $B,1
is "--json, bad key: exit 2" "$RC" 2
is "--json, bad key: one JSON object on stdout" "$(jq -c '[.ok, .exit]' "$TMP/j1.out")" '[false,2]'
is "--json, bad key: one line on stdout" "$(wc -l <"$TMP/j1.out")" 1
ok "--json, bad key: the error names --key" sh -c "jq -r .error '$TMP/j1.out' | grep -q -- '--key'"
is "--json, bad key: the same one line on stderr" "$(wc -l <"$TMP/j1.err")" 1
run j2 send --json --rpc-url "$URL" --account $A --entity-id 1 --call $B,1 \
    --unsigned-out "$TMP/op.json" --timeout 5
is "--json, node unreachable: exit 5" "$RC" 5
is "--json, node unreachable: {ok:false, exit:5}" "$(jq -c '[.ok, .exit]' "$TMP/j2.out")" '[false,5]'
ok "--json, node unreachable: the key in the URL is not printed" \
    sh -c "! grep -q '$SECRET' '$TMP/j2.out' '$TMP/j2.err'"
run j3 calldata --json --call $B,1
is "--json success: the result object as before" "$(jq -r '.calls' "$TMP/j3.out")" 1
run j4 send --rpc-url "$URL" --account $A --entity-id 1 --key "$TMP/none.pem" --call $B,1
is "without --json: stdout stays empty on failure" "$(wc -c <"$TMP/j4.out")" 0

run t1 send --trace --rpc-url "$URL" --account $A --entity-id 1 --call $B,1 \
    --unsigned-out "$TMP/op.json" --timeout 5
ok "--trace: the request is shown (eth_chainId in the first batch)" \
    grep -q 'mav2 trace: -> http://127.0.0.1:1/\.\.\. .*"method":"eth_chainId"' "$TMP/t1.err"
ok "--trace: the failed exchange is shown with its time" \
    grep -q 'mav2 trace: <- http://127.0.0.1:1/\.\.\. failed after [0-9]* ms' "$TMP/t1.err"
ok "--trace: the API key in the URL is not shown" sh -c "! grep -q '$SECRET' '$TMP/t1.err'"
MAV2_TRACE=1 run t2 send --rpc-url "$URL" --account $A --entity-id 1 --call $B,1 \
    --unsigned-out "$TMP/op.json" --timeout 5
ok "MAV2_TRACE=1 does the same" grep -q 'mav2 trace: ->' "$TMP/t2.err"
run t3 send --rpc-url "$URL" --account $A --entity-id 1 --call $B,1 --unsigned-out "$TMP/op.json" \
    --timeout 5
ok "without --trace: no trace lines" sh -c "! grep -q 'mav2 trace' '$TMP/t3.err'"

run q1 send --quiet --rpc-url "$URL" --account $A --entity-id 1 --key "$TMP/none.pem" --call $B,1
is "--quiet: a failure still says why (one line)" "$(wc -l <"$TMP/q1.err")" 1
is "--quiet: exit as without it" "$RC" 2

tap_done
