// SPDX-License-Identifier: Apache-2.0
// Function-call encodings checked against viem's encodeFunctionData (tests/mav2/cli/test-abi-sig.sh):
// each case is the signature, the arguments as mav2 takes them (text, as on a command
// line), and the same values as viem takes them. Prints one JSON line per case:
// {"sig", "args", "want"}.
import { encodeFunctionData, parseAbiItem } from "viem"

const A = "0x00000000000000000000000000000000000000bb"
const B = "0x00000000000000000000000000000000000000cc"
const cases = [
  ["transfer(address,uint256)", [A, "1000000"], [A, 1000000n]],
  ["transfer(address,uint256)", [A, "1.5ether"], [A, 1500000000000000000n]],
  ["transfer(address,uint256)", [A, "1e18"], [A, 10n ** 18n]],
  ["approve(address,uint)", [B, "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"],
    [B, 2n ** 256n - 1n]],
  ["f(bool,bool)", ["true", "false"], [true, false]],
  ["f(int8,int256,int16)", ["-128", "-1", "32767"], [-128, -1n, 32767]],
  ["f(int)", ["-57896044618658097711785492504343953926634992332820282019728792003956564819968"],
    [-(2n ** 255n)]],
  ["f(uint8,uint64)", ["255", "18446744073709551615"], [255, 18446744073709551615n]],
  ["f(bytes32,bytes1,bytes4)", ["0x" + "11".repeat(32), "0xab", "0x12345678"],
    ["0x" + "11".repeat(32), "0xab", "0x12345678"]],
  ["f(bytes)", ["0x"], ["0x"]],
  ["f(bytes)", ["0x" + "ab".repeat(33)], ["0x" + "ab".repeat(33)]],
  ["f(string)", ["hello"], ["hello"]],
  ["f(string)", ['"a, b (c) [d]"'], ["a, b (c) [d]"]],
  ["f(string,uint256)", ['"say \\"hi\\""', "7"], ['say "hi"', 7n]],
  ["f(uint256[])", ["[]"], [[]]],
  ["f(uint256[],address[2])", ["[1,2,3]", `[${A},${B}]`], [[1n, 2n, 3n], [A, B]]],
  ["f(string[])", ['["x","y,z"]'], [["x", "y,z"]]],
  ["f(bytes[2])", ["[0x01,0x0203]"], [["0x01", "0x0203"]]],
  ["f((uint256,address))", [`(5,${A})`], [[5n, A]]],
  ["f((uint256,address)[])", [`[(1,${A}),(2,${B})]`], [[[1n, A], [2n, B]]]],
  ["f((uint256,string)[2],bool)", ['[(1,"a"),(2,"bb")]', "true"], [[[1n, "a"], [2n, "bb"]], true]],
  ["f(uint256[][])", ["[[1,2],[],[3]]"], [[[1n, 2n], [], [3n]]]],
  ["f((bytes,(uint8,string[])))", ['(0xdead,(9,["p","q"]))'], [["0xdead", [9, ["p", "q"]]]]],
  ["execute(address,uint256,bytes)", [A, "0", "0x12345678"], [A, 0n, "0x12345678"]],
  ["noArgs()", [], []],
]

// viem wants named-less tuples as arrays: give it the signature as a function item
for (const [sig, text, vals] of cases) {
  const item = parseAbiItem(`function ${sig.replace(/\buint\b/g, "uint256").replace(/\bint\b/g, "int256")}`)
  const want = encodeFunctionData({ abi: [item], functionName: item.name, args: vals })
  console.log(JSON.stringify({ sig, args: text, want }))
}
