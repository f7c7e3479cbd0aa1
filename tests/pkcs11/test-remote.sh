#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# test-remote: a token served by `p11-kit server` and reached through
# p11-kit-client.so works like a local one (keygen, find, sign).
. "$MH_TOP_SRCDIR/tests/harness/tap.sh"
[ -n "$SOFTHSM_MODULE" ] && [ -f "$SOFTHSM_MODULE" ] || tap_skip_all "SoftHSM2 module not found"
client=$(dirname "$P11KIT_PROXY")/pkcs11/p11-kit-client.so
[ -f "$client" ] || tap_skip_all "p11-kit-client.so not found"
command -v p11-kit >/dev/null 2>&1 || tap_skip_all "p11-kit command not found"
. "$MH_TOP_SRCDIR/tests/harness/softhsm.sh"
tool="$MH_TOP_BUILDDIR/pkcs11/p11k1-tool"
verify="$MH_TOP_BUILDDIR/tests/pkcs11/t-verify"
softhsm_init remote
sock="$MH_TMP/p11-kit.sock"
digest=aa112233445566778899aabbccddeeff00112233445566778899aabbccddeeff

p11-kit server -f -n "$sock" --provider "$SOFTHSM_MODULE" "pkcs11:token=remote" \
    >"$MH_TMP/server.out" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$MH_TMP"' EXIT
until [ -S "$sock" ] || ! kill -0 $server 2>/dev/null; do
    sleep 0.1 # until the server listens (or has died)
done
ok "p11-kit server listens" [ -S "$sock" ]
export P11_KIT_SERVER_ADDRESS="unix:path=$sock"
m="-m $client"

out=$($tool $m keygen "pkcs11:token=remote?pin-source=$MH_PIN_FILE" far 2>&1)
ok "keygen through the server" [ $? -eq 0 ]
pub=$(printf '%s\n' "$out" | cut -f2)
is "public key read" "$(printf %s "$pub" | wc -c)" 130
sig=$($tool $m sign "pkcs11:token=remote;object=far?pin-source=$MH_PIN_FILE" $digest 2>&1)
ok "sign through the server" [ ${#sig} -eq 128 ]
ok "remote signature verifies" "$verify" "$pub" "$digest" "$sig"
is "pubkey through the server" "$($tool $m pubkey "pkcs11:token=remote;object=far;type=public")" "$pub"
unset P11_KIT_SERVER_ADDRESS
is "same key seen locally" "$($tool -m "$SOFTHSM_MODULE" pubkey "pkcs11:token=remote;object=far;type=public")" "$pub"
tap_done
