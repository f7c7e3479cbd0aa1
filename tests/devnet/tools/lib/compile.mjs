// SPDX-License-Identifier: Apache-2.0
// Compiles tests/devnet/contracts/*.sol with the npm solc (JS build), caching the
// result in a build dir keyed by a hash of compiler version, settings and sources.
import { createHash } from "node:crypto"
import { createRequire } from "node:module"
import fs from "node:fs"
import path from "node:path"
import { fileURLToPath } from "node:url"

const require = createRequire(import.meta.url)
export const DEVNET_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..")
const CONTRACTS_DIR = path.join(DEVNET_ROOT, "contracts")
const NODE_MODULES = path.join(DEVNET_ROOT, "node_modules")

export const SOLC_SETTINGS = {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: "cancun",
    outputSelection: {
        "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object", "evm.deployedBytecode.immutableReferences"] }
    }
}

function listSources() {
    if (!fs.existsSync(CONTRACTS_DIR)) return []
    return fs
        .readdirSync(CONTRACTS_DIR)
        .filter((f) => f.endsWith(".sol"))
        .sort()
}

function readImport(p) {
    // "@openzeppelin/...", "@account-abstraction/..." → node_modules; local → contracts dir
    const candidates = [path.join(NODE_MODULES, p), path.join(CONTRACTS_DIR, p)]
    for (const c of candidates) {
        if (fs.existsSync(c)) return { contents: fs.readFileSync(c, "utf8") }
    }
    return { error: `not found: ${p}` }
}

export function buildDir() {
    return process.env.DEVNET_BUILD_DIR || path.join(DEVNET_ROOT, ".build")
}

// Returns { contracts: { Name: { abi, bytecode, deployedBytecode, immutableReferences } }, cached, ms }
export function compileContracts() {
    const t0 = Date.now()
    const files = listSources()
    const solcPkg = JSON.parse(fs.readFileSync(path.join(NODE_MODULES, "solc", "package.json"), "utf8"))
    const ozPkg = JSON.parse(fs.readFileSync(path.join(NODE_MODULES, "@openzeppelin", "contracts", "package.json"), "utf8"))
    const h = createHash("sha256")
    h.update(`solc ${solcPkg.version}\noz ${ozPkg.version}\n${JSON.stringify(SOLC_SETTINGS)}\n`)
    const sources = {}
    for (const f of files) {
        const content = fs.readFileSync(path.join(CONTRACTS_DIR, f), "utf8")
        sources[f] = { content }
        h.update(`${f}\n${content.length}\n${content}\n`)
    }
    const key = h.digest("hex").slice(0, 24)
    const dir = buildDir()
    const cacheFile = path.join(dir, `solc-${key}.json`)
    if (fs.existsSync(cacheFile)) {
        return { ...JSON.parse(fs.readFileSync(cacheFile, "utf8")), cached: true, ms: Date.now() - t0, cacheFile }
    }
    if (files.length === 0) return { contracts: {}, cached: false, ms: 0 }
    const solc = require("solc")
    const input = { language: "Solidity", sources, settings: SOLC_SETTINGS }
    const out = JSON.parse(solc.compile(JSON.stringify(input), { import: readImport }))
    const errors = (out.errors || []).filter((e) => e.severity === "error")
    if (errors.length) {
        throw new Error(`solc failed:\n${errors.map((e) => e.formattedMessage).join("\n")}`)
    }
    const contracts = {}
    for (const f of files) {
        for (const [name, c] of Object.entries(out.contracts[f] || {})) {
            contracts[name] = {
                source: f,
                abi: c.abi,
                bytecode: "0x" + c.evm.bytecode.object,
                deployedBytecode: "0x" + c.evm.deployedBytecode.object,
                immutableReferences: c.evm.deployedBytecode.immutableReferences || {}
            }
        }
    }
    const warnings = (out.errors || []).filter((e) => e.severity !== "error").map((e) => e.formattedMessage)
    const result = { solc: solc.version(), key, contracts, warnings }
    fs.mkdirSync(dir, { recursive: true })
    const tmp = `${cacheFile}.${process.pid}.tmp`
    fs.writeFileSync(tmp, JSON.stringify(result))
    fs.renameSync(tmp, cacheFile)
    return { ...result, cached: false, ms: Date.now() - t0, cacheFile }
}

// CLI: node tools/lib/compile.mjs  → compiles, prints a summary (sizes, warnings)
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    const r = compileContracts()
    for (const w of r.warnings || []) console.error(w)
    for (const [n, c] of Object.entries(r.contracts)) {
        console.log(`${n.padEnd(36)} runtime ${(c.deployedBytecode.length - 2) / 2} bytes`)
    }
    console.log(`${r.cached ? "cached" : "compiled"} in ${r.ms} ms → ${r.cacheFile}`)
}
