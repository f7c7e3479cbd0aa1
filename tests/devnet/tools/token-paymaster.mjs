// SPDX-License-Identifier: Apache-2.0
// ERC-7677 paymaster service for gas paid in an ERC-20 token, for the devnet tests
// (loopback only): places TokenPaymaster and GasToken (6 decimals) from contracts/ with
// anvil_setCode, prices the token at RATE base units per ETH (setRate), funds the
// paymaster's EntryPoint deposit from the funder, then answers, for EntryPoint v0.7 on
// chain CHAIN_ID, a context with "erc20Context": {tokenAddress, maxTokenAmount?} (hex
// or decimal base units; none = no cap):
//   pm_getPaymasterStubData → paymasterData 0x00 ‖ token ‖ uint256 max, gas limits
//   pm_getPaymasterData     → 0x01 ‖ token ‖ uint256 max, refused (-32000) when the op's
//     maximum cost in the token (all its gas limits x maxFeePerGas) is above max.
// Every request is appended to $PM_LOG (one JSON line: method, params) when set.
//   node tools/token-paymaster.mjs RPC_URL FUNDER_ADDRESS [DEPOSIT_WEI]
// prints "PAYMASTER_URL=http://127.0.0.1:PORT PAYMASTER=0x... GAS_TOKEN=0x..." once serving.
import { compileContracts } from "./lib/compile.mjs"
import { mined, rpcFail as fail, servePaymaster } from "./lib/pm-service.mjs"
import { rpc } from "./lib/rpc.mjs"
import { numToHex, padLeft, selector } from "./lib/eth.mjs"

const ENTRY_POINT = "0x0000000071727De22E5E9d8BAf0edAc6f37da032"
const PAYMASTER = "0x0000000000000000000000000000000000ba4e20"
const GAS_TOKEN = "0x00000000000000000000000000000000006a5020"
const RATE = 2000n * 10n ** 6n // 2000 tokens (6 decimals) per ETH
const NO_CAP = (1n << 256n) - 1n
const [rpcUrl, funder, depositWei = "0xde0b6b3a7640000"] = process.argv.slice(2)
if (!rpcUrl || !funder) {
    console.error("usage: token-paymaster.mjs RPC_URL FUNDER_ADDRESS [DEPOSIT_WEI]")
    process.exit(1)
}

const compiled = compileContracts().contracts
await rpc(rpcUrl, "anvil_setCode", [PAYMASTER, compiled.TokenPaymaster.deployedBytecode])
await rpc(rpcUrl, "anvil_setCode", [GAS_TOKEN, compiled.GasToken.deployedBytecode])
const setRate = selector("setRate(address,uint256)") + padLeft(GAS_TOKEN).slice(2) + numToHex(RATE).slice(2)
await mined(rpcUrl, await rpc(rpcUrl, "eth_sendTransaction", [{ from: funder, to: PAYMASTER, data: setRate }]), "setRate")
const dep = { from: funder, to: PAYMASTER, value: "0x" + BigInt(depositWei).toString(16), data: selector("deposit()") }
await mined(rpcUrl, await rpc(rpcUrl, "eth_sendTransaction", [dep]), "paymaster deposit")
const chainId = await rpc(rpcUrl, "eth_chainId", [])

function big(v) {
    if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v)
    if (typeof v === "string" && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(v)) return BigInt(v)
    return null
}

function answer(method, params) {
    if (method !== "pm_getPaymasterStubData" && method !== "pm_getPaymasterData")
        return fail(-32601, "Method not found")
    if (!Array.isArray(params) || params.length < 4 || typeof params[0] !== "object")
        return fail(-32602, "want [userOp, entryPoint, chainId, context]")
    const [op, ep, chain, ctx] = params
    if (String(ep).toLowerCase() !== ENTRY_POINT.toLowerCase()) return fail(-32602, "unsupported entry point")
    if (BigInt(chain) !== BigInt(chainId)) return fail(-32602, "wrong chain")
    const e = ctx && ctx.erc20Context
    if (!e || typeof e.tokenAddress !== "string") return fail(-32602, "context.erc20Context.tokenAddress missing")
    if (e.tokenAddress.toLowerCase() !== GAS_TOKEN.toLowerCase())
        return fail(-32602, `token ${e.tokenAddress} is not accepted by this paymaster`)
    const max = e.maxTokenAmount === undefined ? NO_CAP : big(e.maxTokenAmount)
    if (max === null) return fail(-32602, "erc20Context.maxTokenAmount: not an amount")
    const stub = method === "pm_getPaymasterStubData"
    if (!stub) {
        const gas = ["callGasLimit", "verificationGasLimit", "preVerificationGas",
            "paymasterVerificationGasLimit", "paymasterPostOpGasLimit"].reduce((s, k) => s + BigInt(op[k] ?? 0), 0n)
        const cost = (gas * BigInt(op.maxFeePerGas) * RATE + 10n ** 18n - 1n) / 10n ** 18n
        if (cost > max)
            return fail(-32000, `maxTokenAmount ${max} is below the op's maximum gas cost of ${cost} token units`)
    }
    const data = (stub ? "0x00" : "0x01") + GAS_TOKEN.slice(2) + numToHex(max).slice(2)
    const result = { paymaster: PAYMASTER, paymasterData: data }
    if (stub) {
        result.paymasterVerificationGasLimit = "0x186a0"
        result.paymasterPostOpGasLimit = "0xea60"
    }
    return { result }
}

servePaymaster(answer, `PAYMASTER=${PAYMASTER} GAS_TOKEN=${GAS_TOKEN}`)
