#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test-exports.sh: libmav2.so exports only its documented API: the mav2_* functions
# and objects its installed headers declare (mav2/libmav2.sym, made from them);
# nothing of common/ (mh_*), no internal mav2_* function and none of the JSON plumbing.
. "$MH_TOP_SRCDIR/tests/harness/tap.sh"
LIB="$MH_TOP_BUILDDIR/mav2/.libs/libmav2.so"
SYM="$MH_TOP_BUILDDIR/mav2/libmav2.sym"
command -v nm >/dev/null || tap_skip_all "nm (binutils) not installed"
[ -f "$LIB" ] || tap_skip_all "libmav2.so not built"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mh-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

nm -D --defined-only "$LIB" | awk '$2 ~ /^[TDRBVW]$/ {print $3}' | sort >"$TMP/exported"
sort "$SYM" >"$TMP/documented" 2>/dev/null
ok "the export list made from the installed headers ($SYM)" test -s "$TMP/documented"
ok "libmav2 exports symbols at all" test -s "$TMP/exported"
ok "no mh_keccak256 (common/ stays inside)" sh -c "! grep -qx mh_keccak256 '$TMP/exported'"
ok "no mh_* symbol" sh -c "! grep -q '^mh_' '$TMP/exported'"
ok "no mav2_send_wait (declared in send_int.h only)" sh -c "! grep -qx mav2_send_wait '$TMP/exported'"
comm -23 "$TMP/exported" "$TMP/documented" >"$TMP/extra"
is "every exported symbol is declared in an installed header" "$(tr '\n' ' ' <"$TMP/extra")" ""
# the JSON plumbing (json-c types) is internal: its headers are not installed
for s in mav2_rpc_call mav2_rpc_batch mav2_eth_call_params mav2_userop_to_json \
    mav2_userop_from_json mav2_journal_put mav2_get_logs mav2_state_open mav2_ledger_append; do
    ok "no $s (JSON plumbing, not installed)" sh -c "! grep -qx $s '$TMP/exported'"
done
for s in mav2_userop_hash mav2_userop_to_json_string mav2_key_load mav2_signer_new mav2_last_error mav2_entry_point_v07; do
    ok "documented $s is exported" grep -qx "$s" "$TMP/exported"
done
tap_done
