#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test-grant-interop.sh: our deferred grants against account kit 4.88.x from npm
# (@account-kit/smart-contracts in tests/devnet), offline: for the same owner, session
# key, entity, deadline and permissions, our grant string is byte-identical to
# compileDeferred + buildDeferredActionDigest given our owner signature (ECDSA nonces
# differ, so the signatures themselves do), our signature recovers to the owner over
# account kit's typed data, account kit's parseDeferredAction reads our string, and
# our decode-grant reads account kit's (fields and signer).
. "$MH_TOP_SRCDIR/tests/harness/tap.sh"
MAV2="$MH_TOP_BUILDDIR/mav2/mav2"
DEVNET="$MH_TOP_SRCDIR/tests/devnet"
[ -d "$DEVNET/node_modules/@account-kit/smart-contracts" ] ||
    tap_skip_all "account kit missing (cd tests/devnet && npm ci)"
[ -n "${MH_VECTORS:-}" ] || tap_skip_all "MH_VECTORS unset"
for t in node jq xxd; do command -v $t >/dev/null || tap_skip_all "$t not installed"; done
export OPENSSL_CONF=/dev/null
KEY=$(jq -r .deferredAction.ownerPrivateKey "$MH_VECTORS/mav2_calldata.json")
printf '302e0201010420%sa00706052b8104000a' "${KEY#0x}" | xxd -r -p >"$MH_TMP/owner.der"
openssl ec -inform DER -in "$MH_TMP/owner.der" -out "$MH_TMP/owner.pem" 2>/dev/null
OWNER=$("$MAV2" address --key "$MH_TMP/owner.pem")
ACC=$("$MAV2" account address --owner "$OWNER" | head -1)
SESSION=0x$(printf '%040x' $((RANDOM * 65536 + RANDOM + 1)))
TARGET=0x$(printf '%040x' $((RANDOM * 65536 + RANDOM + 7)))
DEADLINE=$(($(date +%s) + 86400))
CHAIN=11155111

check() { # NAME ENTITY KIND OUR-OPTIONS...
    local name=$1 e=$2 kind=$3
    shift 3
    "$MAV2" session-key grant --chain-id $CHAIN --factory-owner "$OWNER" \
        --owner-key "$MH_TMP/owner.pem" --session-key-address "$SESSION" --entity-id "$e" \
        --deadline "$DEADLINE" "$@" --out "$MH_TMP/$name.hex" 2>/dev/null
    is "$name: our grant made" "$?" 0
    "$MAV2" session-key decode-grant --grant "$MH_TMP/$name.hex" --chain-id $CHAIN \
        --account "$ACC" --json >"$MH_TMP/$name.ours.dec"
    local ours
    ours=$(cat "$MH_TMP/$name.hex")
    (cd "$DEVNET" && node tools/grant-interop.mjs "$KEY" "$SESSION" "$e" "$DEADLINE" "$ours" \
        "$kind" "$TARGET" 10000000000000000) >"$MH_TMP/$name.json" 2>"$MH_TMP/$name.err"
    is "$name: account kit ran" "$?" 0
    sed 's/^/# /' "$MH_TMP/$name.err" | head -5
    J() { jq -r "$1" "$MH_TMP/$name.json"; }
    is "$name: the same account" "$(J .account | tr A-F a-f)" "$(echo "$ACC" | tr A-F a-f)"
    is "$name: byte-identical to compileDeferred + buildDeferredActionDigest" \
        "$(J .rebuilt | tr A-F a-f)" "$ours"
    is "$name: our owner signature recovers to the owner in viem" "$(J .oursSigner)" "$OWNER"
    is "$name: parseDeferredAction reads our entity" "$(J .oursParsed.entityId)" "$e"
    is "$name: ... our global flag" "$(J .oursParsed.isGlobalValidation)" \
        "$([ "$kind" = root ] && echo true || echo false)"
    is "$name: ... our execution-hook flag" "$(J .oursParsed.hasAssociatedExecHooks)" \
        "$([ "$kind" = root ] && echo false || echo true)"
    "$MAV2" session-key decode-grant --grant "$(J .theirs)" --chain-id $CHAIN --account "$ACC" \
        --json >"$MH_TMP/$name.dec" 2>"$MH_TMP/$name.decerr"
    is "$name: we read account kit's grant" "$?" 0
    is "$name: ... signed by the owner" "$(jq -r .signedBy "$MH_TMP/$name.dec")" "$OWNER"
    is "$name: ... the same install call and deadline" \
        "$(jq -r '[.installCall, .deadline, .entityId] | join(" ")' "$MH_TMP/$name.dec")" \
        "$(jq -r '[.installCall, .deadline, .entityId] | join(" ")' <"$MH_TMP/$name.ours.dec")"
}
check root 1 root --global
check limited 2 limited --allow "$TARGET" --native-limit 10000000000000000
tap_done
