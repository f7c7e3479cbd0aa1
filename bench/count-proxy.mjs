// SPDX-License-Identifier: Apache-2.0
// count-proxy.mjs: a logging HTTP proxy in front of one JSON-RPC server, for bench-send.sh
// and bench-mav2d.sh: every HTTP request is forwarded as is and logged as one line of
// LOGFILE: the time it came (ms since the epoch), then the JSON-RPC methods of its body,
// space-separated (a batch is one line with all of its methods). With "no-batch" it
// answers a batch itself as Alto 0.0.20 does (one error object), for the tests of the
// fallback to one call at a time.
//   node bench/count-proxy.mjs UPSTREAM LOGFILE [no-batch]   prints its loopback port once ready
import http from "node:http"
import fs from "node:fs"

const [upstream, logFile, mode] = process.argv.slice(2)
if (!upstream || !logFile || (mode && mode !== "no-batch")) {
  console.error("usage: node count-proxy.mjs UPSTREAM LOGFILE [no-batch]")
  process.exit(2)
}

function methods(body) {
  try {
    const q = JSON.parse(body)
    return (Array.isArray(q) ? q : [q]).map((c) => String(c?.method ?? "?")).join(" ")
  } catch {
    return "(not JSON)"
  }
}

const agent = new http.Agent({ keepAlive: true })
const server = http.createServer((req, res) => {
  const chunks = []
  req.on("data", (c) => chunks.push(c))
  req.on("end", () => {
    const body = Buffer.concat(chunks)
    fs.appendFileSync(logFile, `${Date.now()} ${methods(body.toString("utf8"))}\n`)
    if (mode === "no-batch" && body.toString("utf8").trimStart().startsWith("[")) {
      res.writeHead(200, { "content-type": "application/json" })
      res.end(JSON.stringify({ jsonrpc: "2.0", id: null,
        error: { code: -32600, message: "Expected object, received array" } }))
      return
    }
    const up = http.request(upstream, {
      method: req.method,
      agent,
      headers: { "content-type": req.headers["content-type"] ?? "application/json", "content-length": body.length }
    }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, { "content-type": ur.headers["content-type"] ?? "application/json" })
      ur.pipe(res)
    })
    up.on("error", (e) => {
      res.writeHead(502)
      res.end(String(e))
    })
    up.end(body)
  })
})
server.keepAliveTimeout = 60000
server.listen(0, "127.0.0.1", () => console.log(server.address().port))
