#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench-send.sh: `mav2 send` against the local devnet (tests/devnet), time per user op
# and HTTP requests per op, for a session key on a SoftHSM2 token and in a PEM file,
# next to the same flow done by npm viem (viem/account-abstraction) and by the devnet's
# JS tooling (bench-send-js.mjs) in the same run; then ops/s with L parallel nonce lanes
# (`mav2 send --nonce-key K`, K = 1..L, M ops each) for L in $LANES.
# Each op: a 1-wei execute() from the account, waited for until included.
# Every flow talks to node and bundler through a logging proxy each (count-proxy.mjs):
# HTTP requests per op are counted there, split into those before the receipt and the
# receipt polls. mav2 runs as the binary itself (not libtool's wrapper script), its
# output is read after the timed loop, and each mav2 row starts after one untimed op.
#   bench/bench-send.sh [N [M]]    (N ops per row, default 20; M ops per lane, default 5)
#   BUILDDIR=dir (default: this tree), LANES="1 4 8",
#   BASE_BUILDDIR=dir: also the mav2 rows of that build (e.g. main), in the same run
# Needs a build, tests/devnet/node_modules (npm ci), softhsm2, pkcs11-tool, curl, jq.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-20}
M=${2:-5}
LANES=${LANES:-1 4 8}
B=${BUILDDIR:-$here}
# the binary libtool built (its wrapper script costs ~50 ms per start) and its library
mav2_of() { # BUILDDIR -> "BINARY LIBDIR"
    if [ -x "$1/mav2/.libs/mav2" ]; then echo "$1/mav2/.libs/mav2 $1/mav2/.libs"; else echo "$1/mav2/mav2 ."; fi
}
read -r MAV2_BIN MAV2_LIB <<<"$(mav2_of "$B")"
MAV2() { LD_LIBRARY_PATH=$MAV2_LIB${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} "$MAV2_BIN" "$@"; }
PROVIDER=$B/provider/.libs/p11k1.so
SOFTHSM_MODULE=${SOFTHSM_MODULE:-$(ls /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so 2>/dev/null | head -1)}
T=$(mktemp -d "${TMPDIR:-/tmp}/mav2-bench.XXXXXX")
export DEVNET_DIR=$T/devnet MAV2_STATE_DIR=$T/state
trap '"$here/tests/devnet/devnet.sh" stop >/dev/null 2>&1 || true; rm -rf "$T"' EXIT
"$here/tests/devnet/devnet.sh" start >/dev/null 2>"$T/devnet.err"
. "$DEVNET_DIR/devnet.env"
PIDS=''
trap 'kill $PIDS 2>/dev/null || true; "$here/tests/devnet/devnet.sh" stop >/dev/null 2>&1 || true; rm -rf "$T"' EXIT
proxy() { # UPSTREAM LOG: sets port to the proxy's (read from its first line: no race)
    mkfifo "$T/port.$2"
    node "$here/bench/count-proxy.mjs" "$1" "$T/$2.log" >"$T/port.$2" &
    PIDS="$PIDS $!"
    read -r port <"$T/port.$2"
}
proxy "$RPC_URL" node
NODE_PROXY=http://127.0.0.1:$port
proxy "$BUNDLER_URL" bundler
BUNDLER_PROXY=http://127.0.0.1:$port
sed -e "s|^RPC_URL=.*|RPC_URL=$NODE_PROXY|" -e "s|^BUNDLER_URL=.*|BUNDLER_URL=$BUNDLER_PROXY|" \
    "$DEVNET_DIR/devnet.env" >"$T/proxied.env"
logs_reset() { : >"$T/node.log"; : >"$T/bundler.log"; }
# requests per op from the proxies' logs: all, before the receipt, receipt polls, calls
counted() { # N
    cat "$T/node.log" "$T/bundler.log" | awk -v n="$1" '
        { all++; calls += NF; if ($0 ~ /eth_getUserOperationReceipt/) polls++; else before++ }
        END { printf "%.1f | %.2f | %.1f | %.1f", all / n, before / n, polls / n, calls / n }'
}
breakdown() { # NAME N: the requests before the receipt, per op, by what they asked
    cat "$T/node.log" "$T/bundler.log" | grep -v eth_getUserOperationReceipt | sort | uniq -c |
        sort -rn | awk -v n="$2" -v name="$1" '{ c = $1; $1 = ""; printf "  %s: %.2f x [%s ]\n", name, c / n, $0 }' \
        >>"$T/breakdown"
}
rpc() {
    OPENSSL_CONF=/dev/null curl -s -H 'content-type: application/json' \
        -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$2\",\"params\":$3}" "$1" | jq -r '.result'
}

mkdir -p "$T/tokens"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$T" >"$T/softhsm2.conf"
export SOFTHSM2_CONF=$T/softhsm2.conf
printf '1234' >"$T/pin"
softhsm2-util --init-token --free --label bench --so-pin 5678 --pin 1234 >/dev/null
pkcs11-tool --module "$SOFTHSM_MODULE" --token-label bench --login --pin 1234 \
    --keypairgen --key-type EC:secp256k1 --label sk1 --id 01 >/dev/null 2>&1
cat >"$T/openssl.cnf" <<CNF
openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
default = default_sect
p11k1 = p11k1_sect
[default_sect]
activate = 1
[p11k1_sect]
module = $PROVIDER
pkcs11-module = $SOFTHSM_MODULE
pin-source = $T/pin
activate = 1
CNF
export OPENSSL_CONF=$T/openssl.cnf
SK="pkcs11:token=bench;object=sk1"
OPENSSL_CONF=/dev/null openssl ecparam -name secp256k1 -genkey -noout -out "$T/owner.pem"
OPENSSL_CONF=/dev/null openssl ecparam -name secp256k1 -genkey -noout -out "$T/sk.pem"
OWNER=$(MAV2 address --key "$T/owner.pem")
ACC=$(MAV2 account address --owner "$OWNER" | head -1)
rpc "$RPC_URL" eth_sendTransaction "[{\"from\":\"$FUNDER_ADDRESS\",\"to\":\"$ACC\",\"value\":\"0x8ac7230489e80000\"}]" >/dev/null
NET=(--rpc-url "$NODE_PROXY" --bundler-url "$BUNDLER_PROXY" --poll 100)
inst() { MAV2 session-key install "${NET[@]}" --account "$ACC" --owner-key "$T/owner.pem" "$@" >/dev/null 2>&1; }
inst --session-key "$SK" --entity-id 1 --global --factory-owner "$OWNER"
inst --session-key "$T/sk.pem" --entity-id 2 --global
inst --session-address "$OWNER2_ADDRESS" --entity-id 3 --global
inst --session-address "$OWNER_ADDRESS" --entity-id 4 --global
TO=0x000000000000000000000000000000000000bEEF

# 32 empty blocks: anvil's fee suggestion (recent tips) starts every row from the same state
calm() { rpc "$RPC_URL" anvil_mine '["0x20"]' >/dev/null; }
row() { # NAME KEY ENTITY [BUILDDIR]
    local t0 t1 req=0 i bin lib
    read -r bin lib <<<"$(mav2_of "${4:-$B}")"
    one() { LD_LIBRARY_PATH=$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} "$bin" send "${NET[@]}" \
        --account "$ACC" --key "$2" --entity-id "$3" --global --call "$TO,1" --json 2>/dev/null; }
    calm
    one "$@" >"$T/op-warm.json" || { echo "bench: warm-up op failed" >&2; exit 1; }
    logs_reset
    t0=$(date +%s%N)
    for i in $(seq "$N"); do
        one "$@" >"$T/op-$i.json" || true
    done
    t1=$(date +%s%N)
    for i in $(seq "$N"); do
        [ "$(jq -r .success "$T/op-$i.json")" = true ] || { echo "bench: op failed" >&2; exit 1; }
        req=$((req + $(jq -r .httpRequests "$T/op-$i.json")))
    done
    printf '| %-44s | %4d | %6.0f | %s | %5.1f |\n' "$1" "$N" "$(((t1 - t0) / N / 1000000))" \
        "$(counted "$N")" "$(awk -v r="$req" -v n="$N" 'BEGIN { print r / n }')"
    breakdown "$1" "$N"
}
js() { # MODE NAME ENTITY PRIVATE_KEY
    local j
    calm
    logs_reset
    j=$(OPENSSL_CONF=/dev/null node "$here/bench/bench-send-js.mjs" "$1" "$T/proxied.env" "$ACC" \
        "$OWNER" "$3" "$4" "$N" "$TO")
    printf '| %-44s | %4d | %6.0f | %s | %5.1f |\n' "$2" "$N" "$(echo "$j" | jq -r .meanMs)" \
        "$(counted "$N")" "$(echo "$j" | jq -r .requestsPerOp)"
    breakdown "$2" "$N"
}
# One op on lane K; fails (nothing sent) when the key did not load. With several processes
# on one SoftHSM2 file-backend token, a load now and then fails ("no such token", "PKCS#11
# token error": token files read while another process rewrites them; cf.
# softhsm/SoftHSMv2#757): such an op is retried and the retries are reported.
lane_send() { # KEY ENTITY K
    local j
    j=$(MAV2 send "${NET[@]}" --account "$ACC" --key "$1" --entity-id "$2" --global \
        --nonce-key "$3" --call "$TO,1" --json 2>"$T/lane-$3.err") || true
    cat "$T/lane-$3.err" >>"$T/lanes.err"
    if [ -z "$j" ] && grep -q 'cannot load a private key from pkcs11:' "$T/lane-$3.err"; then return 1; fi
    echo "${j:-{\"success\":false\}}"
}
lanes() { # KEY ENTITY L: L lanes of M sequential ops in parallel -> ops/s
    local t0 t1 k
    calm
    t0=$(date +%s%N)
    for k in $(seq "$3"); do
        (for _ in $(seq "$M"); do
            for try in 1 2 3; do # SoftHSM2 under parallel processes: see lane_send
                lane_send "$1" "$2" "$k" && break
                echo '{"success":false}'
                [ "$try" = 3 ] || echo retry >>"$T/lane-$k.retries"
            done
        done) >"$T/lane-$k.out" &
    done
    wait
    t1=$(date +%s%N)
    for k in $(seq "$3"); do
        [ "$(jq -r .success "$T/lane-$k.out" | grep -c true)" = "$M" ] ||
            { echo "bench: lane $k: op failed" >&2; cat "$T/lanes.err" >&2; exit 1; }
    done
    retries=$(cat "$T"/lane-*.retries 2>/dev/null | wc -l)
    rm -f "$T"/lane-*
    awk -v n="$(($3 * M))" -v ns="$((t1 - t0))" -v r="$retries" 'BEGIN { printf "%.2f %d", n / (ns / 1e9), r }'
}
echo "mav2 send, local devnet (anvil + Alto 0.0.20, bundle interval 50-200 ms), $(nproc) cores, N=$N"
echo "| flow | ops | ms/op | HTTP requests/op | before the receipt | receipt polls | JSON-RPC calls/op | own count |"
echo "|---|---|---|---|---|---|---|---|"
row "mav2 send, key on SoftHSM2 token" "$SK" 1
row "mav2 send, key in a PEM file" "$T/sk.pem" 2
if [ -n "${BASE_BUILDDIR:-}" ]; then
    row "mav2 send (BASE_BUILDDIR), token key" "$SK" 1 "$BASE_BUILDDIR"
    row "mav2 send (BASE_BUILDDIR), PEM key" "$T/sk.pem" 2 "$BASE_BUILDDIR"
fi
js viem "viem 2.x account-abstraction, raw key" 4 "$OWNER_PRIVATE_KEY"
js devnet "devnet JS tooling (viem-like), raw key" 3 "$OWNER2_PRIVATE_KEY"
echo "HTTP requests before the receipt, per op (from the proxies' logs):"
cat "$T/breakdown"
echo
echo "parallel nonce lanes: L x mav2 send --nonce-key K (K = 1..L), $M ops per lane"
echo "| lanes | ops | token ops/s | token x 1 lane | token key-load retries | PEM ops/s | PEM x 1 lane |"
echo "|---|---|---|---|---|---|---|"
base_t='' base_p=''
for L in $LANES; do
    rt=$(lanes "$SK" 1 "$L")
    rp=$(lanes "$T/sk.pem" 2 "$L")
    : "${base_t:=${rt% *}}" "${base_p:=${rp% *}}"
    printf '| %5d | %4d | %6s | %5s | %7s | %6s | %5s |\n' "$L" "$((L * M))" "${rt% *}" \
        "$(awk -v a="${rt% *}" -v b="$base_t" 'BEGIN { printf "%.2f", a / b }')" "${rt#* }" "${rp% *}" \
        "$(awk -v a="${rp% *}" -v b="$base_p" 'BEGIN { printf "%.2f", a / b }')"
done
