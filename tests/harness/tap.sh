# SPDX-License-Identifier: Apache-2.0
# tap.sh: TAP helpers for the shell tests; source it.
#   ok "description" command args...   passes when the command exits 0
#   is "description" got want          passes when the strings are equal
#   tap_skip "description" "why"       a check that cannot run here (# SKIP)
#   tap_done                           prints the plan and exits
tap_n=0
tap_failed=0
ok() {
    local what=$1
    shift
    tap_n=$((tap_n + 1))
    if "$@" >"${TAP_LOG:-/dev/null}" 2>&1; then
        echo "ok $tap_n - $what"
    else
        echo "not ok $tap_n - $what"
        tap_failed=$((tap_failed + 1))
    fi
}
is() {
    tap_n=$((tap_n + 1))
    if [ "$2" = "$3" ]; then
        echo "ok $tap_n - $1"
    else
        echo "not ok $tap_n - $1"
        echo "#   got:  '$2'"
        echo "#   want: '$3'"
        tap_failed=$((tap_failed + 1))
    fi
}
tap_skip_all() {
    echo "1..0 # SKIP $1"
    exit 0
}
tap_done() {
    echo "1..$tap_n"
    [ "$tap_failed" -eq 0 ]
    exit $?
}
# tap_skip "description" "why": a check that cannot run here, shown as skipped
tap_skip() {
    tap_n=$((tap_n + 1))
    echo "ok $tap_n - $1 # SKIP $2"
}
