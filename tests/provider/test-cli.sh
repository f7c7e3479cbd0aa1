#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The openssl CLI with a token key through the p11k1 provider; everything it
# signs is verified by the default provider alone (OPENSSL_CONF=/dev/null).
. "$MH_TOP_SRCDIR/tests/provider/prov-env.sh"
command -v pkcs11-tool >/dev/null || tap_skip_all "OpenSC pkcs11-tool not installed"
TOKEN=cli
softhsm_init "$TOKEN"
prov_conf
p11tool_keygen signer 01
URI="pkcs11:token=$TOKEN;object=signer"
cd "$MH_TMP" || exit 1

# Public key export, named curve (not explicit parameters).
ok "openssl pkey -in URI -pubout" ossl pkey -in "$URI" -pubout -out pub.pem
text=$(ossl_plain pkey -pubin -in pub.pem -noout -text 2>&1)
is "exported key is on the named curve secp256k1" \
    "$(echo "$text" | grep -c 'ASN1 OID: secp256k1')" 1
ok "openssl pkey -in URI -pubout -outform DER" ossl pkey -in "$URI" -pubout -outform DER -out pub.der
is "DER is the 88-byte SubjectPublicKeyInfo" "$(wc -c <pub.der | tr -d ' ')" 88
ossl_plain pkey -pubin -in pub.pem -outform DER -out pub2.der 2>/dev/null
ok "DER and PEM hold the same key" cmp pub.der pub2.der
# pkcs11-tool reads the same public key from the token.
pkcs11-tool --module "$SOFTHSM_MODULE" --token-label "$TOKEN" --read-object --type pubkey \
    --id 01 -o p11tool.der >/dev/null 2>&1
ok "pkcs11-tool's public key equals the provider's" cmp pub.der p11tool.der
ossl pkey -in "$URI" -pubout -text -noout >text.out 2>&1
ok "text output names the curve and the URI" \
    sh -c "grep -q 'ASN1 OID: secp256k1' text.out && grep -q 'PKCS#11 URI: pkcs11:' text.out"

# pkeyutl: sign a precomputed digest, verify with the default provider.
printf 'hello provider' >msg
ossl_plain dgst -sha256 -binary -out msg.sha256 msg
ok "pkeyutl -sign with the token key" ossl pkeyutl -sign -inkey "$URI" -in msg.sha256 -out sig1
ok "pkeyutl -verify by the default provider" \
    ossl_plain pkeyutl -verify -pubin -inkey pub.pem -in msg.sha256 -sigfile sig1
ok "ASN.1 of the signature is ECDSA-Sig-Value" sh -c "openssl asn1parse -inform DER -in sig1 | grep -c INTEGER | grep -qx 2"
ok "pkeyutl -verify through the provider" \
    ossl pkeyutl -verify -inkey "$URI" -in msg.sha256 -sigfile sig1
printf 'tampered digest..........012345' | head -c 32 >bad.dgst
is "a wrong digest does not verify" \
    "$(ossl_plain pkeyutl -verify -pubin -inkey pub.pem -in bad.dgst -sigfile sig1 >/dev/null 2>&1 && echo verified || echo rejected)" rejected

# dgst: digest-and-sign (SHA-256/384/512), verify with the default provider.
for md in sha256 sha384 sha512; do
    ok "dgst -$md -sign URI" ossl dgst -"$md" -sign "$URI" -out "sig.$md" msg
    ok "dgst -$md -verify by the default provider" \
        ossl_plain dgst -"$md" -verify pub.pem -signature "sig.$md" msg
done
# KECCAK-256: the provider hashes; the default provider verifies the digest.
ok "dgst -keccak-256 -sign URI" ossl dgst -keccak-256 -sign "$URI" -out sig.keccak msg
ossl dgst -keccak-256 -binary -out msg.keccak msg
is "keccak digest is 32 bytes" "$(wc -c <msg.keccak | tr -d ' ')" 32
ok "keccak signature verifies over the keccak digest (default provider)" \
    ossl_plain pkeyutl -verify -pubin -inkey pub.pem -in msg.keccak -sigfile sig.keccak
ok "dgst -keccak-256 -verify" ossl dgst -keccak-256 -verify pub.pem -signature sig.keccak msg

# A self-signed certificate made with the token key.
ok "req -new -x509 with the token key" \
    ossl req -new -x509 -key "$URI" -subj "/CN=p11k1 test" -days 2 -sha256 -out cert.pem
ok "the certificate verifies (default provider)" \
    ossl_plain verify -CAfile cert.pem -check_ss_sig cert.pem
ossl_plain x509 -in cert.pem -noout -pubkey >cert-pub.pem 2>/dev/null
ok "the certificate holds the token's public key" cmp cert-pub.pem pub.pem

# storeutl lists the keys of the token.
p11tool_keygen second 02
ossl storeutl -keys "pkcs11:token=$TOKEN" >store.out 2>&1
is "storeutl -keys finds both keys" "$(grep -c '^Total found: 2' store.out)" 1
ossl storeutl "pkcs11:token=$TOKEN;id=%02" >store2.out 2>&1
is "storeutl by id finds one key" "$(grep -c '^Total found: 1' store2.out)" 1

# Key generation on the token through genpkey (-out gets a reference to the
# key: test-uriref.sh).
ok "genpkey makes a key on the token and exits 0" \
    ossl genpkey -propquery '?provider=p11k1' -algorithm EC -pkeyopt group:secp256k1 \
    -pkeyopt "pkcs11_uri:pkcs11:token=$TOKEN;object=gen1;id=%10" -out gen1.pem
ok "the key is on the token" \
    sh -c "pkcs11-tool --module '$SOFTHSM_MODULE' --token-label '$TOKEN' --login --pin 1234 --list-objects --type privkey | grep -q 'label: *gen1'"
ok "the generated key signs" ossl pkeyutl -sign -inkey "pkcs11:token=$TOKEN;object=gen1" \
    -in msg.sha256 -out sig.gen
ossl pkey -in "pkcs11:token=$TOKEN;id=%10" -pubout -out gen1-pub.pem 2>/dev/null
ok "and the default provider verifies it" \
    ossl_plain pkeyutl -verify -pubin -inkey gen1-pub.pem -in msg.sha256 -sigfile sig.gen
ossl genpkey -propquery '?provider=p11k1' -algorithm EC -pkeyopt group:secp256k1 \
    -pkeyopt "pkcs11_uri:pkcs11:token=$TOKEN" -pkeyopt pkcs11_label:gen2 \
    -pkeyopt hexpkcs11_id:11 -out gen2.pem >gen2.out 2>&1
ok "genpkey with pkcs11_label and hexpkcs11_id writes the new key's URI" \
    sh -c "openssl asn1parse -in gen2.pem | grep -q 'UTF8STRING *:pkcs11:.*token=$TOKEN;id=%11;object=gen2'"
ok "that key is found by id" ossl pkey -in "pkcs11:token=$TOKEN;id=%11" -pubout -out gen2-pub.pem
ok "pkcs11-tool signs with the provider-generated key" \
    pkcs11-tool --module "$SOFTHSM_MODULE" --token-label "$TOKEN" --login --pin 1234 \
    --sign -m ECDSA --id 10 -i msg.sha256 -o sig.p11tool
# Without a configured PIN, the application's passphrase (-passin) is the PIN.
MH_PIN_FILE= prov_conf
sed -i '/^pin-source/d' "$MH_TMP/openssl.cnf"
ok "the PIN from -passin" ossl pkeyutl -sign -inkey "$URI" -passin pass:1234 -in msg.sha256 -out sig.passin
ok "and that signature verifies" \
    ossl_plain pkeyutl -verify -pubin -inkey pub.pem -in msg.sha256 -sigfile sig.passin
tap_done
