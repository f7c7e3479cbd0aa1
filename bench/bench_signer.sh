#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# bench_signer.sh: runs bench_signer on a fresh SoftHSM2 token key through the
# freshly built p11k1 provider. Usage: bench/bench_signer.sh [N] (from the build dir)
set -e
N=${1:-2000}
TOP=${BUILD:-$(cd "$(dirname "$0")/.." && pwd)} # the build directory
SRC=$(cd "$(dirname "$0")" && pwd)
MODULE=${SOFTHSM_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
. "$SRC/softhsm-token.sh"
bench_softhsm_token "$TMP"
export OPENSSL_CONF=/dev/null OPENSSL_MODULES="$TOP/provider/.libs" P11K1_MODULE="$MODULE"
"$TOP/bench/bench_signer" -n "$N" -m "$MODULE" \
    -t "pkcs11:token=bench;object=sk1?pin-source=file:$TMP/pin"
