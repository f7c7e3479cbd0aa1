#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# test-tool: p11k1-tool keygen / list / pubkey / sign on a SoftHSM2 token, and
# its one-line errors.
. "$MH_TOP_SRCDIR/tests/harness/tap.sh"
[ -n "$SOFTHSM_MODULE" ] && [ -f "$SOFTHSM_MODULE" ] || tap_skip_all "SoftHSM2 module not found"
. "$MH_TOP_SRCDIR/tests/harness/softhsm.sh"
tool="$MH_TOP_BUILDDIR/pkcs11/p11k1-tool"
verify="$MH_TOP_BUILDDIR/tests/pkcs11/t-verify"
softhsm_init tooltok
m="-m $SOFTHSM_MODULE"
digest=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff

out=$($tool $m keygen "pkcs11:token=tooltok?pin-source=$MH_PIN_FILE" alice 0a0b 2>&1)
ok "keygen" [ $? -eq 0 ]
pub=$(printf '%s\n' "$out" | cut -f2)
is "keygen prints the public key" "$(printf %s "$pub" | cut -c1-2)$(printf %s "$pub" | wc -c)" "04130"
uri=$(printf '%s\n' "$out" | cut -f1)
case $uri in *token=tooltok*object=alice*) r=yes ;; *) r=no ;; esac
is "keygen prints the key URI" "$r" yes

is "pubkey by URI" "$($tool $m pubkey "$uri;type=public")" "$pub"
sig=$($tool $m sign "pkcs11:token=tooltok;id=%0a%0b?pin-source=file:$MH_PIN_FILE" $digest)
ok "sign by id" [ ${#sig} -eq 128 ]
ok "signature verifies" "$verify" "$pub" "$digest" "$sig"
n=$($tool $m list "pkcs11:token=tooltok" | wc -l)
is "list" "$n" 1

err=$($tool $m sign "pkcs11:token=tooltok;object=alice?pin-value=4444" $digest 2>&1)
ok "wrong PIN fails" [ $? -ne 0 ]
case $err in *"PIN incorrect for token 'tooltok'"*) r=yes ;; *) r=no ;; esac
is "wrong PIN: clear message" "$r" yes
case $err in *4444*) r=yes ;; *) r=no ;; esac
is "wrong PIN: PIN not printed" "$r" no
is "one line on stderr" "$(printf '%s\n' "$err" | wc -l)" 1
err=$($tool $m keygen "pkcs11:token=tooltok?pin-source=$MH_PIN_FILE" alice 2>&1)
case $err in *"already has an object labelled 'alice'"*) r=yes ;; *) r=no ;; esac
is "duplicate label refused" "$r" yes
err=$($tool $m pubkey "pkcs11:token=gone" 2>&1)
case $err in *"token 'gone' not found"*) r=yes ;; *) r=no ;; esac
is "missing token" "$r" yes
$tool $m sign "pkcs11:token=tooltok" 1234 >/dev/null 2>&1
ok "short digest refused" [ $? -ne 0 ]
tap_done
