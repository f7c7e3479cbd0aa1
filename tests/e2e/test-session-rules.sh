#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test-session-rules.sh: the permission rules of mav2 session-key install against the
# devnet (stand-ins that behave as MAv2 v2.0.0): each refusal is one line, exit 1, no
# op sent; --selector execute alone installs exactly execute; the account refuses a
# selector installed twice (ValidationAlreadySet); a root key with a native limit and
# an expiry; the AllowlistModule does not look inside executeUserOp (an op signed
# offline reaches a target off the allowlist), so mav2 send checks every call itself.
E2E_NEEDS=xxd
. "$MH_TOP_SRCDIR/tests/e2e/e2e-common.sh"
e2e_token rules
devnet_owner_pem

for l in skg skx skr ska; do
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
rpc "$RPC_URL" anvil_setCode "[\"$STORE\",\"0x60043560005500\"]" >/dev/null
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
T=$(now)

# ---- 1. refusals: one line naming what is wrong, exit 1, the owner's nonce unchanged
OWNER_SEQ=$(nonce_seq 1)
refuse() { # NAME WHAT-THE-LINE-SAYS DESCRIPTION RESTRICTIONS...
    local name=$1 says=$2 what=$3
    shift 3
    inst "$name" 9 skx "$@"
    is "$what: exit 1" "$RC" 1
    ok "$what: one line saying \"$says\"" sh -c "[ \$(wc -l <'$MH_TMP/$name.err') -eq 1 ] && grep -q '$says' '$MH_TMP/$name.err'"
}
refuse f1 "could call nothing" "--native-limit alone (execute anywhere with value 0)" --native-limit 1000
refuse f2 "could call nothing" "--valid-until alone" --valid-until $((T + 3600))
refuse f3 "could call nothing" "--gas-limit alone" --gas-limit 1ether
refuse f4 "could call nothing" "--paymaster-guard alone" --paymaster-guard "$RCPT"
refuse f5 "installValidation (0x1bbf564c)" "--selector installValidation" --selector 0x1bbf564c
refuse f6 "upgradeToAndCall" "--allow TARGET:upgradeToAndCall" --allow "$STORE:0x4f1ef286"
refuse f7 "updateFallbackSignerData" "--selector updateFallbackSignerData (the owner)" \
    --selector 0x30009d52
refuse f8 "account itself" "--allow the account itself" --allow "$ACC"
refuse f9 "two permissions name the target" "--allow one target twice" \
    --allow "$STORE" --allow "$STORE:0x12345678"
run f10 session-key install "${NET[@]}" --account "$ACC" --owner-key "$OWNER_PEM" \
    --session-key "$(K skx)" --entity-id 0x7fffffff --global
is "entity 0x7fffffff: exit 1" "$RC" 1
ok "entity 0x7fffffff: one line naming the gas-limit hook's entity" \
    sh -c "[ \$(wc -l <'$MH_TMP/f10.err') -eq 1 ] && grep -q '0x7fffffff' '$MH_TMP/f10.err'"
is "refusals: no owner op was sent (owner nonce unchanged)" "$(nonce_seq 1)" "$OWNER_SEQ"

# ---- 2. --selector execute alone: exactly execute (single calls, any target)
inst s1 2 skx --selector 0xb61d27f6
is "--selector 0xb61d27f6 at entity 2: exit 0" "$RC" 0
run l2 session-key list --rpc-url "$RPC_URL" --account "$ACC" --json
is "list: entity 2 holds exactly execute, not global, no hooks" \
    "$(jq -c '.sessionKeys[] | select(.entityId == 2) | [.selectors, .global, (.validationHooks | length), (.executionHooks | length)]' "$MH_TMP/l2.out")" \
    '[["0xb61d27f6"],false,0,0]'
B=$(balance "$RCPT")
snd x1 2 skx --call "$RCPT,3"
is "execute to any target: exit 0" "$RC" 0
snd x2 2 skx --call "$RCPT,1" --call "$STORE,0,0x12345678$(pad 5)"
is "two calls (executeBatch): exit 3" "$RC" 3
ok "executeBatch: AA23 ValidationFunctionMissing(0x34fcd5be)" haserr x2 "AA23.*cf7b49f634fcd5be"
is "execute only: 3 wei moved, once" "$(($(balance "$RCPT") - B))" 3

# ---- 3. the account refuses a selector installed twice on one validation
INST8="0x1bbf564c${SSV#0x}0000000201$(printf '%014d' 0)$(pad 80)$(pad c0)$(pad e0)$(pad 1)b61d27f6$(printf '%056d' 0)$(pad 0)$(pad 0)"
OPENSSL_CONF=/dev/null curl -s -H 'content-type: application/json' -d \
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_call\",\"params\":[{\"from\":\"$OWNER_ADDRESS\",\"to\":\"$ACC\",\"data\":\"$INST8\"},\"latest\"]}" \
    "$RPC_URL" >"$MH_TMP/dup.json"
ok "installing execute again on entity 2 reverts ValidationAlreadySet(0xb61d27f6, SSV||2)" \
    sh -c "jq -r '.error.data // empty' '$MH_TMP/dup.json' | grep -qi '^0xd5d4419eb61d27f6'"

# ---- 4. root with limits: --global --native-limit 0.02ether --valid-until now+1h
NTL=0x00000000000001e541f0D090868FBe24b59Fbe06
left() { printf '%d\n' "$(ethcall "$NTL" "0xe19500ba$(pad "$(printf '%x' "$1")")$(pad "${ACC#0x}")")"; }
inst g1 3 skr --global --native-limit 0.02ether --valid-until $((T + 3600))
is "install --global --native-limit 0.02ether --valid-until T+1h at entity 3: exit 0" "$RC" 0
run l3 session-key list --rpc-url "$RPC_URL" --account "$ACC" --json
is "list: entity 3 global, with the time-range validation hook and the native-limit execution hook" \
    "$(jq -c '.sessionKeys[] | select(.entityId == 3) | [.global, (.validationHooks | map(.moduleName)), (.executionHooks | map(.moduleName))]' "$MH_TMP/l3.out")" \
    '[true,["TimeRangeModule"],["NativeTokenLimitModule"]]'
B=$(balance "$RCPT")
snd g2 3 skr --global --call "$RCPT,0.01ether"
is "0.01 ETH with the root key (executeUserOp added by mav2 send): exit 0" "$RC" 0
is "0.01 ETH arrived" "$(($(balance "$RCPT") - B))" 10000000000000000
is "native limit left: 0.01 ETH" "$(left 3)" 10000000000000000
A=$(balance "$ACC")
snd g3 3 skr --global --call "$RCPT,0.05ether"
is "0.05 ETH over the root key's limit: exit 3" "$RC" 3
ok "over the limit: ExceededNativeTokenLimit named" haserr g3 "ExceededNativeTokenLimit"
is "over the limit: nothing paid (account balance unchanged)" "$(balance "$ACC")" "$A"
is "over the limit: limit unchanged" "$(left 3)" 10000000000000000

# ---- 5. the allowlist binds only a signer that checks it
inst a1 4 ska --allow "$STORE:0x12345678"
is "install --allow STORE:0x12345678 at entity 4: exit 0" "$RC" 0
ok "install says the allowlist alone does not confine the key" haserr a1 "does not look inside executeUserOp"
run u1 send "${NET[@]}" --account "$ACC" --key "$(K ska)" --entity-id 4 \
    --call "$STORE,0,0x12345678$(pad 77)" --unsigned-out "$MH_TMP/op.json"
is "an allowed op built with --unsigned-out: exit 0" "$RC" 0
OFF=$("$MAV2" calldata --exec-hooks --call "$RCPT,1")
jq -c --arg cd "$OFF" '.callData = $cd' "$MH_TMP/op.json" >"$MH_TMP/op-off.json"
run s1 sign --userop "$MH_TMP/op-off.json" --key "$(K ska)" --chain-id "$CHAIN_ID"
is "the same op with executeUserOp(execute(RCPT, 1)) signed offline: exit 0" "$RC" 0
cp "$MH_TMP/s1.out" "$MH_TMP/op-signed.json"
B=$(balance "$RCPT")
run b1 submit "$MH_TMP/op-signed.json" --rpc-url "$RPC_URL" --bundler-url "$BUNDLER_URL" --timeout 60
is "submitted: the chain includes it (the module does not look inside executeUserOp): exit 0" "$RC" 0
is "the target off the allowlist got its 1 wei" "$(($(balance "$RCPT") - B))" 1
snd b2 4 ska --call "$RCPT,1"
is "mav2 send of a call off the allowlist: exit 3" "$RC" 3
ok "refused before signing, naming the target" haserr b2 "refused before signing: the target is not on the key's allowlist"
snd b3 4 ska --exec-hooks --call "$RCPT,1"
is "the same inside executeUserOp: exit 3" "$RC" 3
ok "inside executeUserOp: refused before signing" haserr b3 "refused before signing"
snd b4 4 ska --exec-hooks --call "$STORE,0,0xdeadbeef$(pad 1)"
is "a function off the allowlist inside executeUserOp: exit 3" "$RC" 3
ok "refused before signing, naming the function" haserr b4 "(0xdeadbeef): refused before signing: the function is not on the key's allowlist"
is "refused sends: nothing moved" "$(($(balance "$RCPT") - B))" 1

# ---- 6. settings from a profile and a custom chain; a preset whose chain id the node
# does not have is refused before signing
export XDG_CONFIG_HOME="$MH_TMP/cfg"
mkdir -p "$XDG_CONFIG_HOME/mav2"
cat >"$XDG_CONFIG_HOME/mav2/config" <<EOF
[chain devnet]
chain-id = $CHAIN_ID
rpc-url = $RPC_URL
bundler-url = $BUNDLER_URL

[profile dev]
chain = devnet
account = $(echo "$ACC" | lower)
key = $(K skg)
entity-id = 1
global = true

[profile wrong]
chain = sepolia
rpc-url = $RPC_URL
bundler-url = $BUNDLER_URL
account = $(echo "$ACC" | lower)
key = $(K skg)
entity-id = 1
global = true
EOF
chmod 600 "$XDG_CONFIG_HOME/mav2/config"
B=$(balance "$RCPT")
run p1 send --profile dev --poll 100 --call "$RCPT,7"
is "send --profile dev (node, bundler, account, key, entity from the settings): exit 0" "$RC" 0
is "send --profile dev: 7 wei arrived" "$(($(balance "$RCPT") - B))" 7
run p2 send --profile wrong --poll 100 --call "$RCPT,7"
is "a profile naming sepolia against the devnet node: exit 1" "$RC" 1
ok "the chain mismatch is named" haserr p2 "not the expected chain 11155111"
is "chain mismatch: nothing sent" "$(($(balance "$RCPT") - B))" 7
unset XDG_CONFIG_HOME

# ---- 7. output a script can trust: a timed-out send's JSON names its userOpHash;
# --quiet leaves stderr empty on success
rpc "$RPC_URL" evm_setAutomine '[false]' >/dev/null
run o1 send "${NET[@]}" --account "$ACC" --key "$(K skg)" --entity-id 1 --global \
    --call "$RCPT,9" --timeout 0 --json
is "--json --timeout 0 with the chain not mining: exit 4" "$RC" 4
HASH=$(jq -r .userOpHash "$MH_TMP/o1.out")
is "--json timeout: one object {ok:false, exit:4} on stdout" "$(jq -c '[.ok, .exit]' "$MH_TMP/o1.out")" '[false,4]'
ok "--json timeout: it names the userOpHash" sh -c "echo '$HASH' | grep -Eq '^0x[0-9a-f]{64}$'"
rpc "$RPC_URL" evm_setAutomine '[true]' >/dev/null
rpc "$RPC_URL" evm_mine '[]' >/dev/null
run o2 receipt "$HASH" "${NET[@]}" --json
is "receipt of that hash once mined: exit 0" "$RC" 0
is "receipt --json: success" "$(jq -r .success "$MH_TMP/o2.out")" true
run o3 send "${NET[@]}" --account "$ACC" --key "$(K skg)" --entity-id 1 --global \
    --call "$RCPT,1" --quiet
is "--quiet send: exit 0" "$RC" 0
is "--quiet send: nothing on stderr" "$(wc -c <"$MH_TMP/o3.err")" 0
ok "--quiet send: the userOpHash and the receipt on stdout" grep -q "success true" "$MH_TMP/o3.out"

# ---- 8. session-key list through a provider that caps eth_getLogs at 8 blocks: it
# starts at the account's deployment block and pages, with the same answer
rpc "$RPC_URL" anvil_mine '["0x40"]' >/dev/null
run l8 session-key list --rpc-url "$RPC_URL" --account "$ACC" --json
is "list from the node: exit 0" "$RC" 0
node "$DEVNET/tools/range-proxy.mjs" "$RPC_URL" 8 "$MH_TMP/proxy.count" >"$MH_TMP/proxy.port" &
BGPIDS+=($!)
until [ -s "$MH_TMP/proxy.port" ] || ! kill -0 "${BGPIDS[-1]}" 2>/dev/null; do
    sleep 0.1 # until the proxy prints its port (or has died)
done
PROXY="http://127.0.0.1:$(head -1 "$MH_TMP/proxy.port")"
run l9 session-key list --rpc-url "$PROXY" --account "$ACC" --json
is "list through a provider capping ranges at 8 blocks: exit 0" "$RC" 0
is "... the same keys and permissions as from the node" "$(jq -S -c . "$MH_TMP/l9.out")" \
    "$(jq -S -c . "$MH_TMP/l8.out")"
ok "... some ranges were refused and paged (refused answered: $(cat "$MH_TMP/proxy.count"))" \
    sh -c "read r a <'$MH_TMP/proxy.count' && [ \"\$r\" -gt 0 ] && [ \"\$a\" -gt 1 ]"

tap_done
