#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Smoke test: start a fresh devnet, run tools/smoke.mjs against it, stop it.
# Runs itself inside a private network namespace (unshare -n, loopback only) when
# it can (root + unshare); set SMOKE_NO_UNSHARE=1 to skip that (the devnet binds
# 127.0.0.1 only either way). Prints "N passed, N failed"; exit 0 iff all passed.
set -u
here=$(cd "$(dirname "$0")" && pwd)

if [ -z "${SMOKE_IN_NETNS:-}" ] && [ -z "${SMOKE_NO_UNSHARE:-}" ] && command -v unshare >/dev/null 2>&1 \
    && [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
    SMOKE_IN_NETNS=1 exec unshare -n sh -c 'ip link set lo up 2>/dev/null || true; exec "$0" "$@"' "$0" "$@"
fi

if [ ! -d "$here/node_modules" ]; then
    echo "smoke: installing devnet dependencies (npm ci)" >&2
    (cd "$here" && npm ci --no-audit --no-fund >&2) || { echo "0 passed, 1 failed"; exit 1; }
fi

[ -n "${SMOKE_IN_NETNS:-}" ] && export DEVNET_REQUIRE_NETNS=1
DEVNET_DIR=$(mktemp -d "${TMPDIR:-/tmp}/mav2-devnet-smoke.XXXXXX")
export DEVNET_DIR
cleanup() {
    "$here/devnet.sh" stop >/dev/null 2>&1 || true
    if [ -n "${SMOKE_KEEP:-}" ]; then echo "smoke: state kept in $DEVNET_DIR" >&2; else rm -rf "$DEVNET_DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
trap 'exit 141' PIPE

t0=$(date +%s%N)
if ! "$here/devnet.sh" start >"$DEVNET_DIR/start.out"; then
    echo "smoke: devnet failed to start" >&2
    tail -n 30 "$DEVNET_DIR"/*.log >&2 2>/dev/null
    echo "0 passed, 1 failed"
    exit 1
fi
t1=$(date +%s%N)
echo "# devnet start: $(( (t1 - t0) / 1000000 )) ms" >&2
node "$here/tools/smoke.mjs" "$DEVNET_DIR/devnet.env"
