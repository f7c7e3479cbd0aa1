// SPDX-License-Identifier: MIT
pragma solidity ^0.8.26;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {SIG_TYPE_EOA, SIG_TYPE_CONTRACT_OWNER} from "./Common.sol";

/// Checks a typed validation signature `sigType(1) || body` against `signer`:
/// 0x00 = EOA: body must be a 65-byte r||s||v accepted by OpenZeppelin ECDSA.tryRecover
///        (low s, v 27/28) and recover to `signer`;
/// 0x01 = contract owner: ERC-1271 isValidSignature(digest, body) on `signer`.
/// Any other type byte (or an empty signature) reverts InvalidSignatureType().
library SigLib {
    error InvalidSignatureType();

    function checkSig(address signer, bytes32 digest, bytes calldata sig) internal view returns (bool) {
        if (sig.length < 1) revert InvalidSignatureType();
        uint8 sigType = uint8(sig[0]);
        if (sigType == SIG_TYPE_EOA) {
            (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, sig[1:]);
            return err == ECDSA.RecoverError.NoError && recovered == signer && signer != address(0);
        }
        if (sigType == SIG_TYPE_CONTRACT_OWNER) {
            return SignatureChecker.isValidERC1271SignatureNow(signer, digest, sig[1:]);
        }
        revert InvalidSignatureType();
    }
}
