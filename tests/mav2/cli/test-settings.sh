#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test-settings.sh: where the online commands' settings come from (option >
# environment > profile > chain preset), the settings file's refusals naming FILE:LINE,
# the chain presets, and that no secret (API key, key file content) is ever printed.
# No network: online commands are stopped before they reach one.
. "$MH_TOP_SRCDIR/tests/harness/tap.sh"
MAV2="$MH_TOP_BUILDDIR/mav2/mav2"
[ -x "$MAV2" ] || tap_skip_all "mav2 not built"
command -v jq >/dev/null || tap_skip_all "jq not installed"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mav2-settings.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export XDG_CONFIG_HOME="$TMP/cfg"
unset MAV2_RPC_URL ETH_RPC_URL MAV2_BUNDLER_URL MAV2_CHAIN MAV2_PROFILE MAV2_ACCOUNT MAV2_KEY \
    ALCHEMY_API_KEY
mkdir -p "$XDG_CONFIG_HOME/mav2"
CFG="$XDG_CONFIG_HOME/mav2/config"
ACC=0x00000000000000000000000000000000000000aa
SECRET=k3ySECRETsecret
printf '%s\n' "$SECRET" >"$TMP/alchemy.key"
chmod 600 "$TMP/alchemy.key"
write_cfg() { cat >"$CFG" && chmod 600 "$CFG"; }
show() { "$MAV2" config show "$@" 2>"$TMP/err"; }
field() { awk -v k="$1" '$1 == k { print $2 }'; }
src() { awk -v k="$1" '$1 == k { print $3, $4 }'; }

write_cfg <<EOF
# a comment
[profile dev]
chain = devnet
account = $ACC
entity-id = 3
global = true
rpc-url = http://127.0.0.1:1/v2/$SECRET

[profile prod]
chain = base
alchemy-api-key-file = $TMP/alchemy.key
max-cost = 0.001ether

[chain devnet]
chain-id = 31337
bundler-url = http://127.0.0.1:2/rpc
max-cost = 1ether
EOF

# ---- precedence
show --profile dev >"$TMP/dev.out"
is "profile dev: exit 0" "$?" 0
is "profile dev: account from the profile" "$(field account <"$TMP/dev.out")" "$ACC"
is "profile dev: its source is FILE:LINE" "$(src account <"$TMP/dev.out")" "$CFG:4 "
is "profile dev: chain id from [chain devnet]" "$(field chain-id <"$TMP/dev.out")" 31337
is "profile dev: bundler from [chain devnet]" "$(field bundler-url <"$TMP/dev.out")" \
    "http://127.0.0.1:2/..."
is "profile dev: max-cost from [chain devnet]" "$(field max-cost <"$TMP/dev.out")" 1ether
ok "profile dev: the URL's API key is not printed" sh -c "! grep -q '$SECRET' '$TMP/dev.out'"
MAV2_RPC_URL=http://127.0.0.1:3/ show --profile dev >"$TMP/env.out"
is "environment over profile: rpc-url" "$(field rpc-url <"$TMP/env.out")" "http://127.0.0.1:3"
is "environment over profile: said so" "$(src rpc-url <"$TMP/env.out")" "environment MAV2_RPC_URL"
ETH_RPC_URL=http://127.0.0.1:4/ show --profile dev >"$TMP/eth.out"
is "ETH_RPC_URL (cast's) is read too" "$(field rpc-url <"$TMP/eth.out")" "http://127.0.0.1:4"
MAV2_PROFILE=dev show >"$TMP/mp.out"
is "MAV2_PROFILE picks the profile" "$(field entity-id <"$TMP/mp.out")" 3
MAV2_ACCOUNT=0x00000000000000000000000000000000000000bb show --profile dev >"$TMP/acc.out"
is "MAV2_ACCOUNT over the profile" "$(field account <"$TMP/acc.out")" \
    0x00000000000000000000000000000000000000bb

# ---- chain presets with Alchemy: the key from the environment or a key file, never argv
show --profile prod >"$TMP/prod.out"
is "preset base: chain id 8453" "$(field chain-id <"$TMP/prod.out")" 8453
is "preset base: Alchemy's URL for node and bundler (key from the key file), redacted" \
    "$(field rpc-url <"$TMP/prod.out") $(field bundler-url <"$TMP/prod.out")" \
    "https://base-mainnet.g.alchemy.com/... https://base-mainnet.g.alchemy.com/..."
is "the profile's max-cost over the preset's" "$(field max-cost <"$TMP/prod.out")" 0.001ether
ok "the key file's content is never printed" sh -c "! grep -rq '$SECRET' '$TMP/prod.out' '$TMP/err'"
ALCHEMY_API_KEY=$SECRET show --chain sepolia --json >"$TMP/sep.json"
is "--chain sepolia --json: chain id" "$(jq -r '.["chain-id"].value' "$TMP/sep.json")" 11155111
is "--chain sepolia: the chain's default max-cost (bounds.h)" "$(jq -r '.["max-cost"].value' "$TMP/sep.json")" 0.1ether
ok "--chain sepolia: ALCHEMY_API_KEY not printed" sh -c "! grep -q '$SECRET' '$TMP/sep.json'"
MAV2_CHAIN=optimism show --profile dev >"$TMP/opt.out"
is "MAV2_CHAIN over the profile's chain" "$(field chain-id <"$TMP/opt.out")" 10
"$MAV2" chains >"$TMP/chains.out"
is "mav2 chains: ten presets" "$(wc -l <"$TMP/chains.out")" 10
for c in mainnet:1 sepolia:11155111 base:8453 base-sepolia:84532 arbitrum:42161 \
    arbitrum-sepolia:421614 optimism:10 optimism-sepolia:11155420 polygon:137 polygon-amoy:80002; do
    is "mav2 chains: ${c%%:*} is chain ${c##*:}" "$(awk -v n="${c%%:*}" '$1 == n { print $2 }' "$TMP/chains.out")" "${c##*:}"
done

# ---- an online command takes its settings from the profile (stopped at the key)
"$MAV2" send --profile dev --call "$ACC,1" --key "$TMP/none.pem" >/dev/null 2>"$TMP/send.err"
is "send --profile dev: needs nothing else on the command line (stops at the missing key file)" \
    "$?" 2
ok "send --profile dev: the error is about the key" grep -q -- "--key" "$TMP/send.err"
"$MAV2" send --call "$ACC,1" --key "$TMP/none.pem" >/dev/null 2>"$TMP/send2.err"
is "send without a profile: exit 1" "$?" 1
ok "send without a profile: names the missing options" grep -q -- "--rpc-url" "$TMP/send2.err"

# ---- refusals: one line naming FILE:LINE, exit 1
bad_cfg() { # NAME NEEDLE (the file on stdin)
    write_cfg
    show >/dev/null
    local rc=$?
    is "$1: exit 1" "$rc" 1
    ok "$1: one line naming $2" sh -c "[ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q -- '$2' '$TMP/err'"
}
bad_cfg "unknown key" "$CFG:2: unknown setting \"colour\"" < <(printf '[profile a]\ncolour = blue\n')
bad_cfg "bad account" "$CFG:2: account: not an address" < <(printf '[profile a]\naccount = 0x12\n')
bad_cfg "bad URL" "$CFG:2: rpc-url: not an http(s) URL" < <(printf '[profile a]\nrpc-url = ftp://x\n')
bad_cfg "bad bool" "$CFG:2: global: want true or false" < <(printf '[profile a]\nglobal = yes\n')
bad_cfg "bad amount" "$CFG:2: max-cost: not an amount" < <(printf '[profile a]\nmax-cost = lots\n')
bad_cfg "key twice" "$CFG:3: \"key\" given twice" < <(printf '[profile a]\nkey = a\nkey = b\n')
bad_cfg "setting before a section" "$CFG:1: a setting before any" < <(printf 'key = a\n')
bad_cfg "unknown chain" "$CFG:2: chain \"nowhere\" is neither a preset" < <(printf '[profile a]\nchain = nowhere\n')
bad_cfg "a custom chain hiding a preset" "would hide the preset" < <(printf '[chain sepolia]\nchain-id = 5\n')
bad_cfg "unknown [service] key" "$CFG:2: unknown setting \"colour\" in a .service. section" < <(printf '[service]\ncolour = blue\n')
bad_cfg "[service] relative path" "$CFG:2: state-dir: want an absolute path" < <(printf '[service]\nstate-dir = state\n')
bad_cfg "[service] lanes 0" "$CFG:2: lanes: want a positive number" < <(printf '[service]\nlanes = 0\n')
bad_cfg "[service] bad state" "$CFG:2: state: want files or a postgresql:// URL" < <(printf '[service]\nstate = mysql://x\n')
bad_cfg "[service] relative state-password-file" "$CFG:2: state-password-file: want an absolute path" < <(printf '[service]\nstate-password-file = pw\n')
bad_cfg "[service] lease 0" "$CFG:2: lease: want a positive number" < <(printf '[service]\nlease = 0\n')
bad_cfg "[service] state-wait not a number" "$CFG:2: state-wait: want milliseconds" < <(printf '[service]\nstate-wait = 2s\n')
bad_cfg "[service] key twice" "$CFG:3: \"lanes\" given twice in .service." < <(printf '[service]\nlanes = 2\nlanes = 3\n')
write_cfg < <(printf '[profile a]\nchain = base\n[service]\nprofile = a\nlisten = /run/x.sock\nlanes = 4\nstate-dir = /var/lib/x\npoll-interval = 500\ntcp = 127.0.0.1:1\nbearer-token-file = /etc/t\nstate = postgresql:///m?host=/run/pg\nstate-password-file = /etc/pw\nlease = 20000\nstate-wait = 0\n')
show --profile a >/dev/null
is "a [service] section (mav2d's) is accepted by the CLI too" "$?" 0
printf '[profile a]\nchain = base\n' >"$CFG"
chmod 664 "$CFG"
show >/dev/null
is "group-writable settings file: exit 1" "$?" 1
ok "group-writable settings file: says so" grep -q "writable by group or others" "$TMP/err"
chmod 600 "$CFG"
show --profile nosuch >/dev/null
is "--profile nosuch: exit 1" "$?" 1
ok "--profile nosuch: names it" grep -q "no \[profile nosuch\]" "$TMP/err"
rm -f "$CFG"
show >"$TMP/none.out"
is "no settings file: config show still works (exit 0)" "$?" 0

tap_done
