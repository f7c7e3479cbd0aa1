#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test-mav2d-pg.sh: two mav2d on one account sharing lanes, journal and call records
# through a real PostgreSQL (tests/harness/pg.sh: initdb + pg_ctl on a Unix socket), on the
# local devnet: CLIENTS viem clients x LOAD requests through each (defaults 2 x 10 per
# mav2d for the shared 2-core machine; MAV2D_PG_CLIENTS=4 MAV2D_PG_LOAD=50 gives the
# issue's 8 x 50), every id answered by either mav2d and included exactly once (nonces
# and balances on chain); kill -9 of one mav2d in the middle of a load: once its leases
# expire the other one sees its accepted ops through, none lost or sent twice;
# PostgreSQL restarted under a load: the mav2d waits for it, nothing lost. The policy's
# value cap is one window for both: past it, what either sends is refused. The audit
# ledger: both mav2d append to the account's one chain in the database (no file ledger
# per host), which mav2 audit verify checks in place and as an exported file, one sign
# line per op signed. An outage longer than A's state-wait (2 s) with an op of A in
# flight (Alto's bundling held, ALTO_DEBUG_ENDPOINTS=1): a request is answered with an
# error naming the database, nothing signed or sent; the lane stops renewing; once the
# database is back the op in flight is confirmed once and its row removed. The database
# password only in its file, never in argv or a log.
E2E_NEEDS="curl"
export ALTO_DEBUG_ENDPOINTS=1
. "$MH_TOP_SRCDIR/tests/e2e/e2e-common.sh"
. "$MH_TOP_SRCDIR/tests/harness/pg.sh"
pg_find || tap_skip_all "$pg_why"
MAV2D="$MH_TOP_BUILDDIR/mav2/mav2d"
CLIENT="$DEVNET/tools/mav2d-client.mjs"
CLIENTS=${MAV2D_PG_CLIENTS:-2}
LOAD=${MAV2D_PG_LOAD:-10}
LEASE=3000
CAP=10000000 # wei: policy-value-cap, over every load's 1000 wei ops

chmod 0711 "$MH_TMP" # the server may run as nobody (pg.sh)
pg_start "$MH_TMP/pg" || {
    sed 's/^/# /' "$MH_TMP/pg/initdb.log" "$MH_TMP/pg/pg_ctl.log" "$MH_TMP/pg/server.log" 2>/dev/null
    echo "Bail out! PostgreSQL did not start"
    exit 1
}
trap 'pg_stop_now; stop_all' EXIT
unset PGPASSWORD PGPASSFILE
session_account
TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
(umask 077 && echo "$TOKEN" >"$MH_TMP/token")
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
conf() { # NAME PORT [EXTRA SERVICE SETTING]
    mav2d_conf "$MH_TMP" "$1" "$2" 4 200 "policy-value-cap = $CAP/24h" -- "state = $PG_URL" \
        "state-password-file = $PG_PASSWORD_FILE" "lease = $LEASE" ${3:+"$3"}
}
PA=$(free_port)
PB=$(free_port)
conf a "$PA" "state-wait = 2000"
conf b "$PB"
"$MAV2D" --config "$MH_TMP/a.conf" --init-db >"$MH_TMP/init.out" 2>&1
is "--init-db on the database" "$(cat "$MH_TMP/init.out")" "mav2d: state (postgresql) at schema 2"

start_mavd() { # NAME: $PID_<NAME> once its readiness line came
    rm -f "$MH_TMP/$1.fifo" && mkfifo "$MH_TMP/$1.fifo"
    exec {fd}<>"$MH_TMP/$1.fifo"
    "$MAV2D" --config "$MH_TMP/$1.conf" >&$fd 2>>"$MH_TMP/$1.err" &
    eval "PID_$1=\$!"
    BGPIDS+=($!)
    READY=""
    read -r -t 300 -u $fd READY
}
start_mavd a
ok "mav2d A ready on PostgreSQL" grep -q "^mav2d: ready: account $ACC" <<<"$READY"
start_mavd b
ok "mav2d B ready on the same database" grep -q "^mav2d: ready: account $ACC" <<<"$READY"
export MAV2D_TOKEN="$TOKEN" ACCOUNT="$ACC" CHAIN_ID
via() { MAV2D_URL="http://127.0.0.1:$1/" node "$CLIENT" "${@:2}"; }

lane_key() { if [ "$1" -eq 0 ]; then echo 101; else printf '%x0000000101' "$1"; fi; }
nonces() { local s=0 i; for i in 0 1 2 3; do s=$((s + $(nonce_seq "$(lane_key $i)"))); done; echo $s; }
N0=$(nonces)

# ---- load through both at once
TOTAL=$((CLIENTS * LOAD))
BA=$((0x30ad0000))
BB=$((0x31ad0000))
via "$PA" load "$CLIENTS" "$LOAD" "$BA" >"$MH_TMP/la.out" 2>"$MH_TMP/load.err" &
LA=$!
via "$PB" load "$CLIENTS" "$LOAD" "$BB" >"$MH_TMP/lb.out" 2>>"$MH_TMP/load.err" &
LB=$!
wait $LA
wait $LB
grep -h '^err ' "$MH_TMP/la.out" "$MH_TMP/lb.out" | head -3 | sed 's/^/# /'
is "load: every request through A got an id" "$(grep -c '^id ' "$MH_TMP/la.out")" "$TOTAL"
is "load: every request through B got an id" "$(grep -c '^id ' "$MH_TMP/lb.out")" "$TOTAL"
awk '$1 == "id" { print $3 }' "$MH_TMP/la.out" >"$MH_TMP/a.ids"
awk '$1 == "id" { print $3 }' "$MH_TMP/lb.out" >"$MH_TMP/b.ids"
is "load: ids distinct" "$(sort -u "$MH_TMP/a.ids" "$MH_TMP/b.ids" | wc -l)" $((2 * TOTAL))
via "$PB" status $(cat "$MH_TMP/a.ids") >"$MH_TMP/a.st" 2>>"$MH_TMP/load.err"
is "B answers for every op A accepted: confirmed (200)" "$(awk '$2 == 200' "$MH_TMP/a.st" | wc -l)" "$TOTAL"
via "$PA" status $(cat "$MH_TMP/b.ids") >"$MH_TMP/b.st" 2>>"$MH_TMP/load.err"
is "A answers for every op B accepted: confirmed (200)" "$(awk '$2 == 200' "$MH_TMP/b.st" | wc -l)" "$TOTAL"
once=0
for base in $BA $BB; do
    for k in $(seq 0 $((TOTAL - 1))); do
        [ "$(balance "$(printf '0x%040x' $((base + k)))")" = 1000 ] && once=$((once + 1))
    done
done
is "load: every recipient got its 1000 wei exactly once" "$once" $((2 * TOTAL))
is "load: the lanes' nonces moved by exactly the number of requests" "$(nonces)" $((N0 + 2 * TOTAL))
# a lane removes its settled op's row after the status says 200: wait for it
journal_empty() { [ "$(pg_psql 'SELECT count(*) FROM mav2_journal')" = 0 ]; }
ok "load: no journal rows left" wait_for "$PID_b" journal_empty

# ---- kill -9 of A in the middle of a load through A: B sees A's accepted ops through
N1=$(nonces)
BK=$((0x32ad0000))
rm -f "$MH_TMP/kill.fifo" && mkfifo "$MH_TMP/kill.fifo"
exec 8<>"$MH_TMP/kill.fifo"
via "$PA" load "$CLIENTS" "$LOAD" "$BK" >&8 2>>"$MH_TMP/load.err" &
LOADER=$!
got=0
while [ "$got" -lt 3 ] && read -r -t 300 -u 8 line; do
    echo "$line" >>"$MH_TMP/kill.out"
    case $line in id\ *) got=$((got + 1)) ;; esac
done
kill -9 "$PID_a"
wait "$PID_a" 2>/dev/null
wait "$LOADER"
while read -r -t 1 -u 8 line; do echo "$line" >>"$MH_TMP/kill.out"; done
awk '$1 == "id" { print $3 }' "$MH_TMP/kill.out" >"$MH_TMP/kill.ids"
IDS=$(wc -l <"$MH_TMP/kill.ids")
ok "kill -9: requests got an id before the kill ($IDS)" test "$IDS" -ge 3
via "$PB" status $(cat "$MH_TMP/kill.ids") >"$MH_TMP/kill.st" 2>>"$MH_TMP/load.err"
is "B: every id A answered is confirmed (200)" "$(awk '$2 == 200' "$MH_TMP/kill.st" | wc -l)" "$IDS"
once=0 twice=0 paid=0
for k in $(seq 0 $((TOTAL - 1))); do
    b=$(balance "$(printf '0x%040x' $((BK + k)))")
    [ "$b" -gt 0 ] && paid=$((paid + 1))
    [ "$b" -gt 1000 ] && twice=$((twice + 1))
done
for k in $(awk '$1 == "id" { print $2 }' "$MH_TMP/kill.out"); do
    [ "$(balance "$(printf '0x%040x' $((BK + k)))")" = 1000 ] && once=$((once + 1))
done
is "kill -9: every answered request paid exactly once" "$once" "$IDS"
is "kill -9: no recipient paid twice" "$twice" 0
is "kill -9: nonces moved by exactly the ops included" "$(nonces)" $((N1 + paid))

# ---- PostgreSQL restarted under B: its connections cut, it waits for the database
# and recovers, nothing lost
pg_restart() { pg_start "$MH_TMP/pg" && trap 'pg_stop_now; stop_all' EXIT; }
N2=$(nonces)
ok "the database stops" pg_stop
BR=$((0x33ad0000))
via "$PB" load "$CLIENTS" "$LOAD" "$BR" >"$MH_TMP/lr.out" 2>>"$MH_TMP/load.err" &
LR=$!
ok "the database starts again" pg_restart
wait $LR
is "restart: every request through B got an id" "$(grep -c '^id ' "$MH_TMP/lr.out")" "$TOTAL"
awk '$1 == "id" { print $3 }' "$MH_TMP/lr.out" >"$MH_TMP/r.ids"
via "$PB" status $(cat "$MH_TMP/r.ids") >"$MH_TMP/r.st" 2>>"$MH_TMP/load.err"
is "restart: every id confirmed (200)" "$(awk '$2 == 200' "$MH_TMP/r.st" | wc -l)" "$TOTAL"
once=0
for k in $(seq 0 $((TOTAL - 1))); do
    [ "$(balance "$(printf '0x%040x' $((BR + k)))")" = 1000 ] && once=$((once + 1))
done
is "restart: every recipient got its 1000 wei exactly once" "$once" "$TOTAL"
is "restart: nonces moved by exactly the requests" "$(nonces)" $((N2 + TOTAL))

# ---- an outage longer than A's state-wait (2 s), an op of A (started again) in flight
start_mavd a
ok "mav2d A ready again" grep -q "^mav2d: ready: account $ACC" <<<"$READY"
bundling() { rpc "$BUNDLER_URL" debug_bundler_setBundlingMode "[\"$1\"]"; }
send_raw() { # PORT TO: mav2d's answer to a wallet_sendCalls of 1000 wei, then the HTTP status
    OPENSSL_CONF=/dev/null curl -s --max-time 600 -w '\n%{http_code}\n' -H "Authorization: Bearer $TOKEN" \
        -d '{"jsonrpc":"2.0","id":1,"method":"wallet_sendCalls","params":[{"version":"2.0.0","chainId":"'"$(printf '0x%x' "$CHAIN_ID")"'","from":"'"$ACC"'","calls":[{"to":"'"$2"'","value":"0x3e8"}]}]}' \
        "http://127.0.0.1:$1/"
}
status_is() { # PORT ID STATUS
    [ "$(OPENSSL_CONF=/dev/null curl -s -H "Authorization: Bearer $TOKEN" -d '{"jsonrpc":"2.0","id":1,"method":"wallet_getCallsStatus","params":["'"$2"'"]}' \
        "http://127.0.0.1:$1/" | jq -r '.result.status')" = "$3" ]
}
nonces_are() { [ "$(nonces)" = "$1" ]; }
N3=$(nonces)
RO=0x00000000000000000000000000000000000007a1
RD=0x00000000000000000000000000000000000007a2
RN=0x00000000000000000000000000000000000007a3
is "outage: Alto's bundling held" "$(bundling manual)" '"ok"'
send_raw "$PA" "$RO" >"$MH_TMP/out1.txt"
HO=$(head -n 1 "$MH_TMP/out1.txt" | jq -r '.result.id')
ok "outage: an op in flight through A (an id, journaled)" \
    test "$(grep -Ec '^0x[0-9a-f]{64}$' <<<"$HO") $(pg_psql 'SELECT count(*) FROM mav2_journal')" = "1 1"
ok "outage: the database stops" pg_stop
send_raw "$PA" "$RD" >"$MH_TMP/out2.txt"
jq -c . <"$MH_TMP/out2.txt" 2>/dev/null | head -1 | sed 's/^/# /'
is "outage: a request through A is answered (HTTP 200) past the wait" "$(tail -n 1 "$MH_TMP/out2.txt")" 200
is "outage: with a JSON-RPC error -32003 naming the database" \
    "$(head -n 1 "$MH_TMP/out2.txt" | jq '.error.code == -32003 and (.error.message | test("database"))')" true
OPENSSL_CONF=/dev/null curl -s -H "Authorization: Bearer $TOKEN" \
    -d '{"jsonrpc":"2.0","id":1,"method":"wallet_getCallsStatus","params":["'"$HO"'"]}' \
    "http://127.0.0.1:$PA/" >"$MH_TMP/st-down.json"
is "outage: a status asked past the wait: internal error -32603 naming the database" \
    "$(jq '.error.code == -32603 and (.error.message | test("database"))' "$MH_TMP/st-down.json")" true
is "outage: nothing sent for it (nonces and Alto's mempool unchanged)" \
    "$(nonces) $(rpc "$BUNDLER_URL" debug_bundler_dumpMempool "[\"$ENTRY_POINT\"]" | jq length)" "$N3 1"
ok "outage: the lane of the op in flight cannot renew its lease: it stops" \
    wait_for "$PID_a" grep -q "its op is left to the next holder" "$MH_TMP/a.err"
is "outage: bundling on again, the op in flight is included meanwhile" "$(bundling auto)" '"ok"'
ok "outage: its nonce moves" wait_for "$PID_a" nonces_are $((N3 + 1))
ok "outage: the database starts again" pg_restart
ok "outage: the op in flight confirmed (200) once the database is back" \
    wait_for "$PID_a" status_is "$PA" "$HO" 200
ok "outage: its journal row removed" wait_for "$PID_a" journal_empty
send_raw "$PA" "$RN" >"$MH_TMP/out3.txt"
HN=$(head -n 1 "$MH_TMP/out3.txt" | jq -r '.result.id')
ok "outage: A serves again: confirmed (200)" wait_for "$PID_a" status_is "$PA" "$HN" 200
is "outage: paid exactly once each, the refused one nothing" \
    "$(balance "$RO") $(balance "$RN") $(balance "$RD")" "1000 1000 0"
is "outage: nonces moved by exactly the 2 accepted ops" "$(nonces)" $((N3 + 2))
pg_psql "SELECT count(*) FILTER (WHERE record LIKE '%\"event\":\"sign\"%' AND record LIKE '%$HO%') FROM mav2_ledger" \
    >"$MH_TMP/signs.out"
is "outage: the op in flight was signed once" "$(cat "$MH_TMP/signs.out")" 1

# ---- the policy's window is one for both hosts: A takes the cap up to 1000 wei below
# it, then B is refused 2000 wei and allowed 1000
S=$(pg_psql "SELECT coalesce(sum(amount), 0) FROM mav2_window WHERE rule LIKE '%.value'")
ok "policy: both hosts' ops are in the database's window ($S wei)" test "$S" -ge $((3 * TOTAL * 1000))
RP=0x00000000000000000000000000000000000c0a75
via "$PA" send "$RP" $((CAP - S - 1000)) >"$MH_TMP/cap-a.out" 2>>"$MH_TMP/load.err"
is "policy: A sends up to 1000 wei below the cap" "$(jq -r .statusCode "$MH_TMP/cap-a.out")" 200
W='{"jsonrpc":"2.0","id":1,"method":"wallet_sendCalls","params":[{"version":"2.0.0","chainId":"'$(printf '0x%x' "$CHAIN_ID")'","from":"'$ACC'","calls":[{"to":"'$RP'","value":"0x7d0"}]}]}'
OPENSSL_CONF=/dev/null curl -s -H "Authorization: Bearer $TOKEN" -d "$W" "http://127.0.0.1:$PB/" >"$MH_TMP/cap-b.json"
is "policy: B refuses 2000 wei more (-32003)" "$(jq -r .error.code "$MH_TMP/cap-b.json")" -32003
ok "policy: naming policy-value-cap" jq -e '.error.message | test("policy-value-cap")' "$MH_TMP/cap-b.json"
via "$PB" send "$RP" 1000 >"$MH_TMP/cap-b.out" 2>>"$MH_TMP/load.err"
is "policy: B sends the last 1000 wei up to the cap" "$(jq -r .statusCode "$MH_TMP/cap-b.out")" 200
is "policy: the recipient got exactly the cap's rest" "$(balance "$RP")" $((CAP - S))

# ---- the audit ledger: one chain in the database for both hosts
ACCHEX=$(tr 'A-F' 'a-f' <<<"${ACC#0x}")
"$MAV2" audit verify --state "$PG_URL" --state-password-file "$PG_PASSWORD_FILE" \
    --account "$ACC" >"$MH_TMP/verify.out" 2>&1
is "ledger: the chain verifies across both hosts (mav2 audit verify --state)" "$?" 0
pg_psql "SELECT record FROM mav2_ledger WHERE account = '\\x$ACCHEX' ORDER BY seq" \
    >"$MH_TMP/chain.jsonl"
is "ledger: exported, it is a ledger file with the same tip" \
    "$("$MAV2" audit verify "$MH_TMP/chain.jsonl" 2>&1)" "$(cat "$MH_TMP/verify.out")"
is "ledger: mav2 audit show --state shows the chain's lines as those of the exported file" \
    "$("$MAV2" audit show --state "$PG_URL" --state-password-file "$PG_PASSWORD_FILE" \
        --account "$ACC" 2>&1)" "$("$MAV2" audit show "$MH_TMP/chain.jsonl" 2>&1)"
ok "ledger: no file ledger on either host" \
    test ! -e "$MH_TMP/a-state/ledger.jsonl" -a ! -e "$MH_TMP/b-state/ledger.jsonl"
jq -r 'select(.event == "sign") | .userOpHash' "$MH_TMP/chain.jsonl" | sort >"$MH_TMP/signed"
is "ledger: no op signed twice (one sign line per userOpHash)" "$(uniq -d "$MH_TMP/signed")" ""
sort -u "$MH_TMP/a.ids" "$MH_TMP/b.ids" "$MH_TMP/kill.ids" "$MH_TMP/r.ids" >"$MH_TMP/all.ids"
is "ledger: a sign line for every op either host answered" \
    "$(comm -23 "$MH_TMP/all.ids" "$MH_TMP/signed" | wc -l)" 0
is "ledger: B's refusal is in the chain" \
    "$(jq -r 'select(.event == "refused") | .rule' "$MH_TMP/chain.jsonl")" policy-value-cap
ok "ledger: a sign line at least for each op included ($(($(nonces) - N0)))" \
    test "$(wc -l <"$MH_TMP/signed")" -ge $(($(nonces) - N0))

# ---- the password stays in its file
PW=$(cat "$PG_PASSWORD_FILE")
ok "the password is in no log" test -z "$(grep -lF -- "$PW" "$MH_TMP"/*.err "$MH_TMP"/*.out 2>/dev/null)"
ok "nor in B's argv" test -z "$(tr '\0' ' ' <"/proc/$PID_b/cmdline" | grep -F -- "$PW")"

kill -TERM "$PID_b"
wait "$PID_b"
is "SIGTERM: B exits 0" "$?" 0
sed 's/^/# a: /' "$MH_TMP/a.err" | tail -5
sed 's/^/# b: /' "$MH_TMP/b.err" | tail -5
tap_done
