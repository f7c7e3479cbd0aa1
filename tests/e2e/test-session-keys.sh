#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test-session-keys.sh: the session-key lifecycle on the devnet: `mav2 session-key
# create` makes a key on a SoftHSM2 token through the provider's key generation;
# `session-key list` after install / revoke; the key is refused after revoke;
# `mav2 sign-message` ERC-1271 signatures checked by the account's isValidSignature
# for entity 0 (owner) and entity 1 (token session key).
E2E_NEEDS=xxd
. "$MH_TOP_SRCDIR/tests/e2e/e2e-common.sh"
e2e_token sess
devnet_owner_pem

# ---- 1. create
run c1 session-key create --token "pkcs11:token=$TOKEN" --label sk1 --id 0a01
is "create: exit 0" "$RC" 0
URI=$(field c1 uri)
SK1=$(field c1 address)
ok "create: prints a pkcs11: URI naming the label and id" \
    grep -q "^uri pkcs11:.*token=$TOKEN.*id=%0[aA]%01.*object=sk1" "$MH_TMP/c1.out"
is "create: address is 20 bytes" "${#SK1}" 42
is "create: the URI loads the same key (mav2 address)" "$("$MAV2" address --key "$URI")" "$SK1"
# the openssl CLI (not ours: ossl preloads the ASan runtime in the sanitizer build)
ossl pkey -in "$URI" -pubout -out "$MH_TMP/sk1.pub" 2>/dev/null
is "create: public key exported by openssl gives the same address" \
    "$(OPENSSL_CONF=/dev/null "$MAV2" address --key "$MH_TMP/sk1.pub")" "$SK1"
OPENSSL_CONF=/dev/null pkcs11-tool --module "$SOFTHSM_MODULE" --token-label "$TOKEN" --login --pin 1234 -O \
    >"$MH_TMP/objs.txt" 2>/dev/null
priv_attrs() { grep -A8 -m1 "^Private Key Object; EC" "$MH_TMP/objs.txt" | grep -q "$1"; }
ok "create: private key on the token, sensitive" priv_attrs "Access:.*sensitive"
ok "create: private key never extractable" priv_attrs "never extractable"
ok "create: token label sk1, id 0a01" grep -q "ID:.*0a01" "$MH_TMP/objs.txt"

run c1j session-key create --token "pkcs11:token=$TOKEN" --label sk2 --json
is "create --json: exit 0" "$RC" 0
SK2=$(jq -r .address "$MH_TMP/c1j.out")
URI2=$(jq -r .uri "$MH_TMP/c1j.out")
is "create --json: address = the URI's key" "$("$MAV2" address --key "$URI2")" "$SK2"
ok "create --json: public key 65 bytes" test "$(jq -r .publicKey "$MH_TMP/c1j.out" | wc -c)" -eq 133

run dup session-key create --token "pkcs11:token=$TOKEN" --label sk1
is "create with a used label: exit 2" "$RC" 2
ok "create with a used label: says it exists" grep -q "exists already" "$MH_TMP/dup.err"
is "create with a used label: stdout empty" "$(cat "$MH_TMP/dup.out")" ""
run badid session-key create --token "pkcs11:token=$TOKEN" --label sk9 --id zz
is "create --id zz: exit 1" "$RC" 1
run notok session-key create --token "pkcs11:token=nosuch" --label sk9
is "create on a missing token: exit 2" "$RC" 2
ok "create on a missing token: says so" grep -q "no such token" "$MH_TMP/notok.err"
provider_cnf "$MH_TMP/nopin.cnf"
OPENSSL_CONF="$MH_TMP/nopin.cnf" run nopin session-key create --token "pkcs11:token=$TOKEN" --label sk3
is "create without any PIN source: exit 2" "$RC" 2
ok "create without any PIN source: says a PIN is needed" grep -qi "PIN" "$MH_TMP/nopin.err"
OPENSSL_CONF="$MH_TMP/nopin.cnf" run pin session-key create --token "pkcs11:token=$TOKEN" \
    --label sk3 --pin-source "$MH_PIN_FILE"
is "create --pin-source FILE: exit 0" "$RC" 0
ok "create --pin-source: the PIN file path is not in the printed URI" \
    sh -c "! grep -q pin-source '$MH_TMP/pin.out'"

# ---- 2. list before and after install
new_account "$OWNER_ADDRESS"
run l0 session-key list --rpc-url "$RPC_URL" --account "$ACC"
is "list on an undeployed account: exit 0" "$RC" 0
is "list on an undeployed account: none" "$(cat "$MH_TMP/l0.out")" none

run install session-key install "${NET[@]}" --account "$ACC" --owner-key "$OWNER_PEM" \
    --session-key "$URI" --entity-id 1 --global --factory-owner "$OWNER_ADDRESS" --salt "$SALT"
is "install the created key at entity 1 (global, deploys the account): exit 0" "$RC" 0
run l1 session-key list --rpc-url "$RPC_URL" --account "$ACC" --json
is "list --json: exit 0" "$RC" 0
J="$MH_TMP/l1.out"
is "list: one session key" "$(jq '.sessionKeys | length' "$J")" 1
is "list: entity 1" "$(jq '.sessionKeys[0].entityId' "$J")" 1
is "list: signer = the created token key" "$(jq -r '.sessionKeys[0].signer' "$J")" "$SK1"
is "list: module SingleSignerValidationModule" "$(jq -r '.sessionKeys[0].moduleName' "$J")" \
    SingleSignerValidationModule
is "list: global, user-op, no ERC-1271" \
    "$(jq -c '.sessionKeys[0] | [.global, .userOp, .signature, .flags]' "$J")" '[true,true,false,5]'
is "list: no hooks, no selectors" \
    "$(jq -c '.sessionKeys[0] | [.selectors, .validationHooks, .executionHooks]' "$J")" '[[],[],[]]'
run l1t session-key list --rpc-url "$RPC_URL" --account "$ACC"
ok "list (text): entity 1 with its signer" \
    sh -c "grep -qx 'entity 1' '$MH_TMP/l1t.out' && grep -qx '  signer $SK1' '$MH_TMP/l1t.out'"
ok "list (text): global yes" grep -qx "  global yes" "$MH_TMP/l1t.out"

RCPT=0x$(printf '%040x' $((RANDOM * 65536 + RANDOM + 1)))
run send1 send "${NET[@]}" --account "$ACC" --key "$URI" --entity-id 1 --global --call "$RCPT,12345"
is "the created token key sends a user op: exit 0" "$RC" 0
is "the created token key sends a user op: 12345 wei arrived" "$(balance "$RCPT")" 12345

# ---- 3. ERC-1271, entity 0 (the owner) and entity 1 installed without the ERC-1271 flag
run m0 sign-message --account "$ACC" --key "$OWNER_PEM" --entity-id 0 --message hello \
    --rpc-url "$RPC_URL"
is "sign-message entity 0 (owner), checked on chain: exit 0" "$RC" 0
SIG0=$(head -1 "$MH_TMP/m0.out")
H0=$(field m0 hash)
is "sign-message: hash = EIP-191 of \"hello\"" "$H0" \
    0x50b2c43fd39106bafbba0da34fc430e1f91e3c96ea2acee2bc34119f92b37750
is "sign-message entity 0: 72-byte signature 0x00 || 00000000 || ff 00 ..." \
    "${#SIG0} ${SIG0:0:16}" "146 0x0000000000ff00"
isvalid() { # HASH SIG -> first 4 bytes of isValidSignature's answer
    local enc
    enc="0x1626ba7e${1#0x}$(pad 40)$(pad 48)${2#0x}$(printf '%048d' 0)"
    ethcall "$ACC" "$enc" | cut -c1-10
}
is "entity 0 signature: the account's isValidSignature (eth_call) says 0x1626ba7e" \
    "$(isvalid "$H0" "$SIG0")" 0x1626ba7e
is "entity 0 signature, other hash: refused" \
    "$(isvalid 0x"$(pad 1)" "$SIG0")" 0xffffffff
run m0w sign-message --account "$ACC" --key "$URI" --entity-id 0 --message hello --rpc-url "$RPC_URL"
is "sign-message entity 0 with the session key (not the owner): exit 3" "$RC" 3
ok "... says the account refused it" grep -q "refused the signature" "$MH_TMP/m0w.err"
is "... stdout empty" "$(cat "$MH_TMP/m0w.out")" ""
run m1n sign-message --account "$ACC" --key "$URI" --entity-id 1 --message hello --rpc-url "$RPC_URL"
is "sign-message entity 1 installed without the ERC-1271 flag: exit 3" "$RC" 3
ok "... says the validation is not installed for ERC-1271" \
    grep -q "not installed for ERC-1271" "$MH_TMP/m1n.err"

# ---- 4. revoke: list shows none, the key is refused
run revoke session-key revoke "${NET[@]}" --account "$ACC" --owner-key "$OWNER_PEM" --entity-id 1
is "revoke entity 1: exit 0" "$RC" 0
run l2 session-key list --rpc-url "$RPC_URL" --account "$ACC"
is "list after revoke: none" "$(cat "$MH_TMP/l2.out")" none
run l2j session-key list --rpc-url "$RPC_URL" --account "$ACC" --json
is "list --json after revoke: empty list" "$(jq -c .sessionKeys "$MH_TMP/l2j.out")" "[]"
B=$(balance "$RCPT")
run after send "${NET[@]}" --account "$ACC" --key "$URI" --entity-id 1 --global --call "$RCPT,1"
is "revoked key: send refused (exit 3)" "$RC" 3
ok "revoked key: AA23 sentence" grep -q "AA23" "$MH_TMP/after.err"
is "revoked key: nothing moved" "$(balance "$RCPT")" "$B"

# ---- 5. entity 1 again, now a user-op + ERC-1271 + global validation (--erc1271)
run i2 session-key install "${NET[@]}" --account "$ACC" --owner-key "$OWNER_PEM" \
    --session-key "$URI" --entity-id 1 --global --erc1271
is "install entity 1 again with --erc1271: exit 0" "$RC" 0
run l3 session-key list --rpc-url "$RPC_URL" --account "$ACC" --json
is "list: entity 1 back, signer the token key, ERC-1271 flag" \
    "$(jq -c '.sessionKeys[] | [.entityId, .signer, .signature, .flags]' "$MH_TMP/l3.out")" \
    "[1,\"$SK1\",true,7]"
run m1 sign-message --account "$ACC" --key "$URI" --entity-id 1 --message "Hello, world!" \
    --rpc-url "$RPC_URL" --json
is "sign-message entity 1 (token key), checked on chain: exit 0" "$RC" 0
SIG1=$(jq -r .signature "$MH_TMP/m1.out")
H1=$(jq -r .hash "$MH_TMP/m1.out")
is "sign-message entity 1: hash = EIP-191 of the message" "$H1" \
    0xb453bd4e271eed985cbab8231da609c4ce0a9cf1f763b6c1594e76315510e0f1
is "sign-message entity 1: signature 0x00 || 00000001 || ff 00 ..." "${SIG1:0:16}" 0x0000000001ff00
is "entity 1 signature: the account's isValidSignature says 0x1626ba7e" \
    "$(isvalid "$H1" "$SIG1")" 0x1626ba7e
is "sign-message --rpc-url without --chain-id: the node's chain id used" \
    "$(jq -r .chainId "$MH_TMP/m1.out")" "$CHAIN_ID"
HX=0x$(pad c0ffee)
run m1h sign-message --account "$ACC" --key "$URI" --entity-id 1 --hash "$HX" --chain-id "$CHAIN_ID"
is "sign-message --hash (offline): exit 0" "$RC" 0
is "--hash signature accepted by isValidSignature" "$(isvalid "$HX" "$(head -1 "$MH_TMP/m1h.out")")" \
    0x1626ba7e
run m1c sign-message --account "$ACC" --key "$URI" --entity-id 1 --hash "$HX" --chain-id 1
is "signed for chain 1: isValidSignature on chain $CHAIN_ID refuses it" \
    "$(isvalid "$HX" "$(head -1 "$MH_TMP/m1c.out")")" 0xffffffff
run m1cc sign-message --account "$ACC" --key "$URI" --entity-id 1 --hash "$HX" --chain-id 1 \
    --rpc-url "$RPC_URL"
is "--chain-id other than the node's: exit 1" "$RC" 1
run m1o sign-message --account "$ACC" --key "$URI2" --entity-id 1 --message hi --rpc-url "$RPC_URL"
is "another token key for entity 1: exit 3" "$RC" 3
ok "... 0xffffffff named" grep -q "returned 0xffffffff" "$MH_TMP/m1o.err"
run m1x sign-message --account "$ACC" --key "$URI" --entity-id 1 --message a --hash "$HX" --chain-id 1
is "--message and --hash together: exit 1" "$RC" 1

tap_done
