// SPDX-License-Identifier: Apache-2.0
// ERC-7677 paymaster service for the devnet tests (loopback only): places
// SponsoringPaymaster (contracts/) with anvil_setCode, funds its EntryPoint deposit from
// the funder, then answers pm_getPaymasterStubData (paymasterData 0x00 + tag) and
// pm_getPaymasterData (0x01 + tag) for EntryPoint v0.7 on chain CHAIN_ID. Every request
// is appended to $PM_LOG (one JSON line: method, params) when set.
//   node tools/paymaster.mjs RPC_URL FUNDER_ADDRESS [DEPOSIT_WEI]
// prints "PAYMASTER_URL=http://127.0.0.1:PORT PAYMASTER=0x..." once serving.
import { compileContracts } from "./lib/compile.mjs"
import { mined, rpcFail, servePaymaster } from "./lib/pm-service.mjs"
import { rpc } from "./lib/rpc.mjs"

const ENTRY_POINT = "0x0000000071727De22E5E9d8BAf0edAc6f37da032"
const PAYMASTER = "0x00000000000000000000000000000000000BA4E5"
const [rpcUrl, funder, depositWei = "0xde0b6b3a7640000"] = process.argv.slice(2)
if (!rpcUrl || !funder) {
    console.error("usage: paymaster.mjs RPC_URL FUNDER_ADDRESS [DEPOSIT_WEI]")
    process.exit(1)
}

const c = compileContracts().contracts.SponsoringPaymaster
await rpc(rpcUrl, "anvil_setCode", [PAYMASTER, c.deployedBytecode])
// deposit(): 0xd0e30db0 — forwards the value to EntryPoint.depositTo(paymaster)
const tx = await rpc(rpcUrl, "eth_sendTransaction", [
    { from: funder, to: PAYMASTER, value: "0x" + BigInt(depositWei).toString(16), data: "0xd0e30db0" }
])
await mined(rpcUrl, tx, "paymaster deposit")
const chainId = await rpc(rpcUrl, "eth_chainId", [])

function answer(method, params) {
    if (method !== "pm_getPaymasterStubData" && method !== "pm_getPaymasterData")
        return rpcFail(-32601, "Method not found")
    if (!Array.isArray(params) || params.length < 3 || typeof params[0] !== "object")
        return rpcFail(-32602, "want [userOp, entryPoint, chainId, context]")
    if (String(params[1]).toLowerCase() !== ENTRY_POINT.toLowerCase())
        return rpcFail(-32602, "unsupported entry point")
    if (BigInt(params[2]) !== BigInt(chainId)) return rpcFail(-32602, "wrong chain")
    if (params[3] && params[3].deny) return rpcFail(-32000, "not sponsored by policy")
    const stub = method === "pm_getPaymasterStubData"
    const result = { paymaster: PAYMASTER, paymasterData: stub ? "0x00" + "ee".repeat(8) : "0x01" + "ee".repeat(8) }
    if (stub) {
        result.paymasterVerificationGasLimit = "0x7530"
        result.paymasterPostOpGasLimit = "0x0"
    }
    return { result }
}

servePaymaster(answer, `PAYMASTER=${PAYMASTER}`)
