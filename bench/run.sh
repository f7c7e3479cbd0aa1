#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs bench_p11k1 on a throw-away SoftHSM2 token.
#   bench/run.sh [SIGNATURES_PER_ROUND [ROUNDS]]
# Environment: SOFTHSM_MODULE (default: the Debian path), BUILDDIR (default:
# the directory of this script, i.e. an in-tree build).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${BUILDDIR:-$here}/bench_p11k1
module=${SOFTHSM_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
[ -x "$bin" ] || { echo "run.sh: $bin not built (make -C bench)" >&2; exit 1; }
[ -f "$module" ] || { echo "run.sh: SoftHSM2 module $module not found" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/p11k1-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/tokens"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n' \
    "$tmp" >"$tmp/softhsm2.conf"
export SOFTHSM2_CONF="$tmp/softhsm2.conf"
printf 1234 >"$tmp/pin"
softhsm2-util --init-token --free --label bench --so-pin 5678 --pin 1234 >/dev/null
"$bin" "$module" "pkcs11:token=bench?pin-source=$tmp/pin" "$@"
