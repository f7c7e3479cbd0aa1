# SPDX-License-Identifier: Apache-2.0
# prov-env.sh: sourced by the provider tests: TAP, a SoftHSM2 token directory and
# tests/harness/provider.sh (prov_conf, ossl, run_foreign, p11tool_keygen), and
#   ossl_plain ARGS...        the openssl CLI without our provider
#   ossl_fails "description" "expected error text" ARGS...
#                             openssl must fail and print the text on stderr
. "$MH_TOP_SRCDIR/tests/harness/tap.sh"
. "$MH_TOP_SRCDIR/tests/harness/provider.sh"

ossl_plain() {
    OPENSSL_CONF=/dev/null openssl "$@"
}
ossl_fails() {
    local what=$1 want=$2 rc=0
    shift 2
    ossl "$@" >"$MH_TMP/out" 2>"$MH_TMP/err" || rc=$?
    if [ "$rc" -ne 0 ] && grep -qF -- "$want" "$MH_TMP/err"; then
        is "$what" ok ok
    else
        is "$what (exit $rc)" "$(head -c 600 "$MH_TMP/err")" "...$want..."
    fi
}
