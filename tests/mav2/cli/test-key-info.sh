#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test-key-info.sh: `mav2 key info` and the session-key check of `mav2 session-key
# install` on SoftHSM2 keys read through the p11k1 provider: a key made by `mav2
# session-key create` (hardware: accepted), one made by pkcs11-tool --extractable and
# one imported with pkcs11-tool --write-object (refused naming the attribute, exit 1,
# before any network use: the RPC URL is unreachable, so reaching the network would
# end in exit 5), --allow-exportable-key, a PEM key (software: accepted with a note),
# a token without a login (unknown: refused). Under valgrind when it is installed.
. "$MH_TOP_SRCDIR/tests/harness/tap.sh"
MAV2="$MH_TOP_BUILDDIR/mav2/mav2"
. "$MH_TOP_SRCDIR/tests/harness/provider.sh"
command -v pkcs11-tool >/dev/null || tap_skip_all "OpenSC pkcs11-tool not installed"
command -v jq >/dev/null || tap_skip_all "jq not installed"
[ -x "$MAV2" ] || tap_skip_all "mav2 not built"

TOKEN=keyinfo
softhsm_init "$TOKEN"
prov_conf
export OPENSSL_CONF="$MH_TMP/openssl.cnf"
provider_cnf "$MH_TMP/never.cnf" "login = never"
p11() { OPENSSL_CONF=/dev/null pkcs11-tool --module "$SOFTHSM_MODULE" --token-label "$TOKEN" \
    --login --pin 1234 "$@" >/dev/null 2>&1; }
K() { echo "pkcs11:token=$TOKEN;object=$1"; }
plain() { OPENSSL_CONF=/dev/null openssl "$@"; }

"$MAV2" session-key create --token "pkcs11:token=$TOKEN" --label gen >/dev/null
p11 --keypairgen --key-type EC:secp256k1 --label ext --id 02 --extractable
plain ecparam -name secp256k1 -genkey -noout -out "$MH_TMP/soft.pem"
plain pkcs8 -topk8 -nocrypt -in "$MH_TMP/soft.pem" -outform DER -out "$MH_TMP/soft.p8"
plain pkey -in "$MH_TMP/soft.pem" -pubout -outform DER -out "$MH_TMP/soft.der"
plain pkey -in "$MH_TMP/soft.pem" -pubout -out "$MH_TMP/soft.pub"
p11 --write-object "$MH_TMP/soft.p8" --type privkey --label imp --id 03
p11 --write-object "$MH_TMP/soft.der" --type pubkey --label imp --id 03
plain ecparam -name secp256k1 -genkey -noout -out "$MH_TMP/owner.pem"

# info NAME KEY [ARGS]: mav2 key info, output in $MH_TMP/NAME.{out,err}, $RC
info() {
    local name=$1 key=$2
    shift 2
    "$MAV2" key info --key "$key" "$@" >"$MH_TMP/$name.out" 2>"$MH_TMP/$name.err"
    RC=$?
}
attrs() { awk '$1 ~ /^(held|sensitive|always-sensitive|extractable|never-extractable|local|hardware)$/' \
    "$MH_TMP/$1.out" | tr '\n' ' '; }

# ---- mav2 key info
info gen "$(K gen)"
is "key info, created key: exit 0" "$RC" 0
is "key info, created key: address as mav2 address" "$(awk '$1 == "address" { print $2 }' "$MH_TMP/gen.out")" \
    "$("$MAV2" address --key "$(K gen)")"
ok "key info, created key: its URI" grep -q "^uri pkcs11:.*object=gen" "$MH_TMP/gen.out"
is "key info, created key: all five hold, hardware yes" "$(attrs gen)" \
    "held token sensitive yes always-sensitive yes extractable no never-extractable yes local yes hardware yes "
info ext "$(K ext)"
is "key info, pkcs11-tool --extractable key: hardware no, CKA_EXTRACTABLE" "$(attrs ext)" \
    "held token sensitive yes always-sensitive yes extractable yes never-extractable no local yes hardware no CKA_EXTRACTABLE "
info imp "$(K imp)"
is "key info, imported key: not local, hardware no (first failing: CKA_ALWAYS_SENSITIVE)" \
    "$(attrs imp)" \
    "held token sensitive yes always-sensitive no extractable no never-extractable no local no hardware no CKA_ALWAYS_SENSITIVE "
info pem "$MH_TMP/soft.pem"
is "key info, PEM key: software, no attribute lines" "$RC $(attrs pem)" "0 held software hardware no software "
info pub "$MH_TMP/soft.pub"
is "key info, public key file: unknown" "$RC $(attrs pub)" "0 held unknown hardware no public key only "
OPENSSL_CONF="$MH_TMP/never.cnf" info never "$(K gen)"
is "key info without a login: attributes unknown" "$RC $(attrs never)" \
    "0 held token sensitive unknown always-sensitive unknown extractable unknown never-extractable unknown local unknown hardware no CKA_SENSITIVE "
info genj "$(K gen)" --json
is "key info --json, created key" \
    "$(jq -c '[.held, .sensitive, .alwaysSensitive, .extractable, .neverExtractable, .local, .hardware, .failing]' "$MH_TMP/genj.out")" \
    '["token",true,true,false,true,true,true,null]'
is "key info --json: address and URI" \
    "$(jq -r '(.address | length | tostring) + " " + (.uri | startswith("pkcs11:") | tostring)' "$MH_TMP/genj.out")" "42 true"
info extj "$(K ext)" --json
is "key info --json, extractable key" \
    "$(jq -c '[.extractable, .neverExtractable, .hardware, .failing]' "$MH_TMP/extj.out")" \
    '[true,false,false,"CKA_EXTRACTABLE"]'
info pemj "$MH_TMP/soft.pem" --json
is "key info --json, PEM key" "$(jq -c '[.held, .uri, .sensitive, .local, .hardware, .failing]' "$MH_TMP/pemj.out")" \
    '["software",null,null,null,false,"software"]'
info nokey "pkcs11:token=$TOKEN;object=nosuch"
is "key info, no such key: exit 2, stdout empty" "$RC $(wc -c <"$MH_TMP/nokey.out")" "2 0"
"$MAV2" key info >/dev/null 2>"$MH_TMP/usage.err"
is "key info without --key: exit 1" "$?" 1
ok "mav2 key --help: synopsis" sh -c "'$MAV2' key --help | grep -q 'mav2 key info --key'"
ok "mav2 --help lists key" sh -c "'$MAV2' --help | grep -q '^    key '"

# ---- session-key install: the check comes before any network use
DEAD=http://127.0.0.1:9
ACC=0x1111111111111111111111111111111111111111
inst() { # NAME KEY [ARGS]
    local name=$1 key=$2
    shift 2
    "$MAV2" session-key install --rpc-url "$DEAD" --account "$ACC" --owner-key "$MH_TMP/owner.pem" \
        --session-key "$key" --entity-id 1 --global "$@" >"$MH_TMP/$name.out" 2>"$MH_TMP/$name.err"
    RC=$?
}
refused() { # NAME ATTRIBUTE: exit 1, stdout empty, one stderr line naming it, no network
    is "install $1: exit 1, stdout empty, one line on stderr" \
        "$RC $(wc -c <"$MH_TMP/$1.out") $(wc -l <"$MH_TMP/$1.err")" "1 0 1"
    ok "install $1: names $2" grep -q -- "--session-key: $2 " "$MH_TMP/$1.err"
    ok "install $1: refused before any network use" sh -c "! grep -q '127.0.0.1' '$MH_TMP/$1.err'"
}
inst ext "$(K ext)"
refused ext CKA_EXTRACTABLE
inst imp "$(K imp)"
refused imp CKA_ALWAYS_SENSITIVE
OPENSSL_CONF="$MH_TMP/never.cnf" inst never "$(K gen)"
refused never CKA_SENSITIVE
ok "install without a login: says the value is unknown" grep -q "CKA_SENSITIVE is unknown" "$MH_TMP/never.err"

# accepted keys go on to the network (unreachable here: exit 5)
inst gen "$(K gen)"
is "install created key: passes the check (reaches the network: exit 5)" "$RC" 5
ok "install created key: no line about the key" sh -c "! grep -q -- '--session-key' '$MH_TMP/gen.err'"
inst allow "$(K ext)" --allow-exportable-key
is "install --allow-exportable-key: passes the check (exit 5)" "$RC" 5
ok "install --allow-exportable-key: warns naming CKA_EXTRACTABLE" \
    grep -q -- "--session-key: CKA_EXTRACTABLE is true.*installing it anyway" "$MH_TMP/allow.err"
inst pem "$MH_TMP/soft.pem"
is "install PEM key: passes the check (exit 5)" "$RC" 5
is "install PEM key: one line says it is a software key" \
    "$(grep -c -- "--session-key is a software key" "$MH_TMP/pem.err")" 1
"$MAV2" session-key install --rpc-url "$DEAD" --account "$ACC" --owner-key "$MH_TMP/owner.pem" \
    --session-address "$ACC" --entity-id 1 --global >/dev/null 2>"$MH_TMP/addr.err"
is "install --session-address: not checked (exit 5, no line about the key)" \
    "$? $(grep -c -- --session "$MH_TMP/addr.err")" "5 0"

# ---- valgrind: the token read and the refusal leak nothing
if [ -n "${MH_SANITIZERS:-}" ] || ! command -v valgrind >/dev/null; then
    ok "mav2 key info / install under valgrind # SKIP sanitizer build or valgrind not installed" true
else
    vg() {
        "$MH_TOP_BUILDDIR/libtool" --mode=execute valgrind -q --error-exitcode=99 --leak-check=full \
            --errors-for-leak-kinds=definite --log-file="$MH_TMP/vg.log" "$MAV2" "$@" >/dev/null 2>&1
        echo "$? $(grep -c 'definitely lost' "$MH_TMP/vg.log")"
    }
    is "key info under valgrind: exit 0, no error, nothing definitely lost" "$(vg key info --key "$(K gen)")" "0 0"
    is "install refusal under valgrind: exit 1, no error, nothing definitely lost" \
        "$(vg session-key install --rpc-url "$DEAD" --account "$ACC" --owner-key "$MH_TMP/owner.pem" \
            --session-key "$(K ext)" --entity-id 1 --global)" "1 0"
fi
tap_done
