#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The token disappears under a process holding its key (SoftHSM2 token
# directory moved away): the error says so, in one line. With cache-keys (the default)
# the session copy of the key would keep signing until the token sessions end, as
# provider/README.md says: this checks the path that reads the token object.
. "$MH_TOP_SRCDIR/tests/provider/prov-env.sh"
command -v pkcs11-tool >/dev/null || tap_skip_all "OpenSC pkcs11-tool not installed"
TOKEN=removed
softhsm_init "$TOKEN"
prov_conf
p11tool_keygen held 01
tokdir=$(ls -d "$MH_TMP"/tokens/*/ | head -1)
P11K1_CACHE_KEYS=no OPENSSL_CONF="$MH_TMP/openssl.cnf" "$MH_TOP_BUILDDIR/tests/provider/prov-removed" \
    "pkcs11:token=$TOKEN;object=held" "${tokdir%/}"
exit $?
