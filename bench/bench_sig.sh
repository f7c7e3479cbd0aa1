#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# bench_sig.sh: issue 16 items 1-2 side by side, ROUNDS rounds, medians; for the token
# also the ratio of each round (both sides in one process) with its median and spread.
#   token: mav2_signer_sign_digest (p11k1 provider, cache-keys yes and no) / bare
#          C_SignInit + C_Sign on the token object, same key, same process
#   software: userOpHash + EIP-191 + sign + v per user op, mav2 (PEM key) vs viem
#          (same op, same key; the signatures must be byte-identical)
# BEFORE=DIR (a build directory of the code before, with this bench_sig.c built
# there as DIR/bench/bench_sig) adds its token and software runs to every round. Usage, from the top build directory (or BUILD=DIR):
#   sh SRCDIR/bench/bench_sig.sh [N [ROUNDS]]
set -e
N=${1:-2000}
ROUNDS=${2:-3}
TOP=${BUILD:-$(pwd)} # the build directory
SRC=$(cd "$(dirname "$0")" && pwd)
MODULE=${SOFTHSM_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
KEY=0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
. "$SRC/softhsm-token.sh"
bench_softhsm_token "$TMP"
# SEC1 ECPrivateKey DER of KEY on secp256k1 -> PEM
printf '302e0201010420%sa00706052b8104000a' "${KEY#0x}" | xxd -r -p |
    OPENSSL_CONF=/dev/null openssl ec -inform DER -out "$TMP/key.pem" 2>/dev/null
URI="pkcs11:token=bench;object=sk1?pin-source=file:$TMP/pin"
export OPENSSL_CONF=/dev/null P11K1_MODULE="$MODULE"
val() { awk -v k="$1" '$1 == k {print $2}' "$2"; }
for r in $(seq "$ROUNDS"); do
    "$TOP/bench/bench_sig" -n "$N" -k "$TMP/key.pem" -j >"$TMP/sw"
    node "$SRC/bench-sig-viem.mjs" "$KEY" "$N" >"$TMP/viem"
    OPENSSL_MODULES="$TOP/provider/.libs" "$TOP/bench/bench_sig" -n "$N" -t "$URI" -m "$MODULE" >"$TMP/tok"
    OPENSSL_MODULES="$TOP/provider/.libs" P11K1_CACHE_KEYS=no \
        "$TOP/bench/bench_sig" -n "$N" -t "$URI" -m "$MODULE" >"$TMP/tok-nocopy"
    [ "$(val last_signature "$TMP/sw")" = "$(val last_signature "$TMP/viem")" ] ||
        { echo "bench_sig.sh: mav2 and viem signatures differ" >&2; exit 1; }
    printf '%s %s %s %s %s %s %s %s' \
        "$(val software_userop_us "$TMP/sw")" "$(val viem_userop_us "$TMP/viem")" \
        "$(val token_bare_csign_us "$TMP/tok")" "$(val token_mav2_sign_digest_us "$TMP/tok")" \
        "$(val token_finish_us "$TMP/tok")" "$(val token_bare_csign_us "$TMP/tok-nocopy")" \
        "$(val token_mav2_sign_digest_us "$TMP/tok-nocopy")" "$(val token_finish_us "$TMP/tok-nocopy")" >>"$TMP/rows"
    printf ' %s' "$(val token_floor_us "$TMP/tok")" >>"$TMP/rows"
    if [ -n "${BEFORE:-}" ]; then
        "$BEFORE/bench/bench_sig" -n "$N" -k "$TMP/key.pem" >"$TMP/b-sw"
        OPENSSL_MODULES="$BEFORE/provider/.libs" "$BEFORE/bench/bench_sig" -n "$N" -t "$URI" \
            -m "$MODULE" >"$TMP/b-tok"
        printf ' %s %s %s %s' "$(val software_userop_us "$TMP/b-sw")" \
            "$(val token_bare_csign_us "$TMP/b-tok")" "$(val token_mav2_sign_digest_us "$TMP/b-tok")" \
            "$(val token_finish_us "$TMP/b-tok")" >>"$TMP/rows"
    fi
    printf '\n' >>"$TMP/rows"
done
awk -v n="$N" -v rounds="$ROUNDS" '
function median(c,   i, j, t, a) {
    for (i = 1; i <= NR; i++) a[i] = col[c, i]
    for (i = 2; i <= NR; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
    return a[int((NR + 1) / 2)]
}
{ for (c = 1; c <= NF; c++) col[c, NR] = $c + 0; nf = NF }
END {
    printf "N = %d, %d rounds, medians (us/op)\n", n, rounds
    sw = median(1); vi = median(2)
    printf "software user op: mav2 %.1f, viem %.1f: mav2 %.2fx faster (signatures byte-identical)\n", sw, vi, vi / sw
    b = median(3); m = median(4); f = median(5)
    printf "token, cache-keys yes: bare C_Sign %.1f, mav2_signer_sign_digest %.1f: %.3fx bare; finishing step %.1f\n", b, m, m / b, f
    for (i = 1; i <= NR; i++) col["r", i] = col[4, i] / col[3, i]
    for (i = 1; i <= NR; i++) { r[i] = col["r", i]; rl = rl sprintf(" %.3f", r[i]) }
    for (i = 2; i <= NR; i++) for (j = i; j > 1 && r[j-1] > r[j]; j--) { t = r[j]; r[j] = r[j-1]; r[j-1] = t }
    printf "token, cache-keys yes, per-round ratio mav2 / bare: median %.3fx, quartiles %.3f-%.3f, range %.3f-%.3f (rounds:%s)\n",
        r[int((NR + 1) / 2)], r[int((NR + 3) / 4)], r[NR + 1 - int((NR + 3) / 4)], r[1], r[NR], rl
    b2 = median(6); m2 = median(7)
    printf "token, cache-keys no:  bare C_Sign %.1f, mav2_signer_sign_digest %.1f: %.3fx bare\n", b2, m2, m2 / b2
    fl = median(9)
    if (fl > 0) {
        for (i = 1; i <= NR; i++) { r[i] = col[9, i] / col[3, i]; fr = fr sprintf(" %.3f", r[i]) }
        for (i = 2; i <= NR; i++) for (j = i; j > 1 && r[j-1] > r[j]; j--) { t = r[j]; r[j] = r[j-1]; r[j-1] = t }
        printf "token floor (C_SignInit + C_Sign on the session copy + one secp256k1_ecdsa_recover) %.1f: %.3fx bare, per round median %.3fx (rounds:%s); mav2 / floor %.3fx\n",
            fl, fl / b, r[int((NR + 1) / 2)], fr, m / fl
    }
    if (nf > 9) {
        printf "before: software user op %.1f (mav2 %.2fx faster than viem); token: bare C_Sign %.1f, mav2 %.1f: %.3fx bare; finishing step %.1f\n",
            median(10), vi / median(10), median(11), median(12), median(12) / median(11), median(13)
    }
}' "$TMP/rows"
