# prov-env.sh: sourced by the provider tests. Sets up TAP, a SoftHSM2 token
# directory and an openssl.cnf loading the freshly built provider.
#   prov_conf [EXTRA LINES]   writes $MH_TMP/openssl.cnf (pin-source = $MH_PIN_FILE)
#   ossl ARGS...              the openssl CLI with that config (ASan preloaded
#                             in the sanitizer build)
#   ossl_plain ARGS...        the openssl CLI without our provider
. "$MH_TOP_SRCDIR/tests/common/tap.sh"
[ -f "$MH_PROVIDER_DIR/p11k1.so" ] || tap_skip_all "provider not built ($MH_PROVIDER_DIR/p11k1.so)"
command -v openssl >/dev/null || tap_skip_all "no openssl CLI"
[ -n "${SOFTHSM_MODULE:-}" ] || tap_skip_all "SoftHSM2 not found"
. "$MH_TOP_SRCDIR/tests/common/softhsm.sh"
# The environment must not steer the provider away from the test config.
unset P11K1_MODULE P11K1_PIN_SOURCE P11K1_PIN_ENV P11K1_EARLY_LOAD

prov_conf() {
    cat >"$MH_TMP/openssl.cnf" <<CNF
openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
default = default_sect
p11k1 = p11k1_sect
[default_sect]
activate = 1
[p11k1_sect]
module = $MH_PROVIDER_DIR/p11k1.so
pkcs11-module = $SOFTHSM_MODULE
pin-source = ${MH_PIN_FILE:-/nonexistent}
$*
activate = 1
CNF
}

# Runs a program we did not build with our (maybe ASan-built) provider in it;
# LeakSanitizer checks it too (the provider leaves nothing at exit).
run_foreign() {
    if [ -n "${MH_ASAN_PRELOAD:-}" ]; then
        LD_PRELOAD="$MH_ASAN_PRELOAD" "$@"
    else
        "$@"
    fi
}
ossl() {
    OPENSSL_CONF="$MH_TMP/openssl.cnf" run_foreign openssl "$@"
}
ossl_plain() {
    OPENSSL_CONF=/dev/null openssl "$@"
}
# ossl_fails "description" "expected error text" ARGS...: openssl must fail
# and print the text on stderr.
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
# A secp256k1 key made by OpenSC's pkcs11-tool (the interop path).
p11tool_keygen() { # LABEL ID [CURVE]
    pkcs11-tool --module "$SOFTHSM_MODULE" --token-label "$TOKEN" --login --pin 1234 \
        --keypairgen --key-type "EC:${3:-secp256k1}" --label "$1" --id "$2" >/dev/null
}
