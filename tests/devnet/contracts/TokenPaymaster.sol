// SPDX-License-Identifier: MIT
// Devnet ERC-20 paymaster for the gas-in-tokens tests (written for this project): an
// EntryPoint v0.7 paymaster whose deposit pays the gas and which takes the cost in an
// ERC-20 token from the account in postOp, after the op's calls (so an approve batched
// in front of them counts). paymasterData = uint8 tag (0 stub, 1 final) ‖ address token
// ‖ uint256 maxTokenAmount. A token's price (its base units per 1 ETH) is set with
// setRate, by anyone: devnet only, as are the missing stake and signature. With final
// data, an op whose maximum cost in the token is above maxTokenAmount reverts
// OverMaxTokenAmount (AA33); postOp never takes more than maxTokenAmount. Placed with
// anvil_setCode: no constructor, no immutables.
pragma solidity ^0.8.26;

import {IPaymaster} from "@account-abstraction/contracts/interfaces/IPaymaster.sol";
import {PackedUserOperation} from "@account-abstraction/contracts/interfaces/PackedUserOperation.sol";

interface ITokenFrom {
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
}

interface IEntryPointDepositTo {
    function depositTo(address account) external payable;
}

contract TokenPaymaster is IPaymaster {
    address internal constant ENTRY_POINT = 0x0000000071727De22E5E9d8BAf0edAc6f37da032;
    uint256 internal constant PAYMASTER_DATA_OFFSET = 52; // paymaster ‖ uint128 ‖ uint128
    uint256 internal constant POST_OP_GAS = 40000; // charged on top of actualGasCost

    mapping(address => uint256) public tokensPerEth;

    event GasPaidInToken(address indexed account, address indexed token, uint256 amount);

    error NotEntryPoint();
    error BadPaymasterData();
    error UnsupportedToken(address token);
    error OverMaxTokenAmount(uint256 cost, uint256 maxTokenAmount);
    error TokenPaymentFailed();

    function setRate(address token, uint256 unitsPerEth) external {
        tokensPerEth[token] = unitsPerEth;
    }

    function tokenCost(address token, uint256 weiAmount) public view returns (uint256) {
        uint256 rate = tokensPerEth[token];
        if (rate == 0) revert UnsupportedToken(token);
        return (weiAmount * rate + 1e18 - 1) / 1e18;
    }

    function validatePaymasterUserOp(PackedUserOperation calldata userOp, bytes32, uint256 maxCost)
        external
        view
        override
        returns (bytes memory context, uint256 validationData)
    {
        if (msg.sender != ENTRY_POINT) revert NotEntryPoint();
        bytes calldata pmd = userOp.paymasterAndData[PAYMASTER_DATA_OFFSET:];
        if (pmd.length != 53 || uint8(pmd[0]) > 1) revert BadPaymasterData();
        address token = address(bytes20(pmd[1:21]));
        uint256 maxTokens = uint256(bytes32(pmd[21:53]));
        uint256 cost = tokenCost(token, maxCost);
        if (uint8(pmd[0]) == 1 && cost > maxTokens) revert OverMaxTokenAmount(cost, maxTokens);
        return (abi.encode(userOp.sender, token, maxTokens), 0);
    }

    function postOp(PostOpMode, bytes calldata context, uint256 actualGasCost, uint256 feePerGas)
        external
        override
    {
        if (msg.sender != ENTRY_POINT) revert NotEntryPoint();
        (address account, address token, uint256 maxTokens) = abi.decode(context, (address, address, uint256));
        uint256 cost = tokenCost(token, actualGasCost + POST_OP_GAS * feePerGas);
        if (cost > maxTokens) cost = maxTokens;
        if (!ITokenFrom(token).transferFrom(account, address(this), cost)) revert TokenPaymentFailed();
        emit GasPaidInToken(account, token, cost);
    }

    function deposit() external payable {
        IEntryPointDepositTo(ENTRY_POINT).depositTo{value: msg.value}(address(this));
    }
}
