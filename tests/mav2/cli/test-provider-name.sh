#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test-provider-name.sh: an openssl.cnf that loads the p11k1 module under a section
# name of its own ("tokens", the module by absolute path). The openssl CLI shows
# it active; mav2 finds it by the pkcs11: store scheme it serves, signs with a
# token key and generates a key through it, without loading a second p11k1.
. "$MH_TOP_SRCDIR/tests/harness/tap.sh"
MAV2="$MH_TOP_BUILDDIR/mav2/mav2"
TESTKEY="$MH_TOP_BUILDDIR/tests/mav2/keys/test-key"
. "$MH_TOP_SRCDIR/tests/harness/provider.sh"
command -v pkcs11-tool >/dev/null || tap_skip_all "OpenSC pkcs11-tool not installed"
[ -x "$MAV2" ] && [ -x "$TESTKEY" ] || tap_skip_all "mav2 / test-key not built"

TOKEN=provname
softhsm_init "$TOKEN"
p11tool_keygen sk1 01 2>/dev/null
URI="pkcs11:token=$TOKEN;object=sk1"

CNF="$MH_TMP/tokens.cnf"
cat >"$CNF" <<EOF
openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
default = default_sect
tokens = tokens_sect
[default_sect]
activate = 1
[tokens_sect]
module = $MH_PROVIDER_DIR/p11k1.so
pkcs11-module = $SOFTHSM_MODULE
pin-source = $MH_PIN_FILE
activate = 1
EOF
export OPENSSL_CONF="$CNF"
# OpenSSL's module directory has no p11k1.so: a lookup by name cannot succeed.
export OPENSSL_MODULES="$MH_TMP/no-modules"

run_foreign openssl list -providers >"$MH_TMP/list" 2>&1
ok "openssl list -providers: the 'tokens' provider is active" \
    sh -c "sed -n '/^  tokens\$/,/^  [a-z]/p' '$MH_TMP/list' | grep -q 'status: active'"
ok "openssl list -providers: no provider named p11k1" sh -c "! grep -q '^  p11k1\$' '$MH_TMP/list'"
run_foreign openssl pkey -in "$URI" -pubout -out "$MH_TMP/pub.pem" 2>/dev/null
is "openssl pkey reads the token key through 'tokens'" "$?" 0

A=$(OPENSSL_CONF=/dev/null "$MAV2" address --key "$MH_TMP/pub.pem")
is "address of the public key openssl wrote" "$?" 0
is "mav2 address --key pkcs11: URI through 'tokens'" "$("$MAV2" address --key "$URI" 2>&1)" "$A"

OP="$MH_TMP/op.json"
cat >"$OP" <<'JSON'
{"sender":"0x1111111111111111111111111111111111111111","nonce":"0x0",
 "callData":"0x","callGasLimit":"0x5208","verificationGasLimit":"0x186a0",
 "preVerificationGas":"0xc350","maxFeePerGas":"0x77359400",
 "maxPriorityFeePerGas":"0x3b9aca00","signature":"0x"}
JSON
H=$("$MAV2" hash --userop "$OP" --chain-id 31337)
SIG=$("$MAV2" sign --userop "$OP" --chain-id 31337 --key "$URI" --signature-only 2>&1)
is "mav2 sign through 'tokens': the signature recovers to the token key" \
    "$("$TESTKEY" recover-userop "$H" "$SIG")" "$A"

# Key generation goes through the provider that serves pkcs11: ("provider=tokens").
"$MAV2" session-key create --token "pkcs11:token=$TOKEN" --label sk2 --id 02 \
    >"$MH_TMP/create" 2>&1
is "mav2 session-key create through 'tokens': exit 0" "$?" 0
A2=$(sed -n 's/^address //p' "$MH_TMP/create")
is "the generated key's address is that of the key on the token" \
    "$("$MAV2" address --key "pkcs11:token=$TOKEN;object=sk2" 2>&1)" "$A2"
ok "pkcs11-tool sees the generated key on the token" sh -c \
    "OPENSSL_CONF=/dev/null pkcs11-tool --module '$SOFTHSM_MODULE' --token-label '$TOKEN' \
     --login --pin 1234 --list-objects --type privkey 2>/dev/null | grep -q 'label: *sk2'"
tap_done
