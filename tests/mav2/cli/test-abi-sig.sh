#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test-abi-sig.sh: `mav2 calldata 'SIG' ARGS` and `--call TO,VALUE,SIG,ARGS` against
# viem's encodeFunctionData (tests/devnet/tools/abi-cases.mjs, viem from the devnet's
# lockfile), and the refusals of bad signatures and values.
. "$MH_TOP_SRCDIR/tests/harness/tap.sh"
MAV2="$MH_TOP_BUILDDIR/mav2/mav2"
CASES="$MH_TOP_SRCDIR/tests/devnet/tools/abi-cases.mjs"
[ -x "$MAV2" ] || tap_skip_all "mav2 not built"
command -v jq >/dev/null || tap_skip_all "jq not installed"
command -v node >/dev/null || tap_skip_all "node not installed"
[ -d "$MH_TOP_SRCDIR/tests/devnet/node_modules/viem" ] ||
    tap_skip_all "viem missing (cd tests/devnet && npm ci)"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mav2-abi.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

node "$CASES" >"$TMP/cases" || echo "Bail out! abi-cases.mjs failed"
n=0
while IFS= read -r line; do
    n=$((n + 1))
    sig=$(jq -r .sig <<<"$line")
    want=$(jq -r .want <<<"$line")
    mapfile -t args < <(jq -r '.args[]' <<<"$line")
    got=$("$MAV2" calldata "$sig" "${args[@]}" 2>"$TMP/err")
    is "case $n: $sig ${args[*]}" "$got" "$want"
    [ -s "$TMP/err" ] && sed 's/^/#   /' "$TMP/err"
done <"$TMP/cases"
ok "viem gave the cases (25)" [ "$n" -eq 25 ]

# mav2 decode gives the arguments back: fed to mav2 calldata, the same bytes
n=0
while IFS= read -r line; do
    n=$((n + 1))
    sig=$(jq -r .sig <<<"$line")
    want=$(jq -r .want <<<"$line")
    mapfile -t back < <("$MAV2" decode "$sig" "$want" 2>"$TMP/err")
    is "decode case $n: round trip through mav2 calldata" \
        "$("$MAV2" calldata "$sig" "${back[@]}" 2>&1)" "$want"
done <"$TMP/cases"
T=$("$MAV2" calldata 'transfer(address,uint256)' 0x00000000000000000000000000000000000000bb 1000000)
is "decode --json" "$("$MAV2" decode 'transfer(address,uint256)' "$T" --json | jq -c .args)" \
    '["0x00000000000000000000000000000000000000bb","1000000"]'
dirty="0xa9059cbb0100000000000000000000000000000000000000000000000000000000bb${T:74}"
bad_decode() { # NAME NEEDLE SIG DATA
    "$MAV2" decode "$3" "$4" >"$TMP/out" 2>"$TMP/err"
    is "decode, $1: exit 1" "$?" 1
    ok "decode, $1: one line naming \"$2\"" sh -c "[ \$(wc -l <'$TMP/err') -eq 1 ] && grep -qF -- '$2' '$TMP/err'"
}
bad_decode "another function's data" "does not start with the selector" 'approve(address,uint256)' "$T"
bad_decode "an address with dirty upper bytes" "non-zero upper bytes" 'transfer(address,uint256)' "$dirty"
bad_decode "data cut short" "too short" 'transfer(address,uint256)' "${T:0:100}"
bad_decode "a bool that is 2" "not 0 or 1" 'f(bool)' "$("$MAV2" calldata 'f(uint8)' 2 | sed 's/^0x........//; s/^/0x98c3a6c1/')"
bad_decode "a string length past the data" "out of range" 'f(string)' "$("$MAV2" calldata 'f(uint256,uint256)' 32 999 | sed 's/^0x........//; s/^/0x91e145ef/')"

# --call TO,VALUE,SIG,ARGS builds execute(TO, VALUE, that call data)
A=0x00000000000000000000000000000000000000bb
inner=$("$MAV2" calldata 'transfer(address,uint256)' "$A" 1000000)
is "--call with a signature = --call with its call data" \
    "$("$MAV2" calldata --call "$A,0,transfer(address,uint256),$A,1e6")" \
    "$("$MAV2" calldata --call "$A,0,$inner")"
is "--call: tuples and arrays in the arguments" \
    "$("$MAV2" calldata --call "$A,1,f((uint256,address)[],string),[(1,$A),(2,$A)],\"x, y\"")" \
    "$("$MAV2" calldata --call "$A,1,$("$MAV2" calldata 'f((uint256,address)[],string)' "[(1,$A),(2,$A)]" '"x, y"')")"

# refusals: exit 1, one line naming what is wrong
bad() { # NAME NEEDLE ARGS...
    local name=$1 needle=$2
    shift 2
    "$MAV2" calldata "$@" >"$TMP/out" 2>"$TMP/err"
    is "$name: exit 1" "$?" 1
    ok "$name: one line naming \"$needle\"" sh -c "[ \$(wc -l <'$TMP/err') -eq 1 ] && grep -qF -- '$needle' '$TMP/err' && [ ! -s '$TMP/out' ]"
}
bad "uint8 overflow" 'does not fit uint8' 'f(uint8)' 256
bad "int8 underflow" 'does not fit int8' 'f(int8)' -129
bad "negative uint" 'uint256' 'f(uint256)' -1
bad "fraction of a wei" 'not a whole number of wei' 'f(uint256)' 1.5
bad "unknown type" 'unknown type "uint7"' 'f(uint7)' 1
bad "bytes33" 'unknown type "bytes33"' 'f(bytes33)' 0x00
bad "wrong argument count" 'takes 2 arguments, 1 given' 'transfer(address,uint256)' "$A"
bad "bad address" 'address' 'f(address)' 0x1234
bad "bytes4 of 3 bytes" 'bytes4' 'f(bytes4)' 0x010203
bad "bool" 'not true or false' 'f(bool)' yes
bad "fixed array size" '3 values for 2' 'f(uint8[2])' '[1,2,3]'
bad "tuple size" '1 values for 2 members' 'f((uint8,bool))' '(1)'
bad "unclosed signature" 'want name(type' 'f' 1
bad "text after the signature" "text after the closing" 'f(uint8)x' 1
"$MAV2" calldata --call "$A,0,transfer(address,uint256),$A" >/dev/null 2>"$TMP/err"
is "--call: too few arguments: exit 1" "$?" 1
ok "--call: names the call" grep -q -- "--call #1: data" "$TMP/err"

tap_done
