#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# cache-keys = yes|no (openssl.cnf) / P11K1_CACHE_KEYS: signatures through the
# provider use a session copy of the key (C_CopyObject counted with
# pkcs11-spy) unless turned off; they verify either way.
. "$MH_TOP_SRCDIR/tests/provider/prov-env.sh"
TOKEN=cachekeys
softhsm_init "$TOKEN"
[ -r "${PKCS11_SPY:-/nonexistent}" ] || tap_skip_all "pkcs11-spy.so not found (configure --with-pkcs11-spy)"
cd "$MH_TMP" || exit 1
p11tool_keygen ck 01
URI="pkcs11:token=$TOKEN;object=ck"
printf '%032d' 7 >digest
export P11K1_MODULE="$PKCS11_SPY" PKCS11SPY="$SOFTHSM_MODULE"

# signs once in a process of its own; prints the number of C_CopyObject calls
sign_counting() {
    rm -f sig spy.log
    PKCS11SPY_OUTPUT="$MH_TMP/spy.log" ossl pkeyutl -sign -inkey "$URI" -in digest -out sig \
        </dev/null >/dev/null 2>sign.err || { cat sign.err >&2; echo failed; return; }
    grep -c 'C_CopyObject' spy.log
}
verifies() {
    ossl_plain pkeyutl -verify -pubin -inkey pub.pem -in digest -sigfile sig >/dev/null
}

prov_conf
ossl pkey -in "$URI" -pubout -out pub.pem </dev/null 2>/dev/null
is "default (yes): the key is copied once for the signature" "$(sign_counting)" 1
ok "the signature verifies" verifies
prov_conf "cache-keys = no"
is "cache-keys = no: no copy" "$(sign_counting)" 0
ok "the signature verifies" verifies
prov_conf "cache-keys = yes"
is "cache-keys = yes: one copy" "$(sign_counting)" 1
is "P11K1_CACHE_KEYS=no overrides the configuration" "$(P11K1_CACHE_KEYS=no sign_counting)" 0
ok "the signature verifies" verifies
prov_conf "cache-keys = sometimes"
ossl list -providers >list.out 2>&1
is "cache-keys = sometimes: the provider does not activate" "$(grep -c 'p11k1' list.out)" 0
tap_done
