// bench-send-js.mjs: the same session-key send done by the devnet's JS tooling
// (tests/devnet/tools/lib, viem-like): N user ops (execute, value transfer), time per op
// and HTTP requests per op (every fetch counted).
// Usage: node bench-send-js.mjs ENVFILE ACCOUNT ENTITY_ID PRIVATE_KEY N TO
import fs from "node:fs"
import * as M from "../tests/devnet/tools/lib/mav2.mjs"

const [envFile, account, entity, key, nStr, to] = process.argv.slice(2)
const env = {}
for (const l of fs.readFileSync(envFile, "utf8").split("\n")) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(l.trim())
    if (m) env[m[1]] = m[2]
}
let requests = 0
const realFetch = globalThis.fetch
globalThis.fetch = (...a) => {
    requests++
    return realFetch(...a)
}
const bundler = new M.Bundler(env.BUNDLER_URL, BigInt(env.CHAIN_ID))
const n = Number(nStr)
const times = []
const r0 = requests
for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint()
    const nonce = await M.getNonce(env.RPC_URL, account, M.nonceKey(Number(entity), { global: true }))
    const { receipt } = await M.sendUserOp({
        bundler,
        rpcUrl: env.RPC_URL,
        chainId: BigInt(env.CHAIN_ID),
        op: { sender: account, nonce, callData: M.execute(to, 1n, "0x") },
        sign: (h) => M.signUserOpHash(h, key)
    })
    if (!receipt.success) throw new Error("op failed")
    times.push(Number(process.hrtime.bigint() - t0) / 1e6)
}
times.sort((a, b) => a - b)
const mean = times.reduce((a, b) => a + b, 0) / n
console.log(JSON.stringify({ n, meanMs: mean, medianMs: times[Math.floor(n / 2)], requestsPerOp: (requests - r0) / n }))
