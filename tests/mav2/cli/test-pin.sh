#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test-pin.sh: `mav2` and token PINs: a pin-value anywhere in a pkcs11: URI is
# used to log in but never printed; PIN-file errors say why; a 255-byte PIN
# works; a key of the wrong type is named without asking for a PIN.
. "$MH_TOP_SRCDIR/tests/harness/tap.sh"
MAV2="$MH_TOP_BUILDDIR/mav2/mav2"
. "$MH_TOP_SRCDIR/tests/harness/provider.sh"
command -v pkcs11-tool >/dev/null || tap_skip_all "OpenSC pkcs11-tool not installed"
[ -x "$MAV2" ] || tap_skip_all "mav2 not built"

TOKEN=mav2pin
softhsm_init "$TOKEN"
p11tool_keygen sk1 01
p11tool_keygen p256 02 prime256v1
OPENSSL_CONF=/dev/null pkcs11-tool --module "$SOFTHSM_MODULE" --token-label "$TOKEN" --login \
    --pin 1234 --keypairgen --key-type rsa:2048 --label rsa --id 03 >/dev/null
# The provider has no PIN of its own here: only the URI or --pin-source give one.
provider_cnf "$MH_TMP/openssl.cnf"
export OPENSSL_CONF="$MH_TMP/openssl.cnf"
URI="pkcs11:token=$TOKEN;object=sk1"
OP="$MH_TMP/op.json"
cat >"$OP" <<'JSON'
{"sender":"0x1111111111111111111111111111111111111111","nonce":"0x1010000000000000005",
 "callData":"0x","callGasLimit":"0x5208","verificationGasLimit":"0x186a0",
 "preVerificationGas":"0xc350","maxFeePerGas":"0x77359400","maxPriorityFeePerGas":"0x3b9aca00",
 "signature":"0x"}
JSON
sign() { "$MAV2" sign --userop "$OP" --chain-id 1 --signature-only "$@"; }
# run NAME CMD...: exit status in $rc, stderr in $MH_TMP/err
run() {
    shift
    "$@" >"$MH_TMP/out" 2>"$MH_TMP/err"
    rc=$?
}
says() { # NAME NEEDLE: stderr holds NEEDLE
    if grep -qF -- "$2" "$MH_TMP/err"; then ok "$1: says '$2'" true; else
        ok "$1: says '$2' (got: $(cat "$MH_TMP/err"))" false; fi
}
hides() { # NAME SECRET: stderr and stdout do not hold SECRET
    ok "$1: does not print the PIN" sh -c "! grep -qF -- '$2' '$MH_TMP/err' '$MH_TMP/out'"
}

# pin-value in the URI path: used for login, never printed.
run "path pin-value signs" sign --key "$URI;pin-value=1234"
is "pin-value in the URI path logs in (exit 0)" "$rc" 0
for bad in "object=nokey;pin-value=1234" "pin-value=1234;object=nokey" \
    "object=nokey; pin-value=1234" "object=nokey;PIN%2dVALUE=1234"; do
    run "$bad" "$MAV2" address --key "pkcs11:token=$TOKEN;$bad"
    is "$bad: exit 2" "$rc" 2
    hides "$bad" 1234
done
run "query pin-value" "$MAV2" address --key "pkcs11:token=$TOKEN;object=nokey?pin-value=1234"
hides "query pin-value" 1234

# PIN-file errors name the reason.
run "missing" sign --key "$URI" --pin-source "$MH_TMP/nope"
is "missing PIN file: exit 2" "$rc" 2
says "missing PIN file" "No such file or directory"
: >"$MH_TMP/empty"
run "empty" sign --key "$URI" --pin-source "$MH_TMP/empty"
says "empty PIN file" "empty"
printf '\n1234\n' >"$MH_TMP/blank"
run "blank first line" sign --key "$URI" --pin-source "$MH_TMP/blank"
says "blank first line" "empty"
head -c 256 /dev/zero | tr '\0' 7 >"$MH_TMP/long"
run "long" sign --key "$URI" --pin-source "$MH_TMP/long"
says "256-byte PIN file" "longer than 255 bytes"
hides "256-byte PIN file" 7777777777
cp "$MH_PIN_FILE" "$MH_TMP/locked"
chmod 000 "$MH_TMP/locked"
if [ "$(id -u)" != 0 ]; then
    run "no permission" sign --key "$URI" --pin-source "$MH_TMP/locked"
    says "unreadable PIN file" "Permission denied"
elif command -v setpriv >/dev/null &&
    setpriv --bounding-set=-dac_override,-dac_read_search true 2>/dev/null; then
    # root reads any file: drop the capabilities that let it
    run "no permission" setpriv --bounding-set=-dac_override,-dac_read_search \
        "$MAV2" sign --userop "$OP" --chain-id 1 --key "$URI" --pin-source "$MH_TMP/locked"
    says "unreadable PIN file" "Permission denied"
else
    tap_skip "unreadable PIN file: says 'Permission denied'" "root without setpriv"
fi

# A 255-byte PIN (the most SoftHSM2 takes), from --pin-source and from the URI.
LONGPIN=$(head -c 255 /dev/zero | tr '\0' 'p')
OPENSSL_CONF=/dev/null softhsm2-util --init-token --free --label longpin --so-pin 5678 --pin "$LONGPIN" >/dev/null
OPENSSL_CONF=/dev/null pkcs11-tool --module "$SOFTHSM_MODULE" --token-label longpin --login \
    --pin "$LONGPIN" --keypairgen --key-type EC:secp256k1 --label lk --id 01 >/dev/null
printf '%s\n' "$LONGPIN" >"$MH_TMP/longpin"
run "255-byte PIN file" sign --key "pkcs11:token=longpin;object=lk" --pin-source "$MH_TMP/longpin"
is "255-byte PIN from --pin-source signs (exit 0)" "$rc" 0
[ "$rc" = 0 ] || sed 's/^/#   stderr: /' "$MH_TMP/err"
run "255-byte pin-source" sign --key "pkcs11:token=longpin;object=lk?pin-source=$MH_TMP/longpin"
is "255-byte PIN from the URI's pin-source signs (exit 0)" "$rc" 0
[ "$rc" = 0 ] || sed 's/^/#   stderr: /' "$MH_TMP/err"

# The wrong key type is named; no PIN is asked for.
run "P-256 address" "$MAV2" address --key "pkcs11:token=$TOKEN;object=p256"
is "address of a P-256 key: exit 2" "$rc" 2
says "address of a P-256 key" "not on secp256k1"
run "RSA address" "$MAV2" address --key "pkcs11:token=$TOKEN;object=rsa"
is "address of an RSA key: exit 2" "$rc" 2
says "address of an RSA key" "not an EC key"
tap_done
