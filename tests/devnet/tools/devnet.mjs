#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// Local ERC-4337 v0.7 devnet: anvil + EntryPoint v0.7 + MAv2 stand-in contracts + Alto.
// Usage: node tools/devnet.mjs start|stop|env|status   (see ../README.md)
import { spawn, spawnSync } from "node:child_process"
import fs from "node:fs"
import net from "node:net"
import os from "node:os"
import path from "node:path"
import { createRequire } from "node:module"
import { rpc, waitFor } from "./lib/rpc.mjs"
import { compileContracts, DEVNET_ROOT } from "./lib/compile.mjs"

const require = createRequire(import.meta.url)
const NM = path.join(DEVNET_ROOT, "node_modules")
const ANVIL_BIN = path.join(NM, "@foundry-rs", "anvil-linux-amd64", "bin", "anvil")
const ALTO_CLI = path.join(NM, "@pimlico", "alto", "esm", "cli", "alto.js")
const LOOPBACK_PRELOAD = path.join(DEVNET_ROOT, "tools", "alto-loopback.cjs")

export const CHAIN_ID = 31337
export const MNEMONIC = "test test test test test test test test test test test junk"
// anvil's accounts for the mnemonic above (m/44'/60'/0'/0/i)
export const DEV_KEYS = [
    ["0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"],
    ["0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"],
    ["0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"],
    ["0x90F79bf6EB2c4f870365E785982E1f101E93b906", "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6"],
    ["0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65", "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a"],
    ["0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc", "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba"]
]
const DEPLOYER = DEV_KEYS[0][0] // funds + deploys (unlocked in anvil)
const ALTO_UTILITY = DEV_KEYS[1]
const ALTO_EXECUTOR = DEV_KEYS[2]
const OWNERS = [DEV_KEYS[3], DEV_KEYS[4], DEV_KEYS[5]]

export const ENTRY_POINT = "0x0000000071727De22E5E9d8BAf0edAc6f37da032"
export const SENDER_CREATOR = "0xEFC2c1444eBCC4Db75e7613d20C6a62fF67A167C"
const DETERMINISTIC_DEPLOYER = "0x4e59b44847b379578588920ca78fbf26c0b4956c"
const EP_SALT = "0x90d8084deab30c2a37c45e8d47f49f2f7965183cb6990a98943ef94940681de3"

// contract name (tests/devnet/contracts) → [env key, canonical MAv2 address]
export const CANONICAL = {
    SemiModularAccountBytecode: ["SMA_IMPLEMENTATION", "0x000000000000c5A9089039570Dd36455b5C07383"],
    AccountFactory: ["FACTORY", "0x00000000000017c61b5bEe81050EC8eFc9c6fecd"],
    SingleSignerValidationModule: ["SINGLE_SIGNER_MODULE", "0x00000000000099DE0BF6fA90dEB851E2A2df7d83"],
    TimeRangeModule: ["TIME_RANGE_MODULE", "0x00000000000082B8e2012be914dFA4f62A0573eA"],
    NativeTokenLimitModule: ["NATIVE_TOKEN_LIMIT_MODULE", "0x00000000000001e541f0D090868FBe24b59Fbe06"],
    AllowlistModule: ["ALLOWLIST_MODULE", "0x00000000003e826473a313e600b5b9b791f5a59a"],
    PaymasterGuardModule: ["PAYMASTER_GUARD_MODULE", "0x0000000000001aA7A7F7E29abe0be06c72FD42A1"]
}
// test contracts placed the same way (not MAv2's): an ERC-20 anyone may mint
export const TEST_CONTRACTS = {
    TestToken: ["TEST_TOKEN", "0x00000000000000000000000000000000000070ce"]
}

function stateDir({ create }) {
    let dir = process.env.DEVNET_DIR
    const pointer = path.join(os.tmpdir(), `mav2-devnet-${process.getuid?.() ?? "u"}.last`)
    if (!dir && !create && fs.existsSync(pointer)) dir = fs.readFileSync(pointer, "utf8").trim()
    if (!dir && create) dir = fs.mkdtempSync(path.join(os.tmpdir(), "mav2-devnet-"))
    if (!dir) throw new Error("no devnet state dir: set DEVNET_DIR")
    if (create) {
        fs.mkdirSync(dir, { recursive: true })
        fs.writeFileSync(pointer, dir + "\n")
    }
    return dir
}

function freePort() {
    return new Promise((resolve, reject) => {
        const s = net.createServer()
        s.unref()
        s.on("error", reject)
        s.listen({ port: 0, host: "127.0.0.1" }, () => {
            const { port } = s.address()
            s.close(() => resolve(port))
        })
    })
}

function alive(pid) {
    try {
        process.kill(pid, 0)
        return true
    } catch {
        return false
    }
}

function readPid(dir, name) {
    const f = path.join(dir, `${name}.pid`)
    if (!fs.existsSync(f)) return null
    const pid = parseInt(fs.readFileSync(f, "utf8"), 10)
    return Number.isFinite(pid) ? pid : null
}

function launch(dir, name, cmd, args, env = process.env) {
    const log = fs.openSync(path.join(dir, `${name}.log`), "a")
    // detached: own process group, so stop can signal exactly this tree
    const child = spawn(cmd, args, { detached: true, stdio: ["ignore", log, log], env })
    fs.closeSync(log)
    fs.writeFileSync(path.join(dir, `${name}.pid`), `${child.pid}\n`)
    child.unref()
    return child
}

async function killTree(pid, name) {
    if (!pid || !alive(pid)) return false
    try {
        process.kill(-pid, "SIGTERM") // process group created by launch()
    } catch {
        try {
            process.kill(pid, "SIGTERM")
        } catch {}
    }
    const t0 = Date.now()
    while (alive(pid) && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 50))
    if (alive(pid)) {
        try {
            process.kill(-pid, "SIGKILL")
        } catch {}
        console.error(`devnet: ${name} (pid ${pid}) killed with SIGKILL`)
    }
    return true
}

// Listening TCP sockets of a process: [{ host, port }] from /proc/net/tcp{,6} + /proc/<pid>/fd
function listeningSockets(pid) {
    const inodes = new Set()
    try {
        for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
            try {
                const l = fs.readlinkSync(`/proc/${pid}/fd/${fd}`)
                const m = /^socket:\[(\d+)\]$/.exec(l)
                if (m) inodes.add(m[1])
            } catch {}
        }
    } catch {
        return []
    }
    const out = []
    for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
        let text = ""
        try {
            text = fs.readFileSync(file, "utf8")
        } catch {
            continue
        }
        for (const line of text.split("\n").slice(1)) {
            const f = line.trim().split(/\s+/)
            if (f.length < 10 || f[3] !== "0A") continue // LISTEN
            if (!inodes.has(f[9])) continue
            const [hexHost, hexPort] = f[1].split(":")
            out.push({ hexHost, port: parseInt(hexPort, 16), v6: file.endsWith("6") })
        }
    }
    return out
}

function isLoopbackHex(hexHost, v6) {
    if (!v6) return hexHost.endsWith("7F") // 127.x.x.x, little-endian
    // ::1 → 00000000000000000000000001000000 ; ::ffff:127.x → 0000000000000000FFFF0000xx00007F
    return hexHost === "00000000000000000000000001000000" || /^0000000000000000FFFF0000[0-9A-F]{6}7F$/.test(hexHost)
}

// Non-loopback network interfaces that are up in THIS network namespace. (/sys/class/net
// shows the namespace sysfs was mounted in, so ask `ip`, else list /proc/self/net/dev.)
function upNonLoopbackInterfaces() {
    const r = spawnSync("ip", ["-o", "link", "show", "up"], { encoding: "utf8" })
    if (r.status === 0) {
        return r.stdout
            .split("\n")
            .map((l) => /^\d+:\s*([^:@\s]+)/.exec(l)?.[1])
            .filter((n) => n && n !== "lo")
    }
    try {
        return fs
            .readFileSync("/proc/self/net/dev", "utf8")
            .split("\n")
            .slice(2)
            .map((l) => l.split(":")[0].trim())
            .filter((n) => n && n !== "lo")
    } catch {
        return []
    }
}

function envLines(e) {
    return Object.entries(e).map(([k, v]) => `${k}=${v}`)
}

async function start() {
    const t0 = Date.now()
    const dir = stateDir({ create: true })
    for (const n of ["anvil", "alto"]) {
        const pid = readPid(dir, n)
        if (pid && alive(pid)) throw new Error(`${n} already running (pid ${pid}) in ${dir}; run stop first`)
    }
    if (process.env.DEVNET_REQUIRE_NETNS === "1" && process.env.DEVNET_ALLOW_NETWORK !== "1") {
        const up = upNonLoopbackInterfaces()
        if (up.length) {
            throw new Error(
                `DEVNET_REQUIRE_NETNS=1 but non-loopback interfaces are up (${up.join(", ")}): run inside 'unshare -n' (or set DEVNET_ALLOW_NETWORK=1)`
            )
        }
    }
    if (!fs.existsSync(ANVIL_BIN)) throw new Error(`anvil binary missing: ${ANVIL_BIN} (run npm ci in tests/devnet)`)
    const anvilPort = process.env.ANVIL_PORT ? Number(process.env.ANVIL_PORT) : await freePort()
    const bundlerPort = process.env.BUNDLER_PORT ? Number(process.env.BUNDLER_PORT) : await freePort()
    const rpcUrl = `http://127.0.0.1:${anvilPort}`
    const bundlerUrl = `http://127.0.0.1:${bundlerPort}`

    launch(dir, "anvil", ANVIL_BIN, [
        "--host", "127.0.0.1",
        "--port", String(anvilPort),
        "--chain-id", String(CHAIN_ID),
        "--mnemonic", MNEMONIC,
        "--accounts", "10",
        "--balance", "10000",
        "--hardfork", "cancun",
        "--no-request-size-limit"
    ])
    // compile (or load the cache) while anvil boots
    const compiled = compileContracts()
    const timings = { compileMs: compiled.ms, compileCached: compiled.cached }
    await waitFor(async () => (await rpc(rpcUrl, "eth_chainId", [], { timeoutMs: 1000 })) === "0x7a69", {
        what: "anvil",
        timeoutMs: 15000
    })
    timings.anvilUpMs = Date.now() - t0

    // EntryPoint v0.7 through the deterministic deployer (also creates its SenderCreator)
    const epArtifact = require("@account-abstraction/contracts/artifacts/EntryPoint.json")
    if ((await rpc(rpcUrl, "eth_getCode", [ENTRY_POINT, "latest"])) === "0x") {
        const data = EP_SALT + epArtifact.bytecode.slice(2)
        const tx = await rpc(rpcUrl, "eth_sendTransaction", [
            { from: DEPLOYER, to: DETERMINISTIC_DEPLOYER, data, gas: "0x989680" }
        ])
        const rcpt = await waitFor(() => rpc(rpcUrl, "eth_getTransactionReceipt", [tx]), { what: "EntryPoint deploy" })
        if (rcpt.status !== "0x1") throw new Error("EntryPoint deployment failed")
    }
    const epCode = await rpc(rpcUrl, "eth_getCode", [ENTRY_POINT, "latest"])
    if (epCode.toLowerCase() !== epArtifact.deployedBytecode.toLowerCase()) {
        // deployedBytecode has the SenderCreator immutable zeroed; compare lengths + that SenderCreator exists
        if (epCode.length !== epArtifact.deployedBytecode.length) throw new Error("EntryPoint code mismatch")
    }
    if ((await rpc(rpcUrl, "eth_getCode", [SENDER_CREATOR, "latest"])) === "0x") {
        throw new Error("SenderCreator missing after EntryPoint deployment")
    }

    // MAv2 stand-ins: runtime code set at the canonical addresses (no constructors, no immutables)
    const env = {
        DEVNET_DIR: dir,
        RPC_URL: rpcUrl,
        BUNDLER_URL: bundlerUrl,
        CHAIN_ID: String(CHAIN_ID),
        ENTRY_POINT
    }
    for (const [name, [key, addr]] of Object.entries({ ...CANONICAL, ...TEST_CONTRACTS })) {
        const c = compiled.contracts[name]
        if (!c) {
            console.error(`devnet: warning: contract ${name} not compiled, ${key} not deployed`)
            continue
        }
        if (Object.keys(c.immutableReferences).length) throw new Error(`${name} has immutables; use constants`)
        await rpc(rpcUrl, "anvil_setCode", [addr, c.deployedBytecode])
        env[key] = addr
    }

    // Alto bundler (loopback only through the preload, verified below)
    const altoArgs = [
        "--require", LOOPBACK_PRELOAD,
        ALTO_CLI,
        "--entrypoints", ENTRY_POINT,
        "--executor-private-keys", ALTO_EXECUTOR[1],
        "--utility-private-key", ALTO_UTILITY[1],
        "--rpc-url", rpcUrl,
        "--port", String(bundlerPort),
        "--safe-mode", "false",
        "--log-level", process.env.ALTO_LOG_LEVEL || "warn",
        "--deploy-simulations-contract", "true",
        "--min-bundle-interval", "50",
        "--max-bundle-interval", "200",
        "--block-time", "250",
        "--utility-wallet-monitor", "false",
        "--enable-debug-endpoints", process.env.ALTO_DEBUG_ENDPOINTS === "1" ? "true" : "false"
    ]
    const altoEnv = { ...process.env, DEVNET_BIND_HOST: "127.0.0.1", NODE_OPTIONS: "" }
    const alto = launch(dir, "alto", process.execPath, altoArgs, altoEnv)
    try {
        await waitFor(
            async () => {
                if (!alive(alto.pid)) throw new Error(`alto exited; see ${path.join(dir, "alto.log")}`)
                const eps = await rpc(bundlerUrl, "eth_supportedEntryPoints", [], { timeoutMs: 1000 })
                return Array.isArray(eps) && eps.length > 0
            },
            { what: "alto", timeoutMs: 30000, intervalMs: 100 }
        )
        const socks = listeningSockets(alto.pid)
        const bad = socks.filter((s) => !isLoopbackHex(s.hexHost, s.v6))
        if (!socks.length || bad.length) {
            throw new Error(`alto listens on a non-loopback address (${JSON.stringify(bad)}); refusing to run`)
        }
    } catch (e) {
        await killTree(alto.pid, "alto")
        throw e
    }
    timings.totalMs = Date.now() - t0

    env.OWNER_ADDRESS = OWNERS[0][0]
    env.OWNER_PRIVATE_KEY = OWNERS[0][1]
    env.OWNER2_ADDRESS = OWNERS[1][0]
    env.OWNER2_PRIVATE_KEY = OWNERS[1][1]
    env.FUNDER_ADDRESS = DEV_KEYS[0][0]
    env.FUNDER_PRIVATE_KEY = DEV_KEYS[0][1]
    env.ANVIL_PID = String(readPid(dir, "anvil"))
    env.ALTO_PID = String(alto.pid)
    const text = envLines(env).join("\n") + "\n"
    fs.writeFileSync(path.join(dir, "devnet.env"), text)
    fs.writeFileSync(path.join(dir, "timings.json"), JSON.stringify(timings) + "\n")
    process.stdout.write(text)
    console.error(
        `devnet: up in ${timings.totalMs} ms (anvil ${timings.anvilUpMs} ms, solc ${timings.compileCached ? "cached" : "compiled"} ${timings.compileMs} ms); env file ${path.join(dir, "devnet.env")}`
    )
}

async function stop() {
    let dir
    try {
        dir = stateDir({ create: false })
    } catch {
        console.error("devnet: nothing to stop (no DEVNET_DIR)")
        return
    }
    let any = false
    for (const n of ["alto", "anvil"]) {
        const pid = readPid(dir, n)
        if (await killTree(pid, n)) {
            any = true
            console.error(`devnet: stopped ${n} (pid ${pid})`)
        }
        try {
            fs.unlinkSync(path.join(dir, `${n}.pid`))
        } catch {}
    }
    if (!any) console.error(`devnet: nothing running in ${dir}`)
}

function printEnv() {
    const dir = stateDir({ create: false })
    process.stdout.write(fs.readFileSync(path.join(dir, "devnet.env"), "utf8"))
}

function status() {
    const dir = stateDir({ create: false })
    let ok = true
    for (const n of ["anvil", "alto"]) {
        const pid = readPid(dir, n)
        const up = pid && alive(pid)
        ok &&= !!up
        console.log(`${n}: ${up ? `running (pid ${pid})` : "stopped"}`)
    }
    process.exitCode = ok ? 0 : 1
}

const cmd = process.argv[2]
try {
    if (cmd === "start") await start()
    else if (cmd === "stop") await stop()
    else if (cmd === "env") printEnv()
    else if (cmd === "status") status()
    else {
        console.error("usage: devnet.mjs start|stop|env|status")
        process.exitCode = 2
    }
} catch (e) {
    console.error(`devnet: ${e.message}`)
    if (cmd === "start") {
        console.error("devnet: start failed, stopping what was started")
        await stop()
    }
    process.exitCode = 1
}
