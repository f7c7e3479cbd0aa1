#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# bench_signer.sh: runs bench_signer on a fresh SoftHSM2 token key through the
# freshly built p11k1 provider. Usage: bench/bench_signer.sh [N] (from the build dir)
set -e
N=${1:-2000}
TOP=$(cd "$(dirname "$0")/.." && pwd)
MODULE=${SOFTHSM_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir "$TMP/tokens"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$TMP" >"$TMP/softhsm2.conf"
export SOFTHSM2_CONF="$TMP/softhsm2.conf"
softhsm2-util --init-token --free --label bench --so-pin 5678 --pin 1234 >/dev/null
pkcs11-tool --module "$MODULE" --token-label bench --login --pin 1234 --keypairgen \
    --key-type EC:secp256k1 --label sk1 --id 01 >/dev/null 2>&1
printf 1234 >"$TMP/pin"
export OPENSSL_CONF=/dev/null OPENSSL_MODULES="$TOP/provider/.libs" P11K1_MODULE="$MODULE"
"$TOP/bench/bench_signer" -n "$N" -m "$MODULE" \
    -t "pkcs11:token=bench;object=sk1?pin-source=file:$TMP/pin"
