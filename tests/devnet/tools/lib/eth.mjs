// SPDX-License-Identifier: Apache-2.0
// Small Ethereum toolkit for the devnet tests: hex, keccak, ABI encode/decode, secp256k1
// signing (RFC 6979, low-s, v 27/28), addresses. Uses @noble/curves + @noble/hashes only.
import { secp256k1 } from "@noble/curves/secp256k1.js"
import { keccak_256 } from "@noble/hashes/sha3.js"

// ------------------------------------------------------------------ hex / bytes
export function toBytes(hex) {
    if (hex instanceof Uint8Array) return hex
    if (typeof hex !== "string" || !/^0x[0-9a-fA-F]*$/.test(hex) || hex.length % 2) throw new Error(`bad hex: ${hex}`)
    return Uint8Array.from(Buffer.from(hex.slice(2), "hex"))
}
export function toHex(bytes) {
    return "0x" + Buffer.from(bytes).toString("hex")
}
export function concat(...parts) {
    return "0x" + parts.map((p) => (p instanceof Uint8Array ? Buffer.from(p).toString("hex") : strip(p))).join("")
}
function strip(h) {
    if (typeof h !== "string" || !h.startsWith("0x")) throw new Error(`bad hex part: ${h}`)
    return h.slice(2)
}
export function padLeft(hex, bytes = 32) {
    const s = strip(hex)
    if (s.length > bytes * 2) throw new Error(`value too long for ${bytes} bytes: ${hex}`)
    return "0x" + s.padStart(bytes * 2, "0")
}
export function numToHex(n, bytes = 32) {
    const v = BigInt(n)
    if (v < 0n) throw new Error("negative")
    const s = v.toString(16)
    if (s.length > bytes * 2) throw new Error(`number too large for ${bytes} bytes: ${n}`)
    return "0x" + s.padStart(bytes * 2, "0")
}
export function qty(n) {
    return "0x" + BigInt(n).toString(16)
}
export function hexLen(h) {
    return (h.length - 2) / 2
}
export function sliceHex(h, start, end) {
    return "0x" + h.slice(2 + start * 2, end === undefined ? undefined : 2 + end * 2)
}

export function keccak(hexOrBytes) {
    return toHex(keccak_256(toBytes(hexOrBytes)))
}
export function keccakText(s) {
    return toHex(keccak_256(Buffer.from(s, "utf8")))
}
export function selector(signature) {
    return keccakText(signature).slice(0, 10)
}

// ------------------------------------------------------------------ addresses / keys
export function checksum(addr) {
    const a = strip(addr).toLowerCase()
    const h = keccakText(a).slice(2)
    return "0x" + [...a].map((c, i) => (parseInt(h[i], 16) >= 8 ? c.toUpperCase() : c)).join("")
}
export function addressOf(privateKey) {
    const pub = secp256k1.getPublicKey(toBytes(privateKey), false)
    return checksum("0x" + keccak(pub.slice(1)).slice(-40))
}
export function create2Address(deployer, salt, initCodeHash) {
    return checksum("0x" + keccak(concat("0xff", deployer, salt, initCodeHash)).slice(-40))
}

// ------------------------------------------------------------------ signatures
export const SECP256K1_N = secp256k1.Point.CURVE().n

/** ECDSA over a 32-byte digest → 65-byte r||s||v (v 27/28), RFC 6979, low s */
export function signDigest(digest, privateKey) {
    const sig = secp256k1.sign(toBytes(digest), toBytes(privateKey), { prehash: false, format: "recovered", lowS: true })
    const rec = sig[0]
    return concat(toHex(sig.slice(1, 65)), numToHex(27 + rec, 1))
}
export function recoverAddress(digest, sig65) {
    const b = toBytes(sig65)
    if (b.length !== 65) throw new Error("need 65-byte signature")
    const rec = new Uint8Array(65)
    rec[0] = b[64] - 27
    rec.set(b.slice(0, 64), 1)
    const pub = secp256k1.recoverPublicKey(rec, toBytes(digest), { prehash: false })
    const P = secp256k1.Point.fromBytes(pub)
    return checksum("0x" + keccak(P.toBytes(false).slice(1)).slice(-40))
}
/** high-s twin of a low-s signature (same r, s' = n - s, v flipped) — must be rejected */
export function toHighS(sig65) {
    const r = sliceHex(sig65, 0, 32)
    const s = BigInt(sliceHex(sig65, 32, 64))
    const v = parseInt(sliceHex(sig65, 64, 65), 16)
    return concat(r, numToHex(SECP256K1_N - s), numToHex(v === 27 ? 28 : 27, 1))
}
export function hashPersonal32(hash32) {
    // EIP-191: keccak256("\x19Ethereum Signed Message:\n32" || hash)
    return keccak(concat(toHex(Buffer.from("\x19Ethereum Signed Message:\n32", "utf8")), hash32))
}
export function hashTypedData(domainSeparator, structHash) {
    return keccak(concat("0x1901", domainSeparator, structHash))
}

// ------------------------------------------------------------------ ABI
// Types: address, bool, uintN, intN (non-negative only), bytesN, bytes, string, T[], T[k], (T1,T2,...)
function parseType(t) {
    t = t.trim()
    const arr = /^(.*)\[(\d*)\]$/.exec(t)
    if (arr && balanced(arr[1])) return { kind: "array", inner: parseType(arr[1]), len: arr[2] === "" ? null : Number(arr[2]) }
    if (t.startsWith("(") && t.endsWith(")")) return { kind: "tuple", comps: splitTop(t.slice(1, -1)).map(parseType) }
    return { kind: "basic", name: t }
}
function balanced(s) {
    let d = 0
    for (const c of s) {
        if (c === "(") d++
        else if (c === ")") d--
        if (d < 0) return false
    }
    return d === 0
}
function splitTop(s) {
    if (s.trim() === "") return []
    const out = []
    let d = 0
    let cur = ""
    for (const c of s) {
        if (c === "(") d++
        if (c === ")") d--
        if (c === "," && d === 0) {
            out.push(cur)
            cur = ""
        } else cur += c
    }
    out.push(cur)
    return out
}
function isDynamic(T) {
    if (T.kind === "basic") return T.name === "bytes" || T.name === "string"
    if (T.kind === "array") return T.len === null || isDynamic(T.inner)
    return T.comps.some(isDynamic)
}
function encodeBasic(name, v) {
    if (name === "address") return padLeft(String(v).toLowerCase())
    if (name === "bool") return numToHex(v ? 1 : 0)
    if (/^u?int\d*$/.test(name)) return numToHex(BigInt(v))
    const m = /^bytes(\d+)$/.exec(name)
    if (m) {
        const s = strip(v).toLowerCase()
        if (s.length !== Number(m[1]) * 2) throw new Error(`${name} needs ${m[1]} bytes, got ${v}`)
        return "0x" + s.padEnd(64, "0")
    }
    if (name === "bytes" || name === "string") {
        const s = name === "string" ? Buffer.from(v, "utf8").toString("hex") : strip(v).toLowerCase()
        const len = s.length / 2
        return numToHex(len) + s.padEnd(Math.ceil(len / 32) * 64, "0")
    }
    throw new Error(`unsupported type ${name}`)
}
function encodeSeq(types, values) {
    if (types.length !== values.length) throw new Error(`ABI arity: ${types.length} types, ${values.length} values`)
    const heads = []
    const tails = []
    let headLen = 0
    for (const T of types) headLen += isDynamic(T) ? 32 : staticSize(T)
    let tailLen = 0
    types.forEach((T, i) => {
        const enc = encodeT(T, values[i])
        if (isDynamic(T)) {
            heads.push(numToHex(headLen + tailLen).slice(2))
            tails.push(enc.slice(2))
            tailLen += (enc.length - 2) / 2
        } else heads.push(enc.slice(2))
    })
    return "0x" + heads.join("") + tails.join("")
}
function staticSize(T) {
    if (T.kind === "basic") return 32
    if (T.kind === "array") return T.len * staticSize(T.inner)
    return T.comps.reduce((a, c) => a + staticSize(c), 0)
}
function encodeT(T, v) {
    if (T.kind === "basic") return encodeBasic(T.name, v)
    if (T.kind === "tuple") {
        const vals = Array.isArray(v) ? v : Object.values(v)
        return encodeSeq(T.comps, vals)
    }
    const items = encodeSeq(
        v.map(() => T.inner),
        v
    )
    return T.len === null ? concat(numToHex(v.length), items) : items
}
/** abiEncode(["address","uint256"], [a, 1n]) */
export function abiEncode(types, values) {
    return encodeSeq(types.map(parseType), values)
}
/** "transfer(address,uint256)" + args → calldata */
export function encodeCall(signature, values = []) {
    const m = /^([^(]+)\((.*)\)$/.exec(signature)
    return concat(selector(signature), abiEncode(splitTop(m[2]), values))
}

function decodeT(T, data, off) {
    const word = (o) => "0x" + data.slice(o * 2, o * 2 + 64)
    if (T.kind === "basic") {
        const w = word(off)
        const n = T.name
        if (n === "address") return checksum("0x" + w.slice(-40))
        if (n === "bool") return BigInt(w) !== 0n
        if (/^uint\d*$/.test(n)) return BigInt(w)
        const m = /^bytes(\d+)$/.exec(n)
        if (m) return "0x" + w.slice(2, 2 + Number(m[1]) * 2)
        const p = Number(BigInt(w))
        const len = Number(BigInt(word(p)))
        const raw = data.slice((p + 32) * 2, (p + 32 + len) * 2)
        return n === "string" ? Buffer.from(raw, "hex").toString("utf8") : "0x" + raw
    }
    throw new Error("decodeT: basic types only")
}
/** abiDecode(["uint256","bytes"], "0x...") */
export function abiDecode(types, hex) {
    // offsets inside a sequence are relative to the start of that sequence: re-base by slicing
    return decodeRel(types.map(parseType), strip(hex))
}
function decodeRel(types, data) {
    const out = []
    let o = 0
    const word = (p) => BigInt("0x" + data.slice(p * 2, p * 2 + 64))
    for (const T of types) {
        if (isDynamic(T)) {
            const p = Number(word(o))
            const sub = data.slice(p * 2)
            if (T.kind === "basic") out.push(decodeT(T, "0".repeat(62) + "20" + sub, 0))
            else if (T.kind === "tuple") out.push(decodeRel(T.comps, sub))
            else {
                const len = T.len === null ? Number(BigInt("0x" + sub.slice(0, 64))) : T.len
                const body = T.len === null ? sub.slice(64) : sub
                out.push(decodeRel(Array(len).fill(T.inner), body))
            }
            o += 32
        } else {
            if (T.kind === "basic") out.push(decodeT(T, data, o))
            else if (T.kind === "tuple") out.push(decodeRel(T.comps, data.slice(o * 2)))
            else out.push(decodeRel(Array(T.len).fill(T.inner), data.slice(o * 2)))
            o += staticSize(T)
        }
    }
    return out
}
