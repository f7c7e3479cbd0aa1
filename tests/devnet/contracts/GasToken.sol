// SPDX-License-Identifier: MIT
// Devnet ERC-20 with 6 decimals (a stablecoin's) for the gas-in-tokens tests (written for
// this project). Placed with anvil_setCode (GAS_TOKEN from tools/token-paymaster.mjs).
pragma solidity ^0.8.26;

import {DevnetToken} from "./DevnetToken.sol";

contract GasToken is DevnetToken {
    function name() external pure override returns (string memory) {
        return "Devnet Gas Token";
    }

    function symbol() external pure override returns (string memory) {
        return "DGT";
    }

    function decimals() external pure override returns (uint8) {
        return 6;
    }
}
