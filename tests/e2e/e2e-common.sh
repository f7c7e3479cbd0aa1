# SPDX-License-Identifier: Apache-2.0
# e2e-common.sh: sourced by every tests/e2e script. Skips without the devnet's
# dependencies, the provider or the tools (plus $E2E_NEEDS), or with $MH_E2E_ELSEWHERE
# (its reason: tools/test.sh runs them in one build only); starts a fresh devnet
# (stopped, with the background processes in BGPIDS, by the EXIT trap; the Alto
# log is copied to $E2E_KEEP_LOGS if set); MAV2, DEVNET, NET (mav2's network
# options), SSV (SingleSignerValidationModule), MAV2_STATE_DIR, and:
#   rpc URL METHOD PARAMS-JSON   the JSON-RPC result (curl without our provider)
#   balance ADDR, ethcall TO DATA, now, pad HEX, lower, deposit_of ADDR
#   nonce_seq KEY                EntryPoint.getNonce(ACC, KEY) sequence
#   signer_of ENTITY             SSV.signers(ENTITY, ACC), lower-case address
#   run NAME ARGS...             mav2 ARGS, output in $MH_TMP/NAME.{out,err}; $RC
#   field NAME KEY               the value of "KEY value" in $MH_TMP/NAME.out
#   wait_for PID CMD...          runs CMD until it succeeds while PID lives (600 s at
#                                most); 1 when it never did
#   e2e_token LABEL              SoftHSM2 token TOKEN=LABEL and OPENSSL_CONF loading
#                                the built p11k1 with its PIN file
#   new_pem NAME                 a fresh secp256k1 key in $MH_TMP/NAME.pem
#   new_account OWNER            ACC = a counterfactual account of OWNER ($SALT),
#                                funded with 2 ETH
#   session_account              token key SK (address SESSION) installed as entity 1
#                                (global) on a new deployed account ACC of the PEM
#                                owner $MH_TMP/owner.pem (address OWNER); one test point
#   devnet_owner_pem             OWNER_PEM = the devnet's OWNER key (unlocked in anvil,
#                                so it can also call the account directly) as a PEM file
#   mav2d_conf DIR NAME ...      a mav2d configuration (tests/harness/mav2d-conf.sh)
#   start_paymaster TOOL         runs tests/devnet/tools/TOOL (a pm_* service, log in
#                                $PM_LOG) and sets the NAME=VALUE words of the line it
#                                prints once listening (PAYMASTER_URL, PAYMASTER, ...)
. "$MH_TOP_SRCDIR/tests/harness/tap.sh"
. "$MH_TOP_SRCDIR/tests/harness/mav2d-conf.sh"
[ -z "${MH_E2E_ELSEWHERE:-}" ] || tap_skip_all "$MH_E2E_ELSEWHERE"
MAV2="$MH_TOP_BUILDDIR/mav2/mav2"
DEVNET="$MH_TOP_SRCDIR/tests/devnet"
[ -d "$DEVNET/node_modules" ] ||
    tap_skip_all "needs the devnet's npm packages: run (cd $DEVNET && npm ci) to enable"
. "$MH_TOP_SRCDIR/tests/harness/provider.sh"
for t in pkcs11-tool curl jq node ${E2E_NEEDS:-}; do
    command -v $t >/dev/null || tap_skip_all "$t not installed"
done

export DEVNET_DIR="$MH_TMP/devnet"
BGPIDS=()
stop_all() {
    for p in "${BGPIDS[@]}"; do kill "$p" 2>/dev/null; done
    [ -n "${E2E_KEEP_LOGS:-}" ] && cp "$DEVNET_DIR/alto.log" "$E2E_KEEP_LOGS" 2>/dev/null
    "$DEVNET/devnet.sh" stop >/dev/null 2>&1
    rm -rf "$MH_TMP"
}
trap stop_all EXIT
trap 'exit 1' INT TERM HUP PIPE
if ! "$DEVNET/devnet.sh" start >"$MH_TMP/devnet.out" 2>"$MH_TMP/devnet.err"; then
    sed 's/^/# /' "$MH_TMP/devnet.err"
    echo "Bail out! devnet did not start"
    exit 1
fi
. "$DEVNET_DIR/devnet.env"
export MAV2_STATE_DIR="$MH_TMP/state"
SSV=0x00000000000099DE0BF6fA90dEB851E2A2df7d83
NET=(--rpc-url "$RPC_URL" --bundler-url "$BUNDLER_URL" --poll 100 --timeout 60)

rpc() {
    OPENSSL_CONF=/dev/null curl -s -H 'content-type: application/json' \
        -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$2\",\"params\":$3}" "$1" | jq -c '.result'
}
balance() { printf '%d\n' "$(rpc "$RPC_URL" eth_getBalance "[\"$1\",\"latest\"]" | jq -r .)"; }
ethcall() { rpc "$RPC_URL" eth_call "[{\"to\":\"$1\",\"data\":\"$2\"},\"latest\"]" | jq -r .; }
now() { printf '%d\n' "$(rpc "$RPC_URL" eth_getBlockByNumber '["latest",false]' | jq -r .timestamp)"; }
pad() { printf '%064s' "$1" | tr ' ' 0; } # left-pad hex digits to a word
lower() { tr 'A-F' 'a-f'; }
deposit_of() { printf '%d\n' "$(ethcall "$ENTRY_POINT" "0x70a08231$(pad "${1#0x}")")"; }
nonce_seq() {
    local r
    r=$(ethcall "$ENTRY_POINT" "0x35567e1a$(pad "${ACC#0x}")$(pad "$1")")
    printf '%d\n' "0x${r: -16}"
}
signer_of() {
    local s
    s=$(ethcall "$SSV" "0x217178fb$(pad "$(printf '%x' "$1")")$(pad "${ACC#0x}")")
    echo "0x${s: -40}" | lower
}
run() {
    local name=$1
    shift
    "$MAV2" "$@" >"$MH_TMP/$name.out" 2>"$MH_TMP/$name.err"
    RC=$?
    [ "$RC" -eq 0 ] || sed "s/^/# $name: /" "$MH_TMP/$name.err"
}
wait_for() {
    local pid=$1 end=$((SECONDS + 600))
    shift
    until "$@"; do
        kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$end" ] || return 1
        sleep 0.1
    done
}
field() { awk -v k="$2" '$1 == k { print $2 }' "$MH_TMP/$1.out"; }

e2e_token() {
    TOKEN=$1
    softhsm_init "$TOKEN"
    prov_conf
    export OPENSSL_CONF="$MH_TMP/openssl.cnf"
}
new_pem() {
    OPENSSL_CONF=/dev/null openssl ecparam -name secp256k1 -genkey -noout -out "$MH_TMP/$1.pem"
}
new_account() {
    SALT=$((RANDOM * 32768 + RANDOM + 1))
    ACC=$("$MAV2" account address --owner "$1" --salt "$SALT" | head -1)
    rpc "$RPC_URL" eth_sendTransaction \
        "[{\"from\":\"$FUNDER_ADDRESS\",\"to\":\"$ACC\",\"value\":\"0x1bc16d674ec80000\"}]" >/dev/null
}
session_account() {
    e2e_token e2e
    p11tool_keygen sk1 01 2>/dev/null
    SK="pkcs11:token=$TOKEN;object=sk1"
    new_pem owner
    SESSION=$("$MAV2" address --key "$SK")
    OWNER=$("$MAV2" address --key "$MH_TMP/owner.pem")
    new_account "$OWNER"
    run install session-key install "${NET[@]}" --account "$ACC" --owner-key "$MH_TMP/owner.pem" \
        --session-key "$SK" --entity-id 1 --global --factory-owner "$OWNER" --salt "$SALT"
    is "setup: account deployed with the token key as entity 1" "$RC" 0
}
start_paymaster() {
    local line
    rm -f "$MH_TMP/pm.fifo" && mkfifo "$MH_TMP/pm.fifo"
    exec 6<>"$MH_TMP/pm.fifo"
    node "$DEVNET/tools/$1" "$RPC_URL" "$FUNDER_ADDRESS" >&6 2>"$MH_TMP/pm.err" &
    BGPIDS+=($!)
    read -r -t 600 -u 6 line || true # the readiness line, written once it listens
    eval "$line"
}
devnet_owner_pem() { # SEC1 DER built by hand; needs E2E_NEEDS=xxd
    printf '302e0201010420%sa00706052b8104000a' "${OWNER_PRIVATE_KEY#0x}" | xxd -r -p >"$MH_TMP/owner.der"
    OPENSSL_CONF=/dev/null openssl ec -inform DER -in "$MH_TMP/owner.der" -out "$MH_TMP/owner.pem" 2>/dev/null
    OWNER_PEM="$MH_TMP/owner.pem"
}
