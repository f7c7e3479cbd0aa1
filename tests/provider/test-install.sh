#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test-install.sh: `make install DESTDIR=...` into a temp dir, then the openssl CLI
# with the installed openssl.cnf (its paths moved under DESTDIR) lists p11k1 active
# and signs with a SoftHSM2 token key; errors about the cnf's pin-source name it,
# in openssl's output and in mav2's.
. "$MH_TOP_SRCDIR/tests/harness/tap.sh"
. "$MH_TOP_SRCDIR/tests/harness/provider.sh"
command -v pkcs11-tool >/dev/null || tap_skip_all "OpenSC pkcs11-tool not installed"
command -v "${MAKE:-make}" >/dev/null || tap_skip_all "no make"

DEST="$MH_TMP/dest"
# a make of its own: not a part of the make running the tests
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${MAKE:-make}" -s -C "$MH_TOP_BUILDDIR" install \
    DESTDIR="$DEST" >"$MH_TMP/install.log" 2>&1
is "make install DESTDIR=$DEST" "$?" 0
CNF=$(find "$DEST" -path '*/mav2-hsm/openssl.cnf' | head -n 1)
ok "openssl.cnf installed under share/mav2-hsm" test -f "$CNF"
MOD=$(sed -n 's/^module = //p' "$CNF")
PIN=$(sed -n 's/^pin-source = //p' "$CNF")
ok "the installed cnf names the module by absolute path ($MOD)" \
    sh -c "case '$MOD' in /*/p11k1.so) exit 0;; *) exit 1;; esac"
ok "the module is installed at that path (under DESTDIR)" test -f "$DEST$MOD"
ok "the installed cnf names a pin-source by absolute path ($PIN)" \
    sh -c "case '$PIN' in /*) exit 0;; *) exit 1;; esac"

# The installed cnf with DESTDIR put in front of its paths; the module is the
# p11-kit proxy unless P11K1_MODULE says otherwise (SoftHSM2 here).
sed -e "s|^module = |module = $DEST|" -e "s|^pin-source = |pin-source = $DEST|" "$CNF" \
    >"$MH_TMP/openssl.cnf"
PINFILE="$DEST$PIN"
export P11K1_MODULE="$SOFTHSM_MODULE"
TOKEN=installed
softhsm_init "$TOKEN"
mkdir -p "$(dirname "$PINFILE")"
cp "$MH_PIN_FILE" "$PINFILE"
p11tool_keygen sk1 01 2>/dev/null
URI="pkcs11:token=$TOKEN;object=sk1"

ossl list -providers >"$MH_TMP/list" 2>&1
ok "openssl list -providers with the installed cnf: p11k1 active" \
    sh -c "sed -n '/^  p11k1\$/,/^  [a-z]/p' '$MH_TMP/list' | grep -q 'status: active'"
printf 'signed through the installed provider\n' >"$MH_TMP/data"
ossl dgst -sha256 -sign "$URI" -out "$MH_TMP/sig" "$MH_TMP/data" 2>"$MH_TMP/err"
is "openssl dgst -sign with the token key" "$?" 0
ossl pkey -in "$URI" -pubout -out "$MH_TMP/pub.pem" 2>>"$MH_TMP/err"
OPENSSL_CONF=/dev/null openssl dgst -sha256 -verify "$MH_TMP/pub.pem" -signature "$MH_TMP/sig" \
    "$MH_TMP/data" >/dev/null 2>&1
is "the signature verifies with the default provider alone" "$?" 0

# The cnf's pin-source is named when it cannot be read.
names_pin_source() { # NAME FILE-WITH-STDERR
    if grep -qF -- "$PINFILE" "$2"; then ok "$1: names $PINFILE" true; else
        ok "$1: names $PINFILE (got: $(tr '\n' ' ' <"$2" | head -c 400))" false; fi
}
rm -f "$PINFILE"
ossl dgst -sha256 -sign "$URI" -out "$MH_TMP/sig2" "$MH_TMP/data" 2>"$MH_TMP/err"
ok "openssl dgst -sign without the pin-source file fails" test $? -ne 0
names_pin_source "openssl, pin-source missing" "$MH_TMP/err"
MAV2="$MH_TOP_BUILDDIR/mav2/mav2"
OP="$MH_TMP/op.json"
cat >"$OP" <<'JSON'
{"sender":"0x1111111111111111111111111111111111111111","nonce":"0x0",
 "callData":"0x","callGasLimit":"0x5208","verificationGasLimit":"0x186a0",
 "preVerificationGas":"0xc350","maxFeePerGas":"0x77359400",
 "maxPriorityFeePerGas":"0x3b9aca00","signature":"0x"}
JSON
OPENSSL_CONF="$MH_TMP/openssl.cnf" "$MAV2" sign --userop "$OP" --chain-id 1 --key "$URI" \
    >"$MH_TMP/out" 2>"$MH_TMP/err"
is "mav2 sign without the pin-source file: exit 2" "$?" 2
names_pin_source "mav2, pin-source missing" "$MH_TMP/err"
ok "mav2 says the PIN source cannot be read" grep -q "cannot read the PIN source" "$MH_TMP/err"
mkdir "$PINFILE" # a directory: open works, read fails (also for root)
OPENSSL_CONF="$MH_TMP/openssl.cnf" "$MAV2" sign --userop "$OP" --chain-id 1 --key "$URI" \
    >"$MH_TMP/out" 2>"$MH_TMP/err"
is "mav2 sign with a directory as pin-source: exit 2" "$?" 2
names_pin_source "mav2, pin-source unreadable" "$MH_TMP/err"
rmdir "$PINFILE"
if [ "$(id -u)" -ne 0 ]; then
    cp "$MH_PIN_FILE" "$PINFILE" && chmod 000 "$PINFILE"
    OPENSSL_CONF="$MH_TMP/openssl.cnf" "$MAV2" sign --userop "$OP" --chain-id 1 --key "$URI" \
        >"$MH_TMP/out" 2>"$MH_TMP/err"
    ok "mav2, pin-source not readable: permission denied named" \
        sh -c "grep -qF -- '$PINFILE' '$MH_TMP/err' && grep -qi 'permission denied' '$MH_TMP/err'"
else
    echo "ok $((tap_n += 1)) # SKIP permission denied: running as root, who reads any file"
fi
tap_done
