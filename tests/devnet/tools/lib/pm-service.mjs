// SPDX-License-Identifier: Apache-2.0
// What the devnet's ERC-7677 paymaster services share: waiting for a setup transaction,
// and the loopback JSON-RPC server (single and batched requests, each logged as one JSON
// line {method, params} to $PM_LOG when set) that prints its readiness line once listening.
import http from "node:http"
import fs from "node:fs"
import { rpc } from "./rpc.mjs"

// Resolves once tx is mined with status 1; throws naming `what` if it reverted.
export async function mined(rpcUrl, tx, what) {
    for (;;) {
        const r = await rpc(rpcUrl, "eth_getTransactionReceipt", [tx])
        if (r) {
            if (r.status !== "0x1") throw new Error(`${what} reverted`)
            return
        }
        await new Promise((ok) => setTimeout(ok, 50))
    }
}

export function rpcFail(code, message) {
    return { error: { code, message } }
}

// Serves answer(method, params) -> {result} | {error} on 127.0.0.1 (a free port), then
// prints "PAYMASTER_URL=http://127.0.0.1:PORT " + readyWords.
export function servePaymaster(answer, readyWords) {
    const server = http.createServer((req, res) => {
        let body = ""
        req.on("data", (d) => (body += d))
        req.on("end", () => {
            let q
            try {
                q = JSON.parse(body)
            } catch {
                res.writeHead(400).end()
                return
            }
            const one = (x) => {
                if (process.env.PM_LOG)
                    fs.appendFileSync(process.env.PM_LOG, JSON.stringify({ method: x.method, params: x.params }) + "\n")
                return { jsonrpc: "2.0", id: x.id, ...answer(x.method, x.params) }
            }
            const out = Array.isArray(q) ? q.map(one) : one(q)
            res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(out))
        })
    })
    server.listen(0, "127.0.0.1", () => {
        console.log(`PAYMASTER_URL=http://127.0.0.1:${server.address().port} ${readyWords}`)
    })
}
