// SPDX-License-Identifier: MIT
// Devnet stand-ins for Alchemy Modular Account V2 (ERC-6900 v0.8, EntryPoint v0.7).
// Written from the wire-format facts in shared/spec/MAV2.md; NOT the real MAv2 code.
pragma solidity ^0.8.26;

import {PackedUserOperation} from "@account-abstraction/contracts/interfaces/PackedUserOperation.sol";

address constant ENTRY_POINT_V07 = 0x0000000071727De22E5E9d8BAf0edAc6f37da032;
address constant SMA_BYTECODE_IMPL = 0x000000000000c5A9089039570Dd36455b5C07383;

uint256 constant SIG_VALIDATION_PASSED = 0;
uint256 constant SIG_VALIDATION_FAILED = 1;
bytes4 constant ERC1271_MAGIC = 0x1626ba7e;
bytes4 constant ERC1271_INVALID = 0xffffffff;

// Signature type byte in front of a validation signature
uint8 constant SIG_TYPE_EOA = 0x00;
uint8 constant SIG_TYPE_CONTRACT_OWNER = 0x01;

// Validation flags in validationConfig (bytes25 = module(20) | entityId(4) | flags(1))
uint8 constant VALIDATION_FLAG_USER_OP = 0x01;
uint8 constant VALIDATION_FLAG_SIGNATURE = 0x02;
uint8 constant VALIDATION_FLAG_GLOBAL = 0x04;

// Hook flags in hookConfig (bytes25 = module(20) | entityId(4) | flags(1))
uint8 constant HOOK_FLAG_VALIDATION = 0x01;
uint8 constant HOOK_FLAG_POST = 0x02;
uint8 constant HOOK_FLAG_PRE = 0x04;

// Nonce-key option bits (lowest byte of key192)
uint8 constant NONCE_OPT_GLOBAL = 0x01;
uint8 constant NONCE_OPT_DEFERRED = 0x02;
uint8 constant NONCE_OPT_DIRECT_CALL = 0x04;

uint8 constant RESERVED_VALIDATION_DATA_INDEX = 0xff;
uint8 constant MAX_VALIDATION_HOOKS = 0xff; // indices 0..254 addressable in the signature

struct Call {
    address target;
    uint256 value;
    bytes data;
}

interface IModule {
    function onInstall(bytes calldata data) external;
    function onUninstall(bytes calldata data) external;
    function moduleId() external view returns (string memory);
}

interface IValidationModule is IModule {
    function validateUserOp(uint32 entityId, PackedUserOperation calldata userOp, bytes32 userOpHash)
        external
        returns (uint256);

    function validateRuntime(
        address account,
        uint32 entityId,
        address sender,
        uint256 value,
        bytes calldata data,
        bytes calldata authorization
    ) external;

    function validateSignature(address account, uint32 entityId, address sender, bytes32 hash, bytes calldata signature)
        external
        view
        returns (bytes4);
}

interface IValidationHookModule is IModule {
    function preUserOpValidationHook(uint32 entityId, PackedUserOperation calldata userOp, bytes32 userOpHash)
        external
        returns (uint256);

    function preRuntimeValidationHook(
        uint32 entityId,
        address sender,
        uint256 value,
        bytes calldata data,
        bytes calldata authorization
    ) external;

    function preSignatureValidationHook(uint32 entityId, address sender, bytes32 hash, bytes calldata signature)
        external
        view;
}

interface IExecutionHookModule is IModule {
    function preExecutionHook(uint32 entityId, address sender, uint256 value, bytes calldata data)
        external
        returns (bytes memory);

    function postExecutionHook(uint32 entityId, bytes calldata preExecHookData) external;
}

struct ValidationDataView {
    uint8 validationFlags;
    bytes25[] validationHooks;
    bytes25[] executionHooks;
    bytes4[] selectors;
}

/// Shared helpers for modules.
library ModuleLib {
    bytes4 internal constant EXECUTE = 0xb61d27f6;
    bytes4 internal constant EXECUTE_BATCH = 0x34fcd5be;
    bytes4 internal constant EXECUTE_USER_OP = 0x8dd7712f;

    /// validationData as in ERC-4337: authorizer(20) | validUntil(6) | validAfter(6), high to low
    function packValidationData(bool sigFailed, uint48 validUntil, uint48 validAfter) internal pure returns (uint256) {
        return (sigFailed ? 1 : 0) | (uint256(validUntil) << 160) | (uint256(validAfter) << 208);
    }

    /// Strips an executeUserOp wrapper: data = executeUserOp(userOp, hash) → userOp.callData[4:]
    function unwrapExecuteUserOp(bytes calldata data) internal pure returns (bytes memory) {
        if (data.length >= 4 && bytes4(data[:4]) == EXECUTE_USER_OP) {
            (PackedUserOperation memory uo,) = abi.decode(data[4:], (PackedUserOperation, bytes32));
            if (uo.callData.length < 4) return "";
            return argsOf(uo.callData);
        }
        return data;
    }

    function selectorOf(bytes memory data) internal pure returns (bytes4 sel) {
        if (data.length < 4) return bytes4(0);
        assembly ("memory-safe") {
            sel := mload(add(data, 32))
        }
    }

    function argsOf(bytes memory data) internal pure returns (bytes memory out) {
        uint256 n = data.length - 4;
        out = new bytes(n);
        assembly ("memory-safe") {
            mcopy(add(out, 32), add(data, 36), n)
        }
    }
}
