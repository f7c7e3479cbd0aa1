#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// mav2d-client.mjs: viem as a backend would use it against mav2d (tests/e2e/test-mav2d.sh,
// bench/). Environment: MAV2D_URL, MAV2D_TOKEN (bearer), ACCOUNT, CHAIN_ID.
//   send TO VALUE_WEI [STORE DATA]       sendCalls + waitForCallsStatus: prints one JSON line
//                                         ($PAYMASTER_URL: sponsored, ERC-7677 capability)
//   load CLIENTS REQUESTS BASE            CLIENTS concurrent clients x REQUESTS sendCalls,
//                                         request k sends 1000 wei to address BASE+k; prints
//                                         "id K 0x..." as each id comes and "err K message"
//                                         (mav2d's own message when it answered an error)
//   status ID...                          waitForCallsStatus of each id: "ID STATUS TXHASH"
import { createWalletClient, http, defineChain } from "viem"

const env = process.env
const chain = defineChain({
    id: Number(env.CHAIN_ID),
    name: "devnet",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [env.MAV2D_URL] } },
})
const client = createWalletClient({
    account: env.ACCOUNT,
    chain,
    transport: http(env.MAV2D_URL, {
        fetchOptions: env.MAV2D_TOKEN ? { headers: { Authorization: `Bearer ${env.MAV2D_TOKEN}` } } : {},
        timeout: 600_000,
        retryCount: 0,
    }),
})
const wait = (id) => client.waitForCallsStatus({ id, pollingInterval: 200, timeout: 600_000 })
const addr = (base, k) => "0x" + (BigInt(base) + BigInt(k)).toString(16).padStart(40, "0")

const [cmd, ...args] = process.argv.slice(2)
if (cmd === "send") {
    const calls = [{ to: args[0], value: BigInt(args[1]) }]
    if (args[2]) calls.push({ to: args[2], data: args[3] })
    const capabilities = env.PAYMASTER_URL
        ? { paymasterService: { url: env.PAYMASTER_URL, context: { policy: "mav2d" } } }
        : undefined
    const { id } = await client.sendCalls({ calls, capabilities })
    const st = await wait(id)
    console.log(JSON.stringify({ id, status: st.status, statusCode: st.statusCode,
        tx: st.receipts?.[0]?.transactionHash, receiptStatus: st.receipts?.[0]?.status }))
} else if (cmd === "load") {
    const [clients, requests, base] = args
    let k = 0
    const worker = async () => {
        for (let i = 0; i < Number(requests); i++) {
            const my = k++
            try {
                const { id } = await client.sendCalls({ calls: [{ to: addr(base, my), value: 1000n }] })
                console.log(`id ${my} ${id}`)
            } catch (e) {
                console.log(`err ${my} ${(e.details || e.shortMessage || e.message).split("\n")[0]}`)
            }
        }
    }
    await Promise.all(Array.from({ length: Number(clients) }, worker))
} else if (cmd === "status") {
    for (const id of args) {
        const st = await wait(id)
        console.log(`${id} ${st.statusCode} ${st.receipts?.[0]?.transactionHash}`)
    }
} else {
    console.error("usage: mav2d-client.mjs send|load|status ...")
    process.exit(2)
}
