// SPDX-License-Identifier: MIT
// Devnet stand-in for MAv2's NativeTokenLimitModule.
// As an execution hook (pre): counts the ETH value of execute / executeBatch (also inside
// executeUserOp) against the limit. As a validation hook: counts the op's maximum gas cost
// (preVerificationGas + verificationGasLimit + callGasLimit [+ paymaster limits]) * maxFeePerGas
// when no paymaster is used, or the paymaster is marked special for the account.
pragma solidity ^0.8.26;

import {PackedUserOperation} from "@account-abstraction/contracts/interfaces/PackedUserOperation.sol";
import "./Common.sol";

contract NativeTokenLimitModule is IValidationHookModule, IExecutionHookModule {
    mapping(uint256 entityId => mapping(address account => uint256 limit)) public limits;
    mapping(address paymaster => mapping(address account => bool allowed)) public specialPaymasters;

    event NativeTokenSpendLimitUpdated(uint32 indexed entityId, address indexed account, uint256 newLimit);
    event SpecialPaymasterUpdated(address indexed account, address indexed paymaster, bool allowed);

    error ExceededNativeTokenLimit();
    error UnexpectedDataPassed();

    /// data = abi.encode(uint32 entityId, uint256 spendLimit)
    function onInstall(bytes calldata data) external override(IModule) {
        (uint32 entityId, uint256 spendLimit) = abi.decode(data, (uint32, uint256));
        updateLimits(entityId, spendLimit);
    }

    /// data = abi.encode(uint32 entityId)
    function onUninstall(bytes calldata data) external override(IModule) {
        uint32 entityId = abi.decode(data, (uint32));
        delete limits[entityId][msg.sender];
    }

    function updateLimits(uint32 entityId, uint256 newLimit) public {
        limits[entityId][msg.sender] = newLimit;
        emit NativeTokenSpendLimitUpdated(entityId, msg.sender, newLimit);
    }

    function updateSpecialPaymaster(address paymaster, bool allowed) external {
        specialPaymasters[paymaster][msg.sender] = allowed;
        emit SpecialPaymasterUpdated(msg.sender, paymaster, allowed);
    }

    function preExecutionHook(uint32 entityId, address, uint256, bytes calldata data)
        external
        override
        returns (bytes memory)
    {
        bytes memory inner = ModuleLib.unwrapExecuteUserOp(data);
        bytes4 sel = ModuleLib.selectorOf(inner);
        uint256 value;
        if (sel == ModuleLib.EXECUTE) {
            (, value,) = abi.decode(ModuleLib.argsOf(inner), (address, uint256, bytes));
        } else if (sel == ModuleLib.EXECUTE_BATCH) {
            Call[] memory calls = abi.decode(ModuleLib.argsOf(inner), (Call[]));
            for (uint256 i = 0; i < calls.length; ++i) {
                value += calls[i].value;
            }
        }
        _spend(entityId, value);
        return "";
    }

    function postExecutionHook(uint32, bytes calldata) external pure override {}

    function preUserOpValidationHook(uint32 entityId, PackedUserOperation calldata userOp, bytes32)
        external
        override
        returns (uint256)
    {
        if (userOp.signature.length != 0) revert UnexpectedDataPassed();
        bool usesPaymaster = userOp.paymasterAndData.length > 0;
        if (!usesPaymaster || specialPaymasters[address(bytes20(userOp.paymasterAndData[:20]))][msg.sender]) {
            uint256 gas = userOp.preVerificationGas + uint128(bytes16(userOp.accountGasLimits))
                + uint128(uint256(userOp.accountGasLimits));
            if (usesPaymaster && userOp.paymasterAndData.length >= 52) {
                gas += uint128(bytes16(userOp.paymasterAndData[20:36])) + uint128(bytes16(userOp.paymasterAndData[36:52]));
            }
            uint256 maxFeePerGas = uint128(uint256(userOp.gasFees));
            _spend(entityId, gas * maxFeePerGas);
        }
        return 0;
    }

    function preRuntimeValidationHook(uint32, address, uint256, bytes calldata, bytes calldata)
        external
        pure
        override
    {}

    function preSignatureValidationHook(uint32, address, bytes32, bytes calldata) external pure override {}

    function _spend(uint32 entityId, uint256 amount) internal {
        if (amount == 0) return;
        uint256 limit = limits[entityId][msg.sender];
        if (amount > limit) revert ExceededNativeTokenLimit();
        limits[entityId][msg.sender] = limit - amount;
    }

    function moduleId() external pure override(IModule) returns (string memory) {
        return "mav2-hsm.devnet.native-token-limit-standin.1.0.0";
    }

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == 0x01ffc9a7 || interfaceId == type(IValidationHookModule).interfaceId
            || interfaceId == type(IExecutionHookModule).interfaceId || interfaceId == type(IModule).interfaceId;
    }
}
