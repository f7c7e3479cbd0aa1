// SPDX-License-Identifier: MIT
// Devnet stand-in for MAv2's SingleSignerValidationModule.
pragma solidity ^0.8.26;

import {PackedUserOperation} from "@account-abstraction/contracts/interfaces/PackedUserOperation.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import "./Common.sol";
import {SigLib} from "./SigLib.sol";

contract SingleSignerValidationModule is IValidationModule {
    bytes32 private constant _DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(uint256 chainId,address verifyingContract,bytes32 salt)");
    bytes32 private constant _REPLAY_SAFE_HASH_TYPEHASH = keccak256("ReplaySafeHash(bytes32 hash)");

    /// signers(entityId, account) → signer; selector 0x217178fb
    mapping(uint32 entityId => mapping(address account => address)) public signers;

    event SignerTransferred(
        address indexed account, uint32 indexed entityId, address indexed newSigner, address previousSigner
    );

    error NotAuthorized();

    /// data = abi.encode(uint32 entityId, address signer)
    function onInstall(bytes calldata data) external override {
        (uint32 entityId, address signer) = abi.decode(data, (uint32, address));
        _transferSigner(entityId, signer);
    }

    /// data = abi.encode(uint32 entityId)
    function onUninstall(bytes calldata data) external override {
        uint32 entityId = abi.decode(data, (uint32));
        _transferSigner(entityId, address(0));
    }

    function transferSigner(uint32 entityId, address newSigner) external {
        _transferSigner(entityId, newSigner);
    }

    /// EIP-191 personal-message hash of userOpHash, signature = sigType(0x00) || r || s || v
    function validateUserOp(uint32 entityId, PackedUserOperation calldata userOp, bytes32 userOpHash)
        external
        view
        override
        returns (uint256)
    {
        bool ok = SigLib.checkSig(
            signers[entityId][msg.sender], MessageHashUtils.toEthSignedMessageHash(userOpHash), userOp.signature
        );
        return ok ? SIG_VALIDATION_PASSED : SIG_VALIDATION_FAILED;
    }

    function validateRuntime(address account, uint32 entityId, address sender, uint256, bytes calldata, bytes calldata)
        external
        view
        override
    {
        if (sender != signers[entityId][account]) revert NotAuthorized();
    }

    /// ERC-1271: the signer signs replaySafeHash(account, hash) (EIP-712, no EIP-191 wrapping)
    function validateSignature(address account, uint32 entityId, address, bytes32 hash, bytes calldata signature)
        external
        view
        override
        returns (bytes4)
    {
        bool ok = SigLib.checkSig(signers[entityId][account], replaySafeHash(account, hash), signature);
        return ok ? ERC1271_MAGIC : ERC1271_INVALID;
    }

    /// EIP-712 ReplaySafeHash(bytes32 hash), domain (chainId, verifyingContract = this module, salt = bytes32(account))
    function replaySafeHash(address account, bytes32 hash) public view returns (bytes32) {
        bytes32 domainSeparator = keccak256(
            abi.encode(_DOMAIN_TYPEHASH, block.chainid, address(this), bytes32(uint256(uint160(account))))
        );
        return MessageHashUtils.toTypedDataHash(domainSeparator, keccak256(abi.encode(_REPLAY_SAFE_HASH_TYPEHASH, hash)));
    }

    function moduleId() external pure override returns (string memory) {
        return "mav2-hsm.devnet.single-signer-validation-standin.1.0.0";
    }

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == 0x01ffc9a7 || interfaceId == type(IValidationModule).interfaceId
            || interfaceId == type(IModule).interfaceId;
    }

    function _transferSigner(uint32 entityId, address newSigner) internal {
        address previous = signers[entityId][msg.sender];
        signers[entityId][msg.sender] = newSigner;
        emit SignerTransferred(msg.sender, entityId, newSigner, previous);
    }
}
