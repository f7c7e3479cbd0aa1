// SPDX-License-Identifier: MIT
// Devnet stand-in for MAv2's PaymasterGuardModule (validation hook): user ops validated with
// this hook must use the configured paymaster.
pragma solidity ^0.8.26;

import {PackedUserOperation} from "@account-abstraction/contracts/interfaces/PackedUserOperation.sol";
import "./Common.sol";

contract PaymasterGuardModule is IValidationHookModule {
    mapping(uint32 entityId => mapping(address account => address paymaster)) public paymasters;

    error BadPaymasterSpecified();
    error UnexpectedDataPassed();

    /// data = abi.encode(uint32 entityId, address paymaster)
    function onInstall(bytes calldata data) external override {
        (uint32 entityId, address paymaster) = abi.decode(data, (uint32, address));
        paymasters[entityId][msg.sender] = paymaster;
    }

    /// data = abi.encode(uint32 entityId)
    function onUninstall(bytes calldata data) external override {
        uint32 entityId = abi.decode(data, (uint32));
        delete paymasters[entityId][msg.sender];
    }

    function preUserOpValidationHook(uint32 entityId, PackedUserOperation calldata userOp, bytes32)
        external
        view
        override
        returns (uint256)
    {
        if (userOp.signature.length != 0) revert UnexpectedDataPassed();
        if (userOp.paymasterAndData.length < 20) revert BadPaymasterSpecified();
        address payingPaymaster = address(bytes20(userOp.paymasterAndData[:20]));
        if (payingPaymaster != paymasters[entityId][msg.sender]) revert BadPaymasterSpecified();
        return 0;
    }

    function preRuntimeValidationHook(uint32, address, uint256, bytes calldata, bytes calldata)
        external
        pure
        override
    {}

    function preSignatureValidationHook(uint32, address, bytes32, bytes calldata) external pure override {}

    function moduleId() external pure override returns (string memory) {
        return "mav2-hsm.devnet.paymaster-guard-standin.1.0.0";
    }

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == 0x01ffc9a7 || interfaceId == type(IValidationHookModule).interfaceId
            || interfaceId == type(IModule).interfaceId;
    }
}
