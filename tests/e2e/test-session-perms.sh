#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test-session-perms.sh: session keys installed with permissions (mav2 session-key
# install restrictions) on the devnet, each with a call inside the permission that
# succeeds and one outside that is refused with a clear exit code/message (by mav2
# send's allowlist check before signing, or by the chain at estimation): allowlist
# with selectors (a selector-scoped, non-global key), native-token limit with an
# allowlist, ERC-20 spend limit (the devnet's TestToken), root keys with a time range
# (before / inside / after, moving anvil's clock) and a paymaster guard;
# session-key list shows the hooks; revoke, then the key is refused.
E2E_NEEDS=xxd
. "$MH_TOP_SRCDIR/tests/e2e/e2e-common.sh"
e2e_token sess
devnet_owner_pem

for l in skg sks skn skt sku skp ske; do
    "$MAV2" session-key create --token "pkcs11:token=$TOKEN" --label $l >/dev/null ||
        echo "Bail out! cannot create $l"
done
K() { echo "pkcs11:token=$TOKEN;object=$1"; }
new_account "$OWNER_ADDRESS"
run inst0 session-key install "${NET[@]}" --account "$ACC" --owner-key "$OWNER_PEM" \
    --session-key "$(K skg)" --entity-id 1 --global --factory-owner "$OWNER_ADDRESS" --salt "$SALT"
is "deploy + a global key at entity 1: exit 0" "$RC" 0
RCPT=0x$(printf '%040x' $((RANDOM * 65536 + RANDOM + 1)))
STORE=0x5707e00000000000000000000000000000005e55
# runtime: sstore(0, calldataload(4)); stop
rpc "$RPC_URL" anvil_setCode "[\"$STORE\",\"0x60043560005500\"]" >/dev/null
stored() { rpc "$RPC_URL" eth_getStorageAt "[\"$STORE\",\"0x0\",\"latest\"]" | jq -r .; }
inst() { # NAME ENTITY KEY RESTRICTIONS...
    local name=$1 e=$2 k=$3
    shift 3
    run "$name" session-key install "${NET[@]}" --account "$ACC" --owner-key "$OWNER_PEM" \
        --session-key "$(K "$k")" --entity-id "$e" "$@"
}
snd() { # NAME ENTITY KEY SEND-ARGS...
    local name=$1 e=$2 k=$3
    shift 3
    run "$name" send "${NET[@]}" --account "$ACC" --key "$(K "$k")" --entity-id "$e" "$@"
}
haserr() { grep -q "$2" "$MH_TMP/$1.err"; }

# ---- 1. allowlist: STORE, selector 0x12345678 only (non-global, selectors execute/executeBatch)
inst i2 2 sks --allow "$STORE:0x12345678"
is "install --allow STORE:0x12345678 at entity 2: exit 0" "$RC" 0
run l2 session-key list --rpc-url "$RPC_URL" --account "$ACC" --json
E2='.sessionKeys[] | select(.entityId == 2)'
is "list: entity 2 not global, user-op" "$(jq -c "$E2 | [.global, .userOp]" "$MH_TMP/l2.out")" \
    '[false,true]'
is "list: entity 2 may call execute and executeBatch only" \
    "$(jq -c "$E2 | .selectors" "$MH_TMP/l2.out")" '["0xb61d27f6","0x34fcd5be"]'
is "list: entity 2 has the AllowlistModule validation hook (entity 2)" \
    "$(jq -c "$E2 | .validationHooks | map([.moduleName, .entityId])" "$MH_TMP/l2.out")" \
    '[["AllowlistModule",2]]'
is "list: both keys listed, entity 1 global" \
    "$(jq -c '.sessionKeys | map([.entityId, .global])' "$MH_TMP/l2.out")" '[[1,true],[2,false]]'
snd a1 2 sks --call "$STORE,0,0x12345678$(pad 77)"
is "allowed target + selector: exit 0" "$RC" 0
is "allowed call: state written" "$(stored)" "0x$(pad 77)"
snd a2 2 sks --call "$STORE,0,0xdeadbeef$(pad 88)"
is "allowed target, other selector: exit 3" "$RC" 3
ok "other selector: refused before signing, the function and the AllowlistModule hook of entity 2 named" \
    haserr a2 "(0xdeadbeef): refused before signing: the function is not on the key's allowlist (AllowlistModule, entity 2)"
snd a3 2 sks --call "$RCPT,1"
is "other target: exit 3" "$RC" 3
ok "other target: refused before signing, the target named" \
    grep -qi "to $RCPT (no function): refused before signing: the target is not on the key's allowlist" "$MH_TMP/a3.err"
is "refused calls: state and balance unchanged" "$(stored) $(balance "$RCPT")" "0x$(pad 77) 0"
INST="0x1bbf564c${SSV#0x}0000000905$(printf '%014d' 0)$(pad 80)$(pad a0)$(pad 100)$(pad 0)$(pad 40)$(pad 9)$(pad "${RCPT#0x}")$(pad 0)"
# executeBatch(installValidation on the account, an allowed call): the account is no
# target on the key's allowlist (the account itself checks the inner selector too)
snd a4 2 sks --call "$ACC,0,$INST" --call "$STORE,0,0x12345678$(pad 1)"
is "selector-scoped key batches installValidation on the account: exit 3" "$RC" 3
ok "installValidation on the account: refused before signing" haserr a4 "call 1 .*refused before signing"
snd a5 2 sks --global --call "$STORE,0,0x12345678$(pad 1)"
is "selector-scoped key sent as global: exit 3" "$RC" 3
ok "as global: AA23" haserr a5 AA23

# ---- 2. native-token limit 1000 wei to RCPT only (an execution hook: mav2 send wraps
# the calls in executeUserOp by itself; --exec-hooks still works)
inst i3 3 skn --native-limit 1000 --allow "$RCPT"
is "install --native-limit 1000 --allow RCPT at entity 3: exit 0" "$RC" 0
run l3 session-key list --rpc-url "$RPC_URL" --account "$ACC"
ok "list (text): entity 3 has the NativeTokenLimitModule pre-execution hook" \
    sh -c "sed -n '/^entity 3/,/^entity/p' '$MH_TMP/l3.out' | grep -q '  execution-hooks NativeTokenLimitModule:3:pre'"
B=$(balance "$RCPT")
run u3 send "${NET[@]}" --account "$ACC" --key "$(K skn)" --entity-id 3 --call "$RCPT,700" \
    --unsigned-out "$MH_TMP/u3.json"
ok "without --exec-hooks the op's call data is executeUserOp(...)" \
    sh -c "jq -r .callData '$MH_TMP/u3.json' | grep -q '^0x8dd7712fb61d27f6'"
snd n1 3 skn --call "$RCPT,700"
is "700 of 1000 wei (no --exec-hooks): exit 0" "$RC" 0
snd n2 3 skn --call "$RCPT,400"
is "400 more (over the limit): exit 3" "$RC" 3
ok "over the limit: the message names the native-token limit" haserr n2 "0x94c58c94\|ExceededNativeTokenLimit\|native"
ok "over the limit: the sentence names the NativeTokenLimitModule hook of entity 3" \
    haserr n2 "the NativeTokenLimitModule hook of entity 3 refused the call: the native-token spend limit would be exceeded (PreExecHookReverted: ExceededNativeTokenLimit)"
snd n3 3 skn --exec-hooks --call "$RCPT,300"
is "the remaining 300: exit 0" "$RC" 0
is "native limit: 1000 wei moved in all" "$(($(balance "$RCPT") - B))" 1000
snd n4 3 skn --call "$STORE,0,0x12345678$(pad 1)"
is "a target off the key's allowlist: exit 3" "$RC" 3
ok "off the allowlist: refused before signing" haserr n4 "refused before signing"

# ---- 2b. ERC-20 spend limit 1000 base units of the devnet's TestToken (TEST_TOKEN):
# an AllowlistModule execution hook holding the limit + the allowlist it implies
# (only transfer/approve on the token)
TT=${TEST_TOKEN:-}
[ -n "$TT" ] || echo "Bail out! the devnet has no TEST_TOKEN"
tbal() { printf '%d\n' "$(ethcall "$TT" "0x70a08231$(pad "${1#0x}")")"; }
xfer() { echo "0xa9059cbb$(pad "${RCPT#0x}")$(pad "$(printf '%x' "$1")")"; }
rpc "$RPC_URL" eth_sendTransaction \
    "[{\"from\":\"$FUNDER_ADDRESS\",\"to\":\"$TT\",\"data\":\"0x40c10f19$(pad "${ACC#0x}")$(pad 2710)\"}]" >/dev/null
is "TestToken minted 10000 to the account" "$(tbal "$ACC")" 10000
inst i7 7 ske --erc20-limit "$TT:1000"
is "install --erc20-limit TOKEN:1000 at entity 7: exit 0" "$RC" 0
ok "install --erc20-limit: says the allowlist binds only a signer that checks it" \
    haserr i7 "does not look inside executeUserOp"
run l7 session-key list --rpc-url "$RPC_URL" --account "$ACC" --json
E7='.sessionKeys[] | select(.entityId == 7)'
is "list: entity 7 has the AllowlistModule validation hook (the implied allowlist)" \
    "$(jq -c "$E7 | .validationHooks | map(.moduleName)" "$MH_TMP/l7.out")" '["AllowlistModule"]'
is "list: entity 7 has one AllowlistModule execution hook (the limit)" \
    "$(jq -c "$E7 | .executionHooks | map(.moduleName)" "$MH_TMP/l7.out")" '["AllowlistModule"]'
snd e1 7 ske --call "$TT,0,$(xfer 600)"
is "transfer 600 of 1000: exit 0" "$RC" 0
is "transfer 600: the recipient has 600 tokens" "$(tbal "$RCPT")" 600
snd e2 7 ske --exec-hooks --call "$TT,0,$(xfer 500)"
is "transfer 500 more (over the limit): exit 3" "$RC" 3
ok "over the ERC-20 limit: the AllowlistModule hook of entity 7 names the ERC-20 spend limit" \
    haserr e2 "the AllowlistModule hook of entity 7 refused the call: the ERC-20 spend limit would be exceeded (PreExecHookReverted: ExceededTokenLimit)"
is "over the limit: no tokens moved" "$(tbal "$RCPT")" 600
snd e3 7 ske --exec-hooks --call "$TT,0,$(xfer 400)"
is "the remaining 400: exit 0" "$RC" 0
is "ERC-20 limit: 1000 tokens moved in all" "$(tbal "$RCPT") $(tbal "$ACC")" "1000 9000"
snd e4 7 ske --exec-hooks --call "$TT,0,0x40c10f19$(pad "${RCPT#0x}")$(pad 1)"
is "the token's mint (not transfer/approve): exit 3" "$RC" 3
ok "mint: refused before signing by the implied allowlist of entity 7" \
    haserr e4 "(0x40c10f19): refused before signing: the function is not on the key's allowlist (AllowlistModule, entity 7)"
snd e5 7 ske --exec-hooks --call "$RCPT,1"
is "ETH to another address: exit 3" "$RC" 3
ok "other target: refused before signing by the implied allowlist of entity 7" \
    haserr e5 "the target is not on the key's allowlist (AllowlistModule, entity 7)"
is "refused calls: token balances unchanged" "$(tbal "$RCPT") $(tbal "$ACC")" "1000 9000"

# ---- 3. root keys with a time range. Alto checks validAfter against its own (wall)
# clock, so "before" is a key whose range starts in an hour, "inside" and "after" a key
# valid from a minute ago for 30 minutes, with anvil's clock then moved past the end.
T=$(now)
inst i4 4 skt --global --valid-after $((T + 3600)) --valid-until $((T + 7200))
is "install --global --valid-after T+3600 --valid-until T+7200 at entity 4: exit 0" "$RC" 0
run l4 session-key list --rpc-url "$RPC_URL" --account "$ACC" --json
is "list: entity 4 has the TimeRangeModule validation hook" \
    "$(jq -c '.sessionKeys[] | select(.entityId == 4) | .validationHooks | map(.moduleName)' "$MH_TMP/l4.out")" \
    '["TimeRangeModule"]'
B=$(balance "$RCPT")
snd t1 4 skt --global --call "$RCPT,5"
is "before valid-after: exit 3" "$RC" 3
ok "before valid-after: AA22 (not due) named" haserr t1 "AA22"
T=$(now)
inst i6 6 sku --global --valid-after $((T - 60)) --valid-until $((T + 1800))
is "install --global --valid-after T-60 --valid-until T+1800 at entity 6: exit 0" "$RC" 0
snd t2 6 sku --global --call "$RCPT,5"
is "inside the range: exit 0" "$RC" 0
rpc "$RPC_URL" evm_setNextBlockTimestamp "[$((T + 1900))]" >/dev/null
rpc "$RPC_URL" evm_mine "[]" >/dev/null
snd t3 6 sku --global --call "$RCPT,5"
is "after valid-until (anvil clock moved +1900 s): exit 3" "$RC" 3
ok "after valid-until: AA22 (expired) named" haserr t3 "AA22"
is "time range: 5 wei moved once" "$(($(balance "$RCPT") - B))" 5

# ---- 4. a root key with a paymaster guard: only ops paid by 0x...bad0 (mav2 send
# without a paymaster: only the refused side is testable here)
inst i5 5 skp --global --paymaster-guard 0x000000000000000000000000000000000000bad0
is "install --global --paymaster-guard at entity 5: exit 0" "$RC" 0
snd p1 5 skp --global --call "$RCPT,1"
is "op without the guarded paymaster: exit 3" "$RC" 3
ok "without the paymaster: refused by the PaymasterGuardModule hook (AA23, module in the revert data)" \
    haserr p1 "AA23.*1aa7a7f7e29abe0be06c72fd42a1"
ok "without the paymaster: the sentence names the PaymasterGuardModule hook of entity 5" \
    haserr p1 "the PaymasterGuardModule hook of entity 5 refused the call: .*BadPaymasterSpecified"

# ---- 5. revoke the selector-scoped key: refused afterwards, list drops it
run r2 session-key revoke "${NET[@]}" --account "$ACC" --owner-key "$OWNER_PEM" --entity-id 2
is "revoke entity 2 (with its allowlist hook): exit 0" "$RC" 0
snd a6 2 sks --call "$STORE,0,0x12345678$(pad 99)"
is "revoked selector-scoped key: exit 3" "$RC" 3
ok "revoked: AA23" haserr a6 AA23
is "revoked: state unchanged" "$(stored)" "0x$(pad 77)"
run l5 session-key list --rpc-url "$RPC_URL" --account "$ACC" --json
is "list after revoking 2: entities 1 3 7 4 6 5 (install order)" "$(jq -c '[.sessionKeys[].entityId]' "$MH_TMP/l5.out")" \
    '[1,3,7,4,6,5]'

tap_done
