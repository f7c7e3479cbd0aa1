#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Failures the user can cause, each with the reason the provider gives.
. "$MH_TOP_SRCDIR/tests/provider/prov-env.sh"
command -v pkcs11-tool >/dev/null || tap_skip_all "OpenSC pkcs11-tool not installed"
TOKEN=errs
softhsm_init "$TOKEN"
p11tool_keygen k1 01
p11tool_keygen p256 02 prime256v1
URI="pkcs11:token=$TOKEN;object=k1"
cd "$MH_TMP" || exit 1
head -c 32 /dev/zero >d32
head -c 20 /dev/zero >d20

prov_conf
ossl_fails "no such token" "no such token" pkey -in "pkcs11:token=nosuchtoken" -pubout
ossl_fails "no such key" "no such key on the token" pkey -in "pkcs11:token=$TOKEN;object=nokey" -pubout
ossl_fails "key not on secp256k1" "key not on secp256k1" \
    pkey -in "pkcs11:token=$TOKEN;object=p256" -pubout
ossl pkey -in "$URI" >"$MH_TMP/priv.out" 2>&1
is "the private key is not exported: pkey -in URI writes a reference" \
    "$(head -1 "$MH_TMP/priv.out") $(grep -c 'PRIVATE KEY' "$MH_TMP/priv.out")" \
    "-----BEGIN PKCS#11 URI----- 0"
ossl_fails "digest length must match the digest" "input length does not match the digest size" \
    pkeyutl -sign -inkey "$URI" -in d20 -pkeyopt digest:sha256
ossl_fails "unsupported digest" "unsupported digest" dgst -md5 -sign "$URI" d32
ossl_fails "genpkey without a URI" "set pkcs11_uri" \
    genpkey -propquery '?provider=p11k1' -algorithm EC -pkeyopt group:secp256k1
ossl_fails "genpkey on another curve" "key not on secp256k1" \
    genpkey -propquery '?provider=p11k1' -algorithm EC -pkeyopt group:prime256v1 \
    -pkeyopt "pkcs11_uri:pkcs11:token=$TOKEN;object=x"
ossl_fails "genpkey with a label in use" "exists already" \
    genpkey -propquery '?provider=p11k1' -algorithm EC -pkeyopt group:secp256k1 \
    -pkeyopt "pkcs11_uri:pkcs11:token=$TOKEN;object=k1"
ossl_fails "malformed URI" "malformed pkcs11 URI" pkey -in "pkcs11:token=%zz" -pubout

printf '9999\n' >"$MH_TMP/badpin"
MH_PIN_FILE="$MH_TMP/badpin" prov_conf
ossl_fails "wrong PIN" "wrong PIN" pkeyutl -sign -inkey "$URI" -in d32 -out sig

MH_PIN_FILE="$MH_TMP/missing-pin-file" prov_conf
ossl_fails "unreadable pin-source" "cannot read the PIN source" pkeyutl -sign -inkey "$URI" -in d32 -out sig

# a PIN longer than the PIN buffer is refused, not cut short and tried on the token
printf '%0300d\n' 1234 >"$MH_TMP/longpin"
MH_PIN_FILE="$MH_TMP/longpin" prov_conf
ossl_fails "over-long PIN in pin-source refused" "cannot read the PIN source" \
    pkeyutl -sign -inkey "$URI" -in d32 -out sig
ok "the over-long PIN is not in the error text" sh -c "! grep -q 000000000000 '$MH_TMP/err'"

prov_conf "pkcs11-module = $MH_TMP/no-such-module.so"
ossl_fails "module that does not load" "cannot load the PKCS#11 module" \
    pkey -in "$URI" -pubout
prov_conf
export P11K1_MODULE="$MH_TMP/no-such-module.so"
ossl_fails "P11K1_MODULE overrides the config" "cannot load the PKCS#11 module" \
    pkey -in "$URI" -pubout
unset P11K1_MODULE
MH_PIN_FILE="$MH_TMP/badpin" prov_conf
export P11K1_PIN_SOURCE="$MH_PIN_FILE"
ok "P11K1_PIN_SOURCE overrides the config" ossl pkeyutl -sign -inkey "$URI" -in d32 -out sig
unset P11K1_PIN_SOURCE
prov_conf "early-load = yes
pkcs11-module = $MH_TMP/no-such-module.so"
is "early-load: a module that does not load keeps p11k1 from activating" \
    "$(ossl list -providers 2>/dev/null | grep -c p11k1)" 0
prov_conf "early-load = yes"
is "early-load with a good module activates p11k1" \
    "$(ossl list -providers 2>/dev/null | grep -c 'name: p11k1')" 1
tap_done
