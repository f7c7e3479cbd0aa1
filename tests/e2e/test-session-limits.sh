#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test-session-limits.sh: `mav2 session-key list` shows what each key's permission hooks
# allow and what is left (native, gas and ERC-20 limits after spending part of them,
# named selectors, allowlist targets/selectors, time range with dates, paymaster guard),
# text and --json; `mav2 session-key update` changes limits and the time range through
# the modules' setters (one owner op), confirmed by list and on chain (a send over the
# old limit but under the new one is included); each refused update exits 1 with one
# line and nothing sent (the owner's nonce unchanged).
E2E_NEEDS=xxd
. "$MH_TOP_SRCDIR/tests/e2e/e2e-common.sh"
e2e_token lim
devnet_owner_pem

for l in skg skn ske skt skp; do
    "$MAV2" session-key create --token "pkcs11:token=$TOKEN" --label $l >/dev/null ||
        echo "Bail out! cannot create $l"
done
K() { echo "pkcs11:token=$TOKEN;object=$1"; }
new_account "$OWNER_ADDRESS"
run inst0 session-key install "${NET[@]}" --account "$ACC" --owner-key "$OWNER_PEM" \
    --session-key "$(K skg)" --entity-id 1 --global --factory-owner "$OWNER_ADDRESS" --salt "$SALT"
is "setup: deploy + a global key at entity 1: exit 0" "$RC" 0
RCPT=0x$(printf '%040x' $((RANDOM * 65536 + RANDOM + 1)))
STORE=0x5707e00000000000000000000000000000005e55
rpc "$RPC_URL" anvil_setCode "[\"$STORE\",\"0x60043560005500\"]" >/dev/null
TT=${TEST_TOKEN:-}
[ -n "$TT" ] || echo "Bail out! the devnet has no TEST_TOKEN"
TTL=$(echo "$TT" | lower)
rpc "$RPC_URL" eth_sendTransaction \
    "[{\"from\":\"$FUNDER_ADDRESS\",\"to\":\"$TT\",\"data\":\"0x40c10f19$(pad "${ACC#0x}")$(pad 2710)\"}]" >/dev/null
tbal() { printf '%d\n' "$(ethcall "$TT" "0x70a08231$(pad "${1#0x}")")"; }
xfer() { echo "0xa9059cbb$(pad "${RCPT#0x}")$(pad "$(printf '%x' "$1")")"; }
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
upd() { # NAME ENTITY UPDATE-ARGS...
    local name=$1 e=$2
    shift 2
    run "$name" session-key update "${NET[@]}" --account "$ACC" --owner-key "$OWNER_PEM" \
        --entity-id "$e" "$@"
}
lst() { # NAME: list, text in NAME.out, --json in NAME-j.out
    run "$1" session-key list --rpc-url "$RPC_URL" --account "$ACC"
    run "$1-j" session-key list --rpc-url "$RPC_URL" --account "$ACC" --json
}
J() { jq -c ".sessionKeys[] | select(.entityId == $1) | $2" "$MH_TMP/$3-j.out"; }
# the text lines of entity $1 in list $2 that start with $3
T() { sed -n "/^entity $1\$/,/^entity /p" "$MH_TMP/$2.out" | grep "^  $3 " | sed "s/^  $3 //"; }
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
# NativeTokenLimitModule.limits(uint256 entity, ACC) (0xe19500ba) read directly
ntl_left() {
    printf '%d\n' "$(ethcall 0x00000000000001e541f0D090868FBe24b59Fbe06 \
        "0xe19500ba$(pad "$(printf '%x' "$1")")$(pad "${ACC#0x}")")"
}

# ---- installs
T0=$(now)
inst i2 2 skn --native-limit 1000 --gas-limit 1ether --allow "$RCPT"
is "install native 1000 + gas 1 ETH + allow RCPT at entity 2: exit 0" "$RC" 0
inst i3 3 ske --erc20-limit "$TT:1000" --allow "$STORE:0x12345678"
is "install erc20 TT:1000 + allow STORE:0x12345678 at entity 3: exit 0" "$RC" 0
inst i4 4 skt --global --native-limit 0.02ether --valid-after $((T0 - 60)) --valid-until $((T0 + 3600))
is "install global + native 0.02 ETH + time range at entity 4: exit 0" "$RC" 0
inst i5 5 skp --selector 0xb61d27f6 --selector 0x8dd7712f --selector 0x11223344 \
    --paymaster-guard 0x000000000000000000000000000000000000bad0 --valid-after $((T0 - 60))
is "install selectors execute, executeUserOp, 0x11223344 + paymaster guard + valid-after at entity 5: exit 0" "$RC" 0

# ---- spend part of each limit
B=$(balance "$RCPT")
snd s2 2 skn --call "$RCPT,300"
is "entity 2 sends 300 wei: exit 0" "$RC" 0
snd s3 3 ske --call "$TT,0,$(xfer 600)"
is "entity 3 transfers 600 tokens: exit 0" "$RC" 0
snd s4 4 skt --global --call "$RCPT,0.01ether"
is "entity 4 (global) sends 0.01 ETH: exit 0" "$RC" 0
is "spent: RCPT got 300 wei + 0.01 ETH, 600 tokens" "$(($(balance "$RCPT") - B)) $(tbal "$RCPT")" \
    "10000000000000300 600"

# ---- list: what is left
lst l1
is "list (text): exit 0" "$RC" 0
GAS2=$(ntl_left $((2 + 0x7fffffff)))
ok "gas limit of entity 2 partly spent on chain (0 < left < 1 ETH)" \
    test "$GAS2" -gt 0 -a "$GAS2" -lt 1000000000000000000
is "text: entity 2 native-limit-left 700" "$(T 2 l1 native-limit-left)" 700
is "text: entity 2 gas-limit-left = limits(2 + 0x7fffffff) on chain" "$(T 2 l1 gas-limit-left)" "$GAS2"
is "text: entity 2 selector-names execute,executeBatch" "$(T 2 l1 selector-names)" execute,executeBatch
is "text: entity 2 allows RCPT, any function" "$(T 2 l1 allow | lower)" \
    "$(echo "$RCPT" | lower) any-function"
is "text: entity 3 erc20-limit-left TT 400" "$(T 3 l1 erc20-limit-left | lower)" "$TTL 400"
is "text: entity 3 allows TT approve,transfer and STORE 0x12345678" "$(T 3 l1 allow | lower)" \
    "$TTL approve,transfer
$(echo $STORE | lower) 0x12345678"
is "text: entity 4 native-limit-left 0.01 ETH" "$(T 4 l1 native-limit-left)" 10000000000000000
is "text: entity 4 global, selector-names -" "$(T 4 l1 global) $(T 4 l1 selector-names)" "yes -"
is "text: entity 4 valid-after seconds + date" "$(T 4 l1 valid-after)" "$((T0 - 60)) $(iso $((T0 - 60)))"
is "text: entity 4 valid-until seconds + date" "$(T 4 l1 valid-until)" "$((T0 + 3600)) $(iso $((T0 + 3600)))"
is "text: entity 5 selector-names execute,executeUserOp,0x11223344" "$(T 5 l1 selector-names)" \
    execute,executeUserOp,0x11223344
is "text: entity 5 paymaster-guard" "$(T 5 l1 paymaster-guard | lower)" \
    0x000000000000000000000000000000000000bad0
is "text: entity 5 valid-after only: valid-until none" "$(T 5 l1 valid-after) / $(T 5 l1 valid-until)" \
    "$((T0 - 60)) $(iso $((T0 - 60))) / none"
is "text: entity 5 has no limit or allowlist lines" \
    "$(T 5 l1 native-limit-left)$(T 5 l1 gas-limit-left)$(T 5 l1 erc20-limit-left)$(T 5 l1 allow)" ""
is "text: entity 1 (global, no hooks) has none of the new lines" \
    "$(sed -n '/^entity 1$/,/^entity /p' "$MH_TMP/l1.out" | grep -c 'left\|allow\|valid-\|paymaster-guard')" 0
is "list --json: exit 0" "$RC" 0
is "json: entity 2 nativeLimitLeft, gasLimitLeft" "$(J 2 '[.nativeLimitLeft, .gasLimitLeft]' l1)" \
    "[\"700\",\"$GAS2\"]"
is "json: entity 2 selectorNames" "$(J 2 .selectorNames l1)" '["execute","executeBatch"]'
is "json: entity 2 allowlist" \
    "$(J 2 '.allowlist | map([(.target | ascii_downcase), .anyTarget, .hasSelectorAllowlist, .selectors, .selectorNames])' l1)" \
    "[[\"$(echo "$RCPT" | lower)\",false,false,[],[]]]"
is "json: entity 2 no ERC-20 limits, time range or paymaster guard" \
    "$(J 2 '[.erc20LimitsLeft, .timeRange, .paymasterGuard]' l1)" '[null,null,null]'
is "json: entity 3 erc20LimitsLeft" "$(J 3 '.erc20LimitsLeft | map([(.token | ascii_downcase), .left])' l1)" \
    "[[\"$TTL\",\"400\"]]"
is "json: entity 3 allowlist" \
    "$(J 3 '.allowlist | map([(.target | ascii_downcase), .anyTarget, .hasSelectorAllowlist, .selectors, .selectorNames])' l1)" \
    "[[\"$TTL\",false,true,[\"0x095ea7b3\",\"0xa9059cbb\"],[\"approve\",\"transfer\"]],[\"$(echo $STORE | lower)\",false,true,[\"0x12345678\"],[\"0x12345678\"]]]"
is "json: entity 3 no native or gas limit" "$(J 3 '[.nativeLimitLeft, .gasLimitLeft]' l1)" '[null,null]'
is "json: entity 4 timeRange" "$(J 4 .timeRange l1)" \
    "{\"validAfter\":$((T0 - 60)),\"validAfterUtc\":\"$(iso $((T0 - 60)))\",\"validUntil\":$((T0 + 3600)),\"validUntilUtc\":\"$(iso $((T0 + 3600)))\"}"
is "json: entity 4 global, nativeLimitLeft 0.01 ETH" "$(J 4 '[.global, .nativeLimitLeft]' l1)" \
    '[true,"10000000000000000"]'
is "json: entity 5 paymasterGuard, selectorNames" \
    "$(J 5 '[(.paymasterGuard | ascii_downcase), .selectorNames]' l1)" \
    '["0x000000000000000000000000000000000000bad0",["execute","executeUserOp","0x11223344"]]'
is "json: entity 5 timeRange without an end" "$(J 5 '.timeRange | [.validUntil, .validUntilUtc]' l1)" \
    '[281474976710655,null]'
is "json: the old fields are still there (entity 2)" \
    "$(J 2 '[.selectors, (.validationHooks | map(.moduleName)), (.executionHooks | map(.moduleName))]' l1)" \
    '[["0xb61d27f6","0x34fcd5be"],["NativeTokenLimitModule","AllowlistModule"],["NativeTokenLimitModule"]]'

# ---- refused updates: exit 1, one line, nothing sent
N0=$(nonce_seq 1)
refused() { # NAME WHAT PATTERN
    is "$2: exit 1" "$RC" 1
    is "$2: one line on stderr" "$(wc -l <"$MH_TMP/$1.err")" 1
    ok "$2: says why" grep -q "$3" "$MH_TMP/$1.err"
    is "$2: nothing sent (the owner's nonce unchanged)" "$(nonce_seq 1)" "$N0"
}
upd u1 9 --native-limit 5
refused u1 "update of an entity not installed" "entity 9 is not installed"
upd u2 2
refused u2 "update without a change" "no change given"
upd u3 3 --native-limit 5
refused u3 "--native-limit on a key without a native limit" "no native-token limit"
upd u4 4 --gas-limit 5
refused u4 "--gas-limit on a key without a gas limit" "no gas limit"
upd u5 2 --erc20-limit "$TT:5"
refused u5 "--erc20-limit on a key without ERC-20 limits" "no ERC-20 limit"
upd u6 3 --erc20-limit "$STORE:5"
refused u6 "--erc20-limit on a token the key has no limit for" "no ERC-20 limit on"
upd u7 2 --valid-until $((T0 + 100))
refused u7 "--valid-until on a key without a time range" "no time range"
upd u8 4 --valid-until $((T0 - 120))
refused u8 "--valid-until before the key's valid-after" "must be after"
upd u9 3 --erc20-limit "$TT:5" --erc20-limit "$TT:6"
refused u9 "the same token twice" "given twice"

# ---- updates: raise, then spend over the old limit
upd u10 2 --native-limit 2000
is "update entity 2 --native-limit 2000: exit 0" "$RC" 0
is "update: one owner op" "$(nonce_seq 1)" $((N0 + 1))
ok "update: says what changed" grep -q "native-limit-left 700 -> 2000" "$MH_TMP/u10.err"
lst l2
is "after update: entity 2 native-limit-left 2000 (text)" "$(T 2 l2 native-limit-left)" 2000
is "after update: entity 2 nativeLimitLeft 2000 (json)" "$(J 2 .nativeLimitLeft l2)" '"2000"'
B=$(balance "$RCPT")
snd s5 2 skn --call "$RCPT,1500"
is "1500 wei (over the old 700, under the new 2000): exit 0" "$RC" 0
is "1500 wei moved" "$(($(balance "$RCPT") - B))" 1500
upd u11 2 --native-limit 100 --gas-limit 2ether
is "update entity 2 native 100 + gas 2 ETH (executeBatch): exit 0" "$RC" 0
is "update: one more owner op" "$(nonce_seq 1)" $((N0 + 2))
lst l3
is "after update: entity 2 native and gas left" "$(T 2 l3 native-limit-left) $(T 2 l3 gas-limit-left)" \
    "100 2000000000000000000"
is "gas left on chain at entity 2 + 0x7fffffff" "$(ntl_left $((2 + 0x7fffffff)))" 2000000000000000000
B=$(balance "$RCPT")
snd s6 2 skn --call "$RCPT,400"
is "400 wei over the lowered limit of 100: exit 3" "$RC" 3
is "refused: nothing moved, native limit still 100" "$(($(balance "$RCPT") - B)) $(ntl_left 2)" "0 100"

upd u12 3 --erc20-limit "$TT:5000"
is "update entity 3 --erc20-limit TT:5000: exit 0" "$RC" 0
lst l4
is "after update: entity 3 erc20-limit-left TT 5000" "$(T 3 l4 erc20-limit-left | lower)" "$TTL 5000"
snd s7 3 ske --call "$TT,0,$(xfer 4500)"
is "transfer 4500 (over the old 400, under the new 5000): exit 0" "$RC" 0
lst l5
is "entity 3: 500 tokens left" "$(J 3 '.erc20LimitsLeft | map(.left)' l5)" '["500"]'
is "token balances" "$(tbal "$RCPT") $(tbal "$ACC")" "5100 4900"

upd u13 4 --valid-until $((T0 + 7200))
is "update entity 4 --valid-until T0+7200 (valid-after kept): exit 0" "$RC" 0
upd u14 4 --valid-after $((T0 - 30)) --native-limit 0.05ether
is "update entity 4 --valid-after T0-30 --native-limit 0.05ether: exit 0" "$RC" 0
lst l6
is "after updates: entity 4 valid-after" "$(T 4 l6 valid-after)" "$((T0 - 30)) $(iso $((T0 - 30)))"
is "after updates: entity 4 valid-until" "$(T 4 l6 valid-until)" "$((T0 + 7200)) $(iso $((T0 + 7200)))"
is "after updates: entity 4 json timeRange" "$(J 4 '.timeRange | [.validAfter, .validUntil]' l6)" \
    "[$((T0 - 30)),$((T0 + 7200))]"
# past the old valid-until (T0+3600), before the new one (T0+7200)
rpc "$RPC_URL" evm_setNextBlockTimestamp "[$((T0 + 3700))]" >/dev/null
rpc "$RPC_URL" evm_mine "[]" >/dev/null
B=$(balance "$RCPT")
snd s8 4 skt --global --call "$RCPT,0.03ether"
is "global key after its old valid-until, 0.03 ETH (over the old 0.01 left, under the new 0.05): exit 0" "$RC" 0
is "0.03 ETH moved" "$(($(balance "$RCPT") - B))" 30000000000000000
is "entity 4: 0.02 ETH left" "$(ntl_left 4)" 20000000000000000

tap_done
