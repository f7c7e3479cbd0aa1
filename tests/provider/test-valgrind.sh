#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The provider leaks nothing: prov-api and the openssl CLI (pkey -pubout,
# pkeyutl -sign) under valgrind memcheck, no "definitely lost" block. At exit
# the provider releases its module context without calling into SoftHSM2
# (p11k1_ctx_abandon), so this also proves the exit path does not crash.
. "$MH_TOP_SRCDIR/tests/provider/prov-env.sh"
[ -z "${MH_SANITIZERS:-}" ] || tap_skip_all "sanitizer build (LeakSanitizer checks leaks there)"
command -v valgrind >/dev/null || tap_skip_all "valgrind not installed"
command -v pkcs11-tool >/dev/null || tap_skip_all "OpenSC pkcs11-tool not installed"
TOKEN=vg
softhsm_init "$TOKEN"
prov_conf
p11tool_keygen vgkey 01
URI="pkcs11:token=$TOKEN;object=vgkey"
cd "$MH_TMP" || exit 1

# vg NAME PROGRAM ARGS...: runs under memcheck (libtool wrappers resolved),
# log in NAME.vg; "ok" when it exits 0 and no block is definitely lost.
vg() {
    local name=$1 rc=0
    shift
    OPENSSL_CONF="$MH_TMP/openssl.cnf" "$MH_TOP_BUILDDIR/libtool" --mode=execute \
        valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
        --keep-debuginfo=yes --log-file="$MH_TMP/$name.vg" "$@" >"$MH_TMP/$name.out" || rc=$?
    is "$name under valgrind: exit status" "$rc" 0
    if grep -q "definitely lost" "$MH_TMP/$name.vg"; then
        is "$name under valgrind: nothing definitely lost" lost "none lost"
        sed 's/^/# /' "$MH_TMP/$name.vg" | head -40
    else
        is "$name under valgrind: nothing definitely lost" "none lost" "none lost"
    fi
    [ "$rc" -eq 0 ] || sed 's/^/# /' "$MH_TMP/$name.vg" | head -40
}

vg pkey openssl pkey -in "$URI" -pubout -out pub.pem
ok "pkey -pubout wrote the public key" ossl_plain pkey -pubin -in pub.pem -noout

printf 'digest for the valgrind test....' >dgst.bin
vg pkeyutl openssl pkeyutl -sign -inkey "$URI" -in dgst.bin -out sig.bin
ok "the signature made under valgrind verifies" \
    ossl_plain pkeyutl -verify -pubin -inkey pub.pem -in dgst.bin -sigfile sig.bin

vg prov-api "$MH_TOP_BUILDDIR/tests/provider/prov-api" "$URI" "pkcs11:token=$TOKEN" \
    "$MH_TMP/ref.pem"
ok "prov-api's own checks passed under valgrind" \
    sh -c '! grep -q "^not ok" "$1" && grep -q "^ok" "$1"' sh "$MH_TMP/prov-api.out"
tap_done
