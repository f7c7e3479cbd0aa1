# SPDX-License-Identifier: Apache-2.0
# softhsm.sh: a throw-away SoftHSM2 token for one test; source it.
#   softhsm_init LABEL   creates $MH_TMP/tokens, exports SOFTHSM2_CONF,
#                        MH_PIN_FILE (user PIN "1234"), MH_SO_PIN
# The tokens are removed when the test exits.
: "${SOFTHSM_MODULE:?SOFTHSM_MODULE is not set (configure --with-softhsm)}"
MH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/mh-test.XXXXXX")
trap 'rm -rf "$MH_TMP"' EXIT
export MAV2_STATE_DIR="$MH_TMP/state" # the mav2 commands' journal and audit ledger
softhsm_init() {
    mkdir -p "$MH_TMP/tokens"
    printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n' \
        "$MH_TMP" >"$MH_TMP/softhsm2.conf"
    export SOFTHSM2_CONF="$MH_TMP/softhsm2.conf"
    export MH_SO_PIN=5678
    printf '1234' >"$MH_TMP/pin"
    chmod 600 "$MH_TMP/pin"
    export MH_PIN_FILE="$MH_TMP/pin"
    softhsm2-util --init-token --free --label "$1" --so-pin "$MH_SO_PIN" --pin 1234 >/dev/null
}
