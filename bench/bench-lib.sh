# SPDX-License-Identifier: Apache-2.0
# bench-lib.sh, sourced (bash) by bench-send.sh and bench-mav2d.sh: their one devnet,
# token and account setup, the logging proxies and the parallel-lanes row.
#   bench_setup NAME    a temporary directory $T (removed on exit, with the devnet and
#                       every process in $PIDS), the devnet (tests/devnet), a logging proxy
#                       in front of node and bundler ($NODE_PROXY, $BUNDLER_PROXY, logs
#                       $T/node.log, $T/bundler.log; $T/proxied.env), a SoftHSM2 token
#                       key ($SK) through the p11k1 provider (OPENSSL_CONF), a PEM session
#                       key ($T/sk.pem), and one semi-modular account $ACC (10 ETH) of the
#                       owner $T/owner.pem ($OWNER); NET = the mav2 network options
#   bench_install ARGS  mav2 session-key install on $ACC (through the proxies)
#   bench_mav2d_conf DIR NAME ...  mav2d_conf (tests/harness/mav2d-conf.sh) on $ACC and $SK,
#                       through the proxies
# Environment: BUILDDIR (default: this tree), SOFTHSM_MODULE.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
B=${BUILDDIR:-$here}
. "$here/bench/softhsm-token.sh"
. "$here/tests/harness/mav2d-conf.sh"
# the binary libtool built (its wrapper script costs ~50 ms per start) and its library
mav2_of() { # BUILDDIR [PROGRAM] -> "BINARY LIBDIR"
    local p=${2:-mav2}
    if [ -x "$1/mav2/.libs/$p" ]; then echo "$1/mav2/.libs/$p $1/mav2/.libs"; else echo "$1/mav2/$p ."; fi
}
read -r MAV2_BIN MAV2_LIB <<<"$(mav2_of "$B")"
MAV2() { LD_LIBRARY_PATH=$MAV2_LIB${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} "$MAV2_BIN" "$@"; }
PROVIDER=$B/provider/.libs/p11k1.so
PIDS=''
TO=0x000000000000000000000000000000000000bEEF

rpc() {
    OPENSSL_CONF=/dev/null curl -s -H 'content-type: application/json' \
        -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$2\",\"params\":$3}" "$1" | jq -r '.result'
}
# 32 empty blocks: anvil's fee suggestion (recent tips) starts every row from the same state
calm() { rpc "$RPC_URL" anvil_mine '["0x20"]' >/dev/null; }
logs_reset() { : >"$T/node.log"; : >"$T/bundler.log"; }
# requests per op from the proxies' logs (those from SINCE, ms since the epoch, on):
# all, before the receipt, receipt polls, JSON-RPC calls
counted() { # N [SINCE]
    cat "$T/node.log" "$T/bundler.log" | awk -v n="$1" -v since="${2:-0}" '
        $1 < since { next }
        { all++; calls += NF - 1; if ($0 ~ /eth_getUserOperationReceipt/) polls++; else before++ }
        END { printf "%.1f | %.2f | %.1f | %.1f", all / n, before / n, polls / n, calls / n }'
}
breakdown() { # NAME N [SINCE]: the requests before the receipt, per op, by what they asked
    cat "$T/node.log" "$T/bundler.log" | awk -v since="${3:-0}" '$1 >= since { $1 = ""; print }' |
        grep -v eth_getUserOperationReceipt | sort | uniq -c | sort -rn |
        awk -v n="$2" -v name="$1" '{ c = $1; $1 = ""; printf "  %s: %.2f x [%s ]\n", name, c / n, $0 }' \
        >>"$T/breakdown"
}
bench_cleanup() {
    [ -z "$PIDS" ] || kill $PIDS 2>/dev/null || true
    "$here/tests/devnet/devnet.sh" stop >/dev/null 2>&1 || true
    rm -rf "$T"
}
proxy() { # UPSTREAM LOG: sets port to the proxy's (read from its first line: no race)
    mkfifo "$T/port.$2"
    node "$here/bench/count-proxy.mjs" "$1" "$T/$2.log" >"$T/port.$2" &
    PIDS="$PIDS $!"
    read -r port <"$T/port.$2"
}
bench_provider_conf() {
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
}
bench_install() { MAV2 session-key install "${NET[@]}" --account "$ACC" --owner-key "$T/owner.pem" "$@" >/dev/null 2>&1; }
bench_mav2d_conf() { RPC_URL=$NODE_PROXY BUNDLER_URL=$BUNDLER_PROXY mav2d_conf "$@"; }
bench_setup() { # NAME
    T=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
    export DEVNET_DIR=$T/devnet MAV2_STATE_DIR=$T/state
    trap bench_cleanup EXIT
    "$here/tests/devnet/devnet.sh" start >/dev/null 2>"$T/devnet.err" ||
        { cat "$T/devnet.err" >&2; exit 1; }
    . "$DEVNET_DIR/devnet.env"
    proxy "$RPC_URL" node
    NODE_PROXY=http://127.0.0.1:$port
    proxy "$BUNDLER_URL" bundler
    BUNDLER_PROXY=http://127.0.0.1:$port
    sed -e "s|^RPC_URL=.*|RPC_URL=$NODE_PROXY|" -e "s|^BUNDLER_URL=.*|BUNDLER_URL=$BUNDLER_PROXY|" \
        "$DEVNET_DIR/devnet.env" >"$T/proxied.env"
    bench_softhsm_token "$T" || exit 1
    bench_provider_conf
    SK="pkcs11:token=bench;object=sk1"
    OPENSSL_CONF=/dev/null openssl ecparam -name secp256k1 -genkey -noout -out "$T/owner.pem"
    OPENSSL_CONF=/dev/null openssl ecparam -name secp256k1 -genkey -noout -out "$T/sk.pem"
    OWNER=$(MAV2 address --key "$T/owner.pem")
    ACC=$(MAV2 account address --owner "$OWNER" | head -1)
    rpc "$RPC_URL" eth_sendTransaction "[{\"from\":\"$FUNDER_ADDRESS\",\"to\":\"$ACC\",\"value\":\"0x8ac7230489e80000\"}]" >/dev/null
    NET=(--rpc-url "$NODE_PROXY" --bundler-url "$BUNDLER_PROXY" --poll 100)
}

# One op on lane K with the CLI; fails when it did not succeed. The token key: each lane
# process uses its own copy of the token (softhsm-token.sh: parallel logins on one SoftHSM2
# file-backend token race); nothing is retried.
lane_send() { # KEY ENTITY K
    local conf=$SOFTHSM2_CONF
    [ ! -f "$T/lanetok-$3/softhsm2.conf" ] || conf=$T/lanetok-$3/softhsm2.conf
    SOFTHSM2_CONF=$conf MAV2 send "${NET[@]}" --account "$ACC" --key "$1" --entity-id "$2" \
        --global --nonce-key "$3" --call "$TO,1" --json 2>>"$T/lane-$3.err"
}
# L lanes of M sequential `mav2 send` each, in parallel, after one untimed op per lane:
# prints "OPS_PER_S MEDIAN_MS P90_MS HTTP_PER_OP" (latency: process start to receipt;
# the outputs are read after the timed part)
bench_lanes() { # KEY ENTITY L M
    local t0 t1 k i s pids=''
    for k in $(seq "$3"); do
        [ -d "$T/lanetok-$k" ] || bench_softhsm_copy "$T" "$T/lanetok-$k" >/dev/null
        lane_send "$1" "$2" "$k" >/dev/null &
        pids="$pids $!"
    done
    wait $pids || { echo "bench: a lane's first op failed" >&2; cat "$T"/lane-*.err >&2; exit 1; }
    pids=''
    logs_reset
    t0=$EPOCHREALTIME
    for k in $(seq "$3"); do
        (for i in $(seq "$4"); do
            s=$EPOCHREALTIME
            lane_send "$1" "$2" "$k" >"$T/lane-$k-$i.json" || true
            echo "$s $EPOCHREALTIME"
        done) >"$T/lane-$k.ms" &
        pids="$pids $!"
    done
    wait $pids
    t1=$EPOCHREALTIME
    for k in $(seq "$3"); do
        [ "$(cat "$T/lane-$k"-*.json | jq -r .success | grep -c true)" = "$4" ] ||
            { echo "bench: lane $k: op failed" >&2; cat "$T/lane-$k.err" >&2; exit 1; }
    done
    cat "$T"/lane-*-*.json | jq -r .httpRequests >"$T/lanes.http"
    cat "$T"/lane-*.ms | awk '{ print ($2 - $1) * 1000 }' | sort -n |
        awk -v n="$(($3 * $4))" -v s="$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"             -v h="$(awk '{ h += $1 } END { print h }' "$T/lanes.http")" '
            { l[NR] = $1 } END { i90 = int(NR * 9 / 10) + 1; if (i90 > NR) i90 = NR
                printf "%.3f %.0f %.0f %.2f", n / s, l[int(NR / 2) + 1], l[i90], h / n }'
    rm -f "$T"/lane-*.ms "$T"/lane-*-*.json
}
