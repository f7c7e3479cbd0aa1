# SPDX-License-Identifier: Apache-2.0
# state-common.sh: what test-state-files.sh and test-state-pg.sh check of a state
# backend through state-driver, given $URL and $tmp; source it after tap.sh.
driver=$MH_TOP_BUILDDIR/tests/mav2/state-driver

# The TAP lines of a command as this script's own checks.
sub_tap() {
    local line out rc
    out=$("$@" 2>&1)
    rc=$?
    while IFS= read -r line; do
        case $line in
        "ok "* | "not ok "*)
            tap_n=$((tap_n + 1))
            case $line in "not ok"*) tap_failed=$((tap_failed + 1)) ;; esac
            echo "${line%% [0-9]* - *} $tap_n - ${line#* - }"
            ;;
        "#"*) echo "$line" ;;
        esac
    done <<<"$out"
    is "the interface checks exit 0" "$rc" 0
}

# Waits (up to 300 s) until file $1 has a line matching $2, while process $3 lives.
wait_line() {
    local i=0
    until grep -q -- "$2" "$1" 2>/dev/null; do
        i=$((i + 1))
        [ $i -gt 6000 ] && return 1
        kill -0 "$3" 2>/dev/null || return 1
        sleep 0.05
    done
}

# Each op id put (in any output given) is finished ("done" or "resume") exactly once,
# and nothing is finished twice: prints what is wrong, nothing when all hold.
exactly_once() {
    local puts fins
    puts=$(cat "$@" | awk '$1 == "put" { print $2 }' | sort -u)
    fins=$(cat "$@" | awk '$1 == "done" || $1 == "resume" { print $2 }' | sort)
    printf '%s\n' "$fins" | uniq -d | sed 's/^/finished twice: /'
    comm -23 <(printf '%s\n' "$puts") <(printf '%s\n' "$fins" | sort -u) | sed 's/^/lost: /'
}

# "done ID" when the killed worker's output $1 ends in "finishing ID" and no other
# output ($2...) resumed ID.
killed_in_finish() {
    local last id
    last=$(tail -n 1 "$1")
    shift
    case $last in "finishing "*) ;; *) return 0 ;; esac
    id=${last#finishing }
    cat "$@" | grep -qx "resume $id" || echo "done $id"
}

# Two workers on one account, lanes and ops each: all ops exactly once, lanes never
# claimed twice under one lease, ledger links unique and verifying.
two_workers() {
    local acct=$1 lanes=$2 ops=$3 lease=$4 out=$tmp/w-$1
    mkdir -p "$tmp/held-$acct"
    export MH_HELD_DIR=$tmp/held-$acct
    "$driver" "$URL" work A "$acct" "$lanes" "$ops" "$lease" >"$out.a" 2>"$out.a.err" &
    local pa=$!
    "$driver" "$URL" work B "$acct" "$lanes" "$ops" "$lease" >"$out.b" 2>"$out.b.err" &
    local pb=$!
    wait $pa
    is "worker A finishes" "$?" 0
    wait $pb
    is "worker B finishes" "$?" 0
    sed 's/^/# /' "$out.a.err" "$out.b.err"
    is "each of the $((2 * ops)) ops finished exactly once" "$(exactly_once "$out.a" "$out.b")" ""
    is "all $((2 * ops)) ops were journaled" "$(cat "$out.a" "$out.b" | grep -c '^put ')" \
        $((2 * ops))
    is "no (lane, lease) claimed twice" \
        "$(cat "$out.a" "$out.b" | awk '$1 == "claim" && $3 != 0' | sort | uniq -d)" ""
    is "no lane held by two workers at once (files: marks made O_EXCL)" \
        "$(grep -h '^double' "$out.a" "$out.b")" ""
    unset MH_HELD_DIR
    is "no ledger link appended twice" \
        "$(cat "$out.a" "$out.b" | awk '$1 == "link" { print $2 }' | sort -n | uniq -d)" ""
    is "the ledger verifies: $((2 * ops)) links" "$("$driver" "$URL" verify "$acct")" \
        "links $((2 * ops)) bad 0"
    is "the ops window counted each op once" "$("$driver" "$URL" window "$acct")" \
        "ops $((2 * ops))"
    ok "both workers held lanes" test "$(grep -c '^claim' "$out.a")" -gt 0 -a \
        "$(grep -c '^claim' "$out.b")" -gt 0
}

# A holder journals an op and is killed -9: another claims its lanes (after the lease)
# and finishes its pending op.
killed_holder() {
    local acct=$1 lease=$2 out=$tmp/k-$1
    "$driver" "$URL" hang H "$acct" 2 "$lease" >"$out.h" 2>"$out.h.err" &
    local ph=$!
    ok "the holder journals its op" wait_line "$out.h" '^ready' $ph
    kill -9 $ph
    wait $ph 2>/dev/null
    "$driver" "$URL" take T "$acct" 2 >"$out.t" 2>"$out.t.err"
    is "after kill -9 the other claims both lanes" "$(grep '^took' "$out.t")" "took 2"
    is "and finishes the killed holder's pending op" "$(grep '^resume' "$out.t")" "resume H-0"
    is "nothing lost or finished twice" "$(exactly_once "$out.h" "$out.t")" ""
}

# A worker killed -9 in the middle of its ops while another keeps working: every op
# journaled is finished exactly once (by its worker, the other or a final taker).
killed_worker() {
    local acct=$1 lease=$2 out=$tmp/m-$1
    "$driver" "$URL" work K "$acct" 4 400 "$lease" >"$out.k" 2>"$out.k.err" &
    local pk=$!
    "$driver" "$URL" work L "$acct" 4 40 "$lease" >"$out.l" 2>"$out.l.err" &
    local pl=$!
    ok "the doomed worker gets going" wait_line "$out.k" '^put K-10$' $pk
    kill -9 $pk
    wait $pk 2>/dev/null
    wait $pl
    is "the other worker finishes" "$?" 0
    "$driver" "$URL" take T "$acct" 4 >"$out.t" 2>"$out.t.err"
    is "a taker then claims every lane" "$(grep '^took' "$out.t")" "took 4"
    # Killed between its finish and printing "done": when neither the other worker nor
    # the taker (holding every lane) found that op, that finish was the one.
    killed_in_finish "$out.k" "$out.l" "$out.t" >"$out.kf"
    is "every op journaled is finished exactly once" \
        "$(exactly_once "$out.k" "$out.l" "$out.t" "$out.kf")" ""
}
