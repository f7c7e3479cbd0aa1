// SPDX-License-Identifier: Apache-2.0
// bench-sig-viem.mjs: viem's side of bench_sig's software user op: the same v0.7 user op
// (bench_sig.c fill_op), getUserOperationHash + signMessage({raw}) + the MAv2 0xFF 0x00
// prefix, N times with a raw private key, CPU time. Prints "viem_userop_us X" and the last signature.
// Usage: node bench-sig-viem.mjs PRIVATE_KEY N
import { createRequire } from "node:module"

const [key, nStr] = process.argv.slice(2)
const n = Number(nStr)
if (!/^0x[0-9a-fA-F]{64}$/.test(key ?? "") || !(n > 0)) {
    console.error("usage: node bench-sig-viem.mjs PRIVATE_KEY N")
    process.exit(2)
}
// viem lives in tests/devnet/node_modules (its package.json): resolve it from there
const require = createRequire(new URL("../tests/devnet/package.json", import.meta.url))
const viem = require("viem")
const aa = require("viem/account-abstraction")
const { privateKeyToAccount } = require("viem/accounts")

const account = privateKeyToAccount(key)
const op = {
    sender: "0x" + "11".repeat(20),
    nonce: 0x101n << 64n,
    callData: "0x" + "ab".repeat(196),
    callGasLimit: 100000n,
    verificationGasLimit: 150000n,
    preVerificationGas: 50000n,
    maxFeePerGas: 4612500000n,
    maxPriorityFeePerGas: 1575000000n,
    signature: "0x",
}
const entryPointAddress = aa.entryPoint07Address

async function signOne(i) {
    const userOperation = { ...op, nonce: op.nonce + BigInt(i) }
    const hash = aa.getUserOperationHash({ userOperation, entryPointAddress, entryPointVersion: "0.7", chainId: 31337 })
    const sig = await account.signMessage({ message: { raw: hash } })
    return viem.concat(["0xff00", sig])
}

let last
for (let i = 0; i < n / 10 + 1; i++) await signOne(i) // warm up (JIT)
const c0 = process.cpuUsage() // CPU time (user + system), like bench_sig: steadier under load
for (let i = 0; i < n; i++) last = await signOne(i)
const c = process.cpuUsage(c0)
const us = (c.user + c.system) / n
console.log(`viem_userop_us ${us.toFixed(2)}`)
console.log(`last_signature ${last}`)
