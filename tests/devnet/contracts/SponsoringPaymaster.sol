// SPDX-License-Identifier: MIT
// Devnet paymaster for the sponsored-op tests (written for this project): an EntryPoint
// v0.7 paymaster that sponsors every user op whose paymasterData starts with a tag byte
// 0x00 (stub data from the ERC-7677 service) or 0x01 (its final data); other data reverts
// NoTag (AA33). Its EntryPoint deposit pays the gas; no postOp. No stake, no signature:
// devnet only. Placed with anvil_setCode: no constructor, no immutables.
pragma solidity ^0.8.26;

import {IPaymaster} from "@account-abstraction/contracts/interfaces/IPaymaster.sol";
import {PackedUserOperation} from "@account-abstraction/contracts/interfaces/PackedUserOperation.sol";

interface IEntryPointDeposit {
    function depositTo(address account) external payable;
}

contract SponsoringPaymaster is IPaymaster {
    address internal constant ENTRY_POINT = 0x0000000071727De22E5E9d8BAf0edAc6f37da032;
    uint256 internal constant PAYMASTER_DATA_OFFSET = 52; // paymaster ‖ uint128 ‖ uint128

    error NotEntryPoint();
    error NoTag();

    function validatePaymasterUserOp(PackedUserOperation calldata userOp, bytes32, uint256)
        external
        view
        override
        returns (bytes memory context, uint256 validationData)
    {
        if (msg.sender != ENTRY_POINT) revert NotEntryPoint();
        bytes calldata pmd = userOp.paymasterAndData[PAYMASTER_DATA_OFFSET:];
        if (pmd.length == 0 || uint8(pmd[0]) > 1) revert NoTag();
        return ("", 0);
    }

    function postOp(PostOpMode, bytes calldata, uint256, uint256) external view override {
        if (msg.sender != ENTRY_POINT) revert NotEntryPoint();
    }

    function deposit() external payable {
        IEntryPointDeposit(ENTRY_POINT).depositTo{value: msg.value}(address(this));
    }
}
