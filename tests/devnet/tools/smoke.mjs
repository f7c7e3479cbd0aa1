#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// End-to-end smoke test against a running devnet (see ../smoke.sh).
// Usage: node tools/smoke.mjs [path/to/devnet.env]   (else reads process.env)
import fs from "node:fs"
import { rpc } from "./lib/rpc.mjs"
import * as E from "./lib/eth.mjs"
import * as M from "./lib/mav2.mjs"

// ------------------------------------------------------------------ env
const envFile = process.argv[2]
const env = { ...process.env }
if (envFile) {
    for (const line of fs.readFileSync(envFile, "utf8").split("\n")) {
        const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim())
        if (m) env[m[1]] = m[2]
    }
}
for (const k of ["RPC_URL", "BUNDLER_URL", "CHAIN_ID", "OWNER_PRIVATE_KEY", "FUNDER_ADDRESS"]) {
    if (!env[k]) throw new Error(`missing ${k} (pass the devnet env file)`)
}
const RPC = env.RPC_URL
const CHAIN_ID = BigInt(env.CHAIN_ID)
const bundler = new M.Bundler(env.BUNDLER_URL, CHAIN_ID)
const VECTORS = new URL("../../vectors/", import.meta.url)
const vectorsDir = env.VECTORS_DIR || VECTORS.pathname

// ------------------------------------------------------------------ harness
let passed = 0
let failed = 0
let skipped = 0
async function test(name, fn) {
    const t0 = Date.now()
    try {
        const r = await fn()
        if (r === "skip") {
            skipped++
            console.log(`ok - ${name} # SKIP`)
        } else {
            passed++
            console.log(`ok - ${name} (${Date.now() - t0} ms)`)
        }
    } catch (e) {
        failed++
        console.log(`not ok - ${name}\n#   ${String(e.stack || e).split("\n").slice(0, 6).join("\n#   ")}`)
    }
}
function assert(cond, msg) {
    if (!cond) throw new Error(msg)
}
function eq(a, b, msg) {
    if (String(a).toLowerCase() !== String(b).toLowerCase()) throw new Error(`${msg}: got ${a}, want ${b}`)
}
async function expectReject(promise, pattern, msg) {
    try {
        await promise
    } catch (e) {
        const text = `${e.message} ${JSON.stringify(e.data ?? "")}`
        if (!pattern.test(text)) throw new Error(`${msg}: rejected, but not with ${pattern}: ${text.slice(0, 600)}`)
        return text
    }
    throw new Error(`${msg}: was accepted`)
}

// ------------------------------------------------------------------ helpers
const balance = async (a) => BigInt(await rpc(RPC, "eth_getBalance", [a, "latest"]))
const code = (a) => rpc(RPC, "eth_getCode", [a, "latest"])
const ethCall = (to, data) => rpc(RPC, "eth_call", [{ to, data }, "latest"])
async function fund(to, wei) {
    const tx = await rpc(RPC, "eth_sendTransaction", [{ from: env.FUNDER_ADDRESS, to, value: E.qty(wei) }])
    const r = await waitTx(tx)
    assert(r.status === "0x1", "funding tx failed")
}
async function waitTx(tx) {
    for (let i = 0; i < 200; i++) {
        const r = await rpc(RPC, "eth_getTransactionReceipt", [tx])
        if (r) return r
        await new Promise((res) => setTimeout(res, 50))
    }
    throw new Error(`no receipt for ${tx}`)
}
const checkHash = async (hash, op) => eq(await M.entryPointUserOpHash(RPC, op), hash, "EntryPoint.getUserOpHash")

const ownerKey = env.OWNER_PRIVATE_KEY
const owner = E.addressOf(ownerKey)
const sessionKey = E.keccakText(`mav2-hsm devnet session key ${Date.now()}`) // fresh key per run
const session = E.addressOf(sessionKey)
const wrongKey = E.keccakText(`mav2-hsm devnet wrong key ${Date.now()}`)
const recipient = E.checksum("0x" + E.keccakText(`recipient ${Date.now()}`).slice(-40))
const salt = BigInt(Date.now()) // fresh account per run, so the test can be re-run on one devnet
let account

async function sendAs(privateKey, entityId, callData, extra = {}) {
    const key = M.nonceKey(entityId, { global: extra.global ?? true })
    const nonce = await M.getNonce(RPC, account, key)
    const op = { sender: account, nonce, callData, ...(extra.op || {}) }
    return M.sendUserOp({
        bundler,
        rpcUrl: RPC,
        chainId: CHAIN_ID,
        op,
        checkHash,
        sign: extra.sign || ((h) => M.signUserOpHash(h, privateKey))
    })
}

// ------------------------------------------------------------------ tests
await test("devnet: chain id, EntryPoint, SenderCreator, stand-in contracts present", async () => {
    eq(BigInt(await rpc(RPC, "eth_chainId")), CHAIN_ID, "chainId")
    const eps = await bundler.call("eth_supportedEntryPoints", [])
    eq(eps[0], M.ENTRY_POINT, "bundler entry point")
    for (const a of [M.ENTRY_POINT, "0xEFC2c1444eBCC4Db75e7613d20C6a62fF67A167C", M.FACTORY, M.SMA_IMPL, M.SINGLE_SIGNER_MODULE]) {
        assert((await code(a)) !== "0x", `no code at ${a}`)
    }
})

await test("factory: counterfactual address = mav2_factory.json rule = factory view", async () => {
    account = M.smaAddress(owner, salt)
    const onchain = await ethCall(M.FACTORY, E.encodeCall("getAddressSemiModular(address,uint256)", [owner, salt]))
    eq(E.checksum("0x" + onchain.slice(-40)), account, "getAddressSemiModular")
    // and the shared vectors, when present
    const f = `${vectorsDir}/mav2_factory.json`
    if (fs.existsSync(f)) {
        for (const v of JSON.parse(fs.readFileSync(f, "utf8")).vectors) {
            if (!v.owner) continue
            eq(M.smaAddress(v.owner, BigInt(v.salt_uint256)), v.predictedAddress, "vector address")
            const r = await ethCall(M.FACTORY, E.encodeCall("getAddressSemiModular(address,uint256)", [v.owner, BigInt(v.salt_uint256)]))
            eq(E.checksum("0x" + r.slice(-40)), v.predictedAddress, "factory view vs vector")
        }
    }
    eq(await code(account), "0x", "account must not exist yet")
})

await test("op 1: owner (entity 0, key 0x1) deploys the account via factory + sends ETH", async () => {
    await fund(account, 10n ** 18n)
    const before = await balance(recipient)
    const { receipt } = await sendAs(ownerKey, 0, M.execute(recipient, 1000n, "0x"), {
        op: { factory: M.FACTORY, factoryData: M.smaFactoryData(owner, salt) }
    })
    assert(receipt.success === true, `op failed: ${JSON.stringify(receipt).slice(0, 400)}`)
    assert((await code(account)).length === 2 + 81 * 2, "account proxy code must be 81 bytes")
    eq((await code(account)).slice(-40), owner.slice(2), "owner appended to proxy code")
    eq((await balance(recipient)) - before, 1000n, "recipient balance delta")
    const fb = E.abiDecode(["address", "bool"], await ethCall(account, E.encodeCall("getFallbackSignerData()")))
    eq(fb[0], owner, "fallback signer = owner from bytecode")
})

await test("op 2: owner installs session key as entity 1 (global, user-op + ERC-1271)", async () => {
    const callData = M.installSessionKey({ entityId: 1, signer: session, global: true, signature: true })
    const { receipt } = await sendAs(ownerKey, 0, callData)
    assert(receipt.success === true, "install op failed")
    const s = await ethCall(M.SINGLE_SIGNER_MODULE, E.encodeCall("signers(uint32,address)", [1, account]))
    eq(E.checksum("0x" + s.slice(-40)), session, "signers(1, account)")
    const topic = E.keccakText("ValidationInstalled(address,uint32)")
    const log = receipt.logs.find((l) => l.address.toLowerCase() === account.toLowerCase() && l.topics[0] === topic)
    assert(log, "ValidationInstalled event missing")
    eq(log.topics[1], E.padLeft(M.SINGLE_SIGNER_MODULE.toLowerCase()), "event module")
    eq(BigInt(log.topics[2]), 1n, "event entityId")
    const vd = E.abiDecode(["(uint8,bytes25[],bytes25[],bytes4[])"], await ethCall(account, E.encodeCall("getValidationData(bytes24)", [E.concat("0x" + "00".repeat(20), "0x00000001")])))[0]
    eq(vd[0], 7n, "validation flags (user op | signature | global)")
})

await test("op 3: session key (entity 1, key 0x101) moves ETH", async () => {
    const before = await balance(recipient)
    const value = 123456789n
    const { receipt, op } = await sendAs(sessionKey, 1, M.execute(recipient, value, "0x"))
    assert(receipt.success === true, "session op failed")
    eq(op.nonce >> 64n, 0x101n, "nonce key")
    eq((await balance(recipient)) - before, value, "recipient balance delta")
})

await test("session op via executeBatch (2 transfers)", async () => {
    const before = await balance(recipient)
    const { receipt } = await sendAs(sessionKey, 1, M.executeBatch([{ target: recipient, value: 5n }, { target: recipient, value: 7n }]))
    assert(receipt.success === true, "batch op failed")
    eq((await balance(recipient)) - before, 12n, "recipient delta")
})

await test("wrong key for entity 1 → AA24", async () => {
    await expectReject(sendAs(wrongKey, 1, M.execute(recipient, 1n, "0x")), /AA24/, "wrong key")
})

await test("high-s twin of a valid session signature → AA24", async () => {
    const sign = (h) => M.packUserOpSignature(E.toHighS(E.signDigest(E.hashPersonal32(h), sessionKey)))
    await expectReject(sendAs(sessionKey, 1, M.execute(recipient, 1n, "0x"), { sign }), /AA24/, "high s")
})

await test("raw userOpHash signed (no EIP-191) → AA24", async () => {
    const sign = (h) => M.packUserOpSignature(E.signDigest(h, sessionKey))
    await expectReject(sendAs(sessionKey, 1, M.execute(recipient, 1n, "0x"), { sign }), /AA24/, "no eip-191")
})

await test("signature without 0xFF segment → ValidationSignatureSegmentMissing (0x151d90fe)", async () => {
    const sign = (h) => E.concat("0x00", E.signDigest(E.hashPersonal32(h), sessionKey))
    await expectReject(sendAs(sessionKey, 1, M.execute(recipient, 1n, "0x"), { sign }), /151d90fe/i, "no 0xFF")
})

await test("entity 2 (not installed) → AA23 ValidationFunctionMissing(execute) (0xcf7b49f6b61d27f6)", async () => {
    await expectReject(sendAs(sessionKey, 2, M.execute(recipient, 1n, "0x")), /cf7b49f6b61d27f6/i, "missing validation")
})

await test("entity 1 with non-global nonce key (0x100) → ValidationFunctionMissing", async () => {
    await expectReject(sendAs(sessionKey, 1, M.execute(recipient, 1n, "0x"), { global: false }), /cf7b49f6/i, "non-global")
})

await test("ERC-1271: owner (entity 0) and session key (entity 1) signatures", async () => {
    const hash = E.keccakText(`hello ${Date.now()}`)
    const call = (sig) => ethCall(account, E.encodeCall("isValidSignature(bytes32,bytes)", [hash, sig]))
    const ok0 = await call(M.sign1271(hash, { account, chainId: CHAIN_ID, entityId: 0, privateKey: ownerKey }))
    eq(ok0.slice(0, 10), "0x1626ba7e", "entity 0 magic")
    const ok1 = await call(M.sign1271(hash, { account, chainId: CHAIN_ID, entityId: 1, privateKey: sessionKey }))
    eq(ok1.slice(0, 10), "0x1626ba7e", "entity 1 magic")
    const bad = await call(M.sign1271(hash, { account, chainId: CHAIN_ID, entityId: 1, privateKey: wrongKey }))
    eq(bad.slice(0, 10), "0xffffffff", "wrong key")
    // on-chain replay-safe hashes equal the client's
    eq(await ethCall(account, E.encodeCall("replaySafeHash(bytes32)", [hash])), M.replaySafeHashOwner(hash, account, CHAIN_ID), "account replaySafeHash")
    eq(
        await ethCall(M.SINGLE_SIGNER_MODULE, E.encodeCall("replaySafeHash(address,bytes32)", [account, hash])),
        M.replaySafeHashModule(hash, account, CHAIN_ID),
        "module replaySafeHash"
    )
})

// ------------------------------------------------------------------ permission hooks
const TIME_RANGE = env.TIME_RANGE_MODULE
const NATIVE_LIMIT = env.NATIVE_TOKEN_LIMIT_MODULE
const ALLOWLIST = env.ALLOWLIST_MODULE
const PM_GUARD = env.PAYMASTER_GUARD_MODULE
const errSel = (sig) => E.selector(sig).slice(2)
const nowTs = async () => Number(BigInt((await rpc(RPC, "eth_getBlockByNumber", ["latest", false])).timestamp))
const hookKey = (n) => E.keccakText(`mav2-hsm devnet hook key ${n} ${salt}`)
async function ownerInstall(entityId, opts) {
    const { receipt } = await sendAs(ownerKey, 0, M.installSessionKey({ entityId, signer: E.addressOf(hookKey(entityId)), ...opts }))
    assert(receipt.success === true, `install entity ${entityId} failed`)
}

await test("TimeRange hook: in range → ok; hook data segment → UnexpectedDataPassed; bad segment index → 0x151d90fe", async () => {
    if (!TIME_RANGE) return "skip"
    const now = await nowTs()
    const hook = E.concat(M.hookConfig(TIME_RANGE, 3, { validation: true }), E.abiEncode(["uint32", "uint48", "uint48"], [3, now + 3600, now - 60]))
    await ownerInstall(3, { global: true, hooks: [hook] })
    const { receipt } = await sendAs(hookKey(3), 3, M.execute(recipient, 1n, "0x"))
    assert(receipt.success === true, "in-range op failed")
    const seg0 = (h) => M.signUserOpHash(h, hookKey(3), [{ index: 0, data: "0x1234" }])
    await expectReject(sendAs(hookKey(3), 3, M.execute(recipient, 1n, "0x"), { sign: seg0 }), new RegExp(errSel("UnexpectedDataPassed()"), "i"), "hook data")
    const seg1 = (h) => M.signUserOpHash(h, hookKey(3), [{ index: 1, data: "0x1234" }])
    await expectReject(sendAs(hookKey(3), 3, M.execute(recipient, 1n, "0x"), { sign: seg1 }), /151d90fe/i, "segment for missing hook")
})

await test("TimeRange hook: not yet valid → AA22", async () => {
    if (!TIME_RANGE) return "skip"
    const now = await nowTs()
    const hook = E.concat(M.hookConfig(TIME_RANGE, 4, { validation: true }), E.abiEncode(["uint32", "uint48", "uint48"], [4, now + 7200, now + 3600]))
    await ownerInstall(4, { global: true, hooks: [hook] })
    await expectReject(sendAs(hookKey(4), 4, M.execute(recipient, 1n, "0x")), /AA22/, "future range")
})

await test("NativeTokenLimit exec hook: needs executeUserOp (0x5f49f00a); limit enforced (0x74a1a72c/0x94c58c94)", async () => {
    if (!NATIVE_LIMIT) return "skip"
    const hook = E.concat(M.hookConfig(NATIVE_LIMIT, 5, { pre: true }), E.abiEncode(["uint32", "uint256"], [5, 1000n]))
    await ownerInstall(5, { global: true, hooks: [hook] })
    await expectReject(sendAs(hookKey(5), 5, M.execute(recipient, 600n, "0x")), /5f49f00a/i, "no executeUserOp")
    const wrapped = (v) => E.concat(M.EXECUTE_USER_OP_SELECTOR, M.execute(recipient, v, "0x"))
    const before = await balance(recipient)
    const { receipt } = await sendAs(hookKey(5), 5, wrapped(600n))
    assert(receipt.success === true, "first spend failed")
    eq((await balance(recipient)) - before, 600n, "spent")
    const left = await ethCall(NATIVE_LIMIT, E.encodeCall("limits(uint256,address)", [5, account]))
    eq(BigInt(left), 400n, "remaining limit")
    await expectReject(sendAs(hookKey(5), 5, wrapped(600n)), /74a1a72c[0-9a-f]*94c58c94/i, "over limit")
})

await test("non-global validation + Allowlist hook: allowed target ok, other target / non-listed selector rejected", async () => {
    if (!ALLOWLIST) return "skip"
    const inputs = [[recipient, false, false, 0n, []]]
    const hook = E.concat(
        M.hookConfig(ALLOWLIST, 6, { validation: true }),
        E.abiEncode(["uint32", "(address,bool,bool,uint256,bytes4[])[]"], [6, inputs])
    )
    await ownerInstall(6, { global: false, selectors: ["0xb61d27f6", "0x34fcd5be"], hooks: [hook] })
    const { receipt } = await sendAs(hookKey(6), 6, M.execute(recipient, 3n, "0x"), { global: false })
    assert(receipt.success === true, "allowed op failed")
    const other = E.checksum("0x" + "77".repeat(20))
    await expectReject(sendAs(hookKey(6), 6, M.execute(other, 3n, "0x"), { global: false }), new RegExp(errSel("AddressNotAllowed()"), "i"), "other target")
    await expectReject(
        sendAs(hookKey(6), 6, M.installSessionKey({ entityId: 9, signer: other }), { global: false }),
        /cf7b49f61bbf564c/i,
        "installValidation not in selector list"
    )
    await expectReject(sendAs(hookKey(6), 6, M.execute(recipient, 3n, "0x"), { global: true }), /cf7b49f6b61d27f6/i, "global key on non-global validation")
})

await test("PaymasterGuard hook: op without the configured paymaster → BadPaymasterSpecified", async () => {
    if (!PM_GUARD) return "skip"
    const hook = E.concat(M.hookConfig(PM_GUARD, 7, { validation: true }), E.abiEncode(["uint32", "address"], [7, E.checksum("0x" + "99".repeat(20))]))
    await ownerInstall(7, { global: true, hooks: [hook] })
    await expectReject(sendAs(hookKey(7), 7, M.execute(recipient, 1n, "0x")), new RegExp(errSel("BadPaymasterSpecified()"), "i"), "no paymaster")
})

// ---- deferred grants (MAV2.md "Deferred grants"): the owner signs DeferredAction(nonce,
// deadline, installValidation) and the session key's first op carries it
function grantPrefix({ nonce, deadline, call, signerKey, ownerLocator = 1n }) {
    const dom = E.keccak(E.abiEncode(["bytes32", "uint256", "address"], [E.keccakText("EIP712Domain(uint256 chainId,address verifyingContract)"), CHAIN_ID, account]))
    const st = E.keccak(E.abiEncode(["bytes32", "uint256", "uint256", "bytes32"], [E.keccakText("DeferredAction(uint256 nonce,uint48 deadline,bytes call)"), nonce, BigInt(deadline), E.keccak(call)]))
    const ownerSig = E.concat("0x00", E.signDigest(E.hashTypedData(dom, st), signerKey))
    const encoded = E.concat(E.numToHex(ownerLocator, 21), E.numToHex(BigInt(deadline), 6), call)
    return E.concat(E.numToHex(BigInt(E.hexLen(encoded)), 4), encoded, E.numToHex(BigInt(E.hexLen(ownerSig)), 4), ownerSig)
}
async function sendDeferred(entityId, { deadline = 0, signerKey = ownerKey, ownerLocator, nonce } = {}) {
    const key = M.nonceKey(entityId, { global: true, deferred: true })
    const call = M.installSessionKey({ entityId, signer: E.addressOf(hookKey(entityId)), global: true })
    const n = nonce ?? (await M.getNonce(RPC, account, key))
    const prefix = grantPrefix({ nonce: n, deadline, call, signerKey, ownerLocator })
    return M.sendUserOp({
        bundler,
        rpcUrl: RPC,
        chainId: CHAIN_ID,
        op: { sender: account, nonce: n, callData: M.execute(recipient, 1n, "0x") },
        stubSignature: E.concat(prefix, M.STUB_SIGNATURE),
        checkHash,
        sign: (h) => E.concat(prefix, M.signUserOpHash(h, hookKey(entityId)))
    })
}

await test("deferred grant: the key's first op installs it (entity 6) and runs; replay → AA25", async () => {
    const deadline = (await nowTs()) + 3600
    const { receipt, op } = await sendDeferred(6, { deadline })
    assert(receipt.success === true, "deferred op failed")
    const s = await ethCall(M.SINGLE_SIGNER_MODULE, E.encodeCall("signers(uint32,address)", [6, account]))
    eq(E.checksum("0x" + s.slice(-40)), E.addressOf(hookKey(6)), "signers(6, account)")
    await expectReject(sendDeferred(6, { deadline, nonce: op.nonce }), /AA25/, "replayed grant")
})

await test("deferred grant: not the owner's signature → DeferredActionSignatureInvalid (0x01334f77)", async () => {
    await expectReject(sendDeferred(7, { signerKey: wrongKey }), /01334f77/i, "bad owner signature")
})

await test("deferred grant: deadline passed → AA22", async () => {
    await expectReject(sendDeferred(8, { deadline: (await nowTs()) - 10 }), /AA22/, "expired grant")
})

await test("deferred grant: owner validation with validation hooks → DeferredValidationHasValidationHooks", async () => {
    if (!TIME_RANGE) return "skip"
    await expectReject(
        sendDeferred(9, { signerKey: hookKey(3), ownerLocator: (3n << 8n) | 1n }),
        new RegExp(errSel("DeferredValidationHasValidationHooks()"), "i"),
        "owner with hooks"
    )
})

await test("owner uninstalls entity 1 → session key op then fails AA23 ValidationFunctionMissing", async () => {
    const { receipt } = await sendAs(ownerKey, 0, M.uninstallSessionKey(1))
    assert(receipt.success === true, "uninstall op failed")
    const topic = E.keccakText("ValidationUninstalled(address,uint32,bool)")
    assert(receipt.logs.some((l) => l.topics[0] === topic), "ValidationUninstalled event missing")
    const s = await ethCall(M.SINGLE_SIGNER_MODULE, E.encodeCall("signers(uint32,address)", [1, account]))
    eq(BigInt(s), 0n, "signer cleared")
    await expectReject(sendAs(sessionKey, 1, M.execute(recipient, 1n, "0x")), /cf7b49f6/i, "revoked")
})

console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`)
process.exitCode = failed ? 1 : 0
