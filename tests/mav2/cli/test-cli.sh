#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test-cli.sh: the offline `mav2` subcommands against the reference vectors, and
# the bad-input contract (exit != 0, one line on stderr naming the field, empty stdout).
. "$MH_TOP_SRCDIR/tests/harness/tap.sh"
MAV2="$MH_TOP_BUILDDIR/mav2/mav2"
HELPER="$MH_TOP_SRCDIR/tests/harness/cli-vectors.py"
TESTKEY="$MH_TOP_BUILDDIR/tests/mav2/keys/test-key"
[ -x "$MAV2" ] || tap_skip_all "mav2 not built"
[ -n "$MH_VECTORS" ] || tap_skip_all "MH_VECTORS not set"
command -v python3 >/dev/null || tap_skip_all "python3 not installed"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mav2-cli.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export MAV2_STATE_DIR="$TMP/state" # mav2 sign's audit ledger

# run_case NAME WANT ARGS... : stdout must equal WANT, exit 0, stderr empty
run_case() {
    local name=$1 want=$2 got rc
    shift 2
    got=$("$MAV2" "$@" 2>"$TMP/err")
    rc=$?
    is "$name: exit 0" "$rc" 0
    is "$name" "$(printf %s "$got" | tr 'A-F' 'a-f')" "$(printf %s "$want" | tr 'A-F' 'a-f')"
    [ -s "$TMP/err" ] && sed 's/^/#   stderr: /' "$TMP/err"
}

# bad NAME CODE NEEDLE ARGS... : exit CODE, empty stdout, one stderr line containing NEEDLE
bad() {
    local name=$1 code=$2 needle=$3 rc
    shift 3
    "$MAV2" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
    rc=$?
    is "$name: exit $code" "$rc" "$code"
    is "$name: nothing on stdout" "$(wc -c <"$TMP/out")" 0
    is "$name: one line on stderr" "$(wc -l <"$TMP/err")" 1
    case "$(cat "$TMP/err")" in
    *"$needle"*) ok "$name: message names $needle" true ;;
    *) ok "$name: message names $needle (got: $(cat "$TMP/err"))" false ;;
    esac
}

# --- general ---------------------------------------------------------------
ok "mav2 --help" "$MAV2" --help
case "$("$MAV2" --help)" in *"EXIT STATUS"*) ok "--help documents exit codes" true ;; *) ok "--help documents exit codes" false ;; esac
is "mav2 --version" "$("$MAV2" --version)" "mav2 $("$MAV2" --version | cut -d' ' -f2)"
for c in address calldata nonce-key hash sign; do
    out=$("$MAV2" $c --help)
    rc=$?
    is "mav2 $c --help: exit 0" "$rc" 0
    case "$out" in *SYNOPSIS*"mav2 $c"*) ok "mav2 $c --help has a synopsis" true ;; *) ok "mav2 $c --help has a synopsis" false ;; esac
done
bad "no command" 1 "no command"
bad "unknown command" 1 "unknown command"  frobnicate
bad "unknown option" 1 "--bogus" address --bogus
bad "stray argument" 1 "stray" nonce-key --entity-id 1 stray
bad "option without value" 1 "--entity-id" nonce-key --entity-id

# --- calldata (mav2_calldata.json) -----------------------------------------
n=0
while IFS=$'\t' read -r -a f; do
    run_case "calldata: ${f[0]}" "${f[1]}" calldata "${f[@]:2}"
    n=$((n + 1))
done < <(python3 "$HELPER" calldata "$MH_VECTORS")
ok "calldata vectors run ($n)" [ "$n" -ge 8 ]
T=0x3333333333333333333333333333333333333333
units_ether=$("$MAV2" calldata --call $T,0xde0b6b3a7640000)
is "calldata: VALUE 1ether = 10^18 wei" "$("$MAV2" calldata --call $T,1ether)" "$units_ether"
is "calldata: VALUE 0.5ether" "$("$MAV2" calldata --call $T,0.5ether)" "$("$MAV2" calldata --call $T,500000000000000000)"
is "calldata: VALUE 100gwei" "$("$MAV2" calldata --call $T,100gwei)" "$("$MAV2" calldata --call $T,0x174876e800)"
case "$("$MAV2" calldata --json --call $T,1)" in *'"callData":"0xb61d27f6'*) ok "calldata --json" true ;; *) ok "calldata --json" false ;; esac
bad "calldata: short address" 1 "--call #1: to" calldata --call 0x1234,1
bad "calldata: bad checksum" 1 "--call #2: to" calldata --call $T --call 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD
bad "calldata: bad value" 1 "--call #1: value" calldata --call $T,1foo
bad "calldata: value over uint256" 1 "--call #1: value" calldata --call $T,0x1$(printf '0%.0s' $(seq 64))
bad "calldata: odd hex data" 1 "--call #1: data" calldata --call $T,0,0xabc
bad "calldata: non-hex data" 1 "--call #1: data" calldata --call $T,0,0xzz
bad "calldata: no call" 1 "--call" calldata

# --- nonce-key (mav2_nonce.json) -------------------------------------------
n=0
while IFS=$'\t' read -r -a f; do
    run_case "nonce-key: ${f[0]}" "${f[1]}"$'\n'"${f[2]}" nonce-key "${f[@]:3}"
    n=$((n + 1))
done < <(python3 "$HELPER" nonce "$MH_VECTORS")
ok "nonce vectors run ($n)" [ "$n" -ge 20 ]
is "nonce-key: session key entity 1 global" "$("$MAV2" nonce-key --entity-id 1 --global)" 0x101
case "$("$MAV2" nonce-key --entity-id 1 --global --json)" in *'"nonceKeyUint192":"0x000000000000000000000000000000000000000000000101"'*) ok "nonce-key --json" true ;; *) ok "nonce-key --json" false ;; esac
bad "nonce-key: entity over uint32" 1 "--entity-id" nonce-key --entity-id 4294967296
bad "nonce-key: entity not a number" 1 "--entity-id" nonce-key --entity-id one
bad "nonce-key: lane over 152 bits" 1 "--nonce-key" nonce-key --entity-id 1 --nonce-key 0x1$(printf '0%.0s' $(seq 38))
bad "nonce-key: sequence over 64 bits" 1 "--sequence" nonce-key --entity-id 1 --sequence 0x10000000000000000
bad "nonce-key: no entity" 1 "--entity-id" nonce-key --global

# --- hash (userops_v07.json) -----------------------------------------------
mkdir "$TMP/ops"
n=0
while IFS=$'\t' read -r -a f; do
    run_case "hash: ${f[0]}" "${f[1]}" hash "${f[@]:2}"
    n=$((n + 1))
done < <(python3 "$HELPER" userop "$MH_VECTORS" "$TMP/ops")
ok "userop vectors run ($n)" [ "$n" -ge 30 ]
OP="$TMP/ops/op-0.json"
is "hash: stdin" "$("$MAV2" hash --userop - --chain-id 1 <"$OP")" "$("$MAV2" hash --userop "$OP" --chain-id 1)"
is "hash: explicit v0.7 entry point" "$("$MAV2" hash --userop "$OP" --chain-id 1 --entry-point 0x0000000071727De22E5E9d8BAf0edAc6f37da032)" "$("$MAV2" hash --userop "$OP" --chain-id 1)"
mutate() { # mutate KEY JSON-VALUE|DELETE -> prints the path of a changed op-0
    python3 - "$OP" "$1" "$2" "$TMP/mut.json" <<'EOF'
import json, sys
op = json.load(open(sys.argv[1]))
if sys.argv[3] == "DELETE":
    del op[sys.argv[2]]
else:
    op[sys.argv[2]] = json.loads(sys.argv[3])
json.dump(op, open(sys.argv[4], "w"))
EOF
    echo "$TMP/mut.json"
}
bad "hash: unknown field" 1 "bogusField" hash --chain-id 1 --userop "$(mutate bogusField '"0x"')"
bad "hash: short sender" 1 "sender" hash --chain-id 1 --userop "$(mutate sender '"0x1234"')"
bad "hash: malformed callData" 1 "callData" hash --chain-id 1 --userop "$(mutate callData '"0xzz"')"
bad "hash: odd callData" 1 "callData" hash --chain-id 1 --userop "$(mutate callData '"0xabc"')"
bad "hash: callGasLimit over uint128" 1 "callGasLimit" hash --chain-id 1 --userop "$(mutate callGasLimit '"0x100000000000000000000000000000000"')"
bad "hash: maxFeePerGas over uint128" 1 "maxFeePerGas" hash --chain-id 1 --userop "$(mutate maxFeePerGas '"0x100000000000000000000000000000000"')"
bad "hash: missing nonce" 1 "nonce" hash --chain-id 1 --userop "$(mutate nonce DELETE)"
bad "hash: nonce not a quantity" 1 "nonce" hash --chain-id 1 --userop "$(mutate nonce 5)"
echo '{"sender": ' >"$TMP/broken.json"
bad "hash: broken JSON" 1 "--userop" hash --chain-id 1 --userop "$TMP/broken.json"
bad "hash: missing file" 1 "--userop" hash --chain-id 1 --userop "$TMP/none.json"
is "hash: --chain-id in 0x-hex" "$("$MAV2" hash --userop "$OP" --chain-id 0xaa36a7)" "$("$MAV2" hash --userop "$OP" --chain-id 11155111)"
bad "hash: bad chain id" 1 "--chain-id" hash --chain-id 0x1z --userop "$OP"
bad "hash: empty hex chain id" 1 "--chain-id" hash --chain-id 0x --userop "$OP"
bad "hash: zero chain id" 1 "--chain-id" hash --chain-id 0 --userop "$OP"
bad "hash: bad entry point" 1 "--entry-point" hash --chain-id 1 --userop "$OP" --entry-point 0x1234
bad "hash: no chain id" 1 "--chain-id" hash --userop "$OP"

# --- address (secp256k1.json keys as DER files, and a PEM from openssl) -----
mkdir "$TMP/keys"
n=0
while IFS=$'\t' read -r name want path; do
    run_case "address: key $name" "$want" address --key "$path"
    n=$((n + 1))
done < <(python3 "$HELPER" keys "$MH_VECTORS" "$TMP/keys")
ok "key vectors run ($n)" [ "$n" -ge 6 ]
KEY="$TMP/keys/key-twos.der"
is "address: exact EIP-55" "$("$MAV2" address --key "$KEY")" 0x5050A4F4b3f9338C3472dcC01A87C76A144b3c9c
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:secp256k1 -out "$TMP/gen.pem" 2>/dev/null
openssl pkey -in "$TMP/gen.pem" -pubout -out "$TMP/gen-pub.pem" 2>/dev/null
A=$("$MAV2" address --key "$TMP/gen.pem")
is "address: openssl genpkey PEM = its public key PEM" "$A" "$("$MAV2" address --key "$TMP/gen-pub.pem")"
is "address: file: URI" "$("$MAV2" address --key "file:$TMP/gen.pem")" "$A"
case "$("$MAV2" address --json --key "$KEY")" in *'"address":"0x5050A4F4b3f9338C3472dcC01A87C76A144b3c9c","publicKey":"0x04'*) ok "address --json" true ;; *) ok "address --json" false ;; esac
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$TMP/p256.pem" 2>/dev/null
bad "address: P-256 key" 2 "secp256k1" address --key "$TMP/p256.pem"
bad "address: missing key file" 2 "--key" address --key "$TMP/none.pem"
bad "address: no --key" 1 "--key" address

# --- sign (vector key; signature checked by recovery) -----------------------
OP4="$TMP/ops/op-4.json"
H=$("$MAV2" hash --userop "$OP4" --chain-id 11155111)
SIGNED=$("$MAV2" sign --userop "$OP4" --chain-id 11155111 --key "$KEY")
is "sign: exit 0" "$?" 0
SIG=$(printf %s "$SIGNED" | python3 -c 'import json,sys; print(json.load(sys.stdin)["signature"])')
is "sign: 67-byte signature" "${#SIG}" 136
is "sign: 0xff00 prefix" "${SIG:0:6}" 0xff00
if [ -x "$TESTKEY" ]; then
    is "sign: recovers to the key" "$("$TESTKEY" recover-userop "$H" "$SIG")" 0x5050A4F4b3f9338C3472dcC01A87C76A144b3c9c
fi
printf %s "$SIGNED" >"$TMP/signed.json"
is "sign: signed op hashes the same" "$("$MAV2" hash --userop "$TMP/signed.json" --chain-id 11155111)" "$H"
SO=$("$MAV2" sign --userop - --chain-id 11155111 --key "$KEY" --signature-only <"$OP4")
is "sign --signature-only: 67 bytes" "${#SO}" 136
if [ -x "$TESTKEY" ]; then
    is "sign --signature-only: recovers" "$("$TESTKEY" recover-userop "$H" "$SO")" 0x5050A4F4b3f9338C3472dcC01A87C76A144b3c9c
fi
J=$("$MAV2" sign --userop "$OP4" --chain-id 11155111 --key "$KEY" --json)
is "sign --json: hash and signer" "$(printf %s "$J" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["userOpHash"], j["signer"], j["userOp"]["signature"] == j["signature"])')" "$H 0x5050A4F4b3f9338C3472dcC01A87C76A144b3c9c True"
bad "sign: no key" 1 "--key" sign --userop "$OP4" --chain-id 1
bad "sign: public key only" 2 "private" sign --userop "$OP4" --chain-id 1 --key "$TMP/gen-pub.pem"
bad "sign: P-256 key" 2 "secp256k1" sign --userop "$OP4" --chain-id 1 --key "$TMP/p256.pem"
bad "sign: bad op" 1 "sender" sign --chain-id 1 --key "$KEY" --userop "$(mutate sender '"0x12"')"
openssl pkey -in "$TMP/gen.pem" -aes256 -passout pass:hunter22 -out "$TMP/enc.pem" 2>/dev/null
printf 'hunter22\n' >"$TMP/pass"
ok "sign: encrypted PEM with --pin-source" "$MAV2" sign --userop "$OP4" --chain-id 1 --key "$TMP/enc.pem" --pin-source "$TMP/pass"
bad "sign: encrypted PEM without a PIN" 2 "PIN" sign --userop "$OP4" --chain-id 1 --key "$TMP/enc.pem"
# --- help of every command -------------------------------------------------
for c in send receipt submit replace session-key sign-message account "session-key create" \
    "session-key list" "session-key install" "session-key revoke" "account address"; do
    out=$("$MAV2" $c --help)
    rc=$?
    is "mav2 $c --help: exit 0" "$rc" 0
    case "$out" in *SYNOPSIS*"mav2 ${c%% *}"*) ok "mav2 $c --help has a synopsis" true ;; *) ok "mav2 $c --help has a synopsis" false ;; esac
done
case "$("$MAV2" session-key --help)" in *"create --token URI --label L [--id HEX] [--pin-source FILE]"*"[--from-block N]"*) ok "session-key --help: create/list options" true ;; *) ok "session-key --help: create/list options" false ;; esac

# --- every --json output is one JSON object ---------------------------------
isjson() { # isjson NAME ARGS...
    local name=$1
    shift
    "$MAV2" "$@" >"$TMP/j" 2>/dev/null
    ok "$name --json: exit 0, valid JSON" python3 -c 'import json,sys; assert isinstance(json.load(open(sys.argv[1])), dict)' "$TMP/j"
}
isjson address address --key "$KEY" --json
isjson calldata calldata --call $T,1 --call $T,2 --json
isjson nonce-key nonce-key --entity-id 1 --sequence 5 --json
isjson hash hash --userop "$OP" --chain-id 1 --json
isjson sign sign --userop "$OP4" --chain-id 1 --key "$KEY" --json
isjson "account address" account address --owner $T --json
isjson sign-message sign-message --account $T --key "$KEY" --entity-id 1 --chain-id 1 --message 'a"b\c' --json

# --- account address --------------------------------------------------------
AA=$("$MAV2" account address --owner $T)
is "account address: three lines" "$(printf '%s\n' "$AA" | wc -l)" 3
case "$AA" in 0x*$'\n'"factory 0x"*$'\n'"factoryData 0x"*) ok "account address: address, factory, factoryData" true ;; *) ok "account address: address, factory, factoryData" false ;; esac
is "account address: salt 0 is the default" "$("$MAV2" account address --owner $T --salt 0)" "$AA"
ok "account address: another salt, another account" [ "$("$MAV2" account address --owner $T --salt 1 | head -1)" != "$(printf '%s\n' "$AA" | head -1)" ]
bad "account: no subcommand" 1 "which one" account
bad "account: unknown subcommand" 1 "bogus" account bogus
bad "account address: no owner" 1 "--owner" account address
bad "account address: short owner" 1 "--owner" account address --owner 0x1234
bad "account address: bad salt" 1 "--salt" account address --owner $T --salt x
bad "account address: stray argument" 1 "extra" account address --owner $T extra

# --- sign-message (offline: --chain-id) -------------------------------------
SM=$("$MAV2" sign-message --account $T --key "$KEY" --entity-id 1 --chain-id 1 --message hello)
is "sign-message: exit 0" "$?" 0
SMS=$(printf '%s\n' "$SM" | head -1)
is "sign-message: 72-byte signature" "${#SMS}" 146
is "sign-message: 0x00 || entity 1 || 0xff00" "${SMS:0:16}" 0x0000000001ff00
HEXMSG=0x$(printf hello | od -An -tx1 | tr -d ' \n')
is "sign-message: --message-hex = --message (hashes)" "$("$MAV2" sign-message --account $T --key "$KEY" --entity-id 1 --chain-id 1 --message-hex "$HEXMSG" | tail -n +2)" "$(printf '%s\n' "$SM" | tail -n +2)"
is "sign-message: EIP-191 hash of hello" "$(printf '%s\n' "$SM" | sed -n 2p)" "hash 0x50b2c43fd39106bafbba0da34fc430e1f91e3c96ea2acee2bc34119f92b37750"
bad "sign-message: no message" 1 "--message" sign-message --account $T --key "$KEY" --entity-id 1 --chain-id 1
bad "sign-message: two messages" 1 "--message" sign-message --account $T --key "$KEY" --entity-id 1 --chain-id 1 --message a --hash 0x12
bad "sign-message: short hash" 1 "--hash" sign-message --account $T --key "$KEY" --entity-id 1 --chain-id 1 --hash 0x12
bad "sign-message: bad message hex" 1 "--message-hex" sign-message --account $T --key "$KEY" --entity-id 1 --chain-id 1 --message-hex 0xzz
bad "sign-message: no chain" 1 "--chain-id" sign-message --account $T --key "$KEY" --entity-id 1 --message hi
bad "sign-message: missing options named" 1 "--account and --entity-id are required" sign-message --key "$KEY" --message hi
printf 'wrongpass77\n' >"$TMP/wrongpass"
bad "sign-message: wrong passphrase" 2 "--key" sign-message --account $T --key "$TMP/enc.pem" --entity-id 1 --chain-id 1 --message hi --pin-source "$TMP/wrongpass"
is "sign-message: the passphrase is not in the message" "$(grep -c wrongpass77 "$TMP/err")" 0

# --- online commands: bad input is refused before any network ----------------
U=http://127.0.0.1:1/
H32=0x$(printf 'ab%.0s' $(seq 32))
bad "send: missing options named" 1 "--key and --call are required" send --rpc-url $U --account $T --entity-id 1
bad "send: no --rpc-url" 1 "--rpc-url is required" send --account $T --key "$KEY" --entity-id 1 --call $T,1
bad "send: not an http URL" 1 "--rpc-url" send --rpc-url ftp://x --account $T --key "$KEY" --entity-id 1 --call $T,1
bad "send: bad --timeout" 1 "--timeout" send --rpc-url $U --account $T --key "$KEY" --entity-id 1 --call $T,1 --timeout -1
bad "send: bad --poll" 1 "--poll" send --rpc-url $U --account $T --key "$KEY" --entity-id 1 --call $T,1 --poll abc
bad "send: bad --paymaster-context" 1 "--paymaster-context" send --rpc-url $U --account $T --key "$KEY" --entity-id 1 --call $T,1 --paymaster-url $U --paymaster-context '{bad'
bad "send: --paymaster-context not an object" 1 "--paymaster-context" send --rpc-url $U --account $T --key "$KEY" --entity-id 1 --call $T,1 --paymaster-url $U --paymaster-context '[1]'
bad "send: malformed --max-cost" 1 "--max-cost" send --rpc-url $U --account $T --key "$KEY" --entity-id 1 --call $T,1 --max-cost 0.01eth
bad "send: --max-cost finer than a wei" 1 "--max-cost" send --rpc-url $U --account $T --key "$KEY" --entity-id 1 --call $T,1 --max-cost 0.5wei
bad "send: --max-cost 0" 1 "--max-cost" send --rpc-url $U --account $T --key "$KEY" --entity-id 1 --call $T,1 --max-cost 0
case "$("$MAV2" send --help)" in *"--max-cost AMOUNT"*) ok "send --help: --max-cost" true ;; *) ok "send --help: --max-cost" false ;; esac
bad "send: malformed --max-priority-fee" 1 "--max-priority-fee" send --rpc-url $U --account $T --key "$KEY" --entity-id 1 --call $T,1 --max-priority-fee 5gw
bad "send: --max-call-gas not a number" 1 "--max-call-gas" send --rpc-url $U --account $T --key "$KEY" --entity-id 1 --call $T,1 --max-call-gas 1e6
bad "send: --max-verification-gas over 64 bits" 1 "--max-verification-gas" send --rpc-url $U --account $T --key "$KEY" --entity-id 1 --call $T,1 --max-verification-gas 18446744073709551616
bad "send: --pvg-margin not a factor" 1 "--pvg-margin" send --rpc-url $U --account $T --key "$KEY" --entity-id 1 --call $T,1 --pvg-margin x2
bad "send: --chain-id neither decimal nor hex" 1 "--chain-id" send --rpc-url $U --account $T --key "$KEY" --entity-id 1 --call $T,1 --chain-id 0x0x1
bad "replace: malformed --max-cost" 1 "--max-cost" replace $H32 --rpc-url $U --key "$KEY" --max-cost lots
for w in "--max-priority-fee AMOUNT" "--pvg-margin X" "--max-call-gas N" "Default by chain id: 1 (Ethereum) 0.05" "the whole command takes at most"; do
    case "$("$MAV2" send --help)" in *"$w"*) ok "send --help: $w" true ;; *) ok "send --help: $w" false ;; esac
done
bad "send: bad --call" 1 "--call #1" send --rpc-url $U --account $T --key "$KEY" --entity-id 1 --call 0x12,1
bad "receipt: short hash" 1 "userOpHash" receipt 0x12 --rpc-url $U
bad "receipt: nothing to wait for" 1 "userOpHash" receipt --rpc-url $U
bad "replace: short hash" 1 "userOpHash" replace 0x12 --rpc-url $U --key "$KEY"
bad "replace: --timeout over a day" 1 "--timeout" replace $H32 --rpc-url $U --key "$KEY" --timeout 86401
bad "replace: bad --poll" 1 "--poll" replace $H32 --rpc-url $U --key "$KEY" --poll x
bad "session-key install: --timeout over a day" 1 "--timeout" session-key install --rpc-url $U --account $T --owner-key "$KEY" --session-address $T --entity-id 1 --global --timeout 86401
bad "session-key revoke: bad --poll" 1 "--poll" session-key revoke --rpc-url $U --account $T --owner-key "$KEY" --entity-id 1 --poll -1
bad "submit: no file" 1 "FILE" submit --rpc-url $U
bad "submit: missing file" 1 "cannot open" submit "$TMP/none.json" --rpc-url $U
bad "session-key: no subcommand" 1 "which one" session-key
bad "session-key create: no --label" 1 "--label is required" session-key create --token pkcs11:token=t
bad "session-key create: not a pkcs11 URI" 1 "--token" session-key create --token t --label x
bad "session-key create: bad --id" 1 "--id" session-key create --token pkcs11:token=t --label x --id zz
bad "session-key list: missing options named" 1 "--rpc-url and --account are required" session-key list
bad "session-key install: no restriction" 1 "--global" session-key install --rpc-url $U --account $T --owner-key "$KEY" --session-address $T --entity-id 1
bad "session-key install: bad --allow" 1 "--allow" session-key install --rpc-url $U --account $T --owner-key "$KEY" --session-address $T --entity-id 1 --allow zz
bad "session-key revoke: no --entity-id" 1 "--entity-id is required" session-key revoke --rpc-url $U --account $T --owner-key "$KEY"
# required options come from the option table: the parser refuses their absence
# before any other check, and --help marks them
bad "session-key install: no --owner-key, refused first" 1 "--owner-key is required" session-key install --rpc-url $U --account $T --session-address $T --entity-id 1
bad "session-key grant: required options named" 1 "--chain-id, --owner-key and --entity-id are required" session-key grant --account $T --global --no-deadline
bad "session-key grant: no account" 1 "--account or --factory-owner is required" session-key grant --chain-id 1 --owner-key "$KEY" --entity-id 1 --global --no-deadline
"$MAV2" sign --help >"$TMP/help"
ok "sign --help: --chain-id marked required" grep -q -- '^    --chain-id N .*(required)$' "$TMP/help"
ok "sign --help: --userop's last help line marked required" grep -qx '  *replaced (required)' "$TMP/help"
is "sign --help: only the required ones marked" "$(grep -c '(required)' "$TMP/help")" 3
"$MAV2" session-key revoke --help >"$TMP/help"
ok "session-key revoke --help: --entity-id (owner group) marked required" grep -q -- '^    --entity-id N .*(required)$' "$TMP/help"
ok "session-key revoke --help: --owner-entity-id not marked" sh -c "! grep -A1 -- '^    --owner-entity-id' '$TMP/help' | grep -q required"
# an API key in the URL's path or query never shows in a message
bad "session-key list: unreachable node" 5 "cannot reach" session-key list --rpc-url "http://127.0.0.1:1/v2/SECRETKEY?key=SECRETQ" --account $T
is "session-key list: the URL's path and query are not shown" "$(grep -c SECRET "$TMP/err")" 0
tap_done
