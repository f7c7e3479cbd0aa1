#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test-url.sh: node, bundler and paymaster URLs on the command line. A URL whose
# host part is malformed is bad input (exit 1, one line, only the scheme and what
# parsed as a host shown); an API key sent over plain http to a host that is not
# loopback gets one warning. No network is used: every command stops at the options.
. "$MH_TOP_SRCDIR/tests/harness/tap.sh"
MAV2="$MH_TOP_BUILDDIR/mav2/mav2"
[ -x "$MAV2" ] || tap_skip_all "mav2 not built"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mav2-url.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
T=0x1111111111111111111111111111111111111111

run() {
    "$MAV2" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
    rc=$?
}
# refused NAME SHOWN ARGS...: exit 1, one line naming SHOWN, no SECRET anywhere
refused() {
    local name=$1 shown=$2
    shift 2
    run "$@"
    is "$name: exit 1" "$rc" 1
    is "$name: one line on stderr, nothing on stdout" \
        "$(wc -l <"$TMP/err") $(wc -c <"$TMP/out")" "1 0"
    ok "$name: SECRET not printed" sh -c "! grep -q SECRET '$TMP/err' '$TMP/out'"
    if grep -qF -- "$shown..." "$TMP/err"; then ok "$name: shows $shown" true; else
        ok "$name: shows $shown (got: $(cat "$TMP/err"))" false; fi
}

for u in 'http://127.0.0.1:1;SECRET' 'http://127.0.0.1\SECRET/' 'http://127.0.0.1%2fSECRET/'; do
    refused "send --rpc-url $u" "--rpc-url: malformed URL http://127.0.0.1" \
        send --rpc-url "$u" --account $T --key k --entity-id 1 --call $T,1
done
refused "send --bundler-url" "--bundler-url: malformed URL https://b.example" \
    send --rpc-url http://127.0.0.1:1 --bundler-url 'https://b.example:8545;SECRET' \
    --account $T --key k --entity-id 1 --call $T,1
refused "send --paymaster-url" "--paymaster-url: malformed URL http://pm" \
    send --rpc-url http://127.0.0.1:1 --paymaster-url 'http://pm\SECRET' \
    --account $T --key k --entity-id 1 --call $T,1
refused "receipt" "--rpc-url: malformed URL http://h" receipt --rpc-url 'http://h:99;SECRET' 0x00
refused "submit" "--rpc-url: malformed URL http://h" submit --rpc-url 'http://h%2fSECRET' f.json
refused "session-key list" "--rpc-url: malformed URL http://127.0.0.1" \
    session-key list --rpc-url 'http://127.0.0.1:1;SECRET' --account $T
refused "sign-message" "--rpc-url: malformed URL http://127.0.0.1" \
    sign-message --rpc-url 'http://127.0.0.1:1;SECRET' --account $T --entity-id 1 --message hi \
    --key k

# An API key over plain http to a remote host: one warning, the key not in it.
KEYURL=http://eth-mainnet.example/v2/SECRETaB3dEfGhIjKlMn0123
run submit --rpc-url "$KEYURL" --bundler-url "$KEYURL"
is "key over http: exit 1 (no FILE)" "$rc" 1
is "key over http: warned once" "$(grep -c 'warning: --rpc-url http://eth-mainnet.example/... sends what looks like an API key over plain http' "$TMP/err")" 1
is "key over http: one warning in all" "$(grep -c warning "$TMP/err")" 1
ok "key over http: the key is not printed" sh -c "! grep -q SECRET '$TMP/err'"
for u in https://eth-mainnet.example/v2/aB3dEfGhIjKlMn0123456789 \
    http://127.0.0.1:8545/v2/aB3dEfGhIjKlMn0123456789 http://node.example:8545/; do
    run submit --rpc-url "$u"
    is "no warning for $u" "$(grep -c warning "$TMP/err")" 0
done
tap_done
