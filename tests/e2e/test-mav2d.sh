#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test-mav2d.sh: mav2d on the local devnet with a SoftHSM2 token session key: bad
# settings refused in one line; the Unix socket (0660) and the loopback TCP port with its
# bearer token; viem's sendCalls + waitForCallsStatus move ETH and call a contract through
# mav2d, sponsored too (ERC-7677 capability); a reverting call refused at once; load:
# 8 concurrent viem clients x 10 requests over 4 lanes (scaled down from
# 8 x 50 for the shared 2-core machine: MAV2D_LOAD=50 restores it), each included exactly
# once; kill -9 in the middle of a load and a restart: every request that got an id is
# included exactly once and its status answerable, nothing sent twice; /metrics; SIGTERM.
# The profile's policy refuses an op over policy-max-value before the token signs, and
# the audit ledger (STATE_DIR/ledger.jsonl) holds every signature and outcome, verified
# by mav2 audit verify.
# MAV2D_WRAP prefixes the mav2d command (e.g. valgrind --error-exitcode=99 ...: the
# SIGTERM exit status then reports its errors).
E2E_NEEDS="curl"
. "$MH_TOP_SRCDIR/tests/e2e/e2e-common.sh"
MAV2D="$MH_TOP_BUILDDIR/mav2/mav2d"
CLIENT="$DEVNET/tools/mav2d-client.mjs"
LOAD=${MAV2D_LOAD:-10}

session_account
STATE="$MH_TMP/mav2d-state"
SOCK="$MH_TMP/mav2d.sock"
PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
(umask 077 && echo "$TOKEN" >"$MH_TMP/token")
CONF="$MH_TMP/mav2d.conf"
mav2d_conf "$MH_TMP" mav2d "$PORT" 4 200 "policy-max-value = 0.01ether"

# ---- bad settings: one line naming what is wrong, exit 2, nothing listening
bad_conf() { # NAME LINE-TO-ADD
    (umask 077 && { cat "$CONF"; echo "$2"; } >"$MH_TMP/$1.conf")
    "$MAV2D" --config "$MH_TMP/$1.conf" >"$MH_TMP/$1.out" 2>"$MH_TMP/$1.err"
    RC=$?
}
bad_conf unknown "colour = blue"
is "bad config: unknown [service] key: exit 2" "$RC" 2
is "bad config: one line" "$(wc -l <"$MH_TMP/unknown.err")" 1
ok "bad config: names FILE:LINE and the key" grep -q "unknown.conf:$(($(wc -l <"$CONF") + 1)): unknown setting \"colour\"" "$MH_TMP/unknown.err"
sed "s/^tcp = .*/tcp = 192.0.2.1:$PORT/" "$CONF" >"$MH_TMP/public.conf"
chmod 600 "$MH_TMP/public.conf"
"$MAV2D" --config "$MH_TMP/public.conf" >/dev/null 2>"$MH_TMP/public.err"
is "bad config: non-loopback tcp refused (exit 2)" "$?" 2
ok "bad config: says it is not loopback" grep -q "not a loopback address" "$MH_TMP/public.err"

# ---- start: the readiness line comes once it serves, and READY=1 to $NOTIFY_SOCKET
# (a datagram socket of the test's own, each message a line on fd 9)
rm -f "$MH_TMP/notify.fifo" && mkfifo "$MH_TMP/notify.fifo"
exec 9<>"$MH_TMP/notify.fifo"
python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("bound", flush=True)
while True:
    print(s.recv(256).decode(), flush=True)' "$MH_TMP/notify.sock" >&9 &
BGPIDS+=($!)
read -r -t 300 -u 9 line
notified() { line="" && read -r -t 300 -u 9 line && echo "$line"; }
start_mavd() {
    rm -f "$MH_TMP/ready.fifo" && mkfifo "$MH_TMP/ready.fifo"
    exec 7<>"$MH_TMP/ready.fifo"
    NOTIFY_SOCKET="$MH_TMP/notify.sock" ${MAV2D_WRAP:-} "$MAV2D" --config "$CONF" >&7 2>>"$MH_TMP/mavd.err" &
    MAVD_PID=$!
    BGPIDS+=("$MAVD_PID")
    READY=""
    read -r -t 300 -u 7 READY
}
start_mavd
ok "start: readiness line" grep -q "^mav2d: ready: account $ACC" <<<"$READY"
is "start: sd_notify READY=1" "$(notified)" READY=1
is "unix socket mode 0660" "$(stat -c %a "$SOCK")" 660
# curl without our provider (OPENSSL_CONF loads it; the sanitizer build's needs ASan)
hcurl() { OPENSSL_CONF=/dev/null curl -s "$@"; }
U=(hcurl --unix-socket "$SOCK")
is "GET /healthz on the socket" "$("${U[@]}" http://mav2d/healthz)" ok
# the socket's permissions decide: its group may connect, others may not (same path)
if [ "$(id -u)" -eq 0 ]; then
    chmod 711 "$MH_TMP"
    chgrp nogroup "$SOCK"
    as() { OPENSSL_CONF=/dev/null setpriv --reuid=65534 --regid="$1" --clear-groups -- curl -s -o /dev/null \
        -w '%{http_code}' --unix-socket "$SOCK" http://mav2d/healthz; }
    is "socket: a member of its group is served" "$(as 65534)" 200
    is "socket: another user is refused by the file mode" "$(as 1)" 000
    chmod 700 "$MH_TMP"
else
    tap_skip "socket permissions" "needs root (to act as two other users)"
    tap_skip "socket permissions" "needs root (to act as two other users)"
fi
T="http://127.0.0.1:$PORT/"
j='{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}'
is "tcp without token: 401" "$(hcurl -o /dev/null -w '%{http_code}' -d "$j" "$T")" 401
is "tcp with a wrong token: 401" \
    "$(hcurl -o /dev/null -w '%{http_code}' -H "Authorization: Bearer ${TOKEN}x" -d "$j" "$T")" 401
is "tcp with the token: eth_chainId" \
    "$(hcurl -H "Authorization: Bearer $TOKEN" -d "$j" "$T" | jq -r .result)" "$(printf '0x%x' "$CHAIN_ID")"
is "socket: eth_accounts = the account" "$("${U[@]}" -d '{"jsonrpc":"2.0","id":2,"method":"eth_accounts"}' \
    http://mav2d/ | jq -r '.result[0]' | lower)" "$(echo "$ACC" | lower)"
W='{"jsonrpc":"2.0","id":3,"method":"wallet_sendCalls","params":[{"version":"2.0.0","chainId":"0x1","from":"'$ACC'","calls":[{"to":"'$ACC'"}]}]}'
is "sendCalls on another chain: error 5710" "$("${U[@]}" -d "$W" http://mav2d/ | jq -r .error.code)" 5710
is "getCallsStatus of an unknown id: error 5730" "$("${U[@]}" -d '{"jsonrpc":"2.0","id":4,"method":"wallet_getCallsStatus","params":["0x'"$(pad 1)"'"]}' http://mav2d/ | jq -r .error.code)" 5730
is "getCallsStatus of a malformed id: invalid params -32602" "$("${U[@]}" -d '{"jsonrpc":"2.0","id":4,"method":"wallet_getCallsStatus","params":["0x12"]}' http://mav2d/ | jq -r .error.code)" -32602

# ---- SIGHUP: a new bearer token without a restart
OLD=$TOKEN
TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
(umask 077 && echo "$TOKEN" >"$MH_TMP/token")
kill -HUP "$MAVD_PID"
is "SIGHUP: RELOADING=1" "$(notified)" RELOADING=1
is "SIGHUP: READY=1 again" "$(notified)" READY=1
is "SIGHUP: the old token is refused now" \
    "$(hcurl -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $OLD" -d "$j" "$T")" 401
is "SIGHUP: the new token is accepted" \
    "$(hcurl -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -d "$j" "$T")" 200

# ---- viem: sendCalls (ETH and a contract call) and waitForCallsStatus
export MAV2D_URL="$T" MAV2D_TOKEN="$TOKEN" ACCOUNT="$ACC" CHAIN_ID
RCPT=0x$(printf '%040x' $((RANDOM * 65536 + RANDOM + 1)))
STORE=0x5707e00000000000000000000000000000000d2d
rpc "$RPC_URL" anvil_setCode "[\"$STORE\",\"0x60043560005500\"]" >/dev/null
OUT=$(node "$CLIENT" send "$RCPT" 1000000000000000 "$STORE" "0x12345678$(pad 2b)" 2>"$MH_TMP/viem.err")
sed 's/^/# viem: /' "$MH_TMP/viem.err"
is "viem: waitForCallsStatus success" "$(echo "$OUT" | jq -r .status)" success
is "viem: status code 200" "$(echo "$OUT" | jq -r .statusCode)" 200
is "viem: recipient got 0.001 ETH" "$(balance "$RCPT")" 1000000000000000
is "viem: contract state written" \
    "$(rpc "$RPC_URL" eth_getStorageAt "[\"$STORE\",\"0x0\",\"latest\"]" | jq -r .)" "0x$(pad 2b)"
R=$(rpc "$BUNDLER_URL" eth_getUserOperationReceipt "[\"$(echo "$OUT" | jq -r .id)\"]")
is "viem: the id is the userOpHash the bundler knows, same tx" \
    "$(echo "$R" | jq -r .receipt.transactionHash)" "$(echo "$OUT" | jq -r .tx)"

# ---- sponsored: capabilities.paymasterService (ERC-7677) from viem
export PM_LOG="$MH_TMP/pm.log"
start_paymaster paymaster.mjs
RCPT2=0x$(printf '%040x' $((RANDOM * 65536 + RANDOM + 1)))
B0=$(balance "$ACC")
D0=$(deposit_of "$PAYMASTER")
OUT=$(PAYMASTER_URL="$PAYMASTER_URL" node "$CLIENT" send "$RCPT2" 1000 2>"$MH_TMP/viem2.err")
sed 's/^/# viem: /' "$MH_TMP/viem2.err"
is "sponsored: confirmed" "$(echo "$OUT" | jq -r .statusCode)" 200
is "sponsored: the account paid only the 1000 wei" "$((B0 - $(balance "$ACC")))" 1000
ok "sponsored: the paymaster's deposit paid the gas" test "$(deposit_of "$PAYMASTER")" -lt "$D0"
is "sponsored: the request's context reached the paymaster" "$(jq -c '.params[3]' "$PM_LOG" | sort -u)" '{"policy":"mav2d"}'

# ---- a call that reverts: refused at once as a JSON-RPC error with the reason, nothing sent
REV=0x5707e00000000000000000000000000000000bad
rpc "$RPC_URL" anvil_setCode "[\"$REV\",\"0x60006000fd\"]" >/dev/null
W='{"jsonrpc":"2.0","id":5,"method":"wallet_sendCalls","params":[{"version":"2.0.0","chainId":"'$(printf '0x%x' "$CHAIN_ID")'","from":"'$ACC'","calls":[{"to":"'$REV'","data":"0x12345678"}]}]}'
"${U[@]}" -d "$W" http://mav2d/ >"$MH_TMP/revert.json"
is "reverting call: JSON-RPC error -32003" "$(jq -r .error.code "$MH_TMP/revert.json")" -32003
ok "reverting call: the reason in one sentence" jq -e '.error.message | test("revert"; "i")' "$MH_TMP/revert.json"
jq -r .error.message "$MH_TMP/revert.json" | sed 's/^/# /'

# ---- the profile's policy, before the token signs: over policy-max-value is refused
SIGNS0=$(grep -c '"event":"sign"' "$STATE/ledger.jsonl")
W='{"jsonrpc":"2.0","id":6,"method":"wallet_sendCalls","params":[{"version":"2.0.0","chainId":"'$(printf '0x%x' "$CHAIN_ID")'","from":"'$ACC'","calls":[{"to":"'$RCPT'","value":"0x470de4df820000"}]}]}'
"${U[@]}" -d "$W" http://mav2d/ >"$MH_TMP/policy.json"
is "policy: over policy-max-value refused (-32003)" "$(jq -r .error.code "$MH_TMP/policy.json")" -32003
ok "policy: the rule named" jq -e '.error.message | test("policy-max-value")' "$MH_TMP/policy.json"
is "policy: nothing signed" "$(grep -c '"event":"sign"' "$STATE/ledger.jsonl")" "$SIGNS0"
is "policy: the refusal is in the ledger" \
    "$(grep '"event":"refused"' "$STATE/ledger.jsonl" | jq -r .rule)" policy-max-value
is "policy: the recipient got nothing more" "$(balance "$RCPT")" 1000000000000000

lane_key() { if [ "$1" -eq 0 ]; then echo 101; else printf '%x0000000101' "$1"; fi; }
nonces() { local s=0 i; for i in 0 1 2 3; do s=$((s + $(nonce_seq "$(lane_key $i)"))); done; echo $s; }
N0=$(nonces)
is "two ops so far over the lanes" "$N0" 2

# ---- load: 8 clients x LOAD requests over 4 lanes, each included exactly once
BASE=$((0x10ad0000))
node "$CLIENT" load 8 "$LOAD" "$BASE" >"$MH_TMP/load.out" 2>"$MH_TMP/load.err"
TOTAL=$((8 * LOAD))
is "load: every request got an id" "$(grep -c '^id ' "$MH_TMP/load.out")" "$TOTAL"
grep '^err ' "$MH_TMP/load.out" | head -3 | sed 's/^/# /'
awk '$1 == "id" { print $3 }' "$MH_TMP/load.out" >"$MH_TMP/load.ids"
is "load: ids distinct" "$(sort -u "$MH_TMP/load.ids" | wc -l)" "$TOTAL"
node "$CLIENT" status $(cat "$MH_TMP/load.ids") >"$MH_TMP/load.st" 2>>"$MH_TMP/load.err"
is "load: every id confirmed (200)" "$(awk '$2 == 200' "$MH_TMP/load.st" | wc -l)" "$TOTAL"
once=0
for k in $(seq 0 $((TOTAL - 1))); do
    [ "$(balance "$(printf '0x%040x' $((BASE + k)))")" = 1000 ] && once=$((once + 1))
done
is "load: every recipient got its 1000 wei exactly once" "$once" "$TOTAL"
is "load: the lanes' nonces moved by exactly the number of requests" "$(nonces)" $((N0 + TOTAL))
used=0
for i in 0 1 2 3; do [ "$(nonce_seq "$(lane_key $i)")" -gt 0 ] && used=$((used + 1)); done
is "load: all 4 lanes used" "$used" 4

# ---- metrics (this process's counters)
M=$("${U[@]}" http://mav2d/metrics)
is "metrics: ops submitted" "$(awk '$1 == "mav2d_ops_submitted_total" { print $2 }' <<<"$M")" $((TOTAL + 2))
is "metrics: ops included" "$(awk '$1 == "mav2d_ops_included_total" { print $2 }' <<<"$M")" $((TOTAL + 2))
is "metrics: auth failures counted" "$(awk '$1 == "mav2d_auth_failures_total" { print $2 }' <<<"$M")" 3
is "metrics: one signature per op in the latency histogram" \
    "$(awk '$1 == "mav2d_sign_seconds_count" { print $2 }' <<<"$M")" $((TOTAL + 2))
is "metrics: queue empty" "$(awk '$1 == "mav2d_lane_queue_depth" { print $2 }' <<<"$M")" 0

# ---- kill -9 in the middle of a load, restart: ids answered, each op once
N1=$(nonces)
BASE2=$((0x20ad0000))
rm -f "$MH_TMP/kill.fifo" && mkfifo "$MH_TMP/kill.fifo"
exec 8<>"$MH_TMP/kill.fifo"
node "$CLIENT" load 8 "$LOAD" "$BASE2" >&8 2>>"$MH_TMP/load.err" &
LOADER=$!
got=0
while [ "$got" -lt 6 ] && read -r -t 300 -u 8 line; do
    echo "$line" >>"$MH_TMP/kill.out"
    case $line in id\ *) got=$((got + 1)) ;; esac
done
kill -9 "$MAVD_PID"
wait "$MAVD_PID" 2>/dev/null
wait "$LOADER"
while read -r -t 1 -u 8 line; do echo "$line" >>"$MH_TMP/kill.out"; done
awk '$1 == "id" { print $3 }' "$MH_TMP/kill.out" >"$MH_TMP/kill.ids"
IDS=$(wc -l <"$MH_TMP/kill.ids")
ok "kill -9: some requests got an id before the kill ($IDS)" test "$IDS" -ge 6
start_mavd
ok "restart: ready again" grep -q "^mav2d: ready" <<<"$READY"
is "restart: READY=1" "$(notified)" READY=1
node "$CLIENT" status $(cat "$MH_TMP/kill.ids") >"$MH_TMP/kill.st" 2>>"$MH_TMP/load.err"
is "restart: every id that was answered is confirmed (200)" "$(awk '$2 == 200' "$MH_TMP/kill.st" | wc -l)" "$IDS"
once=0 twice=0 paid=0
for k in $(seq 0 $((8 * LOAD - 1))); do
    b=$(balance "$(printf '0x%040x' $((BASE2 + k)))")
    [ "$b" -gt 0 ] && paid=$((paid + 1))
    [ "$b" -gt 1000 ] && twice=$((twice + 1))
done
for k in $(awk '$1 == "id" { print $2 }' "$MH_TMP/kill.out"); do
    [ "$(balance "$(printf '0x%040x' $((BASE2 + k)))")" = 1000 ] && once=$((once + 1))
done
is "restart: every answered request paid exactly once" "$once" "$IDS"
is "restart: no recipient paid twice" "$twice" 0
is "restart: nonces moved by exactly the ops included (nothing sent twice)" "$(nonces)" $((N1 + paid))

# ---- SIGTERM: stops cleanly
kill -TERM "$MAVD_PID"
wait "$MAVD_PID"
is "SIGTERM: exit 0" "$?" 0
is "SIGTERM: STOPPING=1" "$(notified)" STOPPING=1
ok "SIGTERM: socket removed" test ! -e "$SOCK"

# ---- the audit ledger: every signature, then its outcome, in one verified chain
"$MAV2" audit verify "$STATE/ledger.jsonl" >"$MH_TMP/verify.out" 2>&1
is "ledger: mav2 audit verify exit 0" "$?" 0
for id in $(cat "$MH_TMP/load.ids" "$MH_TMP/kill.ids"); do
    jq -r --arg h "$id" 'select(.userOpHash == $h) | .event + " " + (.outcome // "")' \
        "$STATE/ledger.jsonl" | tr '\n' ' '
    echo
done >"$MH_TMP/ledger.ops"
is "ledger: each confirmed op has its sign line and an included outcome" \
    "$(grep -c '^sign  .*outcome included' "$MH_TMP/ledger.ops")" $((TOTAL + IDS))
tap_done
