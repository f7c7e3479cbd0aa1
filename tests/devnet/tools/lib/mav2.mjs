// SPDX-License-Identifier: Apache-2.0
// A small "viem-like" client for MAv2 semi-modular accounts on EntryPoint v0.7:
// user-op packing + hashing, MAv2 nonce keys / signatures / call data, a bundler wrapper.
import { rpc, RpcError, waitFor } from "./rpc.mjs"
import {
    abiDecode,
    abiEncode,
    concat,
    create2Address,
    encodeCall,
    hashPersonal32,
    hashTypedData,
    hexLen,
    keccak,
    keccakText,
    numToHex,
    padLeft,
    qty,
    signDigest
} from "./eth.mjs"

export const ENTRY_POINT = "0x0000000071727De22E5E9d8BAf0edAc6f37da032"
export const FACTORY = "0x00000000000017c61b5bEe81050EC8eFc9c6fecd"
export const SMA_IMPL = "0x000000000000c5A9089039570Dd36455b5C07383"
export const SINGLE_SIGNER_MODULE = "0x00000000000099DE0BF6fA90dEB851E2A2df7d83"
export const STUB_SIGNATURE =
    "0xff00fffffffffffffffffffffffffffffff0000000000000000000000000000000007aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1c"

// ------------------------------------------------------------------ factory / address
const PROXY_PREFIX = "0x6100513d8160233d3973"
const PROXY_SUFFIX =
    "0x60095155f3363d3d373d3d363d7f360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc545af43d6000803e6038573d6000fd5b3d6000f3"

export function smaProxyInitCode(owner, impl = SMA_IMPL) {
    return concat(PROXY_PREFIX, impl, PROXY_SUFFIX, owner)
}
export function smaCombinedSalt(owner, salt) {
    return keccak(concat(owner, numToHex(salt), "0xffffffff"))
}
/** counterfactual semi-modular account address (mav2_factory.json rule) */
export function smaAddress(owner, salt = 0n, factory = FACTORY) {
    return create2Address(factory, smaCombinedSalt(owner, salt), keccak(smaProxyInitCode(owner)))
}
export function smaFactoryData(owner, salt = 0n) {
    return encodeCall("createSemiModularAccount(address,uint256)", [owner, salt])
}

// ------------------------------------------------------------------ nonce keys
/** key192 = userNonceKey(152) << 40 | entityId(32) << 8 | options(8) */
export function nonceKey(entityId, { global = true, deferred = false, directCall = false, userKey = 0n } = {}) {
    const opts = (global ? 1n : 0n) | (deferred ? 2n : 0n) | (directCall ? 4n : 0n)
    return (BigInt(userKey) << 40n) | (BigInt(entityId) << 8n) | opts
}

// ------------------------------------------------------------------ signatures
/** 0xFF || 0x00 || r||s||v over the EIP-191 hash of userOpHash */
export function signUserOpHash(userOpHash, privateKey, hookSegments = []) {
    return packUserOpSignature(signDigest(hashPersonal32(userOpHash), privateKey), hookSegments)
}
/** hookSegments: [{ index, data }], strictly increasing index */
export function packUserOpSignature(ecdsa65, hookSegments = []) {
    let prefix = "0x"
    let last = -1
    for (const { index, data } of hookSegments) {
        if (index <= last || index >= 255) throw new Error("hook segment indices must be strictly increasing and < 255")
        last = index
        prefix = concat(prefix, numToHex(index, 1), numToHex(hexLen(data), 4), data)
    }
    return concat(prefix, "0xff00", ecdsa65)
}
const REPLAY_SAFE_TYPEHASH = keccakText("ReplaySafeHash(bytes32 hash)")
/** ERC-1271 digest for entity 0 (the semi-modular owner) */
export function replaySafeHashOwner(hash, account, chainId) {
    const domain = keccak(
        abiEncode(["bytes32", "uint256", "address"], [keccakText("EIP712Domain(uint256 chainId,address verifyingContract)"), chainId, account])
    )
    return hashTypedData(domain, keccak(abiEncode(["bytes32", "bytes32"], [REPLAY_SAFE_TYPEHASH, hash])))
}
/** ERC-1271 digest for entity != 0 (SingleSignerValidationModule) */
export function replaySafeHashModule(hash, account, chainId, module = SINGLE_SIGNER_MODULE) {
    const domain = keccak(
        abiEncode(
            ["bytes32", "uint256", "address", "bytes32"],
            [keccakText("EIP712Domain(uint256 chainId,address verifyingContract,bytes32 salt)"), chainId, module, padLeft(account)]
        )
    )
    return hashTypedData(domain, keccak(abiEncode(["bytes32", "bytes32"], [REPLAY_SAFE_TYPEHASH, hash])))
}
/** 0x00 || uint32 entityId || 0xFF || 0x00 || r||s||v */
export function sign1271(hash, { account, chainId, entityId, privateKey }) {
    const digest = entityId === 0 ? replaySafeHashOwner(hash, account, chainId) : replaySafeHashModule(hash, account, chainId)
    return concat("0x00", numToHex(entityId, 4), "0xff00", signDigest(digest, privateKey))
}

// ------------------------------------------------------------------ call data
export const execute = (target, value, data = "0x") => encodeCall("execute(address,uint256,bytes)", [target, value, data])
export const executeBatch = (calls) =>
    encodeCall("executeBatch((address,uint256,bytes)[])", [calls.map((c) => [c.target, c.value ?? 0n, c.data ?? "0x"])])
export const EXECUTE_USER_OP_SELECTOR = "0x8dd7712f"
export function validationConfig(module, entityId, { userOp = true, signature = false, global = false } = {}) {
    const flags = (userOp ? 1 : 0) | (signature ? 2 : 0) | (global ? 4 : 0)
    return concat(module, numToHex(entityId, 4), numToHex(flags, 1))
}
export function hookConfig(module, entityId, { validation = false, pre = false, post = false } = {}) {
    const flags = (validation ? 1 : 0) | (post ? 2 : 0) | (pre ? 4 : 0)
    return concat(module, numToHex(entityId, 4), numToHex(flags, 1))
}
export function installValidation(config, selectors, installData, hooks = []) {
    return encodeCall("installValidation(bytes25,bytes4[],bytes,bytes[])", [config, selectors, installData, hooks])
}
export function installSessionKey({ entityId, signer, global = true, signature = false, selectors = [], hooks = [] }) {
    return installValidation(
        validationConfig(SINGLE_SIGNER_MODULE, entityId, { userOp: true, signature, global }),
        selectors,
        abiEncode(["uint32", "address"], [entityId, signer]),
        hooks
    )
}
export function uninstallSessionKey(entityId, hookUninstallData = []) {
    return encodeCall("uninstallValidation(bytes24,bytes,bytes[])", [
        concat(SINGLE_SIGNER_MODULE, numToHex(entityId, 4)),
        abiEncode(["uint32"], [entityId]),
        hookUninstallData
    ])
}

// ------------------------------------------------------------------ user ops (v0.7)
export function initCodeOf(op) {
    return op.factory ? concat(op.factory, op.factoryData ?? "0x") : "0x"
}
export function paymasterAndDataOf(op) {
    if (!op.paymaster) return "0x"
    return concat(
        op.paymaster,
        numToHex(op.paymasterVerificationGasLimit ?? 0n, 16),
        numToHex(op.paymasterPostOpGasLimit ?? 0n, 16),
        op.paymasterData ?? "0x"
    )
}
export function packUserOp(op) {
    return {
        sender: op.sender,
        nonce: BigInt(op.nonce),
        initCode: initCodeOf(op),
        callData: op.callData,
        accountGasLimits: concat(numToHex(op.verificationGasLimit, 16), numToHex(op.callGasLimit, 16)),
        preVerificationGas: BigInt(op.preVerificationGas),
        gasFees: concat(numToHex(op.maxPriorityFeePerGas, 16), numToHex(op.maxFeePerGas, 16)),
        paymasterAndData: paymasterAndDataOf(op),
        signature: op.signature ?? "0x"
    }
}
export function userOpHash(op, chainId, entryPoint = ENTRY_POINT) {
    const p = packUserOp(op)
    const inner = abiEncode(
        ["address", "uint256", "bytes32", "bytes32", "bytes32", "uint256", "bytes32", "bytes32"],
        [p.sender, p.nonce, keccak(p.initCode), keccak(p.callData), p.accountGasLimits, p.preVerificationGas, p.gasFees, keccak(p.paymasterAndData)]
    )
    return keccak(abiEncode(["bytes32", "address", "uint256"], [keccak(inner), entryPoint, chainId]))
}
/** the JSON-RPC (v0.7 unpacked) form for eth_sendUserOperation */
export function toRpcUserOp(op) {
    const o = {
        sender: op.sender,
        nonce: qty(op.nonce),
        callData: op.callData,
        callGasLimit: qty(op.callGasLimit),
        verificationGasLimit: qty(op.verificationGasLimit),
        preVerificationGas: qty(op.preVerificationGas),
        maxFeePerGas: qty(op.maxFeePerGas),
        maxPriorityFeePerGas: qty(op.maxPriorityFeePerGas),
        signature: op.signature ?? "0x"
    }
    if (op.factory) {
        o.factory = op.factory
        o.factoryData = op.factoryData ?? "0x"
    }
    if (op.paymaster) {
        o.paymaster = op.paymaster
        o.paymasterVerificationGasLimit = qty(op.paymasterVerificationGasLimit ?? 0n)
        o.paymasterPostOpGasLimit = qty(op.paymasterPostOpGasLimit ?? 0n)
        o.paymasterData = op.paymasterData ?? "0x"
    }
    return o
}
const PACKED_UO_TUPLE = "(address,uint256,bytes,bytes,bytes32,uint256,bytes32,bytes,bytes)"
export function packedTuple(op) {
    const p = packUserOp(op)
    return [p.sender, p.nonce, p.initCode, p.callData, p.accountGasLimits, p.preVerificationGas, p.gasFees, p.paymasterAndData, p.signature]
}
export async function entryPointUserOpHash(rpcUrl, op) {
    const data = encodeCall(`getUserOpHash(${PACKED_UO_TUPLE})`, [packedTuple(op)])
    return rpc(rpcUrl, "eth_call", [{ to: ENTRY_POINT, data }, "latest"])
}
export async function getNonce(rpcUrl, sender, key) {
    const r = await rpc(rpcUrl, "eth_call", [{ to: ENTRY_POINT, data: encodeCall("getNonce(address,uint192)", [sender, key]) }, "latest"])
    return BigInt(r)
}

// ------------------------------------------------------------------ EntryPoint / account errors
const KNOWN_ERRORS = Object.fromEntries(
    [
        "ValidationFunctionMissing(bytes4)",
        "RequireUserOperationContext()",
        "ValidationSignatureSegmentMissing()",
        "SegmentOutOfOrder()",
        "NonCanonicalEncoding()",
        "SelfCallRecursionDepthExceeded()",
        "UserOpValidationInvalid(bytes24)",
        "SignatureValidationInvalid(bytes24)",
        "PreExecHookReverted(bytes24,bytes)",
        "PostExecHookReverted(bytes24,bytes)",
        "PreUserOpValidationHookReverted(bytes24,bytes)",
        "ExceededNativeTokenLimit()",
        "InvalidSignatureType()",
        "FallbackSignerDisabled()",
        "DeferredActionSignatureInvalid()",
        "DeferredValidationHasValidationHooks()",
        "FailedOp(uint256,string)",
        "FailedOpWithRevert(uint256,string,bytes)"
    ].map((s) => [keccakText(s).slice(0, 10), s])
)
export function decodeRevert(data) {
    if (!data || data.length < 10) return data
    const sel = data.slice(0, 10)
    return KNOWN_ERRORS[sel] ? `${KNOWN_ERRORS[sel]} ${data.slice(10)}` : data
}

// ------------------------------------------------------------------ bundler client
export class Bundler {
    constructor(url, chainId) {
        this.url = url
        this.chainId = chainId
    }
    call(method, params) {
        return rpc(this.url, method, params, { timeoutMs: 60000 })
    }
    estimate(op) {
        return this.call("eth_estimateUserOperationGas", [toRpcUserOp({ ...op, signature: op.signature ?? STUB_SIGNATURE }), ENTRY_POINT])
    }
    gasPrice() {
        return this.call("pimlico_getUserOperationGasPrice", [])
    }
    send(op) {
        return this.call("eth_sendUserOperation", [toRpcUserOp(op), ENTRY_POINT])
    }
    receipt(hash) {
        return this.call("eth_getUserOperationReceipt", [hash])
    }
    async waitReceipt(hash, timeoutMs = 30000) {
        return waitFor(() => this.receipt(hash), { timeoutMs, intervalMs: 100, what: `receipt of ${hash}` })
    }
}

/**
 * Alto 0.0.20's verificationGasLimit estimate does not include the gas the account spends
 * paying the EntryPoint prefund (missingAccountFunds > 0: a value CALL + the EntryPoint's
 * deposit update, ~30k gas). When the account's EntryPoint deposit does not cover the
 * op's maximum cost, the op then fails AA26 in the bundler's pre-bundle simulation and is
 * dropped silently after eth_sendUserOperation returned its hash. Returns the extra
 * verification gas to add in that case (0 when the deposit covers the prefund).
 */
export const PREFUND_GAS_BUFFER = 40000n
export async function prefundGasBuffer(rpcUrl, op) {
    const deposit = BigInt(
        await rpc(rpcUrl, "eth_call", [{ to: ENTRY_POINT, data: encodeCall("balanceOf(address)", [op.sender]) }, "latest"])
    )
    const maxCost =
        (BigInt(op.callGasLimit) + BigInt(op.verificationGasLimit) + PREFUND_GAS_BUFFER + BigInt(op.preVerificationGas)) *
        BigInt(op.maxFeePerGas)
    return deposit >= maxCost ? 0n : PREFUND_GAS_BUFFER
}

/**
 * Fills gas + fees through the bundler, signs with `sign(userOpHash)`, sends, waits.
 * op: { sender, nonce, callData, factory?, factoryData? }. Returns { hash, receipt, op }.
 */
export async function sendUserOp({ bundler, rpcUrl, chainId, op, sign, stubSignature = STUB_SIGNATURE, checkHash, prefundBuffer = true }) {
    const prices = await bundler.gasPrice()
    const full = {
        ...op,
        maxFeePerGas: BigInt(prices.fast.maxFeePerGas),
        maxPriorityFeePerGas: BigInt(prices.fast.maxPriorityFeePerGas),
        callGasLimit: 0n,
        verificationGasLimit: 0n,
        preVerificationGas: 0n,
        signature: stubSignature
    }
    const est = await bundler.estimate(full)
    full.callGasLimit = BigInt(est.callGasLimit)
    full.verificationGasLimit = BigInt(est.verificationGasLimit)
    full.preVerificationGas = BigInt(est.preVerificationGas)
    if (prefundBuffer) full.verificationGasLimit += await prefundGasBuffer(rpcUrl, full)
    const hash = userOpHash(full, chainId)
    if (checkHash) await checkHash(hash, full)
    full.signature = await sign(hash)
    const sent = await bundler.send(full)
    if (sent !== hash) throw new Error(`bundler returned hash ${sent}, computed ${hash}`)
    const receipt = await bundler.waitReceipt(hash)
    return { hash, receipt, op: full, estimate: est }
}

export { RpcError, abiDecode }
