// SPDX-License-Identifier: Apache-2.0
// Minimal JSON-RPC over fetch (node >= 18).
let nextId = 1

export class RpcError extends Error {
    constructor(method, error) {
        super(`${method}: ${error?.message ?? JSON.stringify(error)}`)
        this.method = method
        this.code = error?.code
        this.data = error?.data
        this.rpcError = error
    }
}

export async function rpc(url, method, params = [], { timeoutMs = 30000 } = {}) {
    const body = JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params })
    const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout(timeoutMs)
    })
    const text = await res.text()
    let json
    try {
        json = JSON.parse(text)
    } catch {
        throw new Error(`${method}: HTTP ${res.status}: ${text.slice(0, 500)}`)
    }
    if (json.error) throw new RpcError(method, json.error)
    return json.result
}

export async function waitFor(fn, { timeoutMs = 20000, intervalMs = 50, what = "condition" } = {}) {
    const t0 = Date.now()
    let lastErr
    for (;;) {
        try {
            const v = await fn()
            if (v) return v
        } catch (e) {
            lastErr = e
        }
        if (Date.now() - t0 > timeoutMs) {
            throw new Error(`timeout waiting for ${what}${lastErr ? `: ${lastErr.message}` : ""}`)
        }
        await new Promise((r) => setTimeout(r, intervalMs))
    }
}
