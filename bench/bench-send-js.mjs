// SPDX-License-Identifier: Apache-2.0
// bench-send-js.mjs: the session-key send of bench-send.sh done in JS, N user ops (1-wei
// execute from the account, each waited for until included), time per op and HTTP
// requests per op (every fetch of the process counted).
//   devnet: the devnet's own client (tests/devnet/tools/lib/mav2.mjs, viem-like)
//   viem:   npm viem's account-abstraction module (createBundlerClient + toSmartAccount
//           with an MAv2 semi-modular account implementation written here)
// With LANES (bench-mav2d.sh): LANES loops at once in this one process, loop k sending one
// op after the other on nonce lane k (userNonceKey k, 1..LANES; after one untimed op each),
// N ops in all; the JSON has ops/s over the whole run and the latency percentiles.
// Usage: node bench-send-js.mjs devnet|viem ENVFILE ACCOUNT OWNER ENTITY_ID PRIVATE_KEY N TO [LANES]
import fs from "node:fs"
import { createRequire } from "node:module"

const [mode, envFile, account, owner, entityStr, key, nStr, to, lanesStr] = process.argv.slice(2)
const lanes = Number(lanesStr ?? 1)
if (!["devnet", "viem"].includes(mode) || !to || !(Number.isInteger(lanes) && lanes >= 1)) {
    console.error("usage: node bench-send-js.mjs devnet|viem ENVFILE ACCOUNT OWNER ENTITY_ID PRIVATE_KEY N TO [LANES]")
    process.exit(2)
}
const env = {}
for (const l of fs.readFileSync(envFile, "utf8").split("\n")) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(l.trim())
    if (m) env[m[1]] = m[2]
}
let requests = 0
const realFetch = globalThis.fetch
const methods = {}
globalThis.fetch = (...a) => {
    requests++
    try {
        const body = JSON.parse(a[1]?.body ?? "null")
        for (const r of Array.isArray(body) ? body : [body]) methods[r.method] = (methods[r.method] ?? 0) + 1
    } catch {
        /* not JSON-RPC: counted, not named */
    }
    return realFetch(...a)
}
const entity = BigInt(entityStr)
const n = Number(nStr)

/* Alto leaves the prefund payment (~30k gas) out of verificationGasLimit when the account
 * pays its own prefund (tests/devnet/README.md): every client adds a margin. */
const PREFUND_GAS_BUFFER = 40000n

async function devnetFlow() {
    const M = await import("../tests/devnet/tools/lib/mav2.mjs")
    const bundler = new M.Bundler(env.BUNDLER_URL, BigInt(env.CHAIN_ID))
    return async (lane) => {
        const nonce = await M.getNonce(env.RPC_URL, account, M.nonceKey(Number(entity), { global: true, userKey: lane }))
        const { receipt } = await M.sendUserOp({
            bundler,
            rpcUrl: env.RPC_URL,
            chainId: BigInt(env.CHAIN_ID),
            op: { sender: account, nonce, callData: M.execute(to, 1n, "0x") },
            sign: (h) => M.signUserOpHash(h, key)
        })
        return receipt.success
    }
}

async function viemFlow() {
    // viem lives in tests/devnet/node_modules (its package.json): resolve it from there
    const require = createRequire(new URL("../tests/devnet/package.json", import.meta.url))
    const viem = require("viem")
    const aa = require("viem/account-abstraction")
    const { privateKeyToAccount } = require("viem/accounts")
    const chain = viem.defineChain({
        id: Number(env.CHAIN_ID),
        name: "devnet",
        nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
        rpcUrls: { default: { http: [env.RPC_URL] } }
    })
    const client = viem.createPublicClient({ chain, transport: viem.http(env.RPC_URL) })
    // Fees: viem's own EIP-1559 estimate from the node (latest block + eth_maxPriorityFeePerGas,
    // the same two calls as its default), maxFeePerGas doubled as the default does, but not the
    // tip: the default also doubles the tip, and on the devnet, where these ops are the only
    // transactions, Alto's bundle pays that tip, anvil suggests it back, and it doubles every op.
    const bundlerClient = aa.createBundlerClient({
        client,
        transport: viem.http(env.BUNDLER_URL),
        pollingInterval: 100,
        userOperation: {
            async estimateFeesPerGas() {
                const f = await client.estimateFeesPerGas({ type: "eip1559" })
                return { maxFeePerGas: 2n * f.maxFeePerGas, maxPriorityFeePerGas: f.maxPriorityFeePerGas }
            }
        }
    })
    const signer = privateKeyToAccount(key)
    const entryPoint = { abi: aa.entryPoint07Abi, address: aa.entryPoint07Address, version: "0.7" }
    const accountAbi = viem.parseAbi([
        "function execute(address target, uint256 value, bytes data) payable returns (bytes)",
        "function executeBatch((address target, uint256 value, bytes data)[] calls) payable returns (bytes[])"
    ])
    const factoryAbi = viem.parseAbi(["function createSemiModularAccount(address owner, uint256 salt) returns (address)"])
    // MAV2.md: key192 = userNonceKey(152) << 40 | entityId(32) << 8 | options(8); 0x01 = global
    const nonceKey = (lane) => (lane << 40n) | (entity << 8n) | 1n
    // MAV2.md: the SDK's stub (0xFF 0x00 ‖ r s v of the right shape that cannot verify)
    const STUB =
        "0xff00fffffffffffffffffffffffffffffff0000000000000000000000000000000007aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1c"
    const smartFor = (lane) => aa.toSmartAccount({
        client,
        entryPoint,
        async getAddress() {
            return account
        },
        async getFactoryArgs() {
            return {
                factory: env.FACTORY,
                factoryData: viem.encodeFunctionData({ abi: factoryAbi, functionName: "createSemiModularAccount", args: [owner, 0n] })
            }
        },
        async getNonce() {
            return client.readContract({
                ...entryPoint,
                functionName: "getNonce",
                args: [account, nonceKey(lane)]
            })
        },
        async encodeCalls(calls) {
            if (calls.length === 1)
                return viem.encodeFunctionData({
                    abi: accountAbi,
                    functionName: "execute",
                    args: [calls[0].to, calls[0].value ?? 0n, calls[0].data ?? "0x"]
                })
            return viem.encodeFunctionData({
                abi: accountAbi,
                functionName: "executeBatch",
                args: [calls.map((c) => ({ target: c.to, value: c.value ?? 0n, data: c.data ?? "0x" }))]
            })
        },
        async getStubSignature() {
            return STUB
        },
        async signMessage() {
            throw new Error("not used by this benchmark")
        },
        async signTypedData() {
            throw new Error("not used by this benchmark")
        },
        async signUserOperation(op) {
            const hash = aa.getUserOperationHash({
                userOperation: { ...op, sender: account },
                entryPointAddress: entryPoint.address,
                entryPointVersion: "0.7",
                chainId: chain.id
            })
            // 0xFF (validation segment) ‖ 0x00 (EOA) ‖ EIP-191 signature r‖s‖v of userOpHash
            return viem.concat(["0xff", "0x00", await signer.signMessage({ message: { raw: hash } })])
        }
    })
    const smarts = new Map()
    return async (lane) => {
        if (!smarts.has(lane)) smarts.set(lane, await smartFor(lane))
        const smart = smarts.get(lane)
        const op = await bundlerClient.prepareUserOperation({ account: smart, calls: [{ to, value: 1n }] })
        op.verificationGasLimit += PREFUND_GAS_BUFFER
        const signature = await smart.signUserOperation(op)
        const { account: _a, ...rest } = op
        const hash = await bundlerClient.sendUserOperation({ ...rest, signature, entryPointAddress: entryPoint.address })
        const receipt = await bundlerClient.waitForUserOperationReceipt({ hash, pollingInterval: 100, timeout: 60000 })
        return receipt.success
    }
}

const sendOne = mode === "viem" ? await viemFlow() : await devnetFlow()
// LANES given: lanes 1..LANES, each after one untimed op (the steady state); else lane 0
const laneIds = Array.from({ length: lanes }, (_, k) => (lanesStr === undefined ? 0n : BigInt(k + 1)))
if (lanesStr !== undefined)
    for (const ok of await Promise.all(laneIds.map((l) => sendOne(l)))) if (!ok) throw new Error("warm-up op failed")
const times = []
const r0 = requests
for (const m in methods) delete methods[m]
const since = Date.now()
const w0 = process.hrtime.bigint()
let next = 0
// one loop per lane, the ops taken in turn
const loop = async (lane) => {
    while (next < n) {
        next++
        const t0 = process.hrtime.bigint()
        if (!(await sendOne(lane))) throw new Error("op failed")
        times.push(Number(process.hrtime.bigint() - t0) / 1e6)
    }
}
await Promise.all(laneIds.map(loop))
const wallMs = Number(process.hrtime.bigint() - w0) / 1e6
times.sort((a, b) => a - b)
const pct = (p) => times[Math.min(n - 1, Math.floor((n * p) / 100))]
console.log(
    JSON.stringify({
        mode,
        n,
        lanes,
        meanMs: wallMs / n,
        opsPerSec: n / (wallMs / 1000),
        medianMs: pct(50),
        p90Ms: pct(90),
        requestsPerOp: (requests - r0) / n,
        since,
        methods
    })
)
