#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test-send-state (the send flow journaling through a state backend) against a real
# PostgreSQL started here (pg.sh), where leases expire: a lost lease signs nothing; and
# test-outcome-once (one outcome line per op) on its ledger chains.
set -u
. "$MH_TOP_SRCDIR/tests/harness/tap.sh"
. "$MH_TOP_SRCDIR/tests/harness/pg.sh"
pg_find || tap_skip_all "$pg_why"
tmp=$(mktemp -d)
pg_cleanup=$tmp
chmod 0711 "$tmp" # the server may run as nobody (pg.sh)
trap 'rm -rf "$tmp"' EXIT
pg_start "$tmp/pg" || {
    cat "$tmp/pg/initdb.log" "$tmp/pg/pg_ctl.log" "$tmp/pg/server.log" 2>/dev/null | sed 's/^/# /'
    echo "Bail out! PostgreSQL did not start"
    exit 1
}
unset PGPASSWORD PGPASSFILE
. "$MH_TOP_SRCDIR/tests/harness/state-common.sh" # sub_tap
sub_tap env MH_STATE_URL="$PG_URL" MH_STATE_PASSWORD_FILE="$PG_PASSWORD_FILE" \
    "$MH_TOP_BUILDDIR/tests/mav2/send/test-send-state"
sub_tap env MH_STATE_URL="$PG_URL" MH_STATE_PASSWORD_FILE="$PG_PASSWORD_FILE" \
    "$MH_TOP_BUILDDIR/tests/mav2/send/test-outcome-once"
tap_done
