# SPDX-License-Identifier: Apache-2.0
# provider.sh: the freshly built p11k1 provider in a test; source it after tap.sh.
# Skips the test without the provider, SoftHSM2 or the openssl CLI; sources
# softhsm.sh; clears the environment that would steer the provider.
#   provider_cnf FILE [LINE...]   an openssl.cnf loading the default provider and
#                                 p11k1 (pkcs11-module = SoftHSM2), LINEs in p11k1's section
#   prov_conf [LINE...]           $MH_TMP/openssl.cnf, pin-source = $MH_PIN_FILE
#   run_foreign PROGRAM ARGS...   a program we did not build with our (maybe
#                                 ASan-built) provider in it: ASan runtime preloaded
#   ossl ARGS...                  the openssl CLI with $MH_TMP/openssl.cnf (run_foreign)
#   p11tool_keygen LABEL ID [CURVE]   a key pair on token $TOKEN made by OpenSC's
#                                 pkcs11-tool (default secp256k1)
[ -f "$MH_PROVIDER_DIR/p11k1.so" ] || tap_skip_all "provider not built ($MH_PROVIDER_DIR/p11k1.so)"
[ -n "${SOFTHSM_MODULE:-}" ] || tap_skip_all "SoftHSM2 not found"
command -v openssl >/dev/null || tap_skip_all "no openssl CLI"
. "$MH_TOP_SRCDIR/tests/harness/softhsm.sh"
unset P11K1_MODULE P11K1_PIN_SOURCE P11K1_PIN_ENV P11K1_EARLY_LOAD OPENSSL_MODULES

provider_cnf() {
    local file=$1
    shift
    {
        printf 'openssl_conf = openssl_init\n[openssl_init]\nproviders = provider_sect\n'
        printf '[provider_sect]\ndefault = default_sect\np11k1 = p11k1_sect\n'
        printf '[default_sect]\nactivate = 1\n[p11k1_sect]\n'
        printf 'module = %s\npkcs11-module = %s\n' "$MH_PROVIDER_DIR/p11k1.so" "$SOFTHSM_MODULE"
        [ $# -eq 0 ] || printf '%s\n' "$@"
        printf 'activate = 1\n'
    } >"$file"
}
prov_conf() {
    provider_cnf "$MH_TMP/openssl.cnf" "pin-source = ${MH_PIN_FILE:-/nonexistent}" "$@"
}

# LeakSanitizer checks the foreign program too (the provider leaves nothing at exit).
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

p11tool_keygen() { # pkcs11-tool links OpenSSL: never with our provider config
    OPENSSL_CONF=/dev/null pkcs11-tool --module "$SOFTHSM_MODULE" --token-label "$TOKEN" --login --pin 1234 \
        --keypairgen --key-type "EC:${3:-secp256k1}" --label "$1" --id "$2" >/dev/null
}
