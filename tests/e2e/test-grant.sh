#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test-grant.sh: deferred grants on the devnet (stand-ins with MAv2's deferred path):
# a grant made with no network; the session key's first op deploys the counterfactual
# account, installs the key and pays; a used grant is ignored; after a revoke the same
# grant is refused before sending (its lane moved on); a grant for another chain id and
# an expired grant are refused before signing; a grant with a native limit wraps
# executeUserOp by itself; the grant's allowlist is checked before its first op is
# signed; a token-held owner grants a token-held session key. The grant ops s1 (the
# account without code, a deadline) and s4 (deployed) go through a logging proxy in front
# of node and bundler each (bench/count-proxy.mjs): the grant's reads are one request;
# the same checks hold through a node that refuses batches (its calls one at a time).
. "$MH_TOP_SRCDIR/tests/e2e/e2e-common.sh"
e2e_token grant
for l in sk1 sk2 sk3 own; do
    "$MAV2" session-key create --token "pkcs11:token=$TOKEN" --label $l >/dev/null ||
        echo "Bail out! cannot create $l"
done
K() { echo "pkcs11:token=$TOKEN;object=$1"; }
new_pem owner
OWNER=$("$MAV2" address --key "$MH_TMP/owner.pem")
new_account "$OWNER"
RCPT=0x$(printf '%040x' $((RANDOM * 65536 + RANDOM + 1)))
grant() { # NAME ENTITY KEY OPTIONS...: a grant of the PEM owner for ACC, no network
    local name=$1 e=$2 k=$3
    shift 3
    run "$name" session-key grant --chain-id "$CHAIN_ID" --factory-owner "$OWNER" \
        --salt "$SALT" --owner-key "$MH_TMP/owner.pem" --session-key "$(K "$k")" \
        --entity-id "$e" --out "$MH_TMP/$name.hex" "$@"
}
snd() { # NAME ENTITY KEY SEND-ARGS...
    local name=$1 e=$2 k=$3
    shift 3
    run "$name" send "${NET[@]}" --account "$ACC" --key "$(K "$k")" --entity-id "$e" "$@"
}
haserr() { grep -q "$2" "$MH_TMP/$1.err"; }
proxy() { # UPSTREAM NAME FD [no-batch]: PORT = a logging proxy's (log $MH_TMP/NAME.log)
    mkfifo "$MH_TMP/$2.port" && eval "exec $3<>\"\$MH_TMP/$2.port\""
    node "$MH_TOP_SRCDIR/bench/count-proxy.mjs" "$1" "$MH_TMP/$2.log" ${4:-} >&"$3" &
    BGPIDS+=($!)
    PORT=
    read -r -t 600 -u "$3" PORT || echo "Bail out! the $2 proxy did not start"
}
proxy "$RPC_URL" node 7
PNET=(--rpc-url "http://127.0.0.1:$PORT")
proxy "$BUNDLER_URL" bundler 8
PNET+=(--bundler-url "http://127.0.0.1:$PORT" --poll 100 --timeout 60)
proxy "$RPC_URL" nobatch 9 no-batch # a node that refuses batches (as Alto does)
NBNET=(--rpc-url "http://127.0.0.1:$PORT" --bundler-url "$BUNDLER_URL" --timeout 60)
counts_reset() { : >"$MH_TMP/node.log" && : >"$MH_TMP/bundler.log"; }
before_receipt() { grep -vc eth_getUserOperationReceipt "$@"; } # requests of the logs
calls_of() { awk -v one="$1" '(NF == 2) == one' "$MH_TMP/nobatch.log" | wc -l; } # 1|0
counted() { # NAME: the requests of the op just run, per server, before the receipt
    echo "# $1: node $(before_receipt "$MH_TMP/node.log"), bundler" \
        "$(before_receipt "$MH_TMP/bundler.log") HTTP requests before the receipt;" \
        "what they asked:"
    cat "$MH_TMP/node.log" "$MH_TMP/bundler.log" | cut -d' ' -f2- | sed 's/^/#   /'
}
code_of() { rpc "$RPC_URL" eth_getCode "[\"$ACC\",\"latest\"]" | jq -r .; }

# ---- made offline: the command has no node option; in a network namespace of its own
# (no interface up) when unshare works here
OFFLINE=()
unshare -n true 2>/dev/null && OFFLINE=(unshare -n)
grant_offline() {
    "${OFFLINE[@]}" "$MAV2" session-key grant --chain-id "$CHAIN_ID" --factory-owner "$OWNER" \
        --salt "$SALT" --owner-key "$MH_TMP/owner.pem" --session-key "$(K sk1)" --entity-id 1 \
        --global --deadline +1d --out "$MH_TMP/g1.hex" 2>"$MH_TMP/g1.err"
}
grant_offline
is "grant made with no network${OFFLINE:+ (unshare -n)}: exit 0" "$?" 0
ok "account kit's string: flag 0x00, then the nonce of entity 1 (global, deferred)" \
    grep -qi '^0x00000000000000000000000000000000000000000000000103' "$MH_TMP/g1.hex"
grant gx 1 sk1 --global --chain-id 1 --deadline +1d
is "a grant signed for chain 1: made" "$RC" 0

# ---- refused before signing: another chain id; the account stays without code
snd x1 1 sk1 --global --grant "$MH_TMP/gx.hex" --factory-owner "$OWNER" --salt "$SALT" \
    --call "$RCPT,1000"
is "a grant for chain 1 on chain $CHAIN_ID: exit 1" "$RC" 1
ok "... refused before signing, naming the owner and chain" haserr x1 "refused before signing.*owner"
is "... nothing sent: the account has no code" "$(code_of)" 0x

# ---- the first op deploys the account, installs the key and pays
counts_reset
run s1 send "${PNET[@]}" --account "$ACC" --key "$(K sk1)" --entity-id 1 --global \
    --grant "$MH_TMP/g1.hex" --factory-owner "$OWNER" --salt "$SALT" --call "$RCPT,1000"
is "first op with the grant: exit 0" "$RC" 0
counted s1
is "... the node got 2 requests before the receipt (the grant's reads, the send's)" \
    "$(before_receipt "$MH_TMP/node.log")" 2
ok "the account is deployed" sh -c "[ '$(code_of)' != 0x ]"
is "the session key is installed at entity 1" "$(signer_of 1)" \
    "$("$MAV2" address --key "$(K sk1)" | lower)"
is "the recipient got its 1000 wei" "$(balance "$RCPT")" 1000
is "the deferred lane moved to 1" "$(nonce_seq 103)" 1

# ---- a used grant is ignored with one line; the op goes on the ordinary lane
snd s2 1 sk1 --global --grant "$MH_TMP/g1.hex" --call "$RCPT,1000"
is "the same grant again: exit 0" "$RC" 0
ok "... said to be used and ignored" haserr s2 "was used, ignored"
is "... the op used the key's own lane" "$(nonce_seq 101)" 1

# ---- another key at the grant's entity: refused before signing
grant g6 1 sk2 --global --deadline +1d
snd x2 1 sk2 --global --grant "$MH_TMP/g6.hex" --call "$RCPT,1000"
is "a grant for entity 1, which holds another key: exit 1" "$RC" 1
ok "... refused before signing: the entity holds another key" \
    haserr x2 "refused before signing: entity 1 holds another key"

# ---- after a revoke the same grant is refused before sending
run rv session-key revoke "${NET[@]}" --account "$ACC" --owner-key "$MH_TMP/owner.pem" \
    --entity-id 1
is "revoke entity 1: exit 0" "$RC" 0
snd s3 1 sk1 --global --grant "$MH_TMP/g1.hex" --call "$RCPT,1000"
is "the grant after the revoke: exit 1" "$RC" 1
ok "... refused: its lane has moved on" haserr s3 "refused before signing.*sequence 1"

# ---- a node that refuses batches: the same checks, its reads one call at a time
run s3b send "${NBNET[@]}" --account "$ACC" --key "$(K sk1)" --entity-id 1 --global \
    --grant "$MH_TMP/g1.hex" --call "$RCPT,1000"
is "the grant after the revoke, the node refusing batches: exit 1" "$RC" 1
ok "... refused: its lane has moved on" haserr s3b "refused before signing.*sequence 1"
is "... one batch sent (refused), then the 6 reads one at a time" \
    "$(calls_of 0) $(calls_of 1)" "1 6"
: >"$MH_TMP/nobatch.log"
run x1b send "${NBNET[@]}" --account "$ACC" --key "$(K sk1)" --entity-id 1 --global \
    --grant "$MH_TMP/gx.hex" --call "$RCPT,1000"
is "the grant for chain 1, the node refusing batches: exit 1" "$RC" 1
ok "... refused before signing, naming the owner and chain" haserr x1b "refused before signing.*owner"
is "... the refusal remembered (state directory): no batch, 6 calls" \
    "$(calls_of 0) $(calls_of 1)" "0 6"

# ---- a native limit: the grant says execution hooks, the op is wrapped by itself
grant g2 2 sk2 --global --native-limit 0.01ether --no-deadline
is "grant with a native limit: exit 0" "$RC" 0
ok "... its flag byte is 0x01" grep -qi '^0x01' "$MH_TMP/g2.hex"
counts_reset
run s4 send "${PNET[@]}" --json --account "$ACC" --key "$(K sk2)" --entity-id 2 --global \
    --grant "$MH_TMP/g2.hex" --call "$RCPT,2000"
is "first op of the limited key: exit 0" "$RC" 0
counted s4
is "... on the deployed account: 2 requests to the node before the receipt" \
    "$(before_receipt "$MH_TMP/node.log")" 2
is "... 5 in all (+ the bundler's chain id, the estimate, the send)" \
    "$(cat "$MH_TMP/node.log" "$MH_TMP/bundler.log" | before_receipt)" 5
H=$(jq -r .userOpHash "$MH_TMP/s4.out")
CD=$(rpc "$BUNDLER_URL" eth_getUserOperationByHash "[\"$H\"]" | jq -r .userOperation.callData)
is "... its call data starts with executeUserOp" "${CD:0:10}" 0x8dd7712f
is "... the recipient has 4000 wei" "$(balance "$RCPT")" 4000

# ---- the grant's allowlist holds at the signer for its first op (nothing installed yet)
ALLOWED=0x$(printf '%040x' $((RANDOM * 65536 + RANDOM + 3)))
grant g5 4 sk1 --allow "$ALLOWED" --no-deadline
is "grant of a key allowed one target: exit 0" "$RC" 0
snd s7 4 sk1 --grant "$MH_TMP/g5.hex" --call "$RCPT,1000"
is "its first op to another target: exit 3" "$RC" 3
ok "... refused before signing: not on the grant's allowlist" \
    haserr s7 "refused before signing.*not on the grant's allowlist"
is "... nothing installed at entity 4" "$(signer_of 4)" 0x0000000000000000000000000000000000000000
snd s8 4 sk1 --grant "$MH_TMP/g5.hex" --call "$ALLOWED,1000"
is "its first op to the allowed target: exit 0" "$RC" 0
is "... the target got its 1000 wei" "$(balance "$ALLOWED")" 1000

# ---- a token-held owner grants a token-held session key, on a new account
TOWNER=$("$MAV2" address --key "$(K own)")
ACC1=$ACC
new_account "$TOWNER"
run g3 session-key grant --chain-id "$CHAIN_ID" --factory-owner "$TOWNER" --salt "$SALT" \
    --owner-key "$(K own)" --session-key "$(K sk3)" --entity-id 1 --global --deadline +1d \
    --out "$MH_TMP/g3.hex"
is "grant signed by the token owner: exit 0" "$RC" 0
snd s5 1 sk3 --global --grant "$MH_TMP/g3.hex" --factory-owner "$TOWNER" --salt "$SALT" \
    --call "$RCPT,1000"
is "its first op deploys and pays: exit 0" "$RC" 0
is "... the token session key is installed" "$(signer_of 1)" \
    "$("$MAV2" address --key "$(K sk3)" | lower)"

# ---- expired (last: moves the chain's clock): refused before signing
ACC=$ACC1
grant g4 3 sk3 --global --deadline +1h
is "a grant valid for an hour: made" "$RC" 0
rpc "$RPC_URL" evm_increaseTime '[7200]' >/dev/null
rpc "$RPC_URL" evm_mine '[]' >/dev/null
snd s6 3 sk3 --global --grant "$MH_TMP/g4.hex" --call "$RCPT,1000"
is "the grant two hours later: exit 1" "$RC" 1
ok "... refused before signing: expired" haserr s6 "refused before signing.*expired"
is "... nothing installed at entity 3" "$(signer_of 3)" 0x0000000000000000000000000000000000000000
tap_done
