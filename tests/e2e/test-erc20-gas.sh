#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test-erc20-gas.sh: gas paid in an ERC-20 token end to end on the devnet: our
# TokenPaymaster (takes the token in postOp) and GasToken (6 decimals) from
# tests/devnet/contracts, served over ERC-7677 by tests/devnet/tools/token-paymaster.mjs;
# `mav2 send --paymaster-token --max-token-amount` with a token session key: no allowance
# -> approve batched in front of the calls, the token pays and the account's ETH does
# not; an allowance already there -> no approve; a cap below the op's cost -> refused
# before signing; bad amounts refused.
. "$MH_TOP_SRCDIR/tests/e2e/e2e-common.sh"
session_account

export PM_LOG="$MH_TMP/pm.log"
start_paymaster token-paymaster.mjs
ok "token paymaster service up" test -n "${PAYMASTER_URL:-}"

tokens() { printf '%d\n' "$(ethcall "$GAS_TOKEN" "0x70a08231$(pad "${1#0x}")")"; }
allowance() { printf '%d\n' "$(ethcall "$GAS_TOKEN" "0xdd62ed3e$(pad "${ACC#0x}")$(pad "${PAYMASTER#0x}")")"; }
op_of() { rpc "$BUNDLER_URL" eth_getUserOperationByHash "[\"$1\"]"; }
# mint(account, 100 tokens)
rpc "$RPC_URL" eth_sendTransaction "[{\"from\":\"$FUNDER_ADDRESS\",\"to\":\"$GAS_TOKEN\",\"data\":\"0x40c10f19$(pad "${ACC#0x}")$(pad 5f5e100)\"}]" >/dev/null
is "the account holds 100 tokens (6 decimals)" "$(tokens "$ACC")" 100000000
is "no allowance for the paymaster yet" "$(allowance)" 0
PAY=(--paymaster-url "$PAYMASTER_URL" --paymaster-token "$GAS_TOKEN")

RCPT=0x$(printf '%040x' $((RANDOM * 65536 + RANDOM + 1)))
# ---- 0. no allowance and no cap: nothing to approve with, refused before signing
NZ=$(nonce_seq 101)
run zero send "${NET[@]}" --account "$ACC" --key "$SK" --entity-id 1 --global --call "$RCPT,1" \
    "${PAY[@]}"
is "no allowance, no --max-token-amount: exit 1" "$RC" 1
ok "no allowance, no --max-token-amount: says so" grep -q "no allowance of token" "$MH_TMP/zero.err"
is "no allowance, no --max-token-amount: nothing sent" "$(nonce_seq 101)" "$NZ"
is "no --max-token-amount: erc20Context without a cap" \
    "$(jq -c '.params[3].erc20Context | keys' "$PM_LOG" | sort -u)" '["tokenAddress"]'
: >"$PM_LOG"

# ---- 1. no allowance: approve(paymaster, 5 tokens) batched; the token pays the gas
B0=$(balance "$ACC")
E0=$(deposit_of "$ACC")
T0=$(tokens "$ACC")
D0=$(deposit_of "$PAYMASTER")
N0=$(nonce_seq 101)
run a send "${NET[@]}" --account "$ACC" --key "$SK" --entity-id 1 --global --call "$RCPT,1000" \
    "${PAY[@]}" --max-token-amount 5 --json
is "token-paid send: exit 0" "$RC" 0
is "token-paid send: success true" "$(jq -r .success "$MH_TMP/a.out")" true
is "token-paid send: recipient got 1000 wei" "$(balance "$RCPT")" 1000
is "token-paid send: the account's ETH paid only the 1000 wei" "$((B0 - $(balance "$ACC")))" 1000
is "token-paid send: the account's EntryPoint deposit untouched" "$(deposit_of "$ACC")" "$E0"
T1=$(tokens "$ACC")
ok "token-paid send: the account's token balance went down ($T0 -> $T1)" test "$T1" -lt "$T0"
is "token-paid send: the paymaster got those tokens" "$(tokens "$PAYMASTER")" "$((T0 - T1))"
is "token-paid send: the paymaster's ETH deposit paid the gas" \
    "$((D0 - $(deposit_of "$PAYMASTER")))" "$(jq -r .actualGasCost "$MH_TMP/a.out")"
is "token-paid send: nonce +1" "$(nonce_seq 101)" $((N0 + 1))
is "5 tokens approved (decimals() read: 6), less what postOp took" "$(allowance)" \
    "$((5000000 - (T0 - T1)))"
ok "token-paid send: stderr notes the batched approve" grep -q "approve(.*5000000) of token" "$MH_TMP/a.err"
HA=$(jq -r .userOpHash "$MH_TMP/a.out")
CD=$(op_of "$HA" | jq -r .userOperation.callData | lower)
ok "the op's calls: approve(paymaster, 5000000) on the token, then the call" \
    grep -q "095ea7b3$(pad "${PAYMASTER#0x}")$(pad 4c4b40)" <<<"$CD"
is "the op's call data is executeBatch" "${CD:0:10}" 0x34fcd5be
is "the included op names the token paymaster" "$(op_of "$HA" | jq -r .userOperation.paymaster | lower)" \
    "$(echo "$PAYMASTER" | lower)"
is "erc20Context sent to the service (stub and final)" \
    "$(jq -c '.params[3].erc20Context | [(.tokenAddress | ascii_downcase), .maxTokenAmount]' "$PM_LOG" | sort -u)" \
    "[\"$(echo "$GAS_TOKEN" | lower)\",\"0x4c4b40\"]"

# ---- 2. the allowance covers the cap: no approve, the single call as execute
: >"$PM_LOG"
T1=$(tokens "$ACC")
A1=$(allowance)
run b send "${NET[@]}" --account "$ACC" --key "$SK" --entity-id 1 --global --call "$RCPT,1" \
    "${PAY[@]}" --max-token-amount 0x1e8480
is "allowance enough: exit 0" "$RC" 0
is "allowance enough: success true" "$(field b success)" true
ok "allowance enough: no approve noted" bash -c "! grep -q approve '$MH_TMP/b.err'"
is "allowance enough: the op is the call alone (execute)" \
    "$(op_of "$(head -1 "$MH_TMP/b.out")" | jq -r .userOperation.callData | cut -c1-10)" 0xb61d27f6
T2=$(tokens "$ACC")
ok "allowance enough: the token paid again" test "$T2" -lt "$T1"
is "allowance enough: the allowance went down by what was paid" "$(allowance)" "$((A1 - (T1 - T2)))"

# ---- 3. a cap below the op's cost: the service refuses, nothing signed or sent
N1=$(nonce_seq 101)
run low send "${NET[@]}" --account "$ACC" --key "$SK" --entity-id 1 --global --call "$RCPT,1" \
    "${PAY[@]}" --max-token-amount 0.000001
is "cap too low: exit 3" "$RC" 3
is "cap too low: one line on stderr" "$(wc -l <"$MH_TMP/low.err")" 1
ok "cap too low: the line names the cap and the cost" grep -q "maxTokenAmount 1 is below" "$MH_TMP/low.err"
is "cap too low: nothing sent (nonce unchanged)" "$(nonce_seq 101)" "$N1"
is "cap too low: no token moved" "$(tokens "$ACC")" "$T2"
is "cap too low: nothing journaled" "$(ls "$MAV2_STATE_DIR" | grep -c '^pending-')" 0

# ---- 4. bad options: refused before anything is sent
run fine send "${NET[@]}" --account "$ACC" --key "$SK" --entity-id 1 --global --call "$RCPT,1" \
    "${PAY[@]}" --max-token-amount 0.0000001
is "more decimals than the token's 6: exit 1" "$RC" 1
ok "more decimals: says so" grep -q "more than 6 decimals" "$MH_TMP/fine.err"
run nourl send "${NET[@]}" --account "$ACC" --key "$SK" --entity-id 1 --global --call "$RCPT,1" \
    --paymaster-token "$GAS_TOKEN"
is "--paymaster-token without --paymaster-url: exit 1" "$RC" 1
ok "without --paymaster-url: says so" grep -q "needs --paymaster-url" "$MH_TMP/nourl.err"
run noamt send "${NET[@]}" --account "$ACC" --key "$SK" --entity-id 1 --global --call "$RCPT,1" \
    "${PAY[@]}" --max-token-amount 1.5x
is "an amount with junk: exit 1" "$RC" 1
is "bad options: nothing sent (nonce unchanged)" "$(nonce_seq 101)" "$N1"
tap_done
