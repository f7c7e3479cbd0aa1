// SPDX-License-Identifier: MIT
// Devnet stand-in for MAv2's AccountFactory (semi-modular accounts only).
pragma solidity ^0.8.26;

import {SMA_BYTECODE_IMPL} from "./Common.sol";

contract AccountFactory {
    // Proxy init code: 0x6100513d8160233d3973 || impl || 60095155f3 || runtime(61 bytes) || owner.
    // The init code stores impl in the ERC-1967 slot and returns the 81-byte runtime (proxy code + owner).
    bytes private constant _PROXY_PREFIX = hex"6100513d8160233d3973";
    bytes private constant _PROXY_SUFFIX =
        hex"60095155f3363d3d373d3d363d7f360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc545af43d6000803e6038573d6000fd5b3d6000f3";
    uint32 private constant _SEMI_MODULAR_ENTITY_MARKER = type(uint32).max;

    event SemiModularAccountDeployed(address indexed account, address indexed owner, uint256 salt);

    error DeploymentFailed();

    /// Returns the account if it exists already (no revert), like the real factory.
    function createSemiModularAccount(address owner, uint256 salt) external returns (address account) {
        bytes memory initCode = _proxyInitCode(owner);
        bytes32 combinedSalt = getSalt(owner, salt, _SEMI_MODULAR_ENTITY_MARKER);
        account = _create2Address(combinedSalt, keccak256(initCode));
        if (account.code.length == 0) {
            address deployed;
            assembly ("memory-safe") {
                deployed := create2(0, add(initCode, 32), mload(initCode), combinedSalt)
            }
            if (deployed != account) revert DeploymentFailed();
            emit SemiModularAccountDeployed(account, owner, salt);
        }
    }

    function getAddressSemiModular(address owner, uint256 salt) external view returns (address) {
        return _create2Address(getSalt(owner, salt, _SEMI_MODULAR_ENTITY_MARKER), keccak256(_proxyInitCode(owner)));
    }

    function getSalt(address owner, uint256 salt, uint32 entityId) public pure returns (bytes32) {
        return keccak256(abi.encodePacked(owner, salt, entityId));
    }

    function _proxyInitCode(address owner) internal pure returns (bytes memory) {
        return abi.encodePacked(_PROXY_PREFIX, SMA_BYTECODE_IMPL, _PROXY_SUFFIX, owner);
    }

    function _create2Address(bytes32 salt, bytes32 initCodeHash) internal view returns (address) {
        return address(uint160(uint256(keccak256(abi.encodePacked(bytes1(0xff), address(this), salt, initCodeHash)))));
    }
}
