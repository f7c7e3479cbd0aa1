#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test-audit.sh: `mav2 audit verify` and `mav2 audit show` on ledgers written here line
# by line, each prev the KECCAK-256 (the p11k1 provider, through the openssl CLI) of
# the line before: a good one, one with a line changed, one with a line removed.
. "$MH_TOP_SRCDIR/tests/harness/tap.sh"
. "$MH_TOP_SRCDIR/tests/harness/provider.sh"
MAV2="$MH_TOP_BUILDDIR/mav2/mav2"
provider_cnf "$MH_TMP/openssl.cnf"
L="$MH_TMP/ledger.jsonl"
ACC=0xacc0000000000000000000000000000000000001
prev=0x$(printf '%064d' 0)
for i in 1 2 3 4; do
    acct=$ACC
    [ "$i" = 3 ] && acct=0x00000000000000000000000000000000000000bb
    line="{\"seq\":$i,\"prev\":\"$prev\",\"time\":\"2027-01-0${i}T00:00:00Z\",\"event\":\"sign\",\"chain\":31337,\"account\":\"$acct\",\"nonce\":\"0x$i\",\"userOpHash\":\"0x$(printf '%064d' "$i")\",\"verdict\":\"allowed\"}"
    printf '%s\n' "$line" >>"$L"
    prev=0x$(printf '%s' "$line" | ossl dgst -keccak-256 -r | cut -d' ' -f1)
done
out=$("$MAV2" audit verify "$L" 2>&1)
is "verify: a good ledger: ok, 4 lines and the tip" "$out" "ok 4 $prev"
sed '2s/"nonce":"0x2"/"nonce":"0x9"/' "$L" >"$MH_TMP/changed.jsonl"
"$MAV2" audit verify "$MH_TMP/changed.jsonl" >/dev/null 2>"$MH_TMP/err"
is "verify: line 2 changed: exit 1" "$?" 1
ok "verify: names line 3, whose prev no longer matches line 2" \
    grep -q "line 3: prev is not the hash of line 2" "$MH_TMP/err"
sed '2d' "$L" >"$MH_TMP/removed.jsonl"
"$MAV2" audit verify "$MH_TMP/removed.jsonl" >/dev/null 2>"$MH_TMP/err"
is "verify: line 2 removed: exit 1" "$?" 1
ok "verify: names line 2" grep -q "line 2: prev is not the hash of line 1" "$MH_TMP/err"
j=$("$MAV2" audit verify --json "$MH_TMP/removed.jsonl" 2>/dev/null)
is "verify --json: the broken line" "$(jq -r .line <<<"$j")" 2
is "show --account: the other account's line left out" \
    "$("$MAV2" audit show "$L" --account "$ACC" | wc -l)" 3
is "show --since: lines from Jan 3 on" "$("$MAV2" audit show "$L" --since 2027-01-03 | wc -l)" 2
is "show --json: the lines themselves" "$("$MAV2" audit show "$L" --json | sed -n 4p)" \
    "$(sed -n 4p "$L")"
"$MAV2" audit show "$L" --since yesterday >/dev/null 2>"$MH_TMP/err"
is "show: a bad --since: exit 1" "$?" 1
is "show: one line naming it" "$(wc -l <"$MH_TMP/err")" 1
# show --state: the chain of an account in a state (here the files backend: the
# chain is its file ledger-ACCOUNT), shown as the same lines in a file are
S="$MH_TMP/state"
mkdir -p "$S"
cp "$L" "$S/ledger-${ACC#0x}"
"$MAV2" audit show "$L" >"$MH_TMP/show-file"
"$MAV2" audit show --state "file:$S" --account "$ACC" >"$MH_TMP/show-state"
is "show --state: exit 0" "$?" 0
is "show --state: the lines, as for the file" "$(cat "$MH_TMP/show-state")" "$(cat "$MH_TMP/show-file")"
is "show --state --json: the lines themselves" \
    "$("$MAV2" audit show --state "file:$S" --account "$ACC" --json)" "$(cat "$L")"
is "show --state --since: lines from Jan 3 on" \
    "$("$MAV2" audit show --state "file:$S" --account "$ACC" --since 2027-01-03 | wc -l)" 2
is "show --state: another account's chain is empty" \
    "$("$MAV2" audit show --state "file:$S" --account 0x00000000000000000000000000000000000000bb)" ""
sed '2s/"event":"sign",//' "$L" >"$S/ledger-${ACC#0x}"
"$MAV2" audit show --state "file:$S" --account "$ACC" >/dev/null 2>"$MH_TMP/err"
is "show --state: a line that is not a ledger line: exit 1" "$?" 1
ok "show --state: naming the chain and the line" grep -q "the chain of $ACC: line 2: no time or event" "$MH_TMP/err"
# bad combinations: one line each, exit 1, nothing shown
badcombo() { # NAME NEEDLE ARGS...
    local name=$1 needle=$2
    shift 2
    "$MAV2" audit show "$@" >"$MH_TMP/out" 2>"$MH_TMP/err"
    is "show: $name: exit 1" "$?" 1
    ok "show: $name: one line naming it, nothing shown" \
        test "$(wc -l <"$MH_TMP/err")" = 1 -a ! -s "$MH_TMP/out" -a -n "$(grep -F -- "$needle" "$MH_TMP/err")"
}
badcombo "--state without --account" "--state needs --account" --state "file:$S"
badcombo "--state and a FILE" "a FILE or --state, not both" "$L" --state "file:$S" --account "$ACC"
badcombo "--state and --profile" "--profile names a ledger file" --state "file:$S" --account "$ACC" --profile p
badcombo "--state-password-file without --state" "--state-password-file goes with --state" "$L" --state-password-file "$MH_TMP/pw"
tap_done
