#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Adds up the TAP results (.trs files) under each build directory
and prints "BUILD: N passed, N failed" per build, then the total."""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
total_pass = total_fail = total_skip = 0
for build in sys.argv[2:]:
    p = f = s = 0
    for trs in sorted((root / build / "tests").rglob("*.trs")):
        for line in trs.read_text(errors="replace").splitlines():
            m = re.match(r"^:test-result: (\w+)", line)
            if not m:
                continue
            if m.group(1) in ("PASS", "XFAIL"):
                p += 1
            elif m.group(1) == "SKIP":
                s += 1
            else:
                f += 1
    print(f"{build}: {p} passed, {f} failed, {s} skipped")
    total_pass += p
    total_fail += f
    total_skip += s
print(f"total: {total_pass} passed, {total_fail} failed, {total_skip} skipped")
