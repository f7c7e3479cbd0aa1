#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test-sign-ledger.sh: the offline signatures are ledgered as send's are: `mav2 sign` (a
# user op) and `mav2 sign-message` (ERC-1271) with a SoftHSM2 token key each append a
# "sign" line to the audit ledger (STATE_DIR/ledger.jsonl, or the profile's ledger) before
# the signature is printed; `mav2 audit verify` checks the chain; a ledger that cannot
# take the line means no signature printed.
. "$MH_TOP_SRCDIR/tests/harness/tap.sh"
. "$MH_TOP_SRCDIR/tests/harness/provider.sh"
MAV2="$MH_TOP_BUILDDIR/mav2/mav2"
command -v pkcs11-tool >/dev/null || tap_skip_all "OpenSC pkcs11-tool not installed"
command -v jq >/dev/null || tap_skip_all "jq not installed"
[ -x "$MAV2" ] || tap_skip_all "mav2 not built"

softhsm_init ledger
p11tool_keygen sk1 0a 2>/dev/null
URI="pkcs11:token=ledger;object=sk1"
prov_conf
export OPENSSL_CONF="$MH_TMP/openssl.cnf" MAV2_STATE_DIR="$MH_TMP/state"
export XDG_CONFIG_HOME="$MH_TMP/cfg"
L="$MAV2_STATE_DIR/ledger.jsonl"
ACC=0x1111111111111111111111111111111111111111
OP="$MH_TMP/op.json"
cat >"$OP" <<'JSON'
{"sender":"0x1111111111111111111111111111111111111111","nonce":"0x1010000000000000005",
 "callData":"0xb61d27f6000000000000000000000000333333333333333333333333333333333333333300000000000000000000000000000000000000000000000000000000000000010000000000000000000000000000000000000000000000000000000000000060000000000000000000000000000000000000000000000000000000000000000000",
 "callGasLimit":"0x5208","verificationGasLimit":"0x186a0","preVerificationGas":"0xc350",
 "maxFeePerGas":"0x77359400","maxPriorityFeePerGas":"0x3b9aca00","signature":"0x"}
JSON
line() { sed -n "${1}p" "$L"; }

# ---- mav2 sign: one "sign" line with the op, then the signature
"$MAV2" sign --userop "$OP" --chain-id 31337 --key "$URI" --json >"$MH_TMP/sign.json" 2>"$MH_TMP/err"
is "mav2 sign: exit 0" "$?" 0
H=$(jq -r .userOpHash "$MH_TMP/sign.json")
is "mav2 sign: one ledger line" "$(wc -l <"$L" 2>/dev/null)" 1
is "mav2 sign: a sign line of the op's hash" "$(line 1 | jq -r '.event + " " + .userOpHash')" "sign $H"
is "mav2 sign: chain, account (the sender), entity and nonce key from its nonce" \
    "$(line 1 | jq -r '[.chain, .account, .entity, .nonceKey, .nonce] | map(tostring) | join(" ")' | tr 'A-F' 'a-f')" \
    "31337 $ACC 1 0x101 0x1010000000000000005"
is "mav2 sign: the decoded call (to, value)" "$(line 1 | jq -r '.calls[0] | .to + " " + .value' | tr 'A-F' 'a-f')" \
    "0x3333333333333333333333333333333333333333 0x1"
is "mav2 sign: the token's serial and the key's id" \
    "$(line 1 | jq -r '(.tokenSerial | length > 0 | tostring) + " " + .keyId')" "true 0a"
is "mav2 sign: maxCost (all gas limits x maxFeePerGas)" "$(line 1 | jq -r .maxCost)" \
    "$(printf '0x%x' $(((0x5208 + 0x186a0 + 0xc350) * 0x77359400)))"

# ---- mav2 sign-message: one "sign" line with the message hash and the signed digest
"$MAV2" sign-message --account "$ACC" --key "$URI" --entity-id 1 --chain-id 31337 --message hi \
    --json >"$MH_TMP/msg.json" 2>"$MH_TMP/err"
is "mav2 sign-message: exit 0" "$?" 0
is "mav2 sign-message: a second ledger line" "$(wc -l <"$L")" 2
is "mav2 sign-message: sign line: chain, account, entity, hash, replaySafeHash" \
    "$(line 2 | jq -r '[.event, .chain, .account, .entity, .messageHash, .replaySafeHash] | map(tostring) | join(" ")' | tr 'A-F' 'a-f')" \
    "sign 31337 $ACC 1 $(jq -r '.hash + " " + .replaySafeHash' "$MH_TMP/msg.json")"
is "mav2 sign-message: the key's id" "$(line 2 | jq -r .keyId)" 0a
ok "no PIN in the ledger" sh -c "! grep -q '\"1234\"\\|pin' '$L'"

# ---- the chain holds: mav2 audit verify
out=$("$MAV2" audit verify "$L" 2>&1)
is "audit verify: ok, 2 lines" "$(cut -d' ' -f1,2 <<<"$out")" "ok 2"
is "audit show: both signatures" "$("$MAV2" audit show "$L" | awk '{ print $2 }' | tr '\n' ' ')" "sign sign "

# ---- the profile's ledger = PATH, and ledger = off (MAV2_PROFILE picks the profile)
mkdir -p "$XDG_CONFIG_HOME/mav2"
export MAV2_PROFILE=t
printf '[profile t]\nledger = %s\n' "$MH_TMP/other/audit.jsonl" >"$XDG_CONFIG_HOME/mav2/config"
"$MAV2" sign --userop "$OP" --chain-id 31337 --key "$URI" --signature-only >/dev/null 2>"$MH_TMP/err"
is "ledger = PATH: exit 0" "$?" 0
is "ledger = PATH: the line went there" "$(jq -r .userOpHash "$MH_TMP/other/audit.jsonl")" "$H"
printf '[profile t]\nledger = off\n' >"$XDG_CONFIG_HOME/mav2/config"
"$MAV2" sign --userop "$OP" --chain-id 31337 --key "$URI" --signature-only >/dev/null 2>"$MH_TMP/err"
is "ledger = off: exit 0, no line anywhere" \
    "$? $(wc -l <"$L") $(wc -l <"$MH_TMP/other/audit.jsonl")" "0 2 1"
rm "$XDG_CONFIG_HOME/mav2/config"
unset MAV2_PROFILE

# ---- a ledger that cannot take the line (a torn last line): no signature given out
printf '{"seq":3' >>"$L"
"$MAV2" sign --userop "$OP" --chain-id 31337 --key "$URI" >"$MH_TMP/out" 2>"$MH_TMP/err"
is "torn ledger: mav2 sign exits 6" "$?" 6
is "torn ledger: nothing on stdout" "$(cat "$MH_TMP/out")" ""
ok "torn ledger: one line naming the ledger" \
    test "$(wc -l <"$MH_TMP/err")" -eq 1 -a -n "$(grep 'mav2 sign: ledger: ' "$MH_TMP/err")"
sed 's/^/# /' "$MH_TMP/err"
"$MAV2" sign-message --account "$ACC" --key "$URI" --entity-id 1 --chain-id 31337 --message hi \
    >"$MH_TMP/out" 2>"$MH_TMP/err"
is "torn ledger: mav2 sign-message exits 6, nothing on stdout" "$? $(cat "$MH_TMP/out")" "6 "
tap_done
