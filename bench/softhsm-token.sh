# SPDX-License-Identifier: Apache-2.0
# softhsm-token.sh, sourced (POSIX sh) by the bench scripts: their one token fixture.
#   bench_softhsm_token DIR   a throw-away SoftHSM2 file-backend token "bench" in DIR/tokens
#                             with one secp256k1 key pair (label sk1, id 01), user PIN 1234
#                             (also in DIR/pin); exports SOFTHSM2_CONF=DIR/softhsm2.conf
#   bench_softhsm_copy DIR NEW   a copy of DIR's token (same key) in NEW; prints NEW's
#                             softhsm2.conf. Processes that log in at the same time need
#                             one copy each: SoftHSM2 2.6.1 rewrites token.object on every
#                             C_Login (it clears CKF_USER_PIN_COUNT_LOW) and drops the
#                             file's lock between truncating and writing it, so another
#                             process reading the token then sees an empty file and no
#                             token ("token not found", CKR_GENERAL_ERROR).
SOFTHSM_MODULE=${SOFTHSM_MODULE:-$(ls /usr/lib/softhsm/libsofthsm2.so /usr/lib/*/softhsm/libsofthsm2.so 2>/dev/null | head -1)}
bench_softhsm_conf() { # DIR -> DIR/softhsm2.conf
    printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$1" \
        >"$1/softhsm2.conf"
}
bench_softhsm_token() { # DIR
    mkdir -p "$1/tokens"
    bench_softhsm_conf "$1"
    SOFTHSM2_CONF=$1/softhsm2.conf
    export SOFTHSM2_CONF
    printf 1234 >"$1/pin"
    softhsm2-util --init-token --free --label bench --so-pin 5678 --pin 1234 >/dev/null &&
        pkcs11-tool --module "$SOFTHSM_MODULE" --token-label bench --login --pin 1234 \
            --keypairgen --key-type EC:secp256k1 --label sk1 --id 01 >/dev/null 2>&1 ||
        { echo "bench: cannot make the SoftHSM2 token in $1" >&2; return 1; }
}
bench_softhsm_copy() { # DIR NEW
    mkdir -p "$2" && cp -R "$1/tokens" "$2/tokens" && bench_softhsm_conf "$2" &&
        echo "$2/softhsm2.conf"
}
