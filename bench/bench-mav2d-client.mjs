// SPDX-License-Identifier: Apache-2.0
// bench-mav2d-client.mjs: bench-mav2d.sh's client of mav2d: viem's wallet client (EIP-5792)
// as a backend uses it. CLIENTS loops at once in this one process, each sending one op
// after the other (sendCalls of a 1-wei call to TO, then waitForCallsStatus, polling every
// 100 ms) after one untimed op each; N ops in all. Prints one JSON line: ops/s over the
// timed part, latency percentiles (sendCalls until confirmed), HTTP requests to mav2d per op,
// since: the timed part's start and until: its end (ms since the epoch), and times: every
// op's latency (ms, sorted; bench-mav2d-pg.sh merges two clients' rows).
// Environment: MAV2D_URL, MAV2D_TOKEN (bearer), ACCOUNT, CHAIN_ID; BENCH_BARRIER=1: after
// the untimed ops print "warm" and start the timed part when a line comes on stdin.
//   node bench-mav2d-client.mjs CLIENTS N TO
import { createRequire } from "node:module"

const require = createRequire(new URL("../tests/devnet/package.json", import.meta.url))
const { createWalletClient, http, defineChain } = require("viem")

const [clientsStr, nStr, to] = process.argv.slice(2)
const clients = Number(clientsStr)
const n = Number(nStr)
if (!(clients >= 1) || !(n >= 1) || !to) {
    console.error("usage: node bench-mav2d-client.mjs CLIENTS N TO")
    process.exit(2)
}
const env = process.env
let requests = 0
const realFetch = globalThis.fetch
globalThis.fetch = (...a) => {
    requests++
    return realFetch(...a)
}
const chain = defineChain({
    id: Number(env.CHAIN_ID),
    name: "devnet",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [env.MAV2D_URL] } }
})
const client = createWalletClient({
    account: env.ACCOUNT,
    chain,
    transport: http(env.MAV2D_URL, {
        fetchOptions: { headers: { Authorization: `Bearer ${env.MAV2D_TOKEN}` } },
        timeout: 600_000,
        retryCount: 0
    })
})
const one = async () => {
    const t0 = process.hrtime.bigint()
    const { id } = await client.sendCalls({ calls: [{ to, value: 1n }] })
    const st = await client.waitForCallsStatus({ id, pollingInterval: 100, timeout: 600_000 })
    if (st.statusCode !== 200) throw new Error(`op ${id}: status ${st.statusCode}`)
    return Number(process.hrtime.bigint() - t0) / 1e6
}
await Promise.all(Array.from({ length: clients }, one))
if (env.BENCH_BARRIER) {
    // two clients start their timed parts together: "warm", then wait for a line
    process.stdout.write("warm\n")
    await new Promise((resolve) => process.stdin.once("data", resolve))
    process.stdin.destroy()
}
const times = []
let next = 0
const r0 = requests
const since = Date.now()
const w0 = process.hrtime.bigint()
const loop = async () => {
    while (next < n) {
        next++
        times.push(await one())
    }
}
await Promise.all(Array.from({ length: clients }, loop))
const wallMs = Number(process.hrtime.bigint() - w0) / 1e6
times.sort((a, b) => a - b)
const pct = (p) => times[Math.min(n - 1, Math.floor((n * p) / 100))]
console.log(
    JSON.stringify({
        n,
        clients,
        opsPerSec: n / (wallMs / 1000),
        medianMs: pct(50),
        p90Ms: pct(90),
        requestsPerOp: (requests - r0) / n,
        since,
        until: since + wallMs,
        times
    })
)
