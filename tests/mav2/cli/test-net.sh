#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test-net.sh: what the online commands do with servers that misbehave at the transport
# level: --timeout bounds the whole command against a server that accepts and never
# answers (retries and backoff included), and a TLS certificate that does not verify
# fails at once, unretried (exit 5, "certificate"). Fixtures: a silent loopback
# listener (python3) and `openssl s_server` with a self-signed certificate; both say
# their port on stdout, which the test reads before it starts (no sleeps).
. "$MH_TOP_SRCDIR/tests/harness/tap.sh"
MAV2="$MH_TOP_BUILDDIR/mav2/mav2"
[ -x "$MAV2" ] || tap_skip_all "mav2 not built"
command -v python3 >/dev/null || tap_skip_all "python3 not installed"
command -v openssl >/dev/null || tap_skip_all "openssl CLI not installed"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mav2-net.XXXXXX")
PIDS=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    rm -rf "$TMP"
}
trap cleanup EXIT
bail() {
    echo "Bail out! $1"
    exit 1
}
export MAV2_STATE_DIR="$TMP/state"
T=0x3333333333333333333333333333333333333333
H32=0x$(printf 'ab%.0s' $(seq 32))

# run NAME ARGS...: exit status in RC, stderr in $TMP/err, seconds taken in SECS
run() {
    local t0
    t0=$(date +%s)
    "$MAV2" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
    RC=$?
    SECS=$(($(date +%s) - t0))
}

has() { # has NAME NEEDLE: stderr contains NEEDLE
    case "$(cat "$TMP/err")" in
    *"$2"*) ok "$1" true ;;
    *) ok "$1 (stderr: $(cat "$TMP/err"))" false ;;
    esac
}

# --- a server that accepts connections and never answers ----------------------
exec 3< <(exec python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
print(s.getsockname()[1], flush=True)
time.sleep(3600)
')
PIDS="$PIDS $!"
read -r SILENT <&3 || bail "the silent server did not start"

# the default per-request timeout is 30 s with 4 retries: minutes without a deadline
run receipt $H32 --rpc-url "http://127.0.0.1:$SILENT/v2/KEY" --timeout 2
is "silent server, receipt --timeout 2: exit 4 (timed out, may still be pending)" "$RC" 4
has "silent server, receipt: the message says the time ran out" "time allowed ran out"
ok "silent server, receipt: over in under 60 s (took ${SECS} s)" test "$SECS" -lt 60
run send --rpc-url "http://127.0.0.1:$SILENT/v2/KEY" --account $T --entity-id 1 --call $T,1 \
    --unsigned-out "$TMP/op.json" --timeout 2
is "silent server, send --timeout 2 before signing: exit 5" "$RC" 5
has "silent server, send: the message says the time ran out" "time allowed ran out"
ok "silent server, send: over in under 60 s (took ${SECS} s)" test "$SECS" -lt 60
is "silent server: the URL's path is not shown" "$(grep -c KEY "$TMP/err")" 0

# --- TLS: a self-signed certificate --------------------------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$TMP/tls.key" -out "$TMP/tls.crt" 2>/dev/null || bail "openssl req failed"
# -naccept 1: a retry would find nothing listening ("cannot reach", "attempts")
exec 4< <(exec openssl s_server -accept 127.0.0.1:0 -naccept 1 -www -cert "$TMP/tls.crt" \
    -key "$TMP/tls.key" 2>&1)
PIDS="$PIDS $!"
TLS=""
while read -r line <&4; do
    case $line in ACCEPT*) TLS=${line##*:} && break ;; esac
done
[ -n "$TLS" ] || bail "openssl s_server did not start"
run receipt $H32 --rpc-url "https://127.0.0.1:$TLS/" --timeout 60
is "self-signed certificate: exit 5" "$RC" 5
has "self-signed certificate: the message names the certificate" "certificate"
is "self-signed certificate: not retried" "$(grep -c "attempts" "$TMP/err")" 0
tap_done
