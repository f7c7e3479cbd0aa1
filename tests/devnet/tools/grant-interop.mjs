// SPDX-License-Identifier: Apache-2.0
// grant-interop.mjs: account kit's side of the deferred-grant interop test
// (tests/e2e/test-grant-interop.sh). Offline: the client's transport answers eth_chainId
// and eth_getCode (no code) itself. For the inputs on the command line it runs
// PermissionBuilder.compileDeferred, has the owner sign the typed data through the
// account (viem), and prints one JSON object:
//   account      the owner's semi-modular account (salt 0), as account kit derives it
//   theirs       account kit's grant string (buildDeferredActionDigest)
//   rebuilt      buildDeferredActionDigest(account kit's pre-signature digest, OUR owner
//                signature): byte-identical to our string iff everything else is
//   oursParsed   parseDeferredAction(our string)
//   oursSigner   the address recovered from our owner signature over account kit's
//                typed data
// Usage: node grant-interop.mjs OWNER_PRIVKEY SESSION_ADDR ENTITY DEADLINE OURS_HEX
//        CASE [TARGET LIMIT_WEI]     CASE: root | limited (contract access + native limit)
import { createModularAccountV2Client } from "@account-kit/smart-contracts"
import {
    PermissionBuilder,
    PermissionType,
    buildDeferredActionDigest,
    buildFullNonceKey
} from "@account-kit/smart-contracts/experimental"
// not exported by the package: the file itself
import { parseDeferredAction } from "../node_modules/@account-kit/smart-contracts/dist/esm/src/ma-v2/utils.js"
import { LocalAccountSigner } from "@aa-sdk/core"
import { custom, recoverTypedDataAddress, toHex } from "viem"
import { sepolia } from "viem/chains"

const [ownerKey, session, entityS, deadlineS, ours, kind, target, limit] = process.argv.slice(2)
const entityId = Number(entityS)
const deadline = Number(deadlineS)
const global = kind === "root"
const transport = custom({
    async request({ method }) {
        if (method === "eth_chainId") return toHex(sepolia.id)
        if (method === "eth_getCode") return "0x"
        throw new Error(`offline: ${method}`)
    }
})
const client = await createModularAccountV2Client({
    chain: sepolia,
    transport,
    signer: LocalAccountSigner.privateKeyToAccountSigner(ownerKey)
})
const nonce =
    buildFullNonceKey({ nonceKey: 0n, entityId, isGlobalValidation: global, isDeferredAction: true }) << 64n
const builder = new PermissionBuilder({
    client,
    key: { publicKey: session, type: "secp256k1" },
    entityId,
    nonce,
    deadline
})
if (global) {
    builder.addPermission({ permission: { type: PermissionType.ROOT } })
} else {
    builder.addPermission({ permission: { type: PermissionType.CONTRACT_ACCESS, data: { address: target } } })
    builder.addPermission({
        permission: { type: PermissionType.NATIVE_TOKEN_TRANSFER, data: { allowance: toHex(BigInt(limit)) } }
    })
}
const { typedData, fullPreSignatureDeferredActionDigest } = await builder.compileDeferred()
const sig = await client.account.signTypedData(typedData)
const theirs = buildDeferredActionDigest({ fullPreSignatureDeferredActionDigest, sig })
const oursSig = `0x${ours.slice(-132)}` // 0x00 || r || s || v
const rebuilt = buildDeferredActionDigest({ fullPreSignatureDeferredActionDigest, sig: oursSig })
const parsed = parseDeferredAction(ours)
const oursSigner = await recoverTypedDataAddress({ ...typedData, signature: `0x${oursSig.slice(4)}` })
console.log(
    JSON.stringify({
        account: client.account.address,
        theirs,
        rebuilt,
        oursParsed: { ...parsed, nonce: parsed.nonce.toString() },
        oursSigner
    })
)
