#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench-mav2d-pg.sh: issue 15's benchmark on the local devnet: mav2d's state in files
# against PostgreSQL, and one against two mav2d on one account. Three rows, interleaved
# (every round runs each row once, in this order), each N ops of a 1-wei execute() to
# 0x...bEEF from one account (token key, global session-key validation), sent by CLIENTS
# viem wallet clients (bench-mav2d-client.mjs: sendCalls, then waitForCallsStatus polling
# every 100 ms; one untimed op per client first) and waited for until included:
#   files    one mav2d, state-dir (files)
#   pg       one mav2d, state = postgresql://... (a throw-away server, tests/harness/pg.sh)
#   pg x2    two mav2d on the same database and account, CLIENTS/2 clients (and N/2
#            ops) through each; their timed parts start together (BENCH_BARRIER) once
#            both did their untimed ops; ops/s over both (the start to the last end)
# Every mav2d has `lanes = LANES`; on PostgreSQL lanes are the account's leased rows, so
# two mav2d share the same LANES nonce lanes (a second host adds a standby, not lanes).
# ops/s = ops / wall time of the timed part; latency: sendCalls until confirmed.
# The database's cost per op, from the timed part's start until the mav2d stopped (their
# untimed first ops and a lane's row clean-up included, so over N + CLIENTS ops):
#   round trips   statements executed (pg_stat_statements, track_utility: BEGIN and
#                 COMMIT count); libpq's PQexecParams sends one statement per round trip,
#                 so this is the backend's own count (mav2_state_round_trips)
#   tx            transactions committed or rolled back (pg_stat_database)
#   exec ms       the server's execution time of those statements
#   rtt ms        one round trip of `SELECT 1` on the same socket at that moment (pgbench,
#                 extended protocol like libpq's PQexecParams, 1 client)
#   state ms      round trips x rtt + exec ms: an estimate of the time an op spends in
#                 state calls (the backend has no timer of its own)
#   bench/bench-mav2d-pg.sh [N]     (ops per row, default 16)
#   ROUNDS=3, CLIENTS=4 (total, even), LANES=4, BUILDDIR=dir (default: this tree).
# Needs a build (make), tests/devnet/node_modules, softhsm2, pkcs11-tool, curl, jq, and
# Debian's postgresql (initdb, pg_ctl, psql, pgbench, pg_stat_statements). As root the
# server runs as nobody (pg.sh), so the temporary directory is made 0711.
set -euo pipefail
N=${1:-16}
ROUNDS=${ROUNDS:-3}
CLIENTS=${CLIENTS:-4}
LANES=${LANES:-4}
[ $((CLIENTS % 2)) = 0 ] && [ $((N % 2)) = 0 ] || { echo "bench-mav2d-pg.sh: CLIENTS and N must be even" >&2; exit 1; }
. "$(dirname "$0")/bench-lib.sh"
. "$here/tests/harness/pg.sh"
pg_find || { echo "bench-mav2d-pg.sh: $pg_why" >&2; exit 1; }
read -r MAV2D_BIN _ <<<"$(mav2_of "$B" mav2d)"
[ -x "$MAV2D_BIN" ] || { echo "bench-mav2d-pg.sh: build first (make)" >&2; exit 1; }
bench_setup mav2d-pg-bench
chmod 0711 "$T"
pg_start "$T/pg" || { echo "bench: PostgreSQL did not start" >&2; exit 1; }
trap 'pg_stop_now; bench_cleanup' EXIT
# pg_stat_statements must be preloaded: a restart with it
printf "shared_preload_libraries = 'pg_stat_statements'\npg_stat_statements.track = all\n" \
    >>"$T/pg/data/postgresql.conf"
pg_stop && pg_start "$T/pg" || { echo "bench: PostgreSQL did not restart" >&2; exit 1; }
trap 'pg_stop_now; bench_cleanup' EXIT
pg_psql 'CREATE EXTENSION pg_stat_statements' >/dev/null
unset PGPASSWORD PGPASSFILE
bench_install --session-key "$SK" --entity-id 1 --global --factory-owner "$OWNER"
(umask 077 && head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$T/token")
export MAV2D_TOKEN=$(cat "$T/token") ACCOUNT="$ACC" CHAIN_ID
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

conf() { # NAME PORT STATE(files|pg)
    local pg=()
    [ "$3" = files ] || pg=(-- "state = $PG_URL" "state-password-file = $PG_PASSWORD_FILE")
    bench_mav2d_conf "$T" "$1" "$2" "$LANES" 100 "${pg[@]}"
}
DPIDS=()
mav2d_start() { # NAME: waits for its readiness line
    local fd ready=''
    rm -f "$T/$1.ready" && mkfifo "$T/$1.ready"
    exec {fd}<>"$T/$1.ready"
    "$MAV2D_BIN" --config "$T/$1.conf" >&$fd 2>>"$T/$1.err" &
    DPIDS+=($!)
    PIDS="$PIDS $!"
    read -r -t 600 -u $fd ready || true
    exec {fd}<&-
    [[ $ready == "mav2d: ready:"* ]] || { echo "bench: mav2d $1 did not start" >&2; cat "$T/$1.err" >&2; exit 1; }
}
mav2d_stop_all() {
    local p
    for p in "${DPIDS[@]}"; do
        kill "$p" && wait "$p" || true
        PIDS=${PIDS/ $p/}
    done
    DPIDS=()
}
client() { # PORT CLIENTS N OUT
    MAV2D_URL="http://127.0.0.1:$1/" OPENSSL_CONF=/dev/null node "$here/bench/bench-mav2d-client.mjs" \
        "$2" "$3" "$TO" >"$4"
}
db_reset() { pg_psql 'SELECT pg_stat_statements_reset(), pg_stat_reset()' >/dev/null; }
# "ROUND_TRIPS TX EXEC_MS" since db_reset (this bench's own queries left out)
db_count() {
    echo "$(pg_psql "SELECT coalesce(sum(calls), 0), round(coalesce(sum(total_exec_time), 0)::numeric, 2)
        FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat%'") $(pg_psql "SELECT xact_commit + xact_rollback
        FROM pg_stat_database WHERE datname = current_database()")" | tr '|' ' ' | awk '{ print $1, $3, $2 }'
}
# what the statements were, per op, round 1
db_breakdown() { # ROW OPS
    pg_psql "SELECT calls, round(total_exec_time::numeric, 2), regexp_replace(left(query, 70), '\s+', ' ', 'g')
        FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat%' ORDER BY calls DESC LIMIT 12" |
        awk -F'|' -v n="$2" -v row="$1" '{ printf "  %s: %.2f x (%.3f ms) %s\n", row, $1 / n, $2 / n, $3 }' >>"$T/breakdown"
}
rtt_ms() { # one SELECT 1 round trip on the server's socket, ms
    echo 'SELECT 1;' >"$T/select1.sql"
    PGPASSWORD=$(cat "$PG_PASSWORD_FILE") "$pg_bin/pgbench" -n -M extended -c 1 -t 2000 -f "$T/select1.sql" \
        "$PG_URL" 2>/dev/null | awk '/latency average/ { print $4 }'
}
P1=$(free_port)
P2=$(free_port)
conf files "$P1" files
conf pg1 "$P1" pg
conf pg2 "$P2" pg
"$MAV2D_BIN" --config "$T/pg1.conf" --init-db >"$T/init.out" 2>&1 || { cat "$T/init.out" >&2; exit 1; }

# RESULT line: ROUND ROW OPS OPS_PER_S P50_MS P90_MS MAX_MS TRIPS TX EXEC_MS RTT_MS (- for files)
row() { # ROUND ROW
    local j a b
    calm
    case $2 in
    files | pg) [ "$2" = files ] && mav2d_start files || mav2d_start pg1 ;;
    pg2) mav2d_start pg1 && mav2d_start pg2 ;;
    esac
    [ "$2" = files ] || db_reset
    if [ "$2" = pg2 ]; then
        # both clients' timed parts start together, once both did their untimed ops
        rm -f "$T"/c[12].in "$T"/c[12].out && mkfifo "$T/c1.in" "$T/c1.out" "$T/c2.in" "$T/c2.out"
        BENCH_BARRIER=1 client "$P1" $((CLIENTS / 2)) $((N / 2)) "$T/c1.out" <"$T/c1.in" &
        a=$!
        BENCH_BARRIER=1 client "$P2" $((CLIENTS / 2)) $((N / 2)) "$T/c2.out" <"$T/c2.in" &
        b=$!
        exec {w1}>"$T/c1.in" {w2}>"$T/c2.in" {r1}<"$T/c1.out" {r2}<"$T/c2.out"
        read -r -t 600 -u $r1 x1 || true
        read -r -t 600 -u $r2 x2 || true
        echo go >&$w1
        echo go >&$w2
        cat <&$r1 >"$T/c1.json" &
        cat <&$r2 >"$T/c2.json"
        wait $!
        exec {w1}>&- {w2}>&- {r1}<&- {r2}<&-
        [ "${x1:-}" = warm ] && [ "${x2:-}" = warm ] && wait $a && wait $b ||
            { mav2d_stop_all; echo "bench: $2 row failed" >&2; cat "$T"/*.err >&2; exit 1; }
        j=$(jq -s '{ n: (.[0].n + .[1].n), times: ([.[].times[]] | sort), since: ([.[].since] | min),
            until: ([.[].until] | max) }' "$T/c1.json" "$T/c2.json")
    else
        client "$P1" "$CLIENTS" "$N" "$T/c1.json" ||
            { mav2d_stop_all; echo "bench: $2 row failed" >&2; cat "$T"/*.err >&2; exit 1; }
        j=$(cat "$T/c1.json")
    fi
    mav2d_stop_all
    set -- "$1" "$2" $(jq -r '(.times | length) as $n | "\(.n) \(.n * 1000 / (.until - .since))
        \(.times[($n * 50 / 100 | floor)]) \(.times[([$n * 90 / 100 | floor, $n - 1] | min)]) \(.times[-1])"' <<<"$j")
    if [ "$2" = files ]; then
        echo "$@ - - - -" >>"$T/rows"
    else
        local counts
        counts=$(db_count)
        [ "$1" != 1 ] || db_breakdown "$2" $((N + CLIENTS))
        echo "$@ $counts $(rtt_ms)" >>"$T/rows"
    fi
}

echo "mav2d state: files / PostgreSQL / 2 x PostgreSQL, local devnet (anvil + Alto), $(nproc) cores," \
    "N=$N ops per row, $CLIENTS clients, lanes = $LANES, $ROUNDS rounds," \
    "PostgreSQL $("$pg_bin/postgres" --version | awk '{ print $3 }') on a Unix socket," \
    "load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$ROUNDS"); do
    for f in files pg pg2; do
        row "$r" "$f"
    done
    echo "round $r done, load average $(cut -d' ' -f1 /proc/loadavg)" >&2
done
echo "load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
# per row: medians over the rounds; x files = the median of the rounds' ratios (range)
echo "| state | mav2d | ops/s | x files (range) | latency p50 / p90 / max ms | DB round trips/op | tx/op | exec ms/op | rtt ms | state ms/op (est.) |"
echo "|---|---|---|---|---|---|---|---|---|---|"
awk -v n="$N" -v c="$CLIENTS" '
function med(a, m,   i, j, t) {
    for (i = 2; i <= m; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
    return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
}
{ k = $2; i = ++cnt[k]; rate[k, i] = $4; p50[k, i] = $5; p90[k, i] = $6; mx[k, i] = $7; v[$1, k] = $4
  if ($8 != "-") { ops = n + c; tr[k, i] = $8 / ops; tx[k, i] = $9 / ops; ex[k, i] = $10 / ops; rt[k, i] = $11
      st[k, i] = $8 / ops * $11 + $10 / ops } }
END {
    split("files pg pg2", rows, " "); split("files|PostgreSQL|PostgreSQL", name, "|"); split("1 1 2", hosts, " ")
    for (y = 1; y <= 3; y++) {
        k = rows[y]; m = cnt[k]; if (!m) continue; lo = 1e9; hi = 0
        for (i = 1; i <= m; i++) {
            a[i] = rate[k, i]; b[i] = p50[k, i]; d[i] = p90[k, i]; x[i] = mx[k, i]
            rr[i] = v[i, k] / v[i, "files"]; if (rr[i] < lo) lo = rr[i]; if (rr[i] > hi) hi = rr[i]
            e[i] = tr[k, i]; f[i] = tx[k, i]; g[i] = ex[k, i]; h[i] = rt[k, i]; s[i] = st[k, i]
        }
        if (k == "files")
            printf "| %s | %d | %.2f | 1 | %.0f / %.0f / %.0f | - | - | - | - | - |\n", name[y], hosts[y], med(a, m), med(b, m),
                med(d, m), med(x, m)
        else
            printf "| %s | %d | %.2f | %.2f (%.2f-%.2f) | %.0f / %.0f / %.0f | %.1f | %.1f | %.2f | %.3f | %.1f |\n",
                name[y], hosts[y], med(a, m), med(rr, m), lo, hi, med(b, m), med(d, m), med(x, m), med(e, m), med(f, m),
                med(g, m), med(h, m), med(s, m)
    }
    printf "ops/s per round (files pg pg2):"
    for (i = 1; i <= cnt["files"]; i++) printf " [%.2f %.2f %.2f]", v[i, "files"], v[i, "pg"], v[i, "pg2"]
    print ""
}' "$T/rows"
echo "Statements per op (of N + CLIENTS ops), round 1, with the server's time per op:"
cat "$T/breakdown"
