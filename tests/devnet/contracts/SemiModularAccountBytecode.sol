// SPDX-License-Identifier: MIT
// Devnet stand-in for MAv2's SemiModularAccountBytecode (written from shared/spec/MAV2.md).
// Runs behind the factory's ERC-1967 proxy whose runtime code ends with the 20-byte owner
// (runtime = 61 bytes of proxy code || owner). The owner (fallback signer, entity 0) is read
// from address(this).code until updateFallbackSignerData() stores another one.
pragma solidity ^0.8.26;

import {PackedUserOperation} from "@account-abstraction/contracts/interfaces/PackedUserOperation.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import "./Common.sol";
import {SigLib} from "./SigLib.sol";

contract SemiModularAccountBytecode {
    struct ValidationStorage {
        address module;
        uint8 flags;
        bytes25[] validationHooks;
        bytes25[] executionHooks;
        bytes4[] selectors;
        mapping(bytes4 => bool) hasSelector;
    }

    /// @custom:storage-location erc7201:mav2-hsm.devnet.SemiModularAccount.storage
    struct AccountStorage {
        // keyed by entityId only (as MAv2's validation lookup key for non-direct-call validations)
        mapping(uint32 => ValidationStorage) validations;
        address fallbackSigner; // 0 = use the owner appended to the proxy bytecode
        bool fallbackSignerDisabled;
    }

    // keccak256(abi.encode(uint256(keccak256("mav2-hsm.devnet.SemiModularAccount.storage")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant _STORAGE_SLOT = 0xb4f70e36bf79f93bd24a3525b780ca408e0bf13ca1d895e42a5e1df146efe800;
    bytes32 private constant _ERC1967_IMPLEMENTATION_SLOT =
        0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc;
    bytes32 private constant _DOMAIN_TYPEHASH = keccak256("EIP712Domain(uint256 chainId,address verifyingContract)");
    bytes32 private constant _REPLAY_SAFE_HASH_TYPEHASH = keccak256("ReplaySafeHash(bytes32 hash)");
    bytes32 private constant _DEFERRED_ACTION_TYPEHASH =
        keccak256("DeferredAction(uint256 nonce,uint48 deadline,bytes call)");
    uint256 private constant _PROXY_OWNER_OFFSET = 61; // proxy runtime code length before the appended owner

    bytes4 private constant _EXECUTE = 0xb61d27f6;
    bytes4 private constant _EXECUTE_BATCH = 0x34fcd5be;
    bytes4 private constant _EXECUTE_USER_OP = 0x8dd7712f;

    event ValidationInstalled(address indexed module, uint32 indexed entityId);
    event ValidationUninstalled(address indexed module, uint32 indexed entityId, bool onUninstallSucceeded);
    event FallbackSignerUpdated(address indexed newFallbackSigner, bool isDisabled);
    event Upgraded(address indexed implementation);

    error NotEntryPoint();
    error ValidationFunctionMissing(bytes4 selector);
    error RequireUserOperationContext();
    error ValidationSignatureSegmentMissing();
    error SegmentOutOfOrder();
    error NonCanonicalEncoding();
    error SelfCallRecursionDepthExceeded();
    error UserOpValidationInvalid(bytes24 moduleEntity);
    error SignatureValidationInvalid(bytes24 moduleEntity);
    error UnexpectedAggregator(bytes24 moduleEntity, address aggregator);
    error PreUserOpValidationHookReverted(bytes24 moduleEntity, bytes revertReason);
    error PreExecHookReverted(bytes24 moduleEntity, bytes revertReason);
    error PostExecHookReverted(bytes24 moduleEntity, bytes revertReason);
    error ModuleInstallCallbackFailed(address module, bytes revertReason);
    error FallbackValidationInstallationNotAllowed();
    error FallbackSignerDisabled();
    error ArrayLengthMismatch();
    error MaxHooksExceeded();
    error InvalidModule();
    error DeferredActionSignatureInvalid();
    error DeferredValidationHasValidationHooks();
    error DirectCallValidationNotSupported();
    error UnrecognizedFunction(bytes4 selector);
    error ValidationAlreadySet(bytes4 selector, bytes24 moduleEntity);

    // ------------------------------------------------------------------ ERC-4337

    function validateUserOp(PackedUserOperation calldata userOp, bytes32 userOpHash, uint256 missingAccountFunds)
        external
        returns (uint256 validationData)
    {
        if (msg.sender != ENTRY_POINT_V07) revert NotEntryPoint();
        uint192 key = uint192(userOp.nonce >> 64);
        uint8 options = uint8(key);
        if (options & NONCE_OPT_DIRECT_CALL != 0) revert DirectCallValidationNotSupported();
        uint32 entityId = uint32(key >> 8);
        bytes calldata userOpSig = userOp.signature;
        uint256 deferredData = 0;
        if (options & NONCE_OPT_DEFERRED != 0) {
            uint48 deadline;
            (userOpSig, deadline) = _handleDeferredAction(userOp.nonce, userOpSig);
            deferredData = ModuleLib.packValidationData(false, deadline, 0);
        }

        _checkIfValidationAppliesCallData(userOp.callData, entityId, (options & NONCE_OPT_GLOBAL) != 0);

        if (entityId == 0) {
            // built-in owner (fallback signer): no hooks, always user-op + signature validation
            bytes calldata sig = _validationSegment(userOpSig);
            bool ok = SigLib.checkSig(
                _fallbackSigner(), MessageHashUtils.toEthSignedMessageHash(userOpHash), sig
            );
            validationData = ok ? SIG_VALIDATION_PASSED : SIG_VALIDATION_FAILED;
        } else {
            ValidationStorage storage v = _s().validations[entityId];
            if (v.executionHooks.length > 0 && bytes4(userOp.callData[:4]) != _EXECUTE_USER_OP) {
                revert RequireUserOperationContext();
            }
            if (v.flags & VALIDATION_FLAG_USER_OP == 0) {
                revert UserOpValidationInvalid(_moduleEntity(v.module, entityId));
            }
            validationData = _doUserOpValidation(v, entityId, userOp, userOpHash, userOpSig);
        }
        if (deferredData != 0) validationData = _coalesce(validationData, deferredData, bytes24(0));

        if (missingAccountFunds > 0) {
            assembly ("memory-safe") {
                pop(call(gas(), caller(), missingAccountFunds, 0, 0, 0, 0))
            }
        }
    }

    function _doUserOpValidation(
        ValidationStorage storage v,
        uint32 entityId,
        PackedUserOperation calldata userOp,
        bytes32 userOpHash,
        bytes calldata sig
    ) internal returns (uint256 validationData) {
        PackedUserOperation memory uo = userOp;
        uint256 n = v.validationHooks.length;
        validationData = 0;
        for (uint256 i = 0; i < n; ++i) {
            bytes calldata hookData;
            (hookData, sig) = _hookSegment(sig, i);
            bytes25 hook = v.validationHooks[i];
            uo.signature = hookData;
            uint256 hookResult;
            try IValidationHookModule(address(bytes20(hook))).preUserOpValidationHook(_hookEntity(hook), uo, userOpHash)
            returns (uint256 r) {
                hookResult = r;
            } catch (bytes memory reason) {
                revert PreUserOpValidationHookReverted(bytes24(hook), reason);
            }
            validationData = _coalesce(validationData, hookResult, bytes24(hook));
        }
        uo.signature = _validationSegment(sig);
        uint256 res = IValidationModule(v.module).validateUserOp(entityId, uo, userOpHash);
        validationData = _coalesce(validationData, res, _moduleEntity(v.module, entityId));
    }

    /// Deferred action (MAV2.md "Deferred grants"): the signature starts with
    /// uint32 len || (uint168 ownerLocator || uint48 deadline || call) || uint32 sigLen || ownerSig.
    /// The owner validation must be allowed to make the call, have no validation hooks and
    /// have signed DeferredAction(nonce, deadline, call) (EIP-712, domain chainId + this account);
    /// the call then runs as a self-call. Returns the rest of the signature and the deadline.
    function _handleDeferredAction(uint256 nonce, bytes calldata sig)
        internal
        returns (bytes calldata rest, uint48 deadline)
    {
        bytes calldata encoded;
        bytes calldata ownerSig;
        (encoded, ownerSig, rest) = _splitDeferred(sig);
        uint168 locator = uint168(bytes21(encoded[:21]));
        if (locator >> 40 != 0 || uint8(locator) & NONCE_OPT_DIRECT_CALL != 0) {
            revert DirectCallValidationNotSupported();
        }
        deadline = uint48(bytes6(encoded[21:27]));
        bytes calldata call = encoded[27:];
        _checkIfValidationAppliesCallData(call, uint32(locator >> 8), uint8(locator) & NONCE_OPT_GLOBAL != 0);
        if (!_checkDeferredSig(uint32(locator >> 8), _deferredDigest(nonce, deadline, call), ownerSig)) {
            revert DeferredActionSignatureInvalid();
        }
        (bool ok, bytes memory ret) = address(this).call(call);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 32), mload(ret))
            }
        }
    }

    function _splitDeferred(bytes calldata sig)
        internal
        pure
        returns (bytes calldata encoded, bytes calldata ownerSig, bytes calldata rest)
    {
        if (sig.length < 4) revert DeferredActionSignatureInvalid();
        uint256 len = uint32(bytes4(sig[:4]));
        if (len < 31 || sig.length < 8 + len) revert DeferredActionSignatureInvalid();
        encoded = sig[4:4 + len];
        uint256 end = 8 + len + uint32(bytes4(sig[4 + len:8 + len]));
        if (sig.length < end) revert DeferredActionSignatureInvalid();
        ownerSig = sig[8 + len:end];
        rest = sig[end:];
    }

    function _deferredDigest(uint256 nonce, uint48 deadline, bytes calldata call) internal view returns (bytes32) {
        return MessageHashUtils.toTypedDataHash(
            keccak256(abi.encode(_DOMAIN_TYPEHASH, block.chainid, address(this))),
            keccak256(abi.encode(_DEFERRED_ACTION_TYPEHASH, nonce, deadline, keccak256(call)))
        );
    }

    /// The owner's signature over the digest itself (no ReplaySafeHash): the fallback signer
    /// (entity 0) as a typed signature, another validation through its module.
    function _checkDeferredSig(uint32 ownerEntity, bytes32 digest, bytes calldata ownerSig)
        internal
        view
        returns (bool)
    {
        if (ownerEntity == 0) return SigLib.checkSig(_fallbackSigner(), digest, ownerSig);
        ValidationStorage storage v = _s().validations[ownerEntity];
        if (v.validationHooks.length > 0) revert DeferredValidationHasValidationHooks();
        if (v.flags & VALIDATION_FLAG_SIGNATURE == 0) return false;
        return IValidationModule(v.module).validateSignature(address(this), ownerEntity, address(this), digest, ownerSig)
            == ERC1271_MAGIC;
    }

    /// ERC-4337 IAccountExecute: the EntryPoint calls this when callData starts with 0x8dd7712f.
    /// Runs the execution hooks associated with the validation chosen by the nonce around a
    /// self-call with callData[4:].
    function executeUserOp(PackedUserOperation calldata userOp, bytes32) external payable {
        if (msg.sender != ENTRY_POINT_V07) revert NotEntryPoint();
        uint32 entityId = uint32(uint192(userOp.nonce >> 64) >> 8);
        bytes25[] memory hooks;
        if (entityId != 0) hooks = _s().validations[entityId].executionHooks;
        bytes[] memory preData = new bytes[](hooks.length);
        for (uint256 i = 0; i < hooks.length; ++i) {
            if (uint8(hooks[i][24]) & HOOK_FLAG_PRE == 0) continue;
            try IExecutionHookModule(address(bytes20(hooks[i]))).preExecutionHook(
                _hookEntity(hooks[i]), msg.sender, msg.value, msg.data
            ) returns (bytes memory d) {
                preData[i] = d;
            } catch (bytes memory reason) {
                revert PreExecHookReverted(bytes24(hooks[i]), reason);
            }
        }
        (bool ok, bytes memory ret) = address(this).call(userOp.callData[4:]);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 32), mload(ret))
            }
        }
        for (uint256 j = hooks.length; j > 0; --j) {
            uint256 i = j - 1;
            if (uint8(hooks[i][24]) & HOOK_FLAG_POST == 0) continue;
            try IExecutionHookModule(address(bytes20(hooks[i]))).postExecutionHook(_hookEntity(hooks[i]), preData[i]) {}
            catch (bytes memory reason) {
                revert PostExecHookReverted(bytes24(hooks[i]), reason);
            }
        }
    }

    // ------------------------------------------------------------------ execution

    function execute(address target, uint256 value, bytes calldata data)
        external
        payable
        returns (bytes memory result)
    {
        _checkAuthorized();
        result = _exec(target, value, data);
    }

    function executeBatch(Call[] calldata calls) external payable returns (bytes[] memory results) {
        _checkAuthorized();
        results = new bytes[](calls.length);
        for (uint256 i = 0; i < calls.length; ++i) {
            results[i] = _exec(calls[i].target, calls[i].value, calls[i].data);
        }
    }

    function _exec(address target, uint256 value, bytes calldata data) internal returns (bytes memory ret) {
        bool ok;
        (ok, ret) = target.call{value: value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 32), mload(ret))
            }
        }
    }

    // ------------------------------------------------------------------ module management

    function installValidation(
        bytes25 validationConfig,
        bytes4[] calldata selectors,
        bytes calldata installData,
        bytes[] calldata hooks
    ) external {
        _checkAuthorized();
        address module = address(bytes20(validationConfig));
        uint32 entityId = uint32(bytes4(validationConfig << 160));
        uint8 flags = uint8(validationConfig[24]);
        if (entityId == 0) revert FallbackValidationInstallationNotAllowed();
        if (module == address(0) || module == address(this)) revert InvalidModule();

        ValidationStorage storage v = _s().validations[entityId];
        // Re-installing on an entity in use merges hooks and new selectors and overwrites module + flags.
        v.module = module;
        v.flags = flags;
        for (uint256 i = 0; i < selectors.length; ++i) {
            // as MAv2 v2.0.0: a selector the validation already has (or given twice) reverts
            if (v.hasSelector[selectors[i]]) {
                revert ValidationAlreadySet(selectors[i], _moduleEntity(module, entityId));
            }
            v.hasSelector[selectors[i]] = true;
            v.selectors.push(selectors[i]);
        }
        for (uint256 i = 0; i < hooks.length; ++i) {
            bytes25 hookConfig = bytes25(hooks[i][:25]);
            if (uint8(hookConfig[24]) & HOOK_FLAG_VALIDATION != 0) {
                v.validationHooks.push(hookConfig);
                if (v.validationHooks.length > MAX_VALIDATION_HOOKS - 1) revert MaxHooksExceeded();
            } else {
                v.executionHooks.push(hookConfig);
            }
            if (hooks[i].length > 25) _onInstall(address(bytes20(hookConfig)), hooks[i][25:]);
        }
        if (installData.length > 0) _onInstall(module, installData);
        emit ValidationInstalled(module, entityId);
    }

    /// hookUninstallData: empty, or one entry per hook in the REVERSE order of getValidationData's
    /// (validationHooks ‖ executionHooks); else ArrayLengthMismatch(). Failing uninstall callbacks
    /// do not revert; they make onUninstallSucceeded false.
    function uninstallValidation(bytes24 moduleEntity, bytes calldata uninstallData, bytes[] calldata hookUninstallData)
        external
    {
        _checkAuthorized();
        address module = address(bytes20(moduleEntity));
        uint32 entityId = uint32(bytes4(moduleEntity << 160));
        ValidationStorage storage v = _s().validations[entityId];
        uint256 nv = v.validationHooks.length;
        uint256 total = nv + v.executionHooks.length;
        if (hookUninstallData.length != 0 && hookUninstallData.length != total) revert ArrayLengthMismatch();
        bool ok = true;
        for (uint256 k = 0; k < hookUninstallData.length; ++k) {
            uint256 idx = total - 1 - k;
            bytes25 hook = idx < nv ? v.validationHooks[idx] : v.executionHooks[idx - nv];
            ok = _onUninstall(address(bytes20(hook)), hookUninstallData[k]) && ok;
        }
        for (uint256 i = 0; i < v.selectors.length; ++i) {
            delete v.hasSelector[v.selectors[i]];
        }
        delete v.selectors;
        delete v.validationHooks;
        delete v.executionHooks;
        delete v.module;
        delete v.flags;
        if (uninstallData.length > 0) ok = _onUninstall(module, uninstallData) && ok;
        emit ValidationUninstalled(module, entityId, ok);
    }

    function _onInstall(address module, bytes calldata data) internal {
        try IModule(module).onInstall(data) {}
        catch (bytes memory reason) {
            revert ModuleInstallCallbackFailed(module, reason);
        }
    }

    function _onUninstall(address module, bytes calldata data) internal returns (bool) {
        if (data.length == 0) return true;
        try IModule(module).onUninstall(data) {
            return true;
        } catch {
            return false;
        }
    }

    // ------------------------------------------------------------------ semi-modular owner

    function updateFallbackSignerData(address fallbackSigner, bool isDisabled) external {
        _checkAuthorized();
        AccountStorage storage s = _s();
        s.fallbackSigner = fallbackSigner;
        s.fallbackSignerDisabled = isDisabled;
        emit FallbackSignerUpdated(fallbackSigner, isDisabled);
    }

    function getFallbackSignerData() external view returns (address, bool) {
        AccountStorage storage s = _s();
        return (_fallbackSignerRaw(), s.fallbackSignerDisabled);
    }

    function _fallbackSignerRaw() internal view returns (address signer) {
        signer = _s().fallbackSigner;
        if (signer == address(0)) signer = _bytecodeOwner();
    }

    function _fallbackSigner() internal view returns (address) {
        if (_s().fallbackSignerDisabled) revert FallbackSignerDisabled();
        return _fallbackSignerRaw();
    }

    /// The factory's proxy runtime is 61 bytes of code followed by the owner address.
    function _bytecodeOwner() internal view returns (address owner) {
        uint256 off = _PROXY_OWNER_OFFSET;
        assembly ("memory-safe") {
            if iszero(lt(extcodesize(address()), add(off, 20))) {
                extcodecopy(address(), 0x00, off, 20)
                owner := shr(96, mload(0x00))
            }
        }
    }

    // ------------------------------------------------------------------ ERC-1271

    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        if (signature.length < 5) return ERC1271_INVALID;
        uint8 options = uint8(signature[0]);
        if (options & NONCE_OPT_DIRECT_CALL != 0) revert DirectCallValidationNotSupported();
        uint32 entityId = uint32(bytes4(signature[1:5]));
        bytes calldata rest = signature[5:];
        if (entityId == 0) {
            bytes calldata sig = _validationSegment(rest);
            return SigLib.checkSig(_fallbackSigner(), replaySafeHash(hash), sig) ? ERC1271_MAGIC : ERC1271_INVALID;
        }
        return _moduleSignatureValidation(entityId, hash, rest);
    }

    function _moduleSignatureValidation(uint32 entityId, bytes32 hash, bytes calldata rest)
        internal
        view
        returns (bytes4)
    {
        ValidationStorage storage v = _s().validations[entityId];
        if (v.flags & VALIDATION_FLAG_SIGNATURE == 0) revert SignatureValidationInvalid(_moduleEntity(v.module, entityId));
        bytes4 r = IValidationModule(v.module).validateSignature(
            address(this), entityId, msg.sender, hash, _validationSegment(_runSignatureHooks(v, hash, rest))
        );
        return r == ERC1271_MAGIC ? ERC1271_MAGIC : ERC1271_INVALID;
    }

    function _runSignatureHooks(ValidationStorage storage v, bytes32 hash, bytes calldata sig)
        internal
        view
        returns (bytes calldata rest)
    {
        rest = sig;
        uint256 n = v.validationHooks.length;
        for (uint256 i = 0; i < n; ++i) {
            bytes calldata hookData;
            (hookData, rest) = _hookSegment(rest, i);
            bytes25 hook = v.validationHooks[i];
            IValidationHookModule(address(bytes20(hook))).preSignatureValidationHook(
                _hookEntity(hook), msg.sender, hash, hookData
            );
        }
    }

    /// EIP-712 ReplaySafeHash(bytes32 hash), domain (chainId, verifyingContract = this account)
    function replaySafeHash(bytes32 hash) public view returns (bytes32) {
        bytes32 domainSeparator = keccak256(abi.encode(_DOMAIN_TYPEHASH, block.chainid, address(this)));
        return MessageHashUtils.toTypedDataHash(domainSeparator, keccak256(abi.encode(_REPLAY_SAFE_HASH_TYPEHASH, hash)));
    }

    // ------------------------------------------------------------------ views

    function getValidationData(bytes24 validationFunction) external view returns (ValidationDataView memory data) {
        ValidationStorage storage v = _s().validations[uint32(bytes4(validationFunction << 160))];
        data.validationFlags = v.flags;
        data.validationHooks = v.validationHooks;
        data.executionHooks = v.executionHooks;
        data.selectors = v.selectors;
    }

    function entryPoint() external pure returns (address) {
        return ENTRY_POINT_V07;
    }

    function accountId() external pure returns (string memory) {
        return "mav2-hsm.devnet.sma-bytecode-standin.1.0.0";
    }

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == 0x01ffc9a7 // ERC-165
            || interfaceId == 0x1626ba7e // ERC-1271
            || interfaceId == 0x150b7a02 // ERC-721 receiver
            || interfaceId == 0x4e2312e0; // ERC-1155 receiver
    }

    // ------------------------------------------------------------------ upgrades, tokens, ETH

    function upgradeToAndCall(address newImplementation, bytes calldata data) external payable {
        _checkAuthorized();
        assembly ("memory-safe") {
            sstore(_ERC1967_IMPLEMENTATION_SLOT, newImplementation)
        }
        emit Upgraded(newImplementation);
        if (data.length > 0) {
            (bool ok, bytes memory ret) = newImplementation.delegatecall(data);
            if (!ok) {
                assembly ("memory-safe") {
                    revert(add(ret, 32), mload(ret))
                }
            }
        }
    }

    function onERC721Received(address, address, uint256, bytes calldata) external pure returns (bytes4) {
        return 0x150b7a02;
    }

    function onERC1155Received(address, address, uint256, uint256, bytes calldata) external pure returns (bytes4) {
        return 0xf23a6e61;
    }

    function onERC1155BatchReceived(address, address, uint256[] calldata, uint256[] calldata, bytes calldata)
        external
        pure
        returns (bytes4)
    {
        return 0xbc197c81;
    }

    receive() external payable {}

    fallback() external payable {
        revert UnrecognizedFunction(msg.sig);
    }

    // ------------------------------------------------------------------ internals

    /// execute/installValidation/...: only the EntryPoint, the account itself, or the owner
    /// (fallback signer, unless disabled) calling directly.
    function _checkAuthorized() internal view {
        if (msg.sender == ENTRY_POINT_V07 || msg.sender == address(this)) return;
        AccountStorage storage s = _s();
        if (!s.fallbackSignerDisabled && msg.sender == _fallbackSignerRaw()) return;
        revert ValidationFunctionMissing(msg.sig);
    }

    function _globalValidationAllowed(bytes4 selector) internal pure returns (bool) {
        return selector == _EXECUTE || selector == _EXECUTE_BATCH || selector == this.installValidation.selector
            || selector == this.uninstallValidation.selector || selector == this.upgradeToAndCall.selector
            || selector == this.updateFallbackSignerData.selector;
    }

    function _checkSelector(bytes4 selector, uint32 entityId, bool isGlobal) internal view {
        if (isGlobal) {
            bool validationIsGlobal =
                entityId == 0 || (_s().validations[entityId].flags & VALIDATION_FLAG_GLOBAL != 0);
            if (!_globalValidationAllowed(selector) || !validationIsGlobal) revert ValidationFunctionMissing(selector);
        } else {
            if (entityId == 0 || !_s().validations[entityId].hasSelector[selector]) {
                revert ValidationFunctionMissing(selector);
            }
        }
    }

    function _checkIfValidationAppliesCallData(bytes calldata callData, uint32 entityId, bool isGlobal)
        internal
        view
    {
        if (callData.length < 4) revert ValidationFunctionMissing(bytes4(0));
        bytes4 selector = bytes4(callData[:4]);
        if (selector == _EXECUTE_USER_OP) {
            callData = callData[4:];
            if (callData.length < 4) revert ValidationFunctionMissing(bytes4(0));
            selector = bytes4(callData[:4]);
        }
        _checkSelector(selector, entityId, isGlobal);
        if (selector == _EXECUTE) {
            (address target,,) = abi.decode(callData[4:], (address, uint256, bytes));
            if (target == address(this)) revert SelfCallRecursionDepthExceeded();
        } else if (selector == _EXECUTE_BATCH) {
            Call[] memory calls = abi.decode(callData[4:], (Call[]));
            for (uint256 i = 0; i < calls.length; ++i) {
                if (calls[i].target == address(this)) {
                    bytes4 nested = ModuleLib.selectorOf(calls[i].data);
                    if (nested == _EXECUTE || nested == _EXECUTE_BATCH) revert SelfCallRecursionDepthExceeded();
                    _checkSelector(nested, entityId, isGlobal);
                }
            }
        }
    }

    /// Signature segments: `uint8 index || uint32 len || data` per validation hook (strictly
    /// increasing indices, omitted when a hook gets no data, never zero-length), then 0xFF || sig.
    function _hookSegment(bytes calldata sig, uint256 i) internal pure returns (bytes calldata data, bytes calldata rest) {
        data = sig[0:0];
        rest = sig;
        if (sig.length == 0) return (data, rest);
        uint8 idx = uint8(sig[0]);
        if (idx == RESERVED_VALIDATION_DATA_INDEX || idx > i) return (data, rest);
        if (idx < i) revert SegmentOutOfOrder();
        if (sig.length < 5) revert NonCanonicalEncoding();
        uint256 len = uint32(bytes4(sig[1:5]));
        if (len == 0) revert NonCanonicalEncoding();
        data = sig[5:5 + len];
        rest = sig[5 + len:];
    }

    function _validationSegment(bytes calldata sig) internal pure returns (bytes calldata) {
        if (sig.length == 0 || uint8(sig[0]) != RESERVED_VALIDATION_DATA_INDEX) {
            revert ValidationSignatureSegmentMissing();
        }
        return sig[1:];
    }

    /// Intersects two ERC-4337 validationData values (sig failure wins, time ranges intersect).
    function _coalesce(uint256 a, uint256 b, bytes24 entityForError) internal pure returns (uint256) {
        address aggB = address(uint160(b));
        if (uint160(aggB) > 1) revert UnexpectedAggregator(entityForError, aggB);
        bool failed = uint160(a) == 1 || uint160(aggB) == 1;
        uint48 untilA = uint48(a >> 160);
        uint48 untilB = uint48(b >> 160);
        if (untilA == 0) untilA = type(uint48).max;
        if (untilB == 0) untilB = type(uint48).max;
        uint48 until = untilA < untilB ? untilA : untilB;
        if (until == type(uint48).max) until = 0;
        uint48 afterA = uint48(a >> 208);
        uint48 afterB = uint48(b >> 208);
        uint48 afterT = afterA > afterB ? afterA : afterB;
        return ModuleLib.packValidationData(failed, until, afterT);
    }

    function _moduleEntity(address module, uint32 entityId) internal pure returns (bytes24) {
        return bytes24(abi.encodePacked(module, entityId));
    }

    function _hookEntity(bytes25 hookConfig) internal pure returns (uint32) {
        return uint32(bytes4(hookConfig << 160));
    }

    function _s() internal pure returns (AccountStorage storage s) {
        bytes32 slot = _STORAGE_SLOT;
        assembly ("memory-safe") {
            s.slot := slot
        }
    }
}
