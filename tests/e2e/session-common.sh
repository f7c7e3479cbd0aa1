# session-common.sh: what the test-session-*.sh scripts share; source it. Starts one
# devnet (stopped by the EXIT trap), a SoftHSM2 token with an OpenSSL config loading
# the built p11k1 provider, the owner (the devnet's OWNER key: unlocked in anvil, so
# it can also call the account directly) as a PEM file, and the helpers below.
. "$MH_TOP_SRCDIR/tests/common/tap.sh"
MAV2="$MH_TOP_BUILDDIR/mav2/mav2"
DEVNET="$MH_TOP_SRCDIR/tests/devnet"
[ -d "$DEVNET/node_modules" ] || tap_skip_all "devnet dependencies missing (cd tests/devnet && npm ci)"
[ -f "$MH_PROVIDER_DIR/p11k1.so" ] || tap_skip_all "provider not built"
[ -n "${SOFTHSM_MODULE:-}" ] || tap_skip_all "SoftHSM2 not found"
for t in pkcs11-tool curl jq node xxd; do
    command -v $t >/dev/null || tap_skip_all "$t not installed"
done
. "$MH_TOP_SRCDIR/tests/common/softhsm.sh"
unset P11K1_MODULE P11K1_PIN_SOURCE P11K1_PIN_ENV P11K1_EARLY_LOAD OPENSSL_MODULES

export DEVNET_DIR="$MH_TMP/devnet"
stop_all() {
    [ -n "${SESSION_KEEP_LOGS:-}" ] && cp "$DEVNET_DIR/alto.log" "$SESSION_KEEP_LOGS" 2>/dev/null
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

rpc() { # URL METHOD PARAMS-JSON -> result (JSON); curl must not load our provider
    OPENSSL_CONF=/dev/null curl -s -H 'content-type: application/json' \
        -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$2\",\"params\":$3}" "$1" | jq -c '.result'
}
balance() { printf '%d\n' "$(rpc "$RPC_URL" eth_getBalance "[\"$1\",\"latest\"]" | jq -r .)"; }
ethcall() { rpc "$RPC_URL" eth_call "[{\"to\":\"$1\",\"data\":\"$2\"},\"latest\"]" | jq -r .; }
pad() { printf '%064s' "$1" | tr ' ' 0; } # left-pad hex digits to a word
lower() { tr 'A-F' 'a-f'; }
now() { printf '%d\n' "$(rpc "$RPC_URL" eth_getBlockByNumber '["latest",false]' | jq -r .timestamp)"; }
# run NAME ARGS...: mav2 ARGS with stdout/stderr in $MH_TMP/NAME.{out,err}; $RC
run() {
    local name=$1
    shift
    "$MAV2" "$@" >"$MH_TMP/$name.out" 2>"$MH_TMP/$name.err"
    RC=$?
    [ "$RC" -eq 0 ] || sed "s/^/# $name: /" "$MH_TMP/$name.err"
}
field() { awk -v k="$2" '$1 == k { print $2 }' "$MH_TMP/$1.out"; }
# signers(entity, account) as lower-case 0x address
signer_of() {
    local s
    s=$(ethcall "$SSV" "0x217178fb$(pad "$(printf '%x' "$1")")$(pad "${ACC#0x}")")
    echo "0x${s: -40}" | lower
}

# ---- token + OpenSSL configuration with the built provider (PIN from the config)
TOKEN=sess
softhsm_init "$TOKEN"
write_cnf() { # FILE [pin-source line]
    cat >"$1" <<CNF
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
$2
activate = 1
CNF
}
write_cnf "$MH_TMP/openssl.cnf" "pin-source = $MH_PIN_FILE"
export OPENSSL_CONF="$MH_TMP/openssl.cnf"

# ---- owner: the devnet's OWNER key as a PEM file (SEC1 DER built by hand)
printf '302e0201010420%sa00706052b8104000a' "${OWNER_PRIVATE_KEY#0x}" | xxd -r -p >"$MH_TMP/owner.der"
OPENSSL_CONF=/dev/null openssl ec -inform DER -in "$MH_TMP/owner.der" -out "$MH_TMP/owner.pem" 2>/dev/null
OWNER_PEM="$MH_TMP/owner.pem"
NET=(--rpc-url "$RPC_URL" --bundler-url "$BUNDLER_URL" --poll 100 --timeout 60)

# new_account: $ACC = a fresh counterfactual account of OWNER_ADDRESS ($SALT), funded
new_account() {
    SALT=$((RANDOM * 32768 + RANDOM + 1))
    ACC=$("$MAV2" account address --owner "$OWNER_ADDRESS" --salt "$SALT" | head -1)
    rpc "$RPC_URL" eth_sendTransaction \
        "[{\"from\":\"$FUNDER_ADDRESS\",\"to\":\"$ACC\",\"value\":\"0x1bc16d674ec80000\"}]" >/dev/null
}
