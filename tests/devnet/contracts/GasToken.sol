// SPDX-License-Identifier: MIT
// Devnet ERC-20 with 6 decimals (a stablecoin's) for the gas-in-tokens tests (written for
// this project): anyone may mint(to, amount). Placed with anvil_setCode (GAS_TOKEN from
// tools/token-paymaster.mjs): no constructor, no immutables.
pragma solidity ^0.8.26;

contract GasToken {
    string public constant name = "Devnet Gas Token";
    string public constant symbol = "DGT";
    uint8 public constant decimals = 6;

    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    error ShortBalance(address from, uint256 balance, uint256 needed);
    error ShortAllowance(address spender, uint256 allowance, uint256 needed);

    function mint(address to, uint256 amount) external {
        totalSupply += amount;
        balanceOf[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        _transfer(msg.sender, to, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed < amount) revert ShortAllowance(msg.sender, allowed, amount);
        allowance[from][msg.sender] = allowed - amount;
        _transfer(from, to, amount);
        return true;
    }

    function _transfer(address from, address to, uint256 amount) internal {
        uint256 have = balanceOf[from];
        if (have < amount) revert ShortBalance(from, have, amount);
        balanceOf[from] = have - amount;
        balanceOf[to] += amount;
        emit Transfer(from, to, amount);
    }
}
