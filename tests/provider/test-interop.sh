#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Keys made by another PKCS#11 OpenSSL provider (pkcs11-provider, libp11's
# pkcs11prov) must work through p11k1 and the other way round. Debian 12
# ships neither as a provider: then this skips.
. "$MH_TOP_SRCDIR/tests/provider/prov-env.sh"
modules=$(openssl version -m | sed 's/^MODULESDIR: "\(.*\)"$/\1/')
other=""
for f in "$modules/pkcs11.so" "$modules/pkcs11prov.so"; do
    [ -f "$f" ] && other=$f && break
done
[ -n "$other" ] || tap_skip_all "no other PKCS#11 provider installed"
TOKEN=interop
softhsm_init "$TOKEN"
prov_conf
cat >"$MH_TMP/other.cnf" <<CNF
openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
default = default_sect
other = other_sect
[default_sect]
activate = 1
[other_sect]
module = $other
pkcs11-module-path = $SOFTHSM_MODULE
pkcs11-module-token-pin = file:$MH_PIN_FILE
activate = 1
CNF
cd "$MH_TMP" || exit 1
head -c 32 /dev/urandom >d32
OPENSSL_CONF="$MH_TMP/other.cnf" openssl genpkey -propquery '?provider=other' -algorithm EC \
    -pkeyopt group:secp256k1 -pkeyopt "pkcs11_uri:pkcs11:token=$TOKEN;object=other" \
    -out /dev/null >/dev/null 2>&1
ok "a key made by $(basename "$other") signs through p11k1" \
    ossl pkeyutl -sign -inkey "pkcs11:token=$TOKEN;object=other" -in d32 -out sig
ossl pkey -in "pkcs11:token=$TOKEN;object=other" -pubout -out pub.pem
ok "and verifies" ossl_plain pkeyutl -verify -pubin -inkey pub.pem -in d32 -sigfile sig
ossl genpkey -propquery '?provider=p11k1' -algorithm EC -pkeyopt group:secp256k1 \
    -pkeyopt "pkcs11_uri:pkcs11:token=$TOKEN;object=ours" -out /dev/null >/dev/null 2>&1
ok "a key made by p11k1 signs through $(basename "$other")" \
    env OPENSSL_CONF="$MH_TMP/other.cnf" openssl pkeyutl -sign \
    -inkey "pkcs11:token=$TOKEN;object=ours" -in d32 -out sig2
tap_done
