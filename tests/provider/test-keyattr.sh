#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The EC key's pkcs11_* parameters (provider/README.md): the private key's
# CKA_SENSITIVE, CKA_ALWAYS_SENSITIVE, CKA_EXTRACTABLE, CKA_NEVER_EXTRACTABLE and
# CKA_LOCAL read from the token, for keys made by openssl genpkey through p11k1,
# by pkcs11-tool --extractable and imported with pkcs11-tool --write-object; absent
# when the private key is not visible (login = never) and for a PEM key.
. "$MH_TOP_SRCDIR/tests/provider/prov-env.sh"
command -v pkcs11-tool >/dev/null || tap_skip_all "OpenSC pkcs11-tool not installed"
TOKEN=attrs
softhsm_init "$TOKEN"
prov_conf
PROG="$MH_TOP_BUILDDIR/tests/provider/prov-keyattr"
U="pkcs11:token=$TOKEN"
p11() { OPENSSL_CONF=/dev/null pkcs11-tool --module "$SOFTHSM_MODULE" --token-label "$TOKEN" \
    --login --pin 1234 "$@" >/dev/null 2>&1; }
attrs() { OPENSSL_CONF="$MH_TMP/openssl.cnf" run_foreign "$PROG" "$@" 2>"$MH_TMP/err"; }
ALL_GOOD="gettable=5 pkcs11_sensitive=1 pkcs11_always_sensitive=1 pkcs11_extractable=0 pkcs11_never_extractable=1 pkcs11_local=1"

ossl genpkey -propquery '?provider=p11k1' -algorithm EC -pkeyopt group:secp256k1 \
    -pkeyopt "pkcs11_uri:$U;object=gen;id=%01" -out "$MH_TMP/gen.pem" 2>"$MH_TMP/err"
ok "openssl genpkey made a token key" test -s "$MH_TMP/gen.pem"
is "genpkey key: sensitive, always sensitive, not extractable, never extractable, local" \
    "$(attrs "$U;object=gen")" "$ALL_GOOD"
is "genpkey key through its reference file: the same" "$(attrs "$MH_TMP/gen.pem")" "$ALL_GOOD"

p11 --keypairgen --key-type EC:secp256k1 --label ext --id 02 --extractable
is "pkcs11-tool --extractable key: extractable, not never extractable" "$(attrs "$U;object=ext")" \
    "gettable=5 pkcs11_sensitive=1 pkcs11_always_sensitive=1 pkcs11_extractable=1 pkcs11_never_extractable=0 pkcs11_local=1"

ossl_plain ecparam -name secp256k1 -genkey -noout -out "$MH_TMP/soft.pem"
ossl_plain pkcs8 -topk8 -nocrypt -in "$MH_TMP/soft.pem" -outform DER -out "$MH_TMP/soft.p8"
ossl_plain pkey -in "$MH_TMP/soft.pem" -pubout -outform DER -out "$MH_TMP/soft.pub"
p11 --write-object "$MH_TMP/soft.p8" --type privkey --label imp --id 03
p11 --write-object "$MH_TMP/soft.pub" --type pubkey --label imp --id 03
is "imported key: not local, not always sensitive, not never extractable" "$(attrs "$U;object=imp")" \
    "gettable=5 pkcs11_sensitive=1 pkcs11_always_sensitive=0 pkcs11_extractable=0 pkcs11_never_extractable=0 pkcs11_local=0"

provider_cnf "$MH_TMP/never.cnf" "login = never"
is "login = never (no private key visible): gettable, all absent" \
    "$(OPENSSL_CONF="$MH_TMP/never.cnf" run_foreign "$PROG" "$U;object=gen" 2>/dev/null)" \
    "gettable=5 pkcs11_sensitive=absent pkcs11_always_sensitive=absent pkcs11_extractable=absent pkcs11_never_extractable=absent pkcs11_local=absent"
is "a PEM key (default provider): none of them" "$(attrs "$MH_TMP/soft.pem")" \
    "gettable=0 pkcs11_sensitive=absent pkcs11_always_sensitive=absent pkcs11_extractable=absent pkcs11_never_extractable=absent pkcs11_local=absent"

if [ -n "${MH_SANITIZERS:-}" ] || ! command -v valgrind >/dev/null; then
    ok "prov-keyattr under valgrind # SKIP sanitizer build or valgrind not installed" true
else
    rc=0
    OPENSSL_CONF="$MH_TMP/openssl.cnf" "$MH_TOP_BUILDDIR/libtool" --mode=execute valgrind -q \
        --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
        --log-file="$MH_TMP/vg.log" "$PROG" "$U;object=gen" "$U;object=imp" >"$MH_TMP/vg.out" || rc=$?
    is "prov-keyattr under valgrind: exit 0, no error, nothing definitely lost" \
        "$rc $(grep -c 'definitely lost' "$MH_TMP/vg.log")" "0 0"
fi
tap_done
