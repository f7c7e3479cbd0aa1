#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# test-spy.sh: configure found OpenSC's pkcs11-spy.so wherever the system put it
# (the token tests count PKCS#11 calls with it and skip those counts without it).
. "$MH_TOP_SRCDIR/tests/harness/tap.sh"
command -v dpkg >/dev/null 2>&1 || tap_skip_all "no dpkg to ask where pkcs11-spy.so is installed"
installed=$(dpkg -L opensc-pkcs11 2>/dev/null | grep '/pkcs11-spy\.so$' | head -1)
[ -n "$installed" ] || tap_skip_all "opensc-pkcs11 (pkcs11-spy.so) not installed"
ok "configure found pkcs11-spy.so (installed: $installed; PKCS11_SPY='${PKCS11_SPY:-}')" \
    test -n "${PKCS11_SPY:-}" -a -r "${PKCS11_SPY:-/nonexistent}"
tap_done
