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
N=${1:-20}
M=${2:-5}
LANES=${LANES:-1 4 8}
. "$(dirname "$0")/bench-lib.sh"
bench_setup mav2-bench
bench_install --session-key "$SK" --entity-id 1 --global --factory-owner "$OWNER"
bench_install --session-key "$T/sk.pem" --entity-id 2 --global
bench_install --session-address "$OWNER2_ADDRESS" --entity-id 3 --global
bench_install --session-address "$OWNER_ADDRESS" --entity-id 4 --global

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
echo "parallel nonce lanes: L x mav2 send --nonce-key K (K = 1..L), $M ops per lane, one token copy per lane"
echo "| lanes | ops | token ops/s | token x 1 lane | token ms/op p50 / p90 | PEM ops/s | PEM x 1 lane |"
echo "|---|---|---|---|---|---|---|"
base_t='' base_p=''
for L in $LANES; do
    calm
    r=$(bench_lanes "$SK" 1 "$L" "$M")
    read -r rt lt9 lt90 _ <<<"$r"
    calm
    r=$(bench_lanes "$T/sk.pem" 2 "$L" "$M")
    read -r rp _ <<<"$r"
    : "${base_t:=$rt}" "${base_p:=$rp}"
    printf '| %5d | %4d | %6.2f | %5s | %s / %s | %6.2f | %5s |\n' "$L" "$((L * M))" "$rt" \
        "$(awk -v a="$rt" -v b="$base_t" 'BEGIN { printf "%.2f", a / b }')" "$lt9" "$lt90" "$rp" \
        "$(awk -v a="$rp" -v b="$base_p" 'BEGIN { printf "%.2f", a / b }')"
done
