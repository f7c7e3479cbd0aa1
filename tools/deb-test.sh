#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The Debian packages: builds them from the repository's files (dpkg-buildpackage
# -b, the package's own tests not run: they need SoftHSM2 tokens and a devnet),
# installs them into the system with dpkg -i, uses the installed files only
# (the packaged openssl.cnf, mav2, p11k1-tool, mav2d with its unit, user and state
# directory, the man pages and completion), then removes them again (mav2d purged:
# its user and state directory go). Needs root (CI is root). TAP on stdout; lintian's findings
# as comments.
#   tools/deb-test.sh [WORKDIR]      (default: a temporary directory)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/harness/tap.sh"

[ "$(id -u)" -eq 0 ] || tap_skip_all "needs root for dpkg -i (run as root, as CI does)"
git -C "$top" rev-parse --git-dir >/dev/null 2>&1 || tap_skip_all "not a git checkout (the package is built from git's files)"
for t in dpkg-buildpackage dh softhsm2-util openssl; do
    command -v "$t" >/dev/null || tap_skip_all "$t missing (tools/setup-deps.sh installs it)"
done
SOFTHSM=$(for f in /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so; do
    [ -f "$f" ] && echo "$f" && break; done)
[ -n "$SOFTHSM" ] || tap_skip_all "SoftHSM2 module not found (apt-get install softhsm2)"

keep=${1:+yes}
work=${1:-$(mktemp -d "${TMPDIR:-/tmp}/mh-deb.XXXXXX")}
mkdir -p "$work"
pkgs=(libp11k1-0 libp11k1-dev p11k1-provider p11k1-tool libmav2-0 libmav2-dev mav2 mav2d)
cleanup() {
    dpkg -P "${pkgs[@]}" >/dev/null 2>&1
    [ -n "$keep" ] || rm -rf "$work"
}
trap cleanup EXIT
export TAP_LOG="$work/step.log"
say_log() { sed 's/^/#   /' "$1" | tail -n "${2:-20}"; }

# The sources as in git (tracked and new files, nothing generated or ignored).
src="$work/mav2-hsm"
rm -rf "$src" && mkdir -p "$src"
(cd "$top" && git ls-files -co --exclude-standard -z | grep -zv '^tests/devnet/node_modules' |
    xargs -0 cp --parents -t "$src") 2>"$work/copy.log"
ok "the sources copied" test -f "$src/debian/control"

# Built once, -j2; the package's test step is off (override_dh_auto_test too).
(cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=2" dpkg-buildpackage -us -uc -b) \
    >"$work/build.log" 2>&1
rc=$?
is "dpkg-buildpackage -us -uc -b" "$rc" 0
[ "$rc" -eq 0 ] || say_log "$work/build.log" 40
debs=()
for p in "${pkgs[@]}"; do
    f=$(ls "$work/${p}_"*.deb 2>/dev/null | head -n1)
    ok "package $p built" test -n "$f"
    [ -n "$f" ] && debs+=("$f")
done

# The packaged files where Debian wants them.
for p in "${pkgs[@]}"; do
    dpkg-deb -c "$work/${p}_"*.deb 2>/dev/null | awk '{print $6}' >"$work/$p.contents"
done
contents() { cat "$work/$1.contents"; }
modulesdir=$(pkg-config --variable=modulesdir libcrypto)
ok "p11k1.so in libcrypto's modulesdir" grep -qx ".$modulesdir/p11k1.so" <(contents p11k1-provider)
ok "example openssl.cnf under /usr/share/doc" \
    grep -qx './usr/share/doc/p11k1-provider/examples/openssl.cnf' <(contents p11k1-provider)
ok "libp11k1-dev: p11k1.h" grep -qx './usr/include/p11k1.h' <(contents libp11k1-dev)
ok "libp11k1-dev: p11k1.pc" grep -q '/pkgconfig/p11k1.pc$' <(contents libp11k1-dev)
ok "libmav2-dev: mav2/send/send.h" grep -qx './usr/include/mav2/send/send.h' "$work/libmav2-dev.contents"
ok "libmav2-dev: mav2.pc" grep -q '/pkgconfig/mav2.pc$' "$work/libmav2-dev.contents"
ok "mav2d: /usr/sbin/mav2d" grep -qx './usr/sbin/mav2d' <(contents mav2d)
ok "mav2d: its systemd unit" grep -qx './lib/systemd/system/mav2d.service' <(contents mav2d)
ok "mav2d: the example mav2d.conf under /usr/share/doc" \
    grep -qx './usr/share/doc/mav2d/examples/mav2d.conf' <(contents mav2d)
is "mav2: no mav2d in the CLI's package" "$(contents mav2 | grep -c mav2d)" 0

ok "dpkg -i of the packages" dpkg -i "${debs[@]}"
[ -s "$TAP_LOG" ] && say_log "$TAP_LOG" 10

# From here on: installed files only (no build tree, no source tree).
cnf=/usr/share/doc/p11k1-provider/examples/openssl.cnf
[ -f "$cnf" ] || { gunzip -c "$cnf.gz" >"$work/openssl.cnf" 2>/dev/null && cnf="$work/openssl.cnf"; }
OPENSSL_CONF="$cnf" openssl list -providers >"$work/providers" 2>&1
ok "openssl list -providers with the packaged cnf: p11k1 active" \
    awk '/^  p11k1$/ {p = 1} p && /status: active/ {found = 1} END {exit !found}' "$work/providers"
say_log "$work/providers" 12
out=$(mav2 --help 2>&1)
is "mav2 --help exits 0" "$?" 0
ok "mav2 --help lists send and session-key" \
    sh -c 'printf "%s\n" "$1" | grep -q "^    send " && printf "%s\n" "$1" | grep -q "^    session-key "' _ "$out"

# mav2d: its unit (installed, not enabled: it needs the site's settings), its user
# (system, no login) and state directory made by postinst.
unit=/lib/systemd/system/mav2d.service
ok "mav2d.service installed" test -f "$unit"
ok "the unit runs /usr/sbin/mav2d as the mav2d user" \
    sh -c 'grep -qx "User=mav2d" "$1" && grep -q "^ExecStart=/usr/sbin/mav2d " "$1"' _ "$unit"
ok "the unit is not enabled by the package" test ! -e /etc/systemd/system/multi-user.target.wants/mav2d.service
if command -v systemd-analyze >/dev/null; then
    systemd-analyze verify "$unit" >"$work/verify" 2>&1
    ok "systemd-analyze verify of the unit: nothing about the unit itself" \
        sh -c '! grep -i "mav2d.service:" "$1"' _ "$work/verify"
    say_log "$work/verify" 5
else
    tap_skip "systemd-analyze verify of the unit" "systemd-analyze not installed"
fi
out=$(mav2d --help 2>&1)
is "mav2d --help exits 0" "$?" 0
ok "mav2d --help says what it is" sh -c 'printf "%s\n" "$1" | grep -q -- "--config"' _ "$out"
ok "mav2d: a system user" sh -c 'u=$(getent passwd mav2d) && [ "$(echo "$u" | cut -d: -f3)" -lt 1000 ]'
is "mav2d: no login shell" "$(getent passwd mav2d | cut -d: -f7)" /usr/sbin/nologin
is "mav2d: /var/lib/mav2d, its own, 0700" "$(stat -c '%U:%G %a' /var/lib/mav2d 2>&1)" "mav2d:mav2d 700"

# A SoftHSM2 token, a key made by the installed p11k1-tool, used through the
# installed provider by openssl and mav2.
tok="$work/tokens"
mkdir -p "$tok"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$tok" \
    >"$work/softhsm2.conf"
export SOFTHSM2_CONF="$work/softhsm2.conf"
softhsm2-util --init-token --free --label debtest --so-pin 5678 --pin 1234 >/dev/null
printf '1234' >"$work/pin" && chmod 600 "$work/pin"
export MH_DEB_PIN=1234
ok "p11k1-tool keygen on the token" p11k1-tool -m "$SOFTHSM" -e MH_DEB_PIN keygen \
    'pkcs11:token=debtest' sk1 01
unset MH_DEB_PIN
URI="pkcs11:token=debtest;object=sk1?pin-source=file:$work/pin"
export OPENSSL_CONF="$cnf" P11K1_MODULE="$SOFTHSM"
printf 'signed by the packaged provider\n' >"$work/msg"
ok "openssl pkey -pubout from the token" openssl pkey -in "$URI" -pubout -out "$work/pub.pem"
ok "openssl dgst -sha256 -sign with the token key" \
    openssl dgst -sha256 -sign "$URI" -out "$work/sig.der" "$work/msg"
ok "the signature verifies with the default provider alone" env OPENSSL_CONF=/dev/null \
    openssl dgst -sha256 -verify "$work/pub.pem" -signature "$work/sig.der" "$work/msg"
A=$(mav2 address --key "$URI" 2>"$work/err")
is "mav2 address of the token key = address of its public key" "$A" \
    "$(OPENSSL_CONF=/dev/null mav2 address --key "$work/pub.pem" 2>&1)"
cat >"$work/op.json" <<'JSON'
{"sender":"0x1111111111111111111111111111111111111111","nonce":"0x1010000000000000005",
 "callData":"0x","callGasLimit":"0x5208","verificationGasLimit":"0x186a0",
 "preVerificationGas":"0xc350","maxFeePerGas":"0x77359400",
 "maxPriorityFeePerGas":"0x3b9aca00","signature":"0x"}
JSON
sig=$(mav2 sign --userop "$work/op.json" --chain-id 31337 --key "$URI" --signature-only 2>"$work/err")
rc=$?
is "mav2 sign with the token key: exit 0" "$rc" 0
[ "$rc" -eq 0 ] || say_log "$work/err" 3
ok "mav2 sign: a 65-byte signature" sh -c '[ "${#1}" -ge 132 ]' _ "$sig"
unset OPENSSL_CONF P11K1_MODULE

# Manual pages and bash completion, installed by the packages.
for page in mav2.1 p11k1.7 p11k1-tool.1; do
    f=$(ls /usr/share/man/man${page##*.}/$page.gz 2>/dev/null)
    ok "man page $page installed" test -n "$f"
    [ -n "$f" ] && ok "man -l $page renders" sh -c "man -l '$f' | grep -q ."
done
ok "p11k1-tool --help: exit 0" p11k1-tool --help
comp=/usr/share/bash-completion/completions/mav2
ok "bash completion for mav2 installed" test -f "$comp"
ok "completion offers the subcommands" bash -c '. "$1"; COMP_WORDS=(mav2 se); COMP_CWORD=1
    _mav2; printf "%s\n" "${COMPREPLY[@]}" | grep -qx send' _ "$comp"
ok "completion offers send's options" bash -c '. "$1"; COMP_WORDS=(mav2 send --rpc); COMP_CWORD=2
    _mav2; printf "%s\n" "${COMPREPLY[@]}" | grep -qx -- --rpc-url' _ "$comp"

# lintian: findings as comments; errors fail.
if command -v lintian >/dev/null; then
    lintian -I --tag-display-limit 0 "$work"/*.changes 2>&1 | grep -v 'running with root' >"$work/lintian"
    sed 's/^/# lintian: /' "$work/lintian"
    ok "lintian: no errors" sh -c '! grep -q "^E:" "$1"' _ "$work/lintian"
fi

dpkg -r "${pkgs[@]}" >/dev/null 2>&1
ok "dpkg -r leaves none of the packages installed" \
    sh -c '! dpkg-query -W -f="\${Status}\n" "$@" 2>/dev/null | grep -q "install ok installed"' _ "${pkgs[@]}"
ok "dpkg -r keeps mav2d's user and state (removed, not purged)" \
    sh -c 'getent passwd mav2d >/dev/null && test -d /var/lib/mav2d'
dpkg -P mav2d >/dev/null 2>&1
ok "dpkg -P mav2d: its state directory is gone" test ! -e /var/lib/mav2d
ok "dpkg -P mav2d: its user and group are gone" \
    sh -c '! getent passwd mav2d >/dev/null && ! getent group mav2d >/dev/null'
tap_done
