#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench-mav2d.sh: ops/s through mav2d (viem's sendCalls from tests/devnet/tools/
# mav2d-client.mjs: 2 x L concurrent clients, then waitForCallsStatus of every id) with
# L = 1, 4, 8 nonce lanes, next to `mav2 send` once per op (a process, a provider load
# and a token login each) in the same run, on the local devnet, key on a SoftHSM2 token.
# Each op: a 1000-wei transfer from the account, counted when included.
#   bench/bench-mav2d.sh [N]     (N ops per row, default 24)
#   BUILDDIR=dir (default: this tree), LANES="1 4 8"
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-24}
LANES=${LANES:-1 4 8}
B=${BUILDDIR:-$here}
MAV2=$B/mav2/mav2
MAV2D=$B/mav2/mav2d
CLIENT=$here/tests/devnet/tools/mav2d-client.mjs
PROVIDER=$B/provider/.libs/p11k1.so
SOFTHSM_MODULE=${SOFTHSM_MODULE:-$(ls /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so 2>/dev/null | head -1)}
T=$(mktemp -d "${TMPDIR:-/tmp}/mav2d-bench.XXXXXX")
export DEVNET_DIR=$T/devnet MAV2_STATE_DIR=$T/state
DPID=''
trap '[ -z "$DPID" ] || kill "$DPID" 2>/dev/null; "$here/tests/devnet/devnet.sh" stop >/dev/null 2>&1 || true; rm -rf "$T"' EXIT
"$here/tests/devnet/devnet.sh" start >/dev/null 2>"$T/devnet.err"
. "$DEVNET_DIR/devnet.env"
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
OWNER=$("$MAV2" address --key "$T/owner.pem")
ACC=$("$MAV2" account address --owner "$OWNER" | head -1)
rpc "$RPC_URL" eth_sendTransaction "[{\"from\":\"$FUNDER_ADDRESS\",\"to\":\"$ACC\",\"value\":\"0x8ac7230489e80000\"}]" >/dev/null
NET=(--rpc-url "$RPC_URL" --bundler-url "$BUNDLER_URL" --poll 100)
"$MAV2" session-key install "${NET[@]}" --account "$ACC" --owner-key "$T/owner.pem" \
    --session-key "$SK" --entity-id 1 --global --factory-owner "$OWNER" >/dev/null 2>&1
calm() { rpc "$RPC_URL" anvil_mine '["0x20"]' >/dev/null; }
ms() { date +%s%N; }
rate() { awk -v n="$1" -v ns="$2" 'BEGIN { printf "%.2f", n / (ns / 1e9) }'; }

echo "mav2d vs mav2 send per op, local devnet (anvil + Alto 0.0.20), $(nproc) cores, N=$N ops per row"
echo "| flow | ops | ops/s (incl. inclusion) | x CLI |"
echo "|---|---|---|---|"
calm
t0=$(ms)
for i in $(seq "$N"); do
    "$MAV2" send "${NET[@]}" --account "$ACC" --key "$SK" --entity-id 1 --global \
        --call "0x000000000000000000000000000000000000bEEF,1000" >/dev/null 2>&1 ||
        { echo "bench: mav2 send failed" >&2; exit 1; }
done
cli=$(rate "$N" $(($(ms) - t0)))
printf '| %-34s | %4d | %6s | %5s |\n' "mav2 send, one process per op" "$N" "$cli" 1.00

(umask 077 && head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$T/token")
PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
base=$((0x30ad0000))
for L in $LANES; do
    (umask 077 && cat >"$T/mav2d.conf" <<CONF
[profile b]
rpc-url = $RPC_URL
bundler-url = $BUNDLER_URL
account = $ACC
key = $SK
entity-id = 1
[service]
profile = b
listen = $T/mav2d.sock
tcp = 127.0.0.1:$PORT
bearer-token-file = $T/token
lanes = $L
state-dir = $T/mav2d-state
poll-interval = 100
CONF
)
    rm -f "$T/ready" && mkfifo "$T/ready" && exec 7<>"$T/ready"
    "$MAV2D" --config "$T/mav2d.conf" >&7 2>>"$T/mav2d.err" &
    DPID=$!
    read -r -t 120 -u 7 _
    export MAV2D_URL="http://127.0.0.1:$PORT/" MAV2D_TOKEN=$(cat "$T/token") ACCOUNT="$ACC" CHAIN_ID
    C=$((2 * L))
    calm
    t0=$(ms)
    node "$CLIENT" load "$C" $(((N + C - 1) / C)) "$base" >"$T/load.out"
    node "$CLIENT" status $(awk '$1 == "id" { print $3 }' "$T/load.out") >"$T/status.out"
    t1=$(ms)
    n=$(awk '$2 == 200' "$T/status.out" | wc -l)
    [ "$n" -eq "$(grep -c '^id ' "$T/load.out")" ] || { echo "bench: an op failed" >&2; exit 1; }
    r=$(rate "$n" $((t1 - t0)))
    printf '| %-34s | %4d | %6s | %5s |\n' "mav2d, $L lane(s), $C viem clients" "$n" "$r" \
        "$(awk -v a="$r" -v b="$cli" 'BEGIN { printf "%.2f", a / b }')"
    kill "$DPID" && wait "$DPID" || true
    DPID=''
    base=$((base + 0x10000))
done
