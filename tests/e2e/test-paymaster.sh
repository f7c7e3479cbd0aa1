#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test-paymaster.sh: sponsored user ops end to end on the devnet: our SponsoringPaymaster
# (tests/devnet/contracts) with an EntryPoint deposit, served over ERC-7677 by
# tests/devnet/tools/paymaster.mjs; `mav2 send --paymaster-url` with a token session key:
# the account pays no gas, the paymaster's deposit does; a refusing service stops the send.
. "$MH_TOP_SRCDIR/tests/e2e/e2e-common.sh"
session_account

export PM_LOG="$MH_TMP/pm.log"
start_paymaster paymaster.mjs
ok "paymaster service up" test -n "${PAYMASTER_URL:-}"
D0=$(deposit_of "$PAYMASTER")
is "paymaster deposit funded (1 ETH)" "$D0" 1000000000000000000

RCPT=0x$(printf '%040x' $((RANDOM * 65536 + RANDOM + 1)))
B0=$(balance "$ACC")
N0=$(nonce_seq 101)
run sp send "${NET[@]}" --account "$ACC" --key "$SK" --entity-id 1 --global \
    --call "$RCPT,1000" --paymaster-url "$PAYMASTER_URL" --paymaster-context '{"policy":"e2e"}'
is "sponsored send: exit 0" "$RC" 0
is "sponsored send: success true" "$(field sp success)" true
is "sponsored send: recipient got 1000 wei" "$(balance "$RCPT")" 1000
is "sponsored send: the account paid only the 1000 wei (no gas)" "$((B0 - $(balance "$ACC")))" 1000
D1=$(deposit_of "$PAYMASTER")
ok "sponsored send: the paymaster's deposit went down" test "$D1" -lt "$D0"
is "sponsored send: deposit spent = actualGasCost" "$((D0 - D1))" "$(field sp actualGasCost)"
is "sponsored send: nonce +1" "$(nonce_seq 101)" $((N0 + 1))
is "sponsored send: stub then final data asked once each" \
    "$(jq -r .method "$PM_LOG" | sort | uniq -c | awk '{print $2 "=" $1}' | tr '\n' ' ')" \
    "pm_getPaymasterData=1 pm_getPaymasterStubData=1 "
is "sponsored send: context passed through" "$(jq -c '.params[3]' "$PM_LOG" | sort -u)" '{"policy":"e2e"}'
H=$(head -1 "$MH_TMP/sp.out")
OP=$(rpc "$BUNDLER_URL" eth_getUserOperationByHash "[\"$H\"]")
is "sponsored send: the included op names our paymaster" \
    "$(echo "$OP" | jq -r .userOperation.paymaster | lower)" "$(echo "$PAYMASTER" | lower)"
is "sponsored send: with the final paymaster data" \
    "$(echo "$OP" | jq -r .userOperation.paymasterData)" "0x01eeeeeeeeeeeeeeee"

# the service refuses: rejected (exit 3) with its reason, nothing sent
run deny send "${NET[@]}" --account "$ACC" --key "$SK" --entity-id 1 --global \
    --call "$RCPT,1" --paymaster-url "$PAYMASTER_URL" --paymaster-context '{"deny":true}'
is "refused sponsorship: exit 3" "$RC" 3
ok "refused sponsorship: says why" grep -q "not sponsored by policy" "$MH_TMP/deny.err"
is "refused sponsorship: nothing sent (nonce unchanged)" "$(nonce_seq 101)" $((N0 + 1))
run both send "${NET[@]}" --account "$ACC" --key "$SK" --entity-id 1 --global \
    --call "$RCPT,1" --paymaster-url "$PAYMASTER_URL" --gas-policy-id x
is "paymaster URL and gas policy together: exit 1" "$RC" 1
tap_done
