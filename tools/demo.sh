#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# demo.sh: the whole job on one machine (Debian 12): installs the dependencies,
# builds, starts the local devnet (anvil + EntryPoint v0.7 + Alto bundler + MAv2
# stand-ins), makes a SoftHSM2 token holding a secp256k1 session key, lets an owner
# (PEM key) create its account counterfactually while installing the token key as
# session key (entity 1, global), then sends ETH with the token key through the
# bundler. Everything started is stopped on exit.
#   tools/demo.sh [--no-deps] [--no-build]
#   MAV2_DEMO_BUILD=DIR  use the build in DIR (default: the in-tree build when the
#                        source tree is configured, else _build/demo)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
deps=1 build=1
for a in "$@"; do
    case $a in
    --no-deps) deps=0 ;;
    --no-build) build=0 ;;
    -h | --help)
        sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "demo: unknown option $a" >&2
        exit 1
        ;;
    esac
done
step() { printf '\n== %s\n' "$*"; }
say() { printf '   %-22s %s\n' "$1" "$2"; }

if [ "$deps" = 1 ]; then
    step "dependencies (tools/setup-deps.sh --devnet)"
    "$here/tools/setup-deps.sh" --devnet
fi

if [ -n "${MAV2_DEMO_BUILD:-}" ]; then
    B=$MAV2_DEMO_BUILD
elif [ -f "$here/config.status" ]; then
    B=$here # the source tree is configured in-tree: a VPATH build is refused there
else
    B=$here/_build/demo
fi
if [ "$build" = 1 ]; then
    step "build in $B"
    [ -x "$here/configure" ] || (cd "$here" && ./autogen.sh >/dev/null)
    mkdir -p "$B"
    [ -f "$B/config.status" ] || (cd "$B" && "$here/configure" --quiet)
    make -C "$B" -j"$(nproc)" >/dev/null
fi
MAV2=$B/mav2/mav2
PROVIDER=$B/provider/.libs/p11k1.so
[ -x "$MAV2" ] && [ -f "$PROVIDER" ] || {
    echo "demo: $MAV2 or $PROVIDER missing (build first)" >&2
    exit 1
}
SOFTHSM_MODULE=${SOFTHSM_MODULE:-$(ls /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so 2>/dev/null | head -1)}
[ -n "$SOFTHSM_MODULE" ] || {
    echo "demo: SoftHSM2 not found (apt-get install softhsm2)" >&2
    exit 1
}

T=$(mktemp -d "${TMPDIR:-/tmp}/mav2-demo.XXXXXX")
export DEVNET_DIR=$T/devnet MAV2_STATE_DIR=$T/state
cleanup() {
    "$here/tests/devnet/devnet.sh" stop >/dev/null 2>&1 || true
    rm -rf "$T"
}
trap cleanup EXIT

step "local devnet (tests/devnet/devnet.sh start)"
"$here/tests/devnet/devnet.sh" start >"$T/devnet.out" 2>"$T/devnet.err" || {
    cat "$T/devnet.err" >&2
    exit 1
}
. "$DEVNET_DIR/devnet.env"
say "node" "$RPC_URL (chain $CHAIN_ID)"
say "bundler (Alto)" "$BUNDLER_URL"
say "EntryPoint v0.7" "$ENTRY_POINT"

rpc() { # URL METHOD PARAMS -> result
    OPENSSL_CONF=/dev/null curl -s -H 'content-type: application/json' \
        -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$2\",\"params\":$3}" "$1" | jq -r '.result'
}
eth() { # wei -> ETH
    local w
    w=$(printf '%d' "$(rpc "$RPC_URL" eth_getBalance "[\"$1\",\"latest\"]")")
    awk -v w="$w" 'BEGIN { printf "%.6f ETH", w / 1e18 }'
}

step "SoftHSM2 token with a secp256k1 session key"
mkdir -p "$T/tokens"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$T" >"$T/softhsm2.conf"
export SOFTHSM2_CONF=$T/softhsm2.conf
printf '1234' >"$T/pin"
chmod 600 "$T/pin"
softhsm2-util --init-token --free --label demo --so-pin 5678 --pin 1234 >/dev/null
cat >"$T/openssl.cnf" <<CNF
openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
default = default_sect
p11k1 = p11k1_sect
[default_sect]
activate = 1
[p11k1_sect]
module = $PROVIDER
pkcs11-module = $SOFTHSM_MODULE
pin-source = $T/pin
activate = 1
CNF
export OPENSSL_CONF=$T/openssl.cnf
printf '   $ mav2 session-key create --token pkcs11:token=demo --label sk1\n'
"$MAV2" session-key create --token "pkcs11:token=demo" --label sk1 >"$T/create.out"
SK="pkcs11:token=demo;object=sk1"
SESSION=$("$MAV2" address --key "$SK")
[ "$SESSION" = "$(sed -n 's/^address //p' "$T/create.out")" ] || {
    echo "demo: the created key's address does not match" >&2
    exit 1
}
say "session key" "$SK"
say "session key address" "$SESSION"

step "owner key (PEM) and its counterfactual account"
OPENSSL_CONF=/dev/null openssl ecparam -name secp256k1 -genkey -noout -out "$T/owner.pem"
OWNER=$("$MAV2" address --key "$T/owner.pem")
ACC=$("$MAV2" account address --owner "$OWNER" --salt 0 | head -1)
say "owner" "$OWNER"
say "account (not deployed)" "$ACC"
rpc "$RPC_URL" eth_sendTransaction \
    "[{\"from\":\"$FUNDER_ADDRESS\",\"to\":\"$ACC\",\"value\":\"0xde0b6b3a7640000\"}]" >/dev/null
say "account balance" "$(eth "$ACC") (funded by anvil's first account)"

NET=(--rpc-url "$RPC_URL" --bundler-url "$BUNDLER_URL" --poll 250)
step "owner deploys the account and installs the token key (entity 1, global)"
echo "   \$ mav2 session-key install --account $ACC --owner-key owner.pem \\"
echo "       --session-key '$SK' --entity-id 1 --global --factory-owner $OWNER"
"$MAV2" session-key install "${NET[@]}" --account "$ACC" --owner-key "$T/owner.pem" \
    --session-key "$SK" --entity-id 1 --global --factory-owner "$OWNER" --salt 0 | sed 's/^/   /'

TO=0xd8dA6BF26964aF9D7eEd9e03E53415D37aA96045
step "the session key (on the token) sends 0.01 ETH through the bundler"
say "account before" "$(eth "$ACC")"
say "recipient before" "$(eth "$TO")"
echo "   \$ mav2 send --account $ACC --key '$SK' --entity-id 1 --global \\"
echo "       --call $TO,0.01ether"
"$MAV2" send "${NET[@]}" --account "$ACC" --key "$SK" --entity-id 1 --global \
    --call "$TO,0.01ether" | sed 's/^/   /'
say "account after" "$(eth "$ACC")"
say "recipient after" "$(eth "$TO")"

step "done: devnet stopped, token and keys removed"
