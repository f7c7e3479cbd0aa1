#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test-mav2d-initdb.sh: mav2d's state settings and --init-db: the files backend (the
# default) and a real PostgreSQL started here (pg.sh); a wrong password or a password
# in the URL is one line naming it, exit 2, the secret never printed; state-wait = 0 and
# a database down at start: exit 2 at once. No key, no node: --init-db and the state
# check stop before both.
set -u
. "$MH_TOP_SRCDIR/tests/harness/tap.sh"
. "$MH_TOP_SRCDIR/tests/harness/pg.sh"
MAV2D="$MH_TOP_BUILDDIR/mav2/mav2d"
[ -x "$MAV2D" ] || tap_skip_all "mav2d not built"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mav2d-initdb.XXXXXX")
chmod 0711 "$tmp" # the server may run as nobody (pg.sh)
trap 'rm -rf "$tmp"' EXIT
unset PGPASSWORD PGPASSFILE

# conf STATE_LINES...: a settings file with the [service] lines given
conf() {
    {
        printf '[profile default]\nrpc-url = http://127.0.0.1:1\nkey = pkcs11:object=k\n'
        printf 'account = 0x00000000000000000000000000000000000000aa\nentity-id = 1\n'
        printf '[service]\nlisten = %s/sock\nstate-dir = %s/state\n' "$tmp" "$tmp"
        printf '%s\n' "$@"
    } >"$tmp/mav2d.conf"
    chmod 600 "$tmp/mav2d.conf"
}
run() {
    "$MAV2D" --config "$tmp/mav2d.conf" "$@" >"$tmp/out" 2>"$tmp/err"
}
one_line() { [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q -- "$1" "$tmp/err"; }

conf
run --init-db
is "files (the default): --init-db exits 0" "$?" 0
is "files: it names the backend and the schema" "$(cat "$tmp/out")" "mav2d: state (files) at schema 2"
ok "files: the journal directory is there" test -d "$tmp/state/journal"
conf "state = files"
run --init-db
is "state = files: the same" "$(cat "$tmp/out")" "mav2d: state (files) at schema 2"

# state-wait at start: a database that does not answer (a listener that takes each
# connection and closes it, counting them, python3) with state-wait = 0 is one try, then
# one line naming the database, exit 2 (the start once waited 60 s whatever state-wait)
if command -v python3 >/dev/null; then
    exec 3< <(exec python3 -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(64)
print(s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept()
    print("mark" if c.recv(4) == b"mark" else "conn", flush=True)
    c.close()
')
    listener=$!
    read -r -t 600 port <&3
    conf "state = postgresql://127.0.0.1:$port/postgres?user=mav2&sslmode=disable&gssencmode=disable" \
        "state-wait = 0"
    run
    is "state-wait = 0, the database down at start: exit 2" "$?" 2
    ok "state-wait = 0: one line naming the database" one_line "database"
    exec 4<>"/dev/tcp/127.0.0.1/$port" && printf mark >&4 && exec 4>&-
    tries=0
    while read -r -t 600 line <&3 && [ "$line" = conn ]; do tries=$((tries + 1)); done
    is "state-wait = 0: one try, no wait" "$tries" 1
    kill "$listener"
    exec 3<&-
else
    tap_skip "state-wait = 0 at start" "python3 not installed"
fi

if ! pg_find; then
    tap_skip "PostgreSQL: --init-db and its refusals" "$pg_why"
    tap_done
fi
pg_start "$tmp/pg" || {
    cat "$tmp/pg/initdb.log" "$tmp/pg/pg_ctl.log" "$tmp/pg/server.log" 2>/dev/null | sed 's/^/# /'
    echo "Bail out! PostgreSQL did not start"
    exit 1
}
tables="SELECT count(*) FROM pg_tables WHERE tablename LIKE 'mav2%'"
is "no mav2 tables before --init-db" "$(pg_psql "$tables")" 0
conf "state = $PG_URL" "state-password-file = $PG_PASSWORD_FILE"
run --init-db
is "PostgreSQL: --init-db exits 0" "$?" 0
is "PostgreSQL: it names the backend and the schema" "$(cat "$tmp/out")" \
    "mav2d: state (postgresql) at schema 2"
ok "PostgreSQL: the tables are there" test "$(pg_psql "$tables")" -gt 1
is "PostgreSQL: schema version 2" "$(pg_psql 'SELECT version FROM mav2_schema')" 2
run --init-db
is "PostgreSQL: --init-db again: exit 0, still schema 2" "$?:$(pg_psql 'SELECT count(*)::text || max(version) FROM mav2_schema')" "0:12"
run
is "PostgreSQL: serving on it gets past the state (to the missing key: exit 3)" "$?" 3

printf 'not-the-password\n' >"$tmp/wrong"
chmod 600 "$tmp/wrong"
conf "state = $PG_URL" "state-password-file = $tmp/wrong"
run --init-db
is "a wrong password: exit 2" "$?" 2
ok "a wrong password: one line naming the authentication" one_line "password\|authentication"
ok "a wrong password: not printed" sh -c "! grep -q not-the-password '$tmp/out' '$tmp/err'"
conf "state = postgresql://mav2:s3cretPW@localhost/postgres"
run --init-db
is "a password in the URL: exit 2" "$?" 2
ok "a password in the URL: one line" one_line "password"
ok "a password in the URL: not printed" sh -c "! grep -q s3cretPW '$tmp/out' '$tmp/err'"
conf "state = $PG_URL" "state-password-file = $tmp/missing"
run --init-db
is "a missing password file: exit 2" "$?" 2
ok "a missing password file: one line naming it" one_line "$tmp/missing"
tap_done
