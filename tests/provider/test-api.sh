#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# prov-api: OSSL_STORE_open + EVP calls only, provider from OPENSSL_CONF.
. "$MH_TOP_SRCDIR/tests/provider/prov-env.sh"
command -v pkcs11-tool >/dev/null || tap_skip_all "OpenSC pkcs11-tool not installed"
TOKEN=api
softhsm_init "$TOKEN"
prov_conf
p11tool_keygen apikey 01
OPENSSL_CONF="$MH_TMP/openssl.cnf" "$MH_TOP_BUILDDIR/tests/provider/prov-api" \
    "pkcs11:token=$TOKEN;object=apikey" "pkcs11:token=$TOKEN" "$MH_TMP/ref.pem"
exit $?
