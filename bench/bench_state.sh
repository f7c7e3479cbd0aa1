#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# bench_state.sh [N]: the state's cost per op, files against PostgreSQL (a throw-away
# server on a Unix socket, as tests/mav2/net/test-state-pg.sh starts it), in one run.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
builddir=${BUILDDIR:-$PWD}
. "$here/../tests/harness/pg.sh"
pg_find || { echo "bench_state: $pg_why" >&2; exit 1; }
tmp=$(mktemp -d)
chmod 0711 "$tmp"
pg_cleanup=$tmp
pg_start "$tmp/pg"
STATE_PASSWORD_FILE=$PG_PASSWORD_FILE "$builddir/bench_state" "${1:-500}" "file:$tmp/files" "$PG_URL"
