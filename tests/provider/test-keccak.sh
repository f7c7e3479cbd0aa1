#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# KECCAK-256 through the provider with the openssl CLI, against keccak.json.
. "$MH_TOP_SRCDIR/tests/provider/prov-env.sh"
command -v python3 >/dev/null || tap_skip_all "python3 needed to read the vectors"
prov_conf

# One line per vector: name, file holding the input, expected digest.
python3 - "$MH_VECTORS/keccak.json" "$MH_TMP" >"$MH_TMP/list" <<'PY'
import json, sys
for i, v in enumerate(json.load(open(sys.argv[1]))["keccak256"]):
    path = "%s/in%d" % (sys.argv[2], i)
    with open(path, "wb") as f:
        if v["inputHex"] is None:  # described, not given: n x 0x61
            f.write(b"a" * int(v["inputLength"]))
        else:
            f.write(bytes.fromhex(v["inputHex"][2:]))
    print("%s\t%s\t%s" % (v["name"], path, v["keccak256"][2:]))
PY
while IFS="$(printf '\t')" read -r name path want; do
    got=$(ossl dgst -keccak-256 -r "$path" 2>&1 | cut -d' ' -f1)
    is "openssl dgst -keccak-256: $name" "$got" "$want"
done <"$MH_TMP/list"

got=$(printf abc | ossl dgst -keccak-256 -binary | od -An -tx1 | tr -d ' \n')
is "keccak-256 from stdin (-binary)" "$got" 4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45
got=$(ossl list -digest-algorithms 2>&1 | grep -ci keccak-256)
is "KECCAK-256 listed by openssl list -digest-algorithms" "$([ "$got" -ge 1 ] && echo yes)" yes
got=$(ossl list -providers 2>&1 | grep -c 'name: p11k1')
is "openssl list -providers shows p11k1" "$got" 1
tap_done
