# SPDX-License-Identifier: Apache-2.0
# pg.sh: a throw-away PostgreSQL for a test (Debian's postgresql package); source it.
#   pg_find                 1 when it cannot run here, the reason in $pg_why
#   pg_start DIR            initdb (first time) + pg_ctl start in DIR: a Unix socket in
#                           DIR/sock only (listen_addresses = ''), superuser mav2 whose
#                           password is in $PG_PASSWORD_FILE; sets $PG_URL. As root the
#                           server runs as nobody (initdb refuses root)
#   pg_stop                 a fast shutdown (clients are cut off)
#   (a failing pg_start or pg_stop prints the ends of its logs as TAP comments)
#   pg_psql SQL             runs SQL, unaligned output without headers
# pg_start registers pg_stop_now on EXIT.
pg_bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
pg_as=()
exec {pg_diag}>&2 # the test's own stderr, which tap.sh's ok does not swallow
# The server and its tools run without the test's OpenSSL settings: a test that set
# OPENSSL_CONF to load our provider (an ASan build, in the sanitized tests) would have
# PostgreSQL load it too, and it then refuses to start.
pg_env() { env -u LD_PRELOAD OPENSSL_CONF=/dev/null "$@"; }
pg_find() {
    if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ] || [ ! -x "$pg_bin/pg_ctl" ]; then
        pg_why="no PostgreSQL server (install the Debian package postgresql)"
        return 1
    fi
    if [ "$(id -u)" -eq 0 ]; then
        if ! command -v setpriv >/dev/null || ! id nobody >/dev/null 2>&1; then
            pg_why="running as root without setpriv or the user nobody to run initdb as"
            return 1
        fi
        pg_as=(setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups --)
    fi
    return 0
}
pg_start() {
    pg_dir=$1
    local data=$pg_dir/data sock=$pg_dir/sock
    PG_PASSWORD_FILE=$pg_dir/password
    if [ ! -d "$data" ]; then
        mkdir -p "$data" "$sock"
        chmod 0755 "$pg_dir"
        od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$PG_PASSWORD_FILE"
        chmod 0600 "$PG_PASSWORD_FILE"
        cp "$PG_PASSWORD_FILE" "$pg_dir/pw.initdb"
        touch "$pg_dir/server.log"
        if [ ${#pg_as[@]} -gt 0 ]; then
            chown nobody "$data" "$sock" "$pg_dir/pw.initdb" "$pg_dir/server.log"
        fi
        chmod 0700 "$data"
        (cd / && pg_env "${pg_as[@]}" "$pg_bin/initdb" -D "$data" -U mav2 --pwfile="$pg_dir/pw.initdb" \
            --auth-local=scram-sha-256 --auth-host=reject --no-locale -E UTF8) \
            >"$pg_dir/initdb.log" 2>&1 || return 1
        rm -f "$pg_dir/pw.initdb"
        printf "listen_addresses = ''\nunix_socket_directories = '%s'\n" "$sock" \
            >>"$data/postgresql.conf"
    fi
    trap pg_stop_now EXIT
    if ! (cd / && pg_env "${pg_as[@]}" "$pg_bin/pg_ctl" -D "$data" -l "$pg_dir/server.log" -w -t 300 \
        start) >"$pg_dir/pg_ctl.log" 2>&1; then
        tail -n 5 "$pg_dir/pg_ctl.log" "$pg_dir/server.log" | sed 's/^/# /' >&"$pg_diag"
        return 1
    fi
    PG_URL="postgresql:///postgres?host=$sock&user=mav2"
}
pg_stop() {
    (cd / && pg_env "${pg_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w -t 300 stop) \
        >>"$pg_dir/pg_ctl.log" 2>&1 && return 0
    tail -n 5 "$pg_dir/pg_ctl.log" "$pg_dir/server.log" | sed 's/^/# /' >&"$pg_diag"
    return 1
}
pg_stop_now() {
    (cd / && pg_env "${pg_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate -w stop) \
        >/dev/null 2>&1
    [ -n "${pg_cleanup:-}" ] && rm -rf "$pg_cleanup"
    return 0
}
pg_psql() {
    PGPASSWORD=$(cat "$PG_PASSWORD_FILE") pg_env "$pg_bin/psql" -X -q -A -t -v ON_ERROR_STOP=1 \
        "$PG_URL" -c "$1"
}
