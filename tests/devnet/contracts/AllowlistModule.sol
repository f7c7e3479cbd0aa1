// SPDX-License-Identifier: MIT
// Devnet stand-in for MAv2's AllowlistModule.
// Validation hook: every call made through execute / executeBatch (call data that starts
// with them: like the real module it does not look inside executeUserOp) must target an
// allowed address, or use a selector allowed on address(0) (the wildcard: "functions on
// all contracts"), and, when the target's entry has a selector allowlist, use one of its
// selectors. Execution hook (pre): ERC-20 spend limits for transfer/approve on targets
// whose entry has hasERC20SpendLimit.
pragma solidity ^0.8.26;

import {PackedUserOperation} from "@account-abstraction/contracts/interfaces/PackedUserOperation.sol";
import "./Common.sol";

contract AllowlistModule is IValidationHookModule, IExecutionHookModule {
    struct AddressAllowlistEntry {
        bool allowed;
        bool hasSelectorAllowlist;
        bool hasERC20SpendLimit;
    }

    struct AllowlistInput {
        address target;
        bool hasSelectorAllowlist;
        bool hasERC20SpendLimit;
        uint256 erc20SpendLimit;
        bytes4[] selectors;
    }

    bytes4 private constant _TRANSFER = 0xa9059cbb;
    bytes4 private constant _APPROVE = 0x095ea7b3;

    mapping(uint32 entityId => mapping(address target => mapping(address account => AddressAllowlistEntry))) public
        addressAllowlist;
    mapping(uint32 entityId => mapping(bytes4 selector => mapping(address target => mapping(address account => bool))))
        public selectorAllowlist;
    mapping(uint32 entityId => mapping(address token => mapping(address account => uint256))) public erc20SpendLimits;

    event AddressAllowlistUpdated(
        uint32 indexed entityId, address indexed account, address indexed target, AddressAllowlistEntry entry
    );
    event SelectorAllowlistUpdated(
        uint32 indexed entityId, address indexed account, bytes24 indexed targetAndSelector, bool allowed
    );
    event ERC20SpendLimitUpdated(uint32 indexed entityId, address indexed account, address indexed token, uint256 newLimit);

    error AddressNotAllowed();
    error SelectorNotAllowed();
    error NoSelectorSpecified();
    error ExceededTokenLimit();
    error SpendingRequestNotAllowed(bytes4);
    error UnexpectedDataPassed();
    error ERC20NotAllowed(address);
    error InvalidCalldataLength();

    /// data = abi.encode(uint32 entityId, AllowlistInput[] inputs)
    function onInstall(bytes calldata data) external override(IModule) {
        (uint32 entityId, AllowlistInput[] memory inputs) = abi.decode(data, (uint32, AllowlistInput[]));
        updateAllowlist(entityId, inputs);
    }

    /// data = abi.encode(uint32 entityId, AllowlistInput[] inputs): clears only the given entries
    function onUninstall(bytes calldata data) external override(IModule) {
        (uint32 entityId, AllowlistInput[] memory inputs) = abi.decode(data, (uint32, AllowlistInput[]));
        deleteAllowlist(entityId, inputs);
    }

    /// As the real module: target address(0) is a selector wildcard (its selectors may be
    /// called on any target; no address entry is written), any other target gets its entry,
    /// its ERC-20 limit and, with hasSelectorAllowlist, its selectors.
    function updateAllowlist(uint32 entityId, AllowlistInput[] memory inputs) public {
        for (uint256 i = 0; i < inputs.length; ++i) {
            AllowlistInput memory input = inputs[i];
            if (input.target == address(0)) {
                for (uint256 j = 0; j < input.selectors.length; ++j) {
                    setSelectorAllowlist(entityId, address(0), input.selectors[j], true);
                }
                continue;
            }
            setAddressAllowlist(entityId, input.target, true, input.hasSelectorAllowlist, input.hasERC20SpendLimit);
            updateLimits(entityId, input.target, input.hasERC20SpendLimit, input.erc20SpendLimit);
            if (input.hasSelectorAllowlist) {
                for (uint256 j = 0; j < input.selectors.length; ++j) {
                    setSelectorAllowlist(entityId, input.target, input.selectors[j], true);
                }
            }
        }
    }

    function deleteAllowlist(uint32 entityId, AllowlistInput[] memory inputs) public {
        for (uint256 i = 0; i < inputs.length; ++i) {
            AllowlistInput memory input = inputs[i];
            if (input.target == address(0)) {
                for (uint256 j = 0; j < input.selectors.length; ++j) {
                    setSelectorAllowlist(entityId, address(0), input.selectors[j], false);
                }
                continue;
            }
            setAddressAllowlist(entityId, input.target, false, false, false);
            updateLimits(entityId, input.target, false, 0);
            if (input.hasSelectorAllowlist) {
                for (uint256 j = 0; j < input.selectors.length; ++j) {
                    setSelectorAllowlist(entityId, input.target, input.selectors[j], false);
                }
            }
        }
    }

    function setAddressAllowlist(
        uint32 entityId,
        address target,
        bool allowed,
        bool hasSelectorAllowlist,
        bool hasERC20SpendLimit
    ) public {
        AddressAllowlistEntry memory entry = AddressAllowlistEntry(allowed, hasSelectorAllowlist, hasERC20SpendLimit);
        addressAllowlist[entityId][target][msg.sender] = entry;
        emit AddressAllowlistUpdated(entityId, msg.sender, target, entry);
    }

    function setSelectorAllowlist(uint32 entityId, address target, bytes4 selector, bool allowed) public {
        selectorAllowlist[entityId][selector][target][msg.sender] = allowed;
        emit SelectorAllowlistUpdated(entityId, msg.sender, bytes24(abi.encodePacked(target, selector)), allowed);
    }

    function updateLimits(uint32 entityId, address token, bool hasERC20SpendLimit, uint256 newLimit) public {
        if (token == address(0)) revert ERC20NotAllowed(address(0));
        AddressAllowlistEntry storage entry = addressAllowlist[entityId][token][msg.sender];
        entry.hasERC20SpendLimit = hasERC20SpendLimit;
        erc20SpendLimits[entityId][token][msg.sender] = newLimit;
        emit ERC20SpendLimitUpdated(entityId, msg.sender, token, newLimit);
    }

    // ------------------------------------------------------------------ validation hook

    function preUserOpValidationHook(uint32 entityId, PackedUserOperation calldata userOp, bytes32)
        external
        view
        override
        returns (uint256)
    {
        if (userOp.signature.length != 0) revert UnexpectedDataPassed();
        // As MAv2 v2.0.0's module: only call data that starts with execute / executeBatch is
        // checked; executeUserOp(execute(...)) passes unchecked (MAV2.md, Permissions).
        _checkAllowlistCalldata(entityId, msg.sender, userOp.callData);
        return 0;
    }

    function preRuntimeValidationHook(uint32 entityId, address, uint256, bytes calldata data, bytes calldata)
        external
        view
        override
    {
        _checkAllowlistCalldata(entityId, msg.sender, data);
    }

    function preSignatureValidationHook(uint32, address, bytes32, bytes calldata) external pure override {}

    function checkAllowlistCalldata(uint32 entityId, bytes calldata callData) external view {
        _checkAllowlistCalldata(entityId, msg.sender, callData);
    }

    function _checkAllowlistCalldata(uint32 entityId, address account, bytes memory callData) internal view {
        bytes4 sel = ModuleLib.selectorOf(callData);
        if (sel == ModuleLib.EXECUTE) {
            (address target,, bytes memory data) = abi.decode(ModuleLib.argsOf(callData), (address, uint256, bytes));
            _checkCallPermission(entityId, account, target, data);
        } else if (sel == ModuleLib.EXECUTE_BATCH) {
            Call[] memory calls = abi.decode(ModuleLib.argsOf(callData), (Call[]));
            for (uint256 i = 0; i < calls.length; ++i) {
                _checkCallPermission(entityId, account, calls[i].target, calls[i].data);
            }
        }
    }

    /// The target's entry; without one, a selector allowed on address(0) (the wildcard) still
    /// passes. A selector allowlist needs a selector (NoSelectorSpecified) on the list.
    function _checkCallPermission(uint32 entityId, address account, address target, bytes memory data) internal view {
        bytes4 sel = data.length >= 4 ? ModuleLib.selectorOf(data) : bytes4(0);
        AddressAllowlistEntry memory entry = addressAllowlist[entityId][target][account];
        if (!entry.allowed) {
            if (data.length >= 4 && selectorAllowlist[entityId][sel][address(0)][account]) return;
            revert AddressNotAllowed();
        }
        if (entry.hasSelectorAllowlist) {
            if (data.length < 4) revert NoSelectorSpecified();
            if (!selectorAllowlist[entityId][sel][target][account]) revert SelectorNotAllowed();
        }
    }

    // ------------------------------------------------------------------ execution hook (ERC-20 limits)

    function preExecutionHook(uint32 entityId, address, uint256, bytes calldata data)
        external
        override
        returns (bytes memory)
    {
        bytes memory inner = ModuleLib.unwrapExecuteUserOp(data);
        bytes4 sel = ModuleLib.selectorOf(inner);
        if (sel == ModuleLib.EXECUTE) {
            (address target,, bytes memory d) = abi.decode(ModuleLib.argsOf(inner), (address, uint256, bytes));
            _spendERC20(entityId, target, d);
        } else if (sel == ModuleLib.EXECUTE_BATCH) {
            Call[] memory calls = abi.decode(ModuleLib.argsOf(inner), (Call[]));
            for (uint256 i = 0; i < calls.length; ++i) {
                _spendERC20(entityId, calls[i].target, calls[i].data);
            }
        } else {
            revert SpendingRequestNotAllowed(sel);
        }
        return "";
    }

    function postExecutionHook(uint32, bytes calldata) external pure override {}

    function _spendERC20(uint32 entityId, address token, bytes memory data) internal {
        if (!addressAllowlist[entityId][token][msg.sender].hasERC20SpendLimit) return;
        if (data.length < 68) revert InvalidCalldataLength();
        bytes4 sel = ModuleLib.selectorOf(data);
        if (sel != _TRANSFER && sel != _APPROVE) revert SelectorNotAllowed();
        (, uint256 amount) = abi.decode(ModuleLib.argsOf(data), (address, uint256));
        uint256 limit = erc20SpendLimits[entityId][token][msg.sender];
        if (amount > limit) revert ExceededTokenLimit();
        erc20SpendLimits[entityId][token][msg.sender] = limit - amount;
    }

    function moduleId() external pure override(IModule) returns (string memory) {
        return "mav2-hsm.devnet.allowlist-standin.1.0.0";
    }

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == 0x01ffc9a7 || interfaceId == type(IValidationHookModule).interfaceId
            || interfaceId == type(IExecutionHookModule).interfaceId || interfaceId == type(IModule).interfaceId;
    }
}
