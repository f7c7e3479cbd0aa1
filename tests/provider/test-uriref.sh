#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A token key written as a private key is a "PKCS#11 URI" PEM (a reference,
# never the key, never a PIN) that works wherever a key file does.
. "$MH_TOP_SRCDIR/tests/provider/prov-env.sh"
TOKEN=ref
softhsm_init "$TOKEN"
prov_conf
cd "$MH_TMP" || exit 1
URI="pkcs11:token=$TOKEN;object=refkey"
gen() { # URI OUT [ARGS]
    local uri=$1 out=$2
    shift 2
    ossl genpkey -propquery '?provider=p11k1' -algorithm EC -pkeyopt group:secp256k1 \
        -pkeyopt "pkcs11_uri:$uri" -out "$out" "$@"
}
# The URI inside a reference PEM (or DER with -inform DER).
ref_uri() {
    openssl asn1parse "$@" 2>/dev/null | sed -n 's/.*UTF8STRING *://p'
}

ok "genpkey -out key.pem exits 0" gen "$URI" key.pem
is "key.pem is a PKCS#11 URI PEM" "$(head -1 key.pem)" "-----BEGIN PKCS#11 URI-----"
is "its DER starts with version 0" \
    "$(openssl asn1parse -in key.pem 2>/dev/null | sed -n 2p | sed 's/.*INTEGER *//')" ":00"
case "$(ref_uri -in key.pem)" in
"pkcs11:"*"token=$TOKEN;id="*";object=refkey") is "it holds the key's URI" ok ok ;;
*) is "it holds the key's URI" "$(ref_uri -in key.pem)" "pkcs11:...token=$TOKEN;id=...;object=refkey" ;;
esac
ossl_fails "a second genpkey of the same label fails" "exists already" genpkey \
    -propquery '?provider=p11k1' -algorithm EC -pkeyopt group:secp256k1 \
    -pkeyopt "pkcs11_uri:$URI" -out again.pem

ok "pkey -in key.pem -pubout" ossl pkey -in key.pem -pubout -out pub-file.pem
ossl pkey -in "$URI" -pubout -out pub-uri.pem 2>/dev/null
ok "same public key as through the URI" cmp pub-file.pem pub-uri.pem
printf 'reference signing' >msg
ossl_plain dgst -sha256 -binary -out msg.sha256 msg
ok "pkeyutl -sign -inkey key.pem" ossl pkeyutl -sign -inkey key.pem -in msg.sha256 -out sig
ok "the default provider verifies it" \
    ossl_plain pkeyutl -verify -pubin -inkey pub-uri.pem -in msg.sha256 -sigfile sig
ok "dgst -sha256 -sign key.pem" ossl dgst -sha256 -sign key.pem -out sig2 msg
ok "and it verifies" ossl_plain dgst -sha256 -verify pub-uri.pem -signature sig2 msg
ossl storeutl key.pem >store.out 2>&1
is "storeutl key.pem (OSSL_STORE on the file) finds one key" \
    "$(grep -c '^Total found: 1' store.out)" 1
ossl pkey -in key.pem -text -noout >text.out 2>&1
ok "pkey -text on it names the URI" grep -q "PKCS#11 URI: pkcs11:.*object=refkey" text.out

# pkey without -pubout: the reference again, from a file or from the URI.
ok "pkey -in URI (no -pubout) writes the reference" ossl pkey -in "$URI" -out from-uri.pem
ok "the same reference as genpkey wrote" cmp from-uri.pem key.pem
ok "pkey -in key.pem round-trips it" ossl pkey -in key.pem -out again2.pem
ok "unchanged" cmp again2.pem key.pem
ok "pkey -outform DER writes the bare DER" ossl pkey -in key.pem -outform DER -out key.der
ok "pkey -in key.der -pubout reads it back" ossl pkey -in key.der -pubout -out pub-der.pem
ok "same public key" cmp pub-der.pem pub-uri.pem

# No PIN in the reference, whatever the URI had.
printf '1234\n' >pinfile
ok "genpkey with ?pin-value=1234" gen "pkcs11:token=$TOKEN;object=pinval?pin-value=1234" pv.pem
ok "genpkey with ?pin-source=file" gen "pkcs11:token=$TOKEN;object=pinsrc?pin-source=$MH_TMP/pinfile" ps.pem
for f in pv.pem ps.pem; do
    u=$(ref_uri -in "$f")
    case "$u" in
    pkcs11:*) is "$f holds a URI" ok ok ;;
    *) is "$f holds a URI" "$u" "pkcs11:..." ;;
    esac
    case "$u" in
    *pin-* | *'?'* | *pinfile*) is "$f: no PIN and no PIN source in the reference" "$u" "(no pin-)" ;;
    *) is "$f: no PIN and no PIN source in the reference" ok ok ;;
    esac
    ok "$f still signs (PIN from the configuration)" ossl pkeyutl -sign -inkey "$f" -in msg.sha256 -out /dev/null
done
ok "the PEM text has no PIN either" sh -c '! grep -q 1234 pv.pem ps.pem && ! grep -rq "pin-" pv.pem ps.pem'

# mav2's key loading (OSSL_STORE) on the reference.
MAV2="$MH_TOP_BUILDDIR/mav2/mav2"
if [ -x "$MAV2" ]; then
    a_file=$(OPENSSL_CONF="$MH_TMP/openssl.cnf" "$MAV2" address --key key.pem 2>mav2.err)
    a_uri=$(OPENSSL_CONF="$MH_TMP/openssl.cnf" "$MAV2" address --key "$URI" 2>>mav2.err)
    case "$a_file" in
    0x????????????????????????????????????????) is "mav2 address --key key.pem" "$a_file" "$a_uri" ;;
    *) is "mav2 address --key key.pem" "$a_file $(head -c 300 mav2.err)" "0x..." ;;
    esac
else
    is "mav2 address --key key.pem # SKIP mav2 not built" ok ok
fi

# Without our provider the file is refused, and a forged reference to no key
# fails without a crash.
rc=0
ossl_plain pkey -in key.pem -pubout >/dev/null 2>&1 || rc=$?
is "without p11k1 the reference is not a key" "$rc" 1
printf '0\017\002\001\000\014\012pkcs11:x=y' | openssl base64 >forged.b64
{ echo "-----BEGIN PKCS#11 URI-----"; cat forged.b64; echo "-----END PKCS#11 URI-----"; } >forged.pem
rc=0
ossl pkey -in forged.pem -pubout >forged.out 2>&1 || rc=$?
is "a reference with a malformed URI fails cleanly" "$rc $(grep -c Sanitizer forged.out)" "1 0"
printf '0\041\002\001\000\014\034pkcs11:token=ref;object=none' | openssl base64 >none.b64
{ echo "-----BEGIN PKCS#11 URI-----"; cat none.b64; echo "-----END PKCS#11 URI-----"; } >none.pem
rc=0
ossl pkey -in none.pem -pubout >none.out 2>&1 || rc=$?
is "a reference to no key fails" "$rc $(grep -c Sanitizer none.out)" "1 0"
tap_done
