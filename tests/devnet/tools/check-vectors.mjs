#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// Offline check of the JS client (lib/eth.mjs, lib/mav2.mjs) against tests/vectors.
// Usage: node tools/check-vectors.mjs [vectors dir]   → "N passed, N failed"
import fs from "node:fs"
import * as E from "./lib/eth.mjs"
import * as M from "./lib/mav2.mjs"

const dir = process.argv[2] || process.env.VECTORS_DIR || new URL("../../vectors/", import.meta.url).pathname
const load = (f) => JSON.parse(fs.readFileSync(`${dir}/${f}`, "utf8"))
let passed = 0
let failed = 0
function check(name, got, want) {
    if (String(got).toLowerCase() === String(want).toLowerCase()) passed++
    else {
        failed++
        console.log(`not ok - ${name}: got ${got}, want ${want}`)
    }
}

for (const v of load("mav2_factory.json").vectors) {
    if (!v.owner) continue
    check(`address ${v.owner}/${v.salt}`, M.smaAddress(v.owner, BigInt(v.salt_uint256)), v.predictedAddress)
    check(`factoryData ${v.owner}/${v.salt}`, M.smaFactoryData(v.owner, BigInt(v.salt_uint256)), v.factoryData)
    check(`proxyInitcode ${v.owner}`, M.smaProxyInitCode(v.owner), v.proxyInitcode)
}
for (const v of load("userops_v07.json").vectors) {
    const i = v.input
    if (typeof i.callData !== "string") continue // large call data is described, not inlined
    for (const [chain, h] of Object.entries(v.userOpHash_v07.byChainId)) {
        check(`userOpHash ${v.name} @${chain}`, M.userOpHash({ ...i, nonce: BigInt(i.nonce) }, BigInt(chain)), h)
    }
}
const sigs = load("mav2_signatures.json")
for (const v of sigs.userOpSignatures) {
    if (v.dummySignature) {
        check("stub signature", M.STUB_SIGNATURE, v.dummySignature)
        continue
    }
    check(`userOp signature e${v.entityId} ${v.userOpHash.slice(0, 10)}`, M.signUserOpHash(v.userOpHash, v.signerPrivateKey), v.userOpSignature)
    check(`recover e${v.entityId}`, E.recoverAddress(v.eip191HashSigned, v.innerEcdsa65), v.signerAddress)
}
for (const v of sigs.erc1271) {
    const sig = M.sign1271(v.eip191Hash, { account: v.account, chainId: BigInt(v.chainId), entityId: v.entityId, privateKey: v.signerPrivateKey })
    check(`1271 e${v.entityId} chain ${v.chainId}`, sig, v.packed1271Signature)
}
const cd = load("mav2_calldata.json")
for (const v of cd.execute) {
    if (v.target.toLowerCase() === "0x5555555555555555555555555555555555555555") continue // SDK self-call unwrapping
    check(`execute ${v.name}`, M.execute(v.target, BigInt(v.value), v.data), v.callData)
}
for (const v of cd.executeBatch) {
    check(`executeBatch ${v.name}`, M.executeBatch(v.calls.map((c) => ({ ...c, value: BigInt(c.value) }))), v.callData)
}
for (const v of [...cd.installValidation, ...cd.permissionBuilder]) {
    const c = v.validationConfig
    check(`validationConfig ${v.name}`, M.validationConfig(c.moduleAddress, c.entityId, { userOp: c.isUserOpValidation, signature: c.isSignatureValidation, global: c.isGlobal }), v.validationConfigBytes25)
    for (const h of v.hooks) {
        const hc = h.hookConfig
        check(`hookConfig ${v.name}`, M.hookConfig(hc.address, hc.entityId, { validation: hc.hookType === "0x01", pre: hc.hasPreHooks, post: hc.hasPostHooks }), h.hookConfigBytes25)
    }
    const hooks = v.hooks.map((h) => E.concat(h.hookConfigBytes25, h.initData))
    check(`installValidation ${v.name}`, M.installValidation(v.validationConfigBytes25, v.selectors, v.installData, hooks), v.callData)
}
for (const v of cd.uninstallValidation) {
    check(`uninstallValidation ${v.name}`, M.uninstallSessionKey(parseInt(v.moduleEntityBytes24.slice(-8), 16)), v.callData)
}
for (const v of load("mav2_nonce.json").vectors) {
    const key = M.nonceKey(v.entityId, { global: v.isGlobalValidation, deferred: v.isDeferredAction, userKey: BigInt(v.nonceKey) })
    check(`nonce key e${v.entityId}/${v.nonceKey}`, key, BigInt(v.buildFullNonceKey))
    check(`full nonce e${v.entityId}/${v.nonceKey}/${v.seq}`, (key << 64n) | BigInt(v.seq), BigInt(v.fullNonce_uint256))
}
console.log(`${passed} passed, ${failed} failed`)
process.exitCode = failed ? 1 : 0
