#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test-policy.sh: the off-chain policy and the audit ledger on the devnet. A SoftHSM2
# token key (entity 1, global) sends through `mav2 send` with a profile holding
# policy-* settings, its token reached through OpenSC's pkcs11-spy: each rule (target,
# selector, value per op, value per 24 h across runs, ops per minute, cost per op)
# refuses before any C_Sign and lets through what it may; the ledger holds one "sign"
# line per C_Sign of the token, the "outcome" of each op sent, the "refused" lines,
# and `mav2 audit verify` finds it intact.
. "$MH_TOP_SRCDIR/tests/e2e/e2e-common.sh"

session_account
[ -n "${PKCS11_SPY:-}" ] && [ -r "$PKCS11_SPY" ] || {
    tap_skip "the policy's refusals before any C_Sign" "pkcs11-spy not found"
    tap_done
}
# the same token through the spy from here on
provider_cnf "$MH_TMP/spy.cnf" "pin-source = $MH_PIN_FILE"
sed -i "s|^pkcs11-module = .*|pkcs11-module = $PKCS11_SPY|" "$MH_TMP/spy.cnf"
export OPENSSL_CONF="$MH_TMP/spy.cnf" PKCS11SPY="$SOFTHSM_MODULE" PKCS11SPY_OUTPUT="$MH_TMP/spy.log"
signs() { grep -cE ': C_Sign$' "$MH_TMP/spy.log" 2>/dev/null || true; }
LEDGER="$MAV2_STATE_DIR/ledger.jsonl"

RCPT=0x$(printf '%040x' $((RANDOM * 65536 + RANDOM + 1)))
OTHER=0x$(printf '%040x' $((RANDOM * 65536 + RANDOM + 7)))
STORE=0x5707e00000000000000000000000000000000e2e
rpc "$RPC_URL" anvil_setCode "[\"$STORE\",\"0x60043560005500\"]" >/dev/null
export XDG_CONFIG_HOME="$MH_TMP/cfg"
mkdir -p "$XDG_CONFIG_HOME/mav2"
{
    printf '[profile p]\npolicy-allow = %s %s:0x12345678\n' "$RCPT" "$STORE"
    printf 'policy-max-value = 0.002ether\npolicy-value-cap = 0.003ether/24h\n'
    printf 'policy-max-cost = 0.5ether\n'
    printf '[profile cheap]\npolicy-max-cost = 1wei\n'
    printf '[profile rate]\npolicy-ops-per-minute = 1\n'
} >"$XDG_CONFIG_HOME/mav2/config"
chmod 600 "$XDG_CONFIG_HOME/mav2/config"
SEND=(send "${NET[@]}" --account "$ACC" --key "$SK" --entity-id 1 --global)

# refused: nothing signed (no C_Sign), nothing sent (the lane's nonce stays)
refused() { # NAME RULE PROFILE CALL...
    local name=$1 rule=$2 prof=$3 before seq
    shift 3
    before=$(signs)
    seq=$(nonce_seq 101)
    run "$name" "${SEND[@]}" --profile "$prof" "$@"
    is "$name: exit 1" "$RC" 1
    ok "$name: one line naming $rule" \
        sh -c "[ \$(wc -l <'$MH_TMP/$name.err') = 1 ] && grep -q 'refused by $rule' '$MH_TMP/$name.err'"
    is "$name: no C_Sign" "$(signs)" "$before"
    is "$name: nothing sent (nonce of the lane unchanged)" \
        "$(nonce_seq 101)" "$seq"
}
allowed() { # NAME PROFILE CALL...
    local name=$1 prof=$2 before
    shift 2
    before=$(signs)
    run "$name" "${SEND[@]}" --profile "$prof" "$@"
    is "$name: exit 0" "$RC" 0
    is "$name: one C_Sign" "$(signs)" "$((before + 1))"
}

allowed send1 p --call "$RCPT,0.001ether"
is "send1: recipient got 0.001 ETH" "$(balance "$RCPT")" 1000000000000000
refused other policy-allow p --call "$OTHER,0.001ether"
refused selector policy-allow p --call "$STORE,0,0xdeadbeef$(pad 2a)"
allowed store p --call "$STORE,0,0x12345678$(pad 2a)"
refused value policy-max-value p --call "$RCPT,0.0021ether"
allowed send2 p --call "$RCPT,0.002ether"
refused cap policy-value-cap p --call "$RCPT,0.0005ether"
is "cap: the recipient has 0.003 ETH, no more" "$(balance "$RCPT")" 3000000000000000
refused cost policy-max-cost cheap --call "$RCPT,0"
# ops per minute: a window entry far in the future stands for an op just signed, so
# the check does not depend on how fast the sends above ran
W=$(ls "$MAV2_STATE_DIR"/policy-31337-* | grep -v '\.lock$' | head -1)
printf '%s 0x0\n' $(($(date +%s) + 100000)) >>"$W"
refused rate policy-ops-per-minute rate --call "$RCPT,0"

# ---- the ledger
run verify audit verify "$LEDGER"
is "audit verify: the ledger is intact" "$RC" 0
SERIAL=$(jq -r 'select(.event == "sign" and .tokenSerial != "") | .tokenSerial' "$LEDGER" | sort -u)
is "ledger: one sign line per C_Sign of the token" \
    "$(jq -c 'select(.event == "sign" and .tokenSerial != "")' "$LEDGER" | wc -l)" "$(signs)"
is "ledger: the token's serial on them" "$(echo "$SERIAL" | wc -l)" 1
is "ledger: the key id (CKA_ID 01)" \
    "$(jq -r 'select(.event == "sign" and .tokenSerial != "") | .keyId' "$LEDGER" | sort -u)" 01
for n in send1 store send2; do
    H=$(head -1 "$MH_TMP/$n.out")
    is "ledger: $n signed, allowed, its calls decoded" \
        "$(jq -r --arg h "$H" 'select(.event == "sign" and .userOpHash == $h) | "\(.verdict) \(.calls | length) \(.entity)"' "$LEDGER")" \
        "allowed 1 1"
    is "ledger: $n included" \
        "$(jq -r --arg h "$H" 'select(.event == "outcome" and .userOpHash == $h) | .outcome' "$LEDGER")" \
        included
done
is "ledger: send1's call as sent" \
    "$(jq -r --arg h "$(head -1 "$MH_TMP/send1.out")" 'select(.userOpHash == $h and .event == "sign") | .calls[0] | "\(.to) \(.value)"' "$LEDGER" | lower)" \
    "$RCPT 0x38d7ea4c68000"
is "ledger: the refusals, each with its rule" \
    "$(jq -r 'select(.event == "refused") | .rule' "$LEDGER" | tr '\n' ' ')" \
    "policy-allow policy-allow policy-max-value policy-value-cap policy-max-cost policy-ops-per-minute "
ok "ledger: no PIN in it" sh -c "! grep -qF \"\$(cat '$MH_PIN_FILE')\\\"\" '$LEDGER'"
is "ledger: mode 0600" "$(stat -c %a "$LEDGER")" 600
run show audit show "$LEDGER" --account "$ACC" --json
is "audit show --account: every line is about the account" \
    "$(jq -r .account "$MH_TMP/show.out" | lower | sort -u)" "$(echo "$ACC" | lower)"

# a line changed / removed
sed '2s/"time":"/"time": "/' "$LEDGER" >"$MH_TMP/changed.jsonl"
run changed audit verify "$MH_TMP/changed.jsonl"
is "audit verify, a line changed: exit 1" "$RC" 1
ok "audit verify, a line changed: the line after it named" grep -q "line 3:" "$MH_TMP/changed.err"
sed '3d' "$LEDGER" >"$MH_TMP/removed.jsonl"
run removed audit verify "$MH_TMP/removed.jsonl"
is "audit verify, a line removed: exit 1" "$RC" 1
ok "audit verify, a line removed: line 3 named" grep -q "line 3:" "$MH_TMP/removed.err"
tap_done
