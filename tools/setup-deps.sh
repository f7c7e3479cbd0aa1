#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what mav2-hsm needs on Debian 12: build tools, libraries, SoftHSM2,
# groff (the manual pages' test), the Debian packaging tools, and (with --devnet) the npm packages for the local chain and bundler.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

pkgs=(build-essential autoconf automake libtool pkg-config
      libssl-dev openssl libp11-kit-dev p11-kit p11-kit-modules
      libsecp256k1-dev libcurl4-openssl-dev libjson-c-dev libpq-dev postgresql
      libmicrohttpd-dev
      softhsm2 opensc valgrind clang libclang-rt-14-dev
      iproute2 ca-certificates curl jq xxd
      groff-base man-db dpkg-dev debhelper dh-autoreconf fakeroot lintian)
command -v npm >/dev/null 2>&1 || pkgs+=(nodejs npm)
command -v python3 >/dev/null 2>&1 || pkgs+=(python3)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "${1:-}" = "--devnet" ] && [ -f "$here/tests/devnet/package.json" ]; then
  (cd "$here/tests/devnet" && npm ci --no-audit --no-fund --loglevel=error)
fi
