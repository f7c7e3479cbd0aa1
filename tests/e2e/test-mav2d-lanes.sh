#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test-mav2d-lanes.sh: mav2d's lanes when ops are in flight and when the bundler loses
# them, on the local devnet with Alto's debug methods (ALTO_DEBUG_ENDPOINTS=1): its
# bundling held ("manual") keeps accepted ops pending for as long as a check needs.
#  1. SIGTERM with 4 ops pending on the 4 lanes and 2 requests queued: exit 0, the queued
#     ones refused ("stopping"), the 4 journaled; Alto then loses its mempool (as a
#     restarted Alto would); the restart sends the 4 again, each id is answerable and
#     included exactly once, nothing of the refused ones is.
#  2. The bundler drops an accepted op while its nonce has not moved: the poller sends
#     the journaled op again (the same userOpHash, no new signature); included once.
#  3. The nonce moves on without the op (the account uses it: EntryPoint.incrementNonce):
#     status 400 naming why, one signature for that nonce, the lane serves again.
E2E_NEEDS="curl"
export ALTO_DEBUG_ENDPOINTS=1
. "$MH_TOP_SRCDIR/tests/e2e/e2e-common.sh"
MAV2D="$MH_TOP_BUILDDIR/mav2/mav2d"
CLIENT="$DEVNET/tools/mav2d-client.mjs"

session_account
STATE="$MH_TMP/mav2d-state"
SOCK="$MH_TMP/mav2d.sock"
LOG="$MH_TMP/mavd.err"
PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
(umask 077 && echo "$TOKEN" >"$MH_TMP/token")
CONF="$MH_TMP/mav2d.conf"
mav2d_conf "$MH_TMP" mav2d "$PORT" 4 200
export MAV2D_URL="http://127.0.0.1:$PORT/" MAV2D_TOKEN="$TOKEN" ACCOUNT="$ACC" CHAIN_ID
LEDGER="$STATE/ledger.jsonl"

start_mavd() {
    rm -f "$MH_TMP/ready.fifo" && mkfifo "$MH_TMP/ready.fifo"
    exec 7<>"$MH_TMP/ready.fifo"
    ${MAV2D_WRAP:-} "$MAV2D" --config "$CONF" >&7 2>>"$LOG" &
    MAVD_PID=$!
    BGPIDS+=("$MAVD_PID")
    READY=""
    read -r -t 600 -u 7 READY
}
hcurl() { OPENSSL_CONF=/dev/null curl -s "$@"; }
call() { # METHOD PARAMS-JSON: mav2d's whole answer
    hcurl --unix-socket "$SOCK" -d '{"jsonrpc":"2.0","id":1,"method":"'"$1"'","params":'"$2"'}' \
        http://mav2d/
}
status_of() { call wallet_getCallsStatus "[\"$1\"]" | jq -r '.result.status // .error.message'; }
has_status() { [ "$(status_of "$1")" = "$2" ]; }
send_one() { # TO: the id of a wallet_sendCalls of 1000 wei to TO
    call wallet_sendCalls '[{"version":"2.0.0","chainId":"'"$(printf '0x%x' "$CHAIN_ID")"'","from":"'"$ACC"'","calls":[{"to":"'"$1"'","value":"0x3e8"}]}]' |
        jq -r '.result.id // .error.message'
}
bundling() { rpc "$BUNDLER_URL" debug_bundler_setBundlingMode "[\"$1\"]"; }
mempool_size() { rpc "$BUNDLER_URL" debug_bundler_dumpMempool "[\"$ENTRY_POINT\"]" | jq length; }
mempool_is() { [ "$(mempool_size)" = "$1" ]; }
queue_depth_is() {
    [ "$(hcurl --unix-socket "$SOCK" http://mav2d/metrics |
        awk '$1 == "mav2d_lane_queue_depth" { print $2 }')" = "$1" ]
}
sent_again_is() { [ "$(grep -c 'journaled op 0x[0-9a-f]* sent again' "$LOG")" = "$1" ]; }
journaled() { find "$STATE/journal" -name 'pending-*.json' | wc -l; }
journal_is() { [ "$(journaled)" = "$1" ]; }
signs_of() { grep -c "\"event\":\"sign\".*\"userOpHash\":\"$1\"" "$LEDGER"; }
lane_key() { if [ "$1" -eq 0 ]; then echo 101; else printf '%x0000000101' "$1"; fi; }
nonces() { local s=0 i; for i in 0 1 2 3; do s=$((s + $(nonce_seq "$(lane_key $i)"))); done; echo $s; }
addr() { printf '0x%040x' "$1"; }

start_mavd
ok "start: readiness line" grep -q "^mav2d: ready: account $ACC" <<<"$READY"
is "Alto's bundling held (debug endpoints on)" "$(bundling manual)" '"ok"'

# ---- 1. SIGTERM with 4 ops pending and 2 requests queued, Alto loses them, restart
N0=$(nonces)
BASE=$((0x30ad0000))
rm -f "$MH_TMP/term.fifo" && mkfifo "$MH_TMP/term.fifo"
exec 8<>"$MH_TMP/term.fifo"
node "$CLIENT" load 6 1 "$BASE" >&8 2>"$MH_TMP/load.err" &
LOADER=$!
got=0
while [ "$got" -lt 4 ] && read -r -t 600 -u 8 line; do
    echo "$line" >>"$MH_TMP/term.out"
    case $line in id\ *) got=$((got + 1)) ;; esac
done
is "in flight: 4 requests answered with an id (one a lane)" "$got" 4
ok "in flight: the other 2 wait for a lane" wait_for "$MAVD_PID" queue_depth_is 2
is "in flight: the 4 ops in Alto's mempool, none included" "$(mempool_size) $(nonces)" "4 $N0"
kill -TERM "$MAVD_PID"
wait "$MAVD_PID"
is "SIGTERM in flight: exit 0" "$?" 0
wait "$LOADER"
while read -r -t 1 -u 8 line; do echo "$line" >>"$MH_TMP/term.out"; done
awk '$1 == "id" { print $3 }' "$MH_TMP/term.out" >"$MH_TMP/term.ids"
is "SIGTERM: still 4 ids" "$(wc -l <"$MH_TMP/term.ids")" 4
is "SIGTERM: the 2 queued requests refused, mav2d is stopping" \
    "$(grep -c '^err .*stopping' "$MH_TMP/term.out")" 2
is "SIGTERM: the 4 pending ops journaled" "$(journaled)" 4
is "Alto loses its mempool (as on its restart)" "$(rpc "$BUNDLER_URL" debug_bundler_clearState '[]') $(mempool_size)" '"ok" 0'
start_mavd
ok "restart: ready" grep -q "^mav2d: ready" <<<"$READY"
ok "restart: the 4 journaled ops sent again" wait_for "$MAVD_PID" sent_again_is 4
ok "restart: each back in Alto's mempool" wait_for "$MAVD_PID" mempool_is 4
n100=0
for id in $(cat "$MH_TMP/term.ids"); do has_status "$id" 100 && n100=$((n100 + 1)); done
is "restart: every id answerable, pending (100)" "$n100" 4
is "bundling on again" "$(bundling auto)" '"ok"'
node "$CLIENT" status $(cat "$MH_TMP/term.ids") >"$MH_TMP/term.st" 2>>"$MH_TMP/load.err"
is "restart: every id confirmed (200)" "$(awk '$2 == 200' "$MH_TMP/term.st" | wc -l)" 4
paid="" refused=""
for k in 0 1 2 3 4 5; do
    b=$(balance "$(addr $((BASE + k)))")
    if grep -q "^id $k " "$MH_TMP/term.out"; then paid="$paid $b"; else refused="$refused $b"; fi
done
is "restart: every answered request paid exactly once" "$paid" " 1000 1000 1000 1000"
is "restart: the refused requests paid nothing" "$refused" " 0 0"
is "restart: nonces moved by exactly 4" "$(nonces)" $((N0 + 4))
once=0
for id in $(cat "$MH_TMP/term.ids"); do [ "$(signs_of "$id")" = 1 ] && once=$((once + 1)); done
is "restart: one signature per op in the ledger" "$once" 4
ok "restart: the journal emptied once they were included" wait_for "$MAVD_PID" journal_is 0

# ---- 2. the bundler drops an accepted op, its nonce has not moved: sent again
is "bundling held" "$(bundling manual)" '"ok"'
N0=$(nonces)
R2=$(addr $((0x40ad0000)))
H2=$(send_one "$R2")
ok "lost: accepted, an id" grep -Eq '^0x[0-9a-f]{64}$' <<<"$H2"
is "lost: in Alto's mempool, not sent again while it is there" \
    "$(mempool_size) $(grep -c "journaled op $H2 sent again" "$LOG")" "1 0"
# (the poller may send it again as soon as it is gone: its mempool is not checked empty)
is "lost: Alto drops it (mempool cleared)" "$(rpc "$BUNDLER_URL" debug_bundler_clearState '[]')" '"ok"'
ok "lost: the poller sends it again (Alto took it: it did not have it)" \
    wait_for "$MAVD_PID" grep -q "journaled op $H2 sent again" "$LOG"
ok "lost: back in Alto's mempool" wait_for "$MAVD_PID" mempool_is 1
rpc "$BUNDLER_URL" debug_bundler_dumpMempool "[\"$ENTRY_POINT\"]" | jq '.[0]' >"$MH_TMP/again.json"
is "lost: the op sent again is the journaled one (its hash, its signature)" \
    "$("$MAV2" hash --userop "$MH_TMP/again.json" --chain-id "$CHAIN_ID") $(jq -r .signature "$MH_TMP/again.json")" \
    "$H2 $(jq -r --arg h "$H2" 'select(.userOpHash == $h) | .userOp.signature' "$STATE/journal"/pending-*.json)"
is "bundling on again" "$(bundling auto)" '"ok"'
ok "lost: confirmed (200)" wait_for "$MAVD_PID" has_status "$H2" 200
is "lost: paid once, nonce +1, signed once" \
    "$(balance "$R2") $(($(nonces) - N0)) $(signs_of "$H2")" "1000 1 1"

# ---- 3. the nonce moves on without the op: status 400 with the reason, never re-signed
is "bundling held" "$(bundling manual)" '"ok"'
R3=$(addr $((0x50ad0000)))
H3=$(send_one "$R3")
ok "superseded: accepted, an id" grep -Eq '^0x[0-9a-f]{64}$' <<<"$H3"
KEY=$(jq -r --arg h "$H3" 'select(.userOpHash == $h and .event == "sign") | .nonceKey' "$LEDGER")
NONCE=$(jq -r --arg h "$H3" 'select(.userOpHash == $h and .event == "sign") | .nonce' "$LEDGER")
S3=$(nonce_seq "${KEY#0x}")
rpc "$BUNDLER_URL" debug_bundler_clearState '[]' >/dev/null
rpc "$RPC_URL" anvil_impersonateAccount "[\"$ACC\"]" >/dev/null
TX=$(rpc "$RPC_URL" eth_sendTransaction \
    "[{\"from\":\"$ACC\",\"to\":\"$ENTRY_POINT\",\"data\":\"0x0bd28e3b$(pad "${KEY#0x}")\"}]" | jq -r .)
rpc "$RPC_URL" anvil_stopImpersonatingAccount "[\"$ACC\"]" >/dev/null
is "superseded: the account used the op's nonce itself (incrementNonce)" \
    "$(rpc "$RPC_URL" eth_getTransactionReceipt "[\"$TX\"]" | jq -r .status) $(nonce_seq "${KEY#0x}")" \
    "0x1 $((S3 + 1))"
ok "superseded: status 400" wait_for "$MAVD_PID" has_status "$H3" 400
call wallet_getCallsStatus "[\"$H3\"]" >"$MH_TMP/h3.json"
ok "superseded: the reason names the nonce used without it" \
    jq -e '.result.error | test("superseded: nonce [0-9]+ was used without this op")' "$MH_TMP/h3.json"
jq -r .result.error "$MH_TMP/h3.json" | sed 's/^/# /'
is "superseded: one signature for that nonce, no other op on it" \
    "$(jq -r --arg k "$KEY" --arg n "$NONCE" \
        'select(.event == "sign" and .nonceKey == $k and .nonce == $n) | .userOpHash' "$LEDGER")" "$H3"
is "superseded: the ledger says rejected" \
    "$(jq -r --arg h "$H3" 'select(.event == "outcome" and .userOpHash == $h) | .outcome' "$LEDGER" | tail -1)" rejected
is "superseded: the recipient got nothing" "$(balance "$R3")" 0
is "bundling on again" "$(bundling auto)" '"ok"'
ok "superseded: its journal entry removed" wait_for "$MAVD_PID" journal_is 0
R4=$(addr $((0x60ad0000)))
OUT=$(node "$CLIENT" send "$R4" 1000 2>"$MH_TMP/viem.err")
is "the lanes serve again: confirmed (200), paid" "$(echo "$OUT" | jq -r .statusCode) $(balance "$R4")" "200 1000"

kill -TERM "$MAVD_PID"
wait "$MAVD_PID"
is "SIGTERM: exit 0" "$?" 0
"$MAV2" audit verify "$LEDGER" >"$MH_TMP/verify.out" 2>&1
is "ledger: mav2 audit verify exit 0" "$?" 0
tap_done
