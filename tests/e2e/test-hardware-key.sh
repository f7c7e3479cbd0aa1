#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test-hardware-key.sh: session-key install's hardware check on the devnet. A token
# key made extractable by pkcs11-tool is refused naming CKA_EXTRACTABLE (exit 1,
# nothing sent: the account stays undeployed, then its owner nonce and the entity
# stay as they were); a key made by `mav2 session-key create` is installed; with
# --allow-exportable-key the extractable key is installed after a warning line.
E2E_NEEDS=xxd
. "$MH_TOP_SRCDIR/tests/e2e/e2e-common.sh"
e2e_token hw
devnet_owner_pem
K() { echo "pkcs11:token=$TOKEN;object=$1"; }
run made session-key create --token "pkcs11:token=$TOKEN" --label made
is "setup: session-key create" "$RC" 0
OPENSSL_CONF=/dev/null pkcs11-tool --module "$SOFTHSM_MODULE" --token-label "$TOKEN" --login \
    --pin 1234 --keypairgen --key-type EC:secp256k1 --label ext --id 0e --extractable >/dev/null 2>&1
MADE=$(field made address)
EXT=$("$MAV2" address --key "$(K ext)")
is "setup: pkcs11-tool made an extractable key" "${#EXT}" 42
new_account "$OWNER_ADDRESS"
ZERO=0x0000000000000000000000000000000000000000
code() { rpc "$RPC_URL" eth_getCode "[\"$ACC\",\"latest\"]" | jq -r .; }
refused() { # NAME: exit 1, stdout empty, one line naming CKA_EXTRACTABLE
    is "$1: exit 1, stdout empty, one line on stderr" \
        "$RC $(wc -c <"$MH_TMP/$1.out") $(wc -l <"$MH_TMP/$1.err")" "1 0 1"
    ok "$1: the line names CKA_EXTRACTABLE" grep -q -- "--session-key: CKA_EXTRACTABLE is true" "$MH_TMP/$1.err"
}

# ---- 1. refused while deploying: nothing sent, the account is not created
run ext1 session-key install "${NET[@]}" --account "$ACC" --owner-key "$OWNER_PEM" \
    --session-key "$(K ext)" --entity-id 1 --global --factory-owner "$OWNER_ADDRESS" --salt "$SALT"
refused ext1
is "ext1: nothing sent (the account has no code, its 2 ETH untouched)" "$(code) $(balance "$ACC")" \
    "0x 2000000000000000000"

# ---- 2. the created key is accepted and installed (deploys the account)
run inst session-key install "${NET[@]}" --account "$ACC" --owner-key "$OWNER_PEM" \
    --session-key "$(K made)" --entity-id 1 --global --factory-owner "$OWNER_ADDRESS" --salt "$SALT"
is "created key: install exit 0" "$RC" 0
ok "created key: no warning about the key" sh -c "! grep -q -- '--session-key' '$MH_TMP/inst.err'"
is "created key: signer of entity 1" "$(signer_of 1)" "$(echo "$MADE" | lower)"
N=$(nonce_seq 1)

# ---- 3. refused on the deployed account: the owner signs nothing
run ext2 session-key install "${NET[@]}" --account "$ACC" --owner-key "$OWNER_PEM" \
    --session-key "$(K ext)" --entity-id 2 --global
refused ext2
is "ext2: nothing sent (owner nonce unchanged, entity 2 empty)" "$(nonce_seq 1) $(signer_of 2)" "$N $ZERO"

# ---- 4. --allow-exportable-key installs it after a warning line
run allow session-key install "${NET[@]}" --account "$ACC" --owner-key "$OWNER_PEM" \
    --session-key "$(K ext)" --entity-id 2 --global --allow-exportable-key
is "--allow-exportable-key: install exit 0" "$RC" 0
ok "--allow-exportable-key: warns naming CKA_EXTRACTABLE" \
    grep -q -- "--session-key: CKA_EXTRACTABLE is true.*installing it anyway" "$MH_TMP/allow.err"
is "--allow-exportable-key: signer of entity 2" "$(signer_of 2)" "$(echo "$EXT" | lower)"
tap_done
