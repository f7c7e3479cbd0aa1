#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Local ERC-4337 v0.7 devnet: ./devnet.sh start|stop|env|status  (see README.md)
# State (pid files, logs, devnet.env) in $DEVNET_DIR, else a mktemp dir remembered
# in ${TMPDIR:-/tmp}/mav2-devnet-$UID.last.
set -e
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -x "$here/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil" ]; then
    echo "devnet: dependencies missing: run 'cd $here && npm ci'" >&2
    exit 1
fi
exec node "$here/tools/devnet.mjs" "$@"
