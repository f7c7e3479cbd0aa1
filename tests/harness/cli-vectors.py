#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""cli-vectors.py: turns reference vectors into `mav2` command lines for test-cli.sh.

Prints one case per line, fields separated by tabs:
  calldata VECTORS          name, expected callData, mav2 arguments...
  nonce VECTORS             name, expected key, expected full nonce, mav2 arguments...
  userop VECTORS DIR        name, expected userOpHash, mav2 arguments... (ops written to DIR)
  keys VECTORS DIR          name, expected address, private key file (DER written to DIR)
"""
import json
import os
import sys

ACCOUNT = "0x5555555555555555555555555555555555555555"


def out(*fields):
    print("\t".join(str(f) for f in fields))


def call_arg(c):
    return "%s,%s,%s" % (c["target"], c["value"], c["data"])


def calldata(vec):
    d = json.load(open(os.path.join(vec, "mav2_calldata.json")))
    execs = {e["name"]: e for e in d["execute"]}
    for e in d["execute"]:
        args = ["--call", call_arg(e)]
        if e["target"].lower() != ACCOUNT:
            out(e["name"], e["callData"].lower(), *args)
        out(e["name"] + " (--account)", e["callData"].lower(), "--account", ACCOUNT, *args)
    for e in d["executeBatch"]:
        args = ["--batch"]
        for c in e["calls"]:
            args += ["--call", call_arg(c)]
        out(e["name"], e["callData"].lower(), *args)
        out(e["name"] + " (--account)", e["callData"].lower(), "--account", ACCOUNT, *args)
    suffix = " (validation has execution hooks)"
    for e in d["executeWithExecHooks"]:
        base = execs.get(e["name"][: -len(suffix)]) if e["name"].endswith(suffix) else None
        if base is None:
            sys.exit("cli-vectors: no execute vector for " + e["name"])
        out(e["name"], e["callData"].lower(), "--exec-hooks", "--call", call_arg(base))


def nonce(vec):
    d = json.load(open(os.path.join(vec, "mav2_nonce.json")))
    for i, e in enumerate(d["vectors"]):
        args = ["--entity-id", str(e["entityId"]), "--nonce-key", e["nonceKey"],
                "--sequence", e["seq"]]
        if e["isGlobalValidation"]:
            args.append("--global")
        if e["isDeferredAction"]:
            args.append("--deferred")
        out("nonce #%d" % i, e["buildFullNonceKey"], e["fullNonce_rpcHex"], *args)


def expand(v):
    """A byte string given as length + pattern instead of inline."""
    if isinstance(v, dict) and v.get("omitted"):
        pat = v["pattern"].replace("...", "")[2:]
        byte = pat[:2]
        if pat != byte * (len(pat) // 2):
            return None
        return "0x" + byte * v["length"]
    return v


def userop(vec, tmp):
    d = json.load(open(os.path.join(vec, "userops_v07.json")))
    for e in d["vectors"]:
        op = dict(e["jsonRpc_eth_sendUserOperation_param0"])
        for k, v in list(op.items()):
            if isinstance(v, str) and v.startswith("<see input."):
                op[k] = expand(e["input"][k])
                if op[k] is None:
                    break
        else:
            path = os.path.join(tmp, "op-%d.json" % e["index"])
            with open(path, "w") as f:
                json.dump(op, f)
            for chain, want in sorted(e["userOpHash_v07"]["byChainId"].items()):
                out("%s chain %s" % (e["name"], chain), want, "--userop", path,
                    "--chain-id", chain)


def keys(vec, tmp):
    d = json.load(open(os.path.join(vec, "secp256k1.json")))
    for k in d["keys"]:
        priv = bytes.fromhex(k["privateKey"][2:])
        # SEC1 ECPrivateKey: version 1, the scalar, [0] namedCurve secp256k1
        der = (bytes([0x30, 0x2E, 0x02, 0x01, 0x01, 0x04, 0x20]) + priv +
               bytes([0xA0, 0x07, 0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x0A]))
        path = os.path.join(tmp, "key-%s.der" % k["name"])
        with open(path, "wb") as f:
            f.write(der)
        out(k["name"], k["address"], path)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    mode, vec = sys.argv[1], sys.argv[2]
    if mode == "calldata":
        calldata(vec)
    elif mode == "nonce":
        nonce(vec)
    elif mode == "userop":
        userop(vec, sys.argv[3])
    elif mode == "keys":
        keys(vec, sys.argv[3])
    else:
        sys.exit(__doc__)


main()
