// SPDX-License-Identifier: MIT
// Devnet stand-in for MAv2's TimeRangeModule (validation hook).
pragma solidity ^0.8.26;

import {PackedUserOperation} from "@account-abstraction/contracts/interfaces/PackedUserOperation.sol";
import "./Common.sol";

contract TimeRangeModule is IValidationHookModule {
    struct TimeRange {
        uint48 validUntil;
        uint48 validAfter;
    }

    mapping(uint32 entityId => mapping(address account => TimeRange)) public timeRanges;

    event TimeRangeSet(uint32 indexed entityId, address indexed account, uint48 validUntil, uint48 validAfter);

    error TimeRangeNotValid();
    error UnexpectedDataPassed();

    /// data = abi.encode(uint32 entityId, uint48 validUntil, uint48 validAfter); validUntil > validAfter required
    function onInstall(bytes calldata data) external override {
        (uint32 entityId, uint48 validUntil, uint48 validAfter) = abi.decode(data, (uint32, uint48, uint48));
        setTimeRange(entityId, validUntil, validAfter);
    }

    /// data = abi.encode(uint32 entityId)
    function onUninstall(bytes calldata data) external override {
        uint32 entityId = abi.decode(data, (uint32));
        delete timeRanges[entityId][msg.sender];
    }

    function setTimeRange(uint32 entityId, uint48 validUntil, uint48 validAfter) public {
        if (validUntil <= validAfter) revert TimeRangeNotValid();
        timeRanges[entityId][msg.sender] = TimeRange(validUntil, validAfter);
        emit TimeRangeSet(entityId, msg.sender, validUntil, validAfter);
    }

    /// Returns validationData carrying the time range; the EntryPoint enforces it (AA22).
    function preUserOpValidationHook(uint32 entityId, PackedUserOperation calldata userOp, bytes32)
        external
        view
        override
        returns (uint256)
    {
        if (userOp.signature.length != 0) revert UnexpectedDataPassed();
        TimeRange memory t = timeRanges[entityId][msg.sender];
        return ModuleLib.packValidationData(false, t.validUntil, t.validAfter);
    }

    function preRuntimeValidationHook(uint32 entityId, address, uint256, bytes calldata, bytes calldata authorization)
        external
        view
        override
    {
        if (authorization.length != 0) revert UnexpectedDataPassed();
        TimeRange memory t = timeRanges[entityId][msg.sender];
        if (block.timestamp >= t.validUntil || block.timestamp < t.validAfter) revert TimeRangeNotValid();
    }

    /// Does not limit ERC-1271 signatures (as the real module).
    function preSignatureValidationHook(uint32, address, bytes32, bytes calldata) external pure override {}

    function moduleId() external pure override returns (string memory) {
        return "mav2-hsm.devnet.time-range-standin.1.0.0";
    }

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == 0x01ffc9a7 || interfaceId == type(IValidationHookModule).interfaceId
            || interfaceId == type(IModule).interfaceId;
    }
}
