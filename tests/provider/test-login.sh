#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# login = auto|never (openssl.cnf) / P11K1_LOGIN: with never, public keys
# only and no PIN is read from anywhere, not even the URI.
. "$MH_TOP_SRCDIR/tests/provider/prov-env.sh"
TOKEN=login
softhsm_init "$TOKEN"
prov_conf
cd "$MH_TMP" || exit 1
URI="pkcs11:token=$TOKEN;object=lk"
printf '%032d' 5 >digest
ok "a key is made (login = auto, the default)" \
    ossl genpkey -propquery '?provider=p11k1' -algorithm EC -pkeyopt group:secp256k1 \
    -pkeyopt "pkcs11_uri:$URI" -out key.pem
ossl pkey -in "$URI" -pubout -out pub.pem 2>/dev/null
ok "auto: signs with the PIN from pin-source" ossl pkeyutl -sign -inkey "$URI" -in digest -out /dev/null

prov_conf "login = never"
ok "never: the public key loads (pin-source configured but not read)" \
    ossl pkey -pubin -in "$URI" -pubout -out pub-never.pem </dev/null
ok "it is the same key" cmp pub.pem pub-never.pem
ok "never: the reference file gives the public key" \
    ossl pkey -pubin -in key.pem -pubout -out pub-never2.pem </dev/null
ok "the same key" cmp pub.pem pub-never2.pem
rc=0
ossl pkeyutl -sign -inkey "$URI?pin-value=1234" -in digest -out sig </dev/null >/dev/null 2>&1 || rc=$?
is "never: no signing, even with pin-value in the URI" "$rc" 1
ossl_fails "never: key generation refused in one line" "login = never: generating a key needs a login" \
    genpkey -propquery '?provider=p11k1' -algorithm EC -pkeyopt group:secp256k1 \
    -pkeyopt "pkcs11_uri:pkcs11:token=$TOKEN;object=lk2" -out key2.pem
ok "no key was made" sh -c "! pkcs11-tool --module '$SOFTHSM_MODULE' --token-label '$TOKEN' --login --pin 1234 --list-objects 2>/dev/null | grep -q 'label: *lk2'"

prov_conf
rc=0
(
    export P11K1_LOGIN=never
    ossl pkeyutl -sign -inkey "$URI" -in digest -out /dev/null </dev/null >env.out 2>&1
) || rc=$?
is "P11K1_LOGIN=never overrides the configuration (no signing)" "$rc" 1
ok "login = auto again: signs" ossl pkeyutl -sign -inkey "$URI" -in digest -out /dev/null
prov_conf "login = sometimes"
ossl list -providers >list.out 2>&1
is "login = sometimes: the provider does not activate" "$(grep -c 'p11k1' list.out)" 0
tap_done
