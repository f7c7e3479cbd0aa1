// SPDX-License-Identifier: Apache-2.0
// A JSON-RPC proxy to a node that refuses eth_getLogs over more than MAX blocks, as
// hosted providers do (test fixture): node tools/range-proxy.mjs UPSTREAM MAX COUNTFILE
// Listens on a free loopback port and prints it once ready; writes the number of
// refused and answered eth_getLogs calls to COUNTFILE after each request.
import http from "node:http"
import fs from "node:fs"

const [upstream, maxArg, countFile] = process.argv.slice(2)
const max = BigInt(maxArg)
let refused = 0, answered = 0

function tooWide(call) {
  if (call.method !== "eth_getLogs") return false
  const f = call.params?.[0] ?? {}
  if (f.fromBlock === undefined || f.toBlock === undefined) return true // an open range
  if (!/^0x[0-9a-f]+$/i.test(f.fromBlock) || !/^0x[0-9a-f]+$/i.test(f.toBlock)) return true
  return BigInt(f.toBlock) - BigInt(f.fromBlock) + 1n > max
}

async function forward(call) {
  if (tooWide(call)) {
    refused++
    return { jsonrpc: "2.0", id: call.id, error: { code: -32005, message: `block range exceeds ${max}` } }
  }
  if (call.method === "eth_getLogs") answered++
  const r = await fetch(upstream, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(call) })
  return r.json()
}

const server = http.createServer((req, res) => {
  let body = ""
  req.on("data", (c) => (body += c))
  req.on("end", async () => {
    const q = JSON.parse(body)
    const a = Array.isArray(q) ? await Promise.all(q.map(forward)) : await forward(q)
    fs.writeFileSync(countFile, `${refused} ${answered}\n`)
    res.writeHead(200, { "content-type": "application/json" })
    res.end(JSON.stringify(a))
  })
})
server.listen(0, "127.0.0.1", () => console.log(server.address().port))
