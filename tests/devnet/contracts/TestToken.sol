// SPDX-License-Identifier: MIT
// Devnet ERC-20 for the spend-limit tests (written for this project): 18 decimals.
// Placed with anvil_setCode (TEST_TOKEN in devnet.env).
pragma solidity ^0.8.26;

import {DevnetToken} from "./DevnetToken.sol";

contract TestToken is DevnetToken {
    function name() external pure override returns (string memory) {
        return "Devnet Test Token";
    }

    function symbol() external pure override returns (string memory) {
        return "DTT";
    }

    function decimals() external pure override returns (uint8) {
        return 18;
    }
}
