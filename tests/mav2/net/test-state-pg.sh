#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The PostgreSQL state backend (mav2/net/state.h) against a real server started here
# (pg.sh: initdb + pg_ctl, a Unix socket only): schema, the interface's checks, two
# workers on one account, leases of a holder killed -9 taken over, a server restart
# the workers wait through, the ledger's tamper check, the password kept out of URLs.
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
URL=$PG_URL
export STATE_PASSWORD_FILE=$PG_PASSWORD_FILE
unset PGPASSWORD PGPASSFILE
. "$MH_TOP_SRCDIR/tests/harness/state-common.sh"

is "the server listens on no TCP address" "$(pg_psql 'SHOW listen_addresses')" ""
out=$("$driver" "$URL" verify 1111111111111111111111111111111111111111 2>&1)
ok "before init-db the state says the schema is missing" \
    grep -q 'mav2_ledger.*does not exist\|schema' <<<"$out"
is "init-db creates schema 2" "$("$driver" "$URL" init)" "version 2"
is "init-db again leaves it at 2" "$("$driver" "$URL" init)" "version 2"
is "one schema row" "$(pg_psql 'SELECT count(*)::text || version FROM mav2_schema GROUP BY version')" "12"
pg_psql 'DROP TABLE mav2_call; UPDATE mav2_schema SET version = 1'
is "a schema-1 database migrates to 2" "$("$driver" "$URL" init)" "version 2"
is "with its call records table" "$(pg_psql "SELECT count(*) FROM pg_tables WHERE tablename = 'mav2_call'")" 1

sub_tap "$driver" "$URL" unit
two_workers bb00000000000000000000000000000000000001 4 60 60000
is "no journal rows left" "$(pg_psql 'SELECT count(*) FROM mav2_journal')" 0
killed_holder bb00000000000000000000000000000000000002 1500
killed_worker bb00000000000000000000000000000000000003 1500
is "no journal rows left after the kills" "$(pg_psql 'SELECT count(*) FROM mav2_journal')" 0

# restart: both workers stop at op 10 of 40, the server stops (their connections cut),
# they go on and wait for it, it comes back, they finish
acct=bb00000000000000000000000000000000000004
for w in R S; do
    "$driver" "$URL" work $w $acct 4 40 60000 10 "$tmp/gate" >"$tmp/r.$w" 2>"$tmp/r.$w.err" &
    eval "p$w=\$!"
done
ok "worker R reaches the gate" wait_line "$tmp/r.R" '^gate' $pR
ok "worker S reaches the gate" wait_line "$tmp/r.S" '^gate' $pS
ok "the server stops" pg_stop
touch "$tmp/gate"
ok "the server starts again" pg_start "$tmp/pg"
wait $pR
is "worker R finishes after the restart" "$?" 0
wait $pS
is "worker S finishes after the restart" "$?" 0
sed 's/^/# /' "$tmp/r.R.err" "$tmp/r.S.err"
ok "worker R waited for the server" grep -q '^reconnects [1-9]' "$tmp/r.R"
ok "worker S waited for the server" grep -q '^reconnects [1-9]' "$tmp/r.S"
is "each of the 80 ops finished exactly once" "$(exactly_once "$tmp/r.R" "$tmp/r.S")" ""
is "the ledger verifies: 80 links" "$("$driver" "$URL" verify $acct)" "links 80 bad 0"

acct=bb00000000000000000000000000000000000001
MAV2=$MH_TOP_BUILDDIR/mav2/mav2
audit() { "$MAV2" audit verify --state "$URL" --state-password-file "$PG_PASSWORD_FILE" "$@"; }
out=$(audit --account 0x$acct)
is "mav2 audit verify --state: the chain in place" "${out% *}" "ok 120"
is "its tip is the last row's hash, the hash of its line" "${out#* * }" \
    "0x$(pg_psql "SELECT encode(hash, 'hex') FROM mav2_ledger WHERE account = '\\x$acct' AND seq = 120")"
is "the rows' records are the link lines of a ledger file" \
    "$(pg_psql "SELECT record FROM mav2_ledger WHERE account = '\\x$acct' AND seq = 2" | cut -c1-15)" \
    '{"seq":2,"prev"'
pg_psql "UPDATE mav2_ledger SET record = record || ' ' WHERE seq = 7 AND account = '\\x$acct'"
is "a changed ledger record is found" "$("$driver" "$URL" verify $acct)" "links 120 bad 7"
audit --account 0x$acct >/dev/null 2>"$tmp/err"
is "mav2 audit verify --state: a broken link: exit 1" "$?" 1
ok "naming link 7" grep -q 'link 7: ' "$tmp/err"
pg_psql "DELETE FROM mav2_ledger WHERE seq = 9 AND account = '\\x$acct'"
out=$("$driver" "$URL" verify $acct)
is "a removed ledger link is found" "$out" "links 119 bad 7"
acct=bb00000000000000000000000000000000000009
pg_psql "INSERT INTO mav2_ledger (account, seq, prev, hash, record_id, record) VALUES ('\\x$acct', 1, '\\x$(printf '%064d' 0)', '\\x$(printf '%064d' 1)', '\\x01', '{\"op\":\"A-1\"}')"
audit --account 0x$acct >/dev/null 2>"$tmp/err"
is "a version 1 chain: exit 1" "$?" 1
ok "one line naming the version" test "$(wc -l <"$tmp/err")" -eq 1 -a -n "$(grep 'version 1' "$tmp/err")"
# mav2 audit show --state: the rows' lines, in seq order, shown as those of a file
acct=bb0000000000000000000000000000000000000a
for i in 2 1; do
    line="{\"seq\":$i,\"prev\":\"0x$(printf '%064d' 0)\",\"time\":\"2027-01-0${i}T00:00:00Z\",\"event\":\"sign\",\"chain\":31337,\"account\":\"0x$acct\",\"nonce\":\"0x$i\",\"userOpHash\":\"0x$(printf '%064d' $i)\",\"verdict\":\"allowed\"}"
    printf '%s\n' "$line" >>"$tmp/rows.jsonl"
    pg_psql "INSERT INTO mav2_ledger (account, seq, prev, hash, record_id, record) VALUES ('\\x$acct', $i, '\\x$(printf '%064d' 0)', '\\x$(printf '%064d' $i)', '\\x0$i', '$line')"
done
sort "$tmp/rows.jsonl" >"$tmp/chain.jsonl"
show() { "$MAV2" audit show --state "$URL" --state-password-file "$PG_PASSWORD_FILE" --account 0x$acct "$@"; }
is "mav2 audit show --state: the chain's lines as from a file" "$(show)" "$("$MAV2" audit show "$tmp/chain.jsonl")"
is "mav2 audit show --state --json: the lines themselves, in seq order" "$(show --json)" "$(cat "$tmp/chain.jsonl")"

pw=$(cat "$PG_PASSWORD_FILE")
bad=${URL/postgresql:\/\//postgresql://mav2:$pw@}
out=$(STATE_PASSWORD_FILE='' "$driver" "$bad" init 2>&1)
is "a password in the URL is refused" "$?" 1
ok "saying where it goes" grep -q 'state-password-file' <<<"$out"
ok "without repeating it" test -z "$(grep -F -- "$pw" <<<"$out")"
echo wrong >"$tmp/wrong"
out=$(STATE_PASSWORD_FILE=$tmp/wrong "$driver" "$URL" init 2>&1)
is "a wrong password is refused at once" "$?" 1
ok "in one line saying so" test "$(wc -l <<<"$out")" -eq 1 -a -n "$(grep 'password' <<<"$out")"
ok "without the password" test -z "$(grep -F -- wrong <<<"${out#*state-driver}")"
out=$(STATE_PASSWORD_FILE='' PGPASSWORD=$pw "$driver" "$URL" init 2>&1)
is "PGPASSWORD works too" "$out" "version 2"
tap_done
