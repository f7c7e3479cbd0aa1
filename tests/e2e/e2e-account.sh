# e2e-account.sh (sourced by test-paymaster.sh, test-replace.sh): a fresh devnet, a
# SoftHSM2 token session key (SK, address SESSION) installed as entity 1 (global) on a
# counterfactual account ACC of a PEM owner, deployed and funded with 2 ETH; helpers
# rpc, balance, ethcall, pad, nonce_seq, lower, run, field (as in test-send.sh).
. "$MH_TOP_SRCDIR/tests/common/tap.sh"
MAV2="$MH_TOP_BUILDDIR/mav2/mav2"
DEVNET="$MH_TOP_SRCDIR/tests/devnet"
[ -d "$DEVNET/node_modules" ] || tap_skip_all "devnet dependencies missing (cd tests/devnet && npm ci)"
[ -f "$MH_PROVIDER_DIR/p11k1.so" ] || tap_skip_all "provider not built"
[ -n "${SOFTHSM_MODULE:-}" ] || tap_skip_all "SoftHSM2 not found"
for t in pkcs11-tool curl jq node; do
    command -v $t >/dev/null || tap_skip_all "$t not installed"
done
. "$MH_TOP_SRCDIR/tests/common/softhsm.sh"
unset P11K1_MODULE P11K1_PIN_SOURCE P11K1_PIN_ENV P11K1_EARLY_LOAD OPENSSL_MODULES

export DEVNET_DIR="$MH_TMP/devnet"
BGPIDS=()
stop_all() {
    for p in "${BGPIDS[@]}"; do kill "$p" 2>/dev/null; done
    "$DEVNET/devnet.sh" stop >/dev/null 2>&1
    rm -rf "$MH_TMP"
}
trap stop_all EXIT
if ! "$DEVNET/devnet.sh" start >"$MH_TMP/devnet.out" 2>"$MH_TMP/devnet.err"; then
    sed 's/^/# /' "$MH_TMP/devnet.err"
    echo "Bail out! devnet did not start"
    exit 1
fi
. "$DEVNET_DIR/devnet.env"
export MAV2_STATE_DIR="$MH_TMP/state"

rpc() { # URL METHOD PARAMS-JSON -> result (JSON); curl must not load our provider
    OPENSSL_CONF=/dev/null curl -s -H 'content-type: application/json' \
        -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$2\",\"params\":$3}" "$1" | jq -c '.result'
}
balance() { printf '%d\n' "$(rpc "$RPC_URL" eth_getBalance "[\"$1\",\"latest\"]" | jq -r .)"; }
ethcall() { rpc "$RPC_URL" eth_call "[{\"to\":\"$1\",\"data\":\"$2\"},\"latest\"]" | jq -r .; }
pad() { printf '%064s' "$1" | tr ' ' 0; }
nonce_seq() { # EntryPoint.getNonce(ACC, key) sequence
    local r
    r=$(ethcall "$ENTRY_POINT" "0x35567e1a$(pad "${ACC#0x}")$(pad "$1")")
    printf '%d\n' "0x${r: -16}"
}
deposit_of() { printf '%d\n' "$(ethcall "$ENTRY_POINT" "0x70a08231$(pad "${1#0x}")")"; }
lower() { tr 'A-F' 'a-f'; }
run() {
    local name=$1
    shift
    "$MAV2" "$@" >"$MH_TMP/$name.out" 2>"$MH_TMP/$name.err"
    RC=$?
    [ "$RC" -eq 0 ] || sed "s/^/# $name: /" "$MH_TMP/$name.err"
}
field() { awk -v k="$2" '$1 == k { print $2 }' "$MH_TMP/$1.out"; }

TOKEN=e2e
softhsm_init "$TOKEN"
pkcs11-tool --module "$SOFTHSM_MODULE" --token-label "$TOKEN" --login --pin 1234 \
    --keypairgen --key-type EC:secp256k1 --label sk1 --id 01 >/dev/null 2>&1
cat >"$MH_TMP/openssl.cnf" <<CNF
openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
default = default_sect
p11k1 = p11k1_sect
[default_sect]
activate = 1
[p11k1_sect]
module = $MH_PROVIDER_DIR/p11k1.so
pkcs11-module = $SOFTHSM_MODULE
pin-source = $MH_PIN_FILE
activate = 1
CNF
export OPENSSL_CONF="$MH_TMP/openssl.cnf"
SK="pkcs11:token=$TOKEN;object=sk1"
OPENSSL_CONF=/dev/null openssl ecparam -name secp256k1 -genkey -noout -out "$MH_TMP/owner.pem"
SESSION=$("$MAV2" address --key "$SK")
OWNER=$("$MAV2" address --key "$MH_TMP/owner.pem")
SALT=$((RANDOM + 1))
ACC=$("$MAV2" account address --owner "$OWNER" --salt "$SALT" | head -1)
rpc "$RPC_URL" eth_sendTransaction \
    "[{\"from\":\"$FUNDER_ADDRESS\",\"to\":\"$ACC\",\"value\":\"0x1bc16d674ec80000\"}]" >/dev/null
NET=(--rpc-url "$RPC_URL" --bundler-url "$BUNDLER_URL" --poll 100 --timeout 60)
run install session-key install "${NET[@]}" --account "$ACC" --owner-key "$MH_TMP/owner.pem" \
    --session-key "$SK" --entity-id 1 --global --factory-owner "$OWNER" --salt "$SALT"
is "setup: account deployed with the token key as entity 1" "$RC" 0
