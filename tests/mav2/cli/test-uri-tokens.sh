#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test-uri-tokens.sh: mav2 and the openssl CLI with pkcs11: URIs that name no token,
# on SoftHSM2 with two tokens and its free slot (no initialized token there).
. "$MH_TOP_SRCDIR/tests/harness/tap.sh"
MAV2="$MH_TOP_BUILDDIR/mav2/mav2"
. "$MH_TOP_SRCDIR/tests/harness/provider.sh"
command -v pkcs11-tool >/dev/null || tap_skip_all "OpenSC pkcs11-tool not installed"
[ -x "$MAV2" ] || tap_skip_all "mav2 not built"

softhsm_init one
softhsm_init two
TOKEN=one p11tool_keygen k1 01 2>/dev/null
TOKEN=one p11tool_keygen both-a 03 2>/dev/null
TOKEN=two p11tool_keygen both-b 03 2>/dev/null
prov_conf
export OPENSSL_CONF="$MH_TMP/openssl.cnf"

A=$("$MAV2" address --key "pkcs11:token=one;object=k1" 2>&1)
is "address of k1 named with its token: exit 0" "$?" 0
is "mav2 address --key 'pkcs11:id=%01' (no token named; free slot skipped)" \
    "$("$MAV2" address --key 'pkcs11:id=%01' 2>&1)" "$A"
ossl pkey -in 'pkcs11:id=%01' -pubout -out "$MH_TMP/pub.pem" 2>"$MH_TMP/err"
is "openssl pkey -in 'pkcs11:id=%01'" "$?" 0
is "openssl's public key is k1's" "$(OPENSSL_CONF=/dev/null "$MAV2" address --key "$MH_TMP/pub.pem")" "$A"

OP="$MH_TMP/op.json"
cat >"$OP" <<'JSON'
{"sender":"0x1111111111111111111111111111111111111111","nonce":"0x0",
 "callData":"0x","callGasLimit":"0x5208","verificationGasLimit":"0x186a0",
 "preVerificationGas":"0xc350","maxFeePerGas":"0x77359400",
 "maxPriorityFeePerGas":"0x3b9aca00","signature":"0x"}
JSON
"$MAV2" sign --userop "$OP" --chain-id 31337 --key 'pkcs11:object=k1' --signature-only \
    >/dev/null 2>"$MH_TMP/err"
is "mav2 sign --key 'pkcs11:object=k1': exit 0 $(head -c 200 "$MH_TMP/err")" "$?" 0

"$MAV2" address --key 'pkcs11:id=%03' >"$MH_TMP/out" 2>"$MH_TMP/err"
is "keys with id 03 on both tokens: exit 2" "$?" 2
is "one line, nothing on stdout" "$(wc -l <"$MH_TMP/err") $(wc -c <"$MH_TMP/out")" "1 0"
ok "the message names token one and token two: $(cat "$MH_TMP/err")" \
    sh -c "grep -q 'token=one' '$MH_TMP/err' && grep -q 'token=two' '$MH_TMP/err'"
is "naming the token picks one" "$("$MAV2" address --key 'pkcs11:token=two;id=%03' 2>&1 | wc -l)" 1
tap_done
