#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test-token-sign.sh: the signer and `mav2` on a SoftHSM2 token key through the
# p11k1 provider: loaded by an openssl.cnf, and loaded by name on demand.
. "$MH_TOP_SRCDIR/tests/harness/tap.sh"
MAV2="$MH_TOP_BUILDDIR/mav2/mav2"
TESTKEY="$MH_TOP_BUILDDIR/tests/mav2/keys/test-key"
. "$MH_TOP_SRCDIR/tests/harness/provider.sh"
command -v pkcs11-tool >/dev/null || tap_skip_all "OpenSC pkcs11-tool not installed"
[ -x "$MAV2" ] && [ -x "$TESTKEY" ] || tap_skip_all "mav2 / test-key not built"

TOKEN=mav2sign
softhsm_init "$TOKEN"
p11() { pkcs11-tool --module "$SOFTHSM_MODULE" --token-label "$TOKEN" "$@" >/dev/null 2>&1; }
p11tool_keygen sk1 01 2>/dev/null
p11tool_keygen p256 02 prime256v1 2>/dev/null
p11 --read-object --type pubkey --id 01 -o "$MH_TMP/pub.der"
URI="pkcs11:token=$TOKEN;object=sk1"

prov_conf
export OPENSSL_CONF="$MH_TMP/openssl.cnf"

# The token key's address, from its public key read by pkcs11-tool (no provider).
A=$(OPENSSL_CONF=/dev/null "$MAV2" address --key "$MH_TMP/pub.der")
is "address of pkcs11-tool's public key" "$?" 0
is "mav2 address --key pkcs11: URI" "$("$MAV2" address --key "$URI")" "$A"

# 50 digests signed through the token: low s, v 27/28, each recovers to the key.
"$TESTKEY" token "$URI" 50 "$A" >"$MH_TMP/tk.tap"
rc=$?
sed -n 's/^\(not \)\{0,1\}ok [0-9]* - /&/p' "$MH_TMP/tk.tap" | while read -r line; do echo "# test-key: $line"; done
is "test-key token: 50 signatures all low-s and recovering" "$rc" 0

# mav2 sign with the token key; the signature recovers to the token address.
OP="$MH_TMP/op.json"
cat >"$OP" <<'JSON'
{"sender":"0x1111111111111111111111111111111111111111","nonce":"0x1010000000000000005",
 "callData":"0xb61d27f6000000000000000000000000333333333333333333333333333333333333333300000000000000000000000000000000000000000000000000000000000000010000000000000000000000000000000000000000000000000000000000000060000000000000000000000000000000000000000000000000000000000000000000",
 "callGasLimit":"0x5208","verificationGasLimit":"0x186a0","preVerificationGas":"0xc350",
 "maxFeePerGas":"0x77359400","maxPriorityFeePerGas":"0x3b9aca00","signature":"0x"}
JSON
H=$("$MAV2" hash --userop "$OP" --chain-id 31337)
SIG=$("$MAV2" sign --userop "$OP" --chain-id 31337 --key "$URI" --signature-only)
is "mav2 sign with the token key: exit 0" "$?" 0
is "token user-op signature recovers to the token key" "$("$TESTKEY" recover-userop "$H" "$SIG")" "$A"

# Provider not in the configuration: mav2 loads p11k1 by name from OPENSSL_MODULES.
auto() { OPENSSL_CONF=/dev/null OPENSSL_MODULES="$MH_PROVIDER_DIR" P11K1_MODULE="$SOFTHSM_MODULE" "$@"; }
is "address with p11k1 loaded on demand" \
    "$(auto "$MAV2" address --key "$URI?pin-source=file:$MH_PIN_FILE")" "$A"
SIG2=$(auto "$MAV2" sign --userop "$OP" --chain-id 31337 --signature-only \
    --key "$URI?pin-source=file:$MH_PIN_FILE")
is "sign with p11k1 loaded on demand recovers" "$("$TESTKEY" recover-userop "$H" "$SIG2")" "$A"
# A key reference file written by p11k1 ("PKCS#11 URI" PEM) loads p11k1 on demand too.
ossl pkey -in "$URI?pin-source=file:$MH_PIN_FILE" -out "$MH_TMP/ref.pem" 2>/dev/null
is "address of a p11k1 key reference file, p11k1 loaded on demand" \
    "$(auto "$MAV2" address --key "$MH_TMP/ref.pem" --pin-source "$MH_PIN_FILE")" "$A"

# Failures: exit 2, one line, nothing on stdout, no PIN in the message.
fails() { # NAME NEEDLE CMD...
    local name=$1 needle=$2 rc
    shift 2
    "$@" >"$MH_TMP/out" 2>"$MH_TMP/err"
    rc=$?
    is "$name: exit 2" "$rc" 2
    is "$name: one line, empty stdout" "$(wc -l <"$MH_TMP/err") $(wc -c <"$MH_TMP/out")" "1 0"
    if grep -qF -- "$needle" "$MH_TMP/err"; then ok "$name: names $needle" true; else
        ok "$name: names $needle (got: $(cat "$MH_TMP/err"))" false; fi
}
printf '9999' >"$MH_TMP/wrong"
OPENSSL_CONF=/dev/null
fails "wrong PIN" "$TOKEN" auto "$MAV2" sign --userop "$OP" --chain-id 1 \
    --key "$URI?pin-source=file:$MH_TMP/wrong"
ok "the wrong PIN is not in the message" sh -c "! grep -q 9999 '$MH_TMP/err'"
export OPENSSL_CONF="$MH_TMP/openssl.cnf"
fails "no such object" "--key" "$MAV2" address --key "pkcs11:token=$TOKEN;object=nope"
fails "P-256 token key" "--key" "$MAV2" sign --userop "$OP" --chain-id 1 \
    --key "pkcs11:token=$TOKEN;object=p256"
fails "provider not found" "p11k1" env OPENSSL_CONF=/dev/null OPENSSL_MODULES=/nonexistent \
    "$MAV2" address --key "$URI"
tap_done
