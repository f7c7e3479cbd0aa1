#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench-mav2d.sh: issue 14's benchmark and issue 16 item 5 on the local devnet. For L in
# $LANES, L ops in flight at once, N ops per row, four flows sending the same op (a 1-wei
# execute() to 0x...bEEF from one account, global session-key validation, waited for until
# included), interleaved: every round runs each L's four rows one after the other.
#   mav2 send    L lanes of `mav2 send --nonce-key K` processes, one after the other per
#                lane (a process, a provider load and a token login per op; one token
#                copy per lane, see softhsm-token.sh); token key, entity 1
#   mav2d        mav2d with `lanes = L`, L viem wallet clients (bench-mav2d-client.mjs:
#                sendCalls, then waitForCallsStatus polling every 100 ms); token key
#   send_many    mav2_send_many from one process (bench_many), L ops per call; token key
#   viem         viem's client-side flow in one process (bench-send-js.mjs viem ... L): L
#                loops on nonce lanes 1..L; a raw private key (software: viem has no
#                PKCS#11), entity 4 (same session-key validation)
# Each row starts after one untimed op per lane (the steady state). ops/s = ops / wall time
# of the row; latency per op: from its start (process start for mav2 send, sendCalls for
# mav2d) until included (confirmed). HTTP requests per op to node and bundler: counted by
# the logging proxies (count-proxy.mjs) from the row's timed start; mav2d's are the ones it
# makes upstream (its client's requests to mav2d are the "client req/op" column).
#   bench/bench-mav2d.sh [N]     (ops per row, default 16)
#   ROUNDS=3, LANES="1 4 8", BUILDDIR=dir (default: this tree); MAV2D_BEFORE=path: another
#   mav2d binary (e.g. the previous commit's) run as one more flow, "mav2d-before"
# Needs a build, tests/devnet/node_modules, softhsm2, pkcs11-tool, curl, jq.
set -euo pipefail
N=${1:-16}
ROUNDS=${ROUNDS:-3}
LANES=${LANES:-1 4 8}
. "$(dirname "$0")/bench-lib.sh"
read -r MAV2D_BIN _ <<<"$(mav2_of "$B" mav2d)"
MANY=$B/bench/bench_many
[ -x "$MANY" ] && [ -x "$MAV2D_BIN" ] || { echo "bench-mav2d.sh: build first (make; make -C bench)" >&2; exit 1; }
bench_setup mav2d-bench
bench_install --session-key "$SK" --entity-id 1 --global --factory-owner "$OWNER"
bench_install --session-address "$OWNER_ADDRESS" --entity-id 4 --global
PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
(umask 077 && head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$T/token")
export MAV2D_URL="http://127.0.0.1:$PORT/" MAV2D_TOKEN=$(cat "$T/token") ACCOUNT="$ACC" CHAIN_ID
# RESULT line: ROUND L FLOW OPS OPS_PER_S P50_MS P90_MS OWN_REQ_PER_OP CLIENT_REQ_PER_OP SINCE
result() { echo "$@" >>"$T/results"; }

row_cli() { # ROUND L
    local m=$(((N + $2 - 1) / $2)) r
    r=$(bench_lanes "$SK" 1 "$2" "$m")
    read -r ops_s p50 p90 own <<<"$r"
    # bench_lanes resets the logs after its untimed ops: count from there
    result "$1" "$2" cli "$(($2 * m))" "$ops_s" "$p50" "$p90" "$own" - 0
}
mav2d_start() { # L [BIN]
    bench_mav2d_conf "$T" mav2d "$PORT" "$1" 100
    rm -f "$T/ready" && mkfifo "$T/ready" && exec 7<>"$T/ready"
    "${2:-$MAV2D_BIN}" --config "$T/mav2d.conf" >&7 2>>"$T/mav2d.err" &
    DPID=$!
    PIDS="$PIDS $DPID"
    ready=''
    read -r -t 600 -u 7 ready || true
    [[ $ready == "mav2d: ready:"* ]] || { echo "bench: mav2d did not start" >&2; cat "$T/mav2d.err" >&2; exit 1; }
}
mav2d_stop() {
    kill "$DPID" && wait "$DPID" || true
    PIDS=${PIDS/ $DPID/}
    exec 7<&-
}
row_mav2d() { # ROUND L [BIN FLOW]
    local j
    mav2d_start "$2" "${3:-}"
    j=$(OPENSSL_CONF=/dev/null node "$here/bench/bench-mav2d-client.mjs" "$2" "$N" "$TO") ||
        { mav2d_stop; echo "bench: mav2d row failed" >&2; cat "$T/mav2d.err" >&2; exit 1; }
    mav2d_stop
    result "$1" "$2" "${4:-mav2d}" "$(jq -r .n <<<"$j")" "$(jq -r .opsPerSec <<<"$j")" "$(jq -r .medianMs <<<"$j")" \
        "$(jq -r .p90Ms <<<"$j")" - "$(jq -r .requestsPerOp <<<"$j")" "$(jq -r .since <<<"$j")"
}
row_mav2d-before() { # ROUND L
    row_mav2d "$1" "$2" "$MAV2D_BEFORE" mav2d-before
}
row_viem() { # ROUND L
    local j
    j=$(OPENSSL_CONF=/dev/null node "$here/bench/bench-send-js.mjs" viem "$T/proxied.env" "$ACC" "$OWNER" 4 \
        "$OWNER_PRIVATE_KEY" "$N" "$TO" "$2") || { echo "bench: viem row failed" >&2; exit 1; }
    result "$1" "$2" viem "$(jq -r .n <<<"$j")" "$(jq -r .opsPerSec <<<"$j")" "$(jq -r .medianMs <<<"$j")" \
        "$(jq -r .p90Ms <<<"$j")" "$(jq -r .requestsPerOp <<<"$j")" - "$(jq -r .since <<<"$j")"
}
row_send_many() { # ROUND L
    local o
    o=$("$MANY" "$NODE_PROXY" "$BUNDLER_PROXY" "$ACC" 1 "$SK" "$2" "$N" "$TO" "$T/many-state" 2>"$T/many.err") ||
        { echo "bench: send_many row failed" >&2; cat "$T/many.err" >&2; exit 1; }
    set -- "$1" "$2" $o
    # ops N ops_per_s R median_ms M p90_ms P http_per_op H since_ms S
    result "$1" "$2" send_many "$4" "$6" "$8" "${10}" "${12}" - "${14}"
}
# one row: fresh fee state, empty proxy logs, then the flow; HTTP counts from its timed start
row() { # FLOW ROUND L
    local since
    calm
    logs_reset
    "row_$1" "$2" "$3"
    since=$(tail -1 "$T/results" | awk '{ print $10 }')
    echo "$(tail -1 "$T/results") $(counted "$(tail -1 "$T/results" | awk '{ print $4 }')" "$since" | tr -d '|')" \
        >>"$T/rows"
    [ "$2" != 1 ] || breakdown "$1, L=$3" "$(tail -1 "$T/results" | awk '{ print $4 }')" "$since"
}

echo "mav2d / send_many / mav2 send / viem, local devnet (anvil + Alto 0.0.20), $(nproc) cores," \
    "N=$N ops per row, $ROUNDS rounds, load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$ROUNDS"); do
    for L in $LANES; do
        for f in ${MAV2D_BEFORE:+mav2d-before} mav2d viem send_many cli; do
            row "$f" "$r" "$L"
        done
        echo "round $r, L=$L done, load average $(cut -d' ' -f1 /proc/loadavg)" >&2
    done
done
echo "load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
# per L and flow: medians over the rounds; x viem = the median of the rounds' ratios
echo "| lanes | flow | ops/row | ops/s | x viem (range) | latency p50 / p90 ms | HTTP req/op | before the receipt | receipt polls | JSON-RPC calls/op | own count | client req/op |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
awk '
function med(a, n,   i, j, t) {
    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{ k = $2 SUBSEP $3; n[k]++; i = n[k]; ops[k] = $4; rate[k, i] = $5; p50[k, i] = $6; p90[k, i] = $7
  ow[k, i] = $8; cl[k, i] = $9; all[k, i] = $11; bef[k, i] = $12; pol[k, i] = $13; cal[k, i] = $14
  v[$1, $2, $3] = $5; if (!($2 in seen)) { seen[$2] = 1; ls[++nl] = $2 } }
END {
    nf = split("mav2d-before mav2d send_many cli viem", fl, " ")
    for (x = 1; x <= nl; x++) for (y = 1; y <= nf; y++) {
        L = ls[x]; f = fl[y]; k = L SUBSEP f; if (!n[k]) continue
        m = n[k]; lo = 1e9; hi = 0
        for (i = 1; i <= m; i++) {
            a[i] = rate[k, i]; b[i] = p50[k, i]; c[i] = p90[k, i]; d[i] = all[k, i]; e[i] = bef[k, i]; g[i] = pol[k, i]; h[i] = cal[k, i]
            o[i] = ow[k, i]; q[i] = cl[k, i]
            rr[i] = v[i, L, f] / v[i, L, "viem"]; if (rr[i] < lo) lo = rr[i]; if (rr[i] > hi) hi = rr[i]
        }
        printf "| %d | %s | %d | %.2f | %.2f (%.2f-%.2f) | %.0f / %.0f | %.1f | %.2f | %.1f | %.1f | %s | %s |\n",
            L, f, ops[k], med(a, m), med(rr, m), lo, hi, med(b, m), med(c, m), med(d, m), med(e, m), med(g, m), med(h, m),
            o[1] == "-" ? "-" : sprintf("%.1f", med(o, m)), q[1] == "-" ? "-" : sprintf("%.1f", med(q, m))
    }
}' "$T/rows"
echo "HTTP requests before the receipt, per op, round 1 (from the proxies' logs):"
cat "$T/breakdown"
