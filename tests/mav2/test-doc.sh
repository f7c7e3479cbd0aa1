#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test-doc.sh: mav2(1), p11k1(7), p11k1-tool(1) and the bash completion, made at
# build time from the help texts (tools/mkdoc.sh, provider/md2man.awk): they
# render without warnings, the manual has a section per (sub)command, the
# completion offers the commands and each command's options, and every option
# it offers is one the command takes. Also the help texts that disagreed with
# the commands (issue 11, part 7).
. "$MH_TOP_SRCDIR/tests/harness/tap.sh"
B=$MH_TOP_BUILDDIR
MAV2="$B/mav2/mav2"
TOOL="$B/pkcs11/p11k1-tool"
command -v groff >/dev/null || tap_skip_all "groff not installed (apt-get install groff-base)"
[ -x "$MAV2" ] || tap_skip_all "mav2 not built"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mh-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
# No settings file, no environment defaults: the commands below fail on their options only.
export XDG_CONFIG_HOME="$TMP/cfg" MAV2_STATE_DIR="$TMP/state" OPENSSL_CONF=/dev/null
unset MAV2_RPC_URL ETH_RPC_URL MAV2_BUNDLER_URL MAV2_CHAIN MAV2_PROFILE MAV2_ACCOUNT MAV2_KEY

# The pages render: groff with every warning on says nothing.
for page in mav2/mav2.1 provider/p11k1.7 pkcs11/p11k1-tool.1; do
    LC_ALL=C.UTF-8 groff -man -Tutf8 -ww "$B/$page" >"$TMP/out" 2>"$TMP/err"
    is "$page renders, no warnings" "$?:$(head -c 300 "$TMP/err")" "0:"
    ok "$page has text" grep -q '[a-z]' "$TMP/out"
done
LC_ALL=C.UTF-8 MANWIDTH=80 groff -man -Tutf8 "$B/mav2/mav2.1" 2>/dev/null | sed 's/.\x08//g' >"$TMP/mav2.txt"

# A section per command of mav2 --help, and per subcommand with its own page.
cmds=$("$MAV2" --help | awk '/^[A-Z]/ {s = $0; next} s == "COMMANDS" && /^    [a-z]/ {print $1}')
n=$(echo $cmds | wc -w)
ok "mav2 --help lists commands ($n)" test "$n" -ge 10
missing=
for c in $cmds "session-key install" "session-key revoke" "session-key create" \
    "session-key list" "session-key update"; do
    grep -qx "mav2 $c" "$TMP/mav2.txt" || missing="$missing [$c]"
done
is "mav2(1) has a section for every command and session-key subcommand" "$missing" ""
ok "mav2(1): the send section has send's options (--paymaster-url)" \
    sh -c "sed -n '/^mav2 send\$/,/^mav2 receipt\$/p' '$TMP/mav2.txt' | grep -q -- '--paymaster-url'"
ok "mav2(1): EXIT STATUS and ENVIRONMENT of mav2 --help" \
    sh -c "grep -qx 'EXIT STATUS' '$TMP/mav2.txt' && grep -qx ENVIRONMENT '$TMP/mav2.txt'"
LC_ALL=C.UTF-8 groff -man -Tutf8 "$B/provider/p11k1.7" 2>/dev/null | sed 's/.\x08//g' >"$TMP/p11k1.txt"
missing=
for k in pkcs11-module pin-source pin-env early-load login P11K1_MODULE P11K1_PIN_SOURCE; do
    grep -q -- "$k" "$TMP/p11k1.txt" || missing="$missing $k"
done
is "p11k1(7) names every configuration key and its variable" "$missing" ""

# The completion: commands, subcommands, each page's options.
comp="$B/mav2/mav2.bash-completion"
complete_words() { # WORD... (the last one is being completed)
    bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _mav2
        printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' _ "$comp" mav2 "$@"
}
is "complete 'mav2 se'" "$(complete_words se)" "send session-key "
is "complete 'mav2 session-key in'" "$(complete_words session-key in)" "install "
is "complete 'mav2 send --pay'" "$(complete_words send --pay)" "--paymaster-context --paymaster-token --paymaster-url "
is "complete 'mav2 session-key install --session-'" \
    "$(complete_words session-key install --session-)" "--session-address --session-key "
is "complete 'mav2 account address --o'" "$(complete_words account address --o)" "--owner "
ok "complete -p: _mav2 is registered for mav2" \
    bash -c '. "$1"; complete -p mav2 | grep -q "_mav2"' _ "$comp"

# Every option the completion offers is one the command takes (not "unknown option").
bad=
while IFS='|' read -r page opts; do
    for o in $opts; do
        # shellcheck disable=SC2086
        "$MAV2" $page "$o" </dev/null >/dev/null 2>"$TMP/err"
        grep -q "unknown option" "$TMP/err" && bad="$bad [$page $o]"
    done
done < <(sed -n "s/^    '\([^']*\)'\*\{0,1\}) words='\([^']*\)'.*/\1|\2/p" "$comp")
is "every offered option is taken by its command" "$bad" ""
pages=$(grep -c "^    '.*) words=" "$comp")
ok "the completion knows options for $pages pages" test "$pages" -ge 20

# Help texts that disagreed with the commands.
"$MAV2" send --help >"$TMP/send"
syn=$(sed -n '/^SYNOPSIS/,/^$/p' "$TMP/send")
for o in --paymaster-url --gas-policy-id --replace-after --paymaster-token --max-token-amount; do
    ok "send's SYNOPSIS shows $o" grep -q -- "$o" <<<"$syn"
done
ok "--unsigned-out's help says where each part goes (FILE, stdout, stderr)" \
    sh -c "sed -n '/--unsigned-out FILE/,/journaled/p' '$TMP/send' | tr '\n' ' ' | grep -q 'to FILE.*stdout.*to stderr'"
ok "account --help has OPTIONS with --owner and --salt" \
    sh -c "'$MAV2' account --help | sed -n '/^OPTIONS/,/^\$/p' | grep -q -- '--owner ADDR' &&
           '$MAV2' account address --help | grep -q -- '--salt S'"
for s in install revoke; do
    "$MAV2" session-key "$s" --help >"$TMP/$s"
    is "session-key $s --help: exit 0" "$?" 0
    ok "session-key $s --help is its own page" grep -q "^    mav2 session-key $s - " "$TMP/$s"
done
ok "session-key install --help lists --session-key and the restrictions" \
    sh -c "grep -q -- '--session-key URI' '$TMP/install' && grep -q '^RESTRICTIONS' '$TMP/install'"
ok "session-key revoke --help lists the owner options" grep -q -- '--owner-key URI' "$TMP/revoke"
if [ -x "$TOOL" ]; then
    "$TOOL" --help >"$TMP/tool" 2>&1
    is "p11k1-tool --help: exit 0" "$?" 0
    ok "p11k1-tool --help: its page (SYNOPSIS, -m MODULE)" \
        sh -c "grep -q '^SYNOPSIS' '$TMP/tool' && grep -q -- '-m MODULE' '$TMP/tool'"
    "$TOOL" >/dev/null 2>&1
    is "p11k1-tool without arguments: usage error, exit 2" "$?" 2
fi
tap_done
