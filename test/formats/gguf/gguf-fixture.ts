// A small GGUF file that uses every part of the format: all value types, nested and empty
// arrays, a string that is not UTF-8, tensors of plain and block types at a custom alignment.
import { GGML_TYPE } from "../../../src/formats/gguf/ggml-types.js";
import type { GgufValue } from "../../../src/formats/gguf/gguf-values.js";
import type { GgufContents } from "../../../src/formats/gguf/write-gguf.js";

function bytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let s = seed;
  for (let i = 0; i < length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

export function fixtureMetadata(alignment = 64): [string, GgufValue][] {
  return [
    ["general.architecture", { type: "string", value: "llama" }],
    ["general.alignment", { type: "uint32", value: alignment }],
    ["u8", { type: "uint8", value: 250 }],
    ["i8", { type: "int8", value: -7 }],
    ["u16", { type: "uint16", value: 65000 }],
    ["i16", { type: "int16", value: -30000 }],
    ["u32", { type: "uint32", value: 4_000_000_000 }],
    ["i32", { type: "int32", value: -2_000_000_000 }],
    ["f32", { type: "float32", value: Math.fround(0.1) }],
    ["f64", { type: "float64", value: Math.PI }],
    ["u64", { type: "uint64", value: 2n ** 63n + 5n }],
    ["i64", { type: "int64", value: -(2n ** 40n) }],
    ["yes", { type: "bool", value: true }],
    ["no", { type: "bool", value: false }],
    ["text", { type: "string", value: "héllo ▁wörld 🦙" }],
    ["not utf8", { type: "string", value: Uint8Array.of(0x66, 0xe2, 0x96) }],
    ["empty", { type: "string", value: "" }],
    ["scores", { type: "array", itemType: "float32", items: Float32Array.of(0, -1.5, 2.25) }],
    ["ids", { type: "array", itemType: "int32", items: Int32Array.of(1, -2, 3) }],
    ["big ids", { type: "array", itemType: "uint64", items: BigUint64Array.of(1n, 2n ** 64n - 1n) }],
    ["flags", { type: "array", itemType: "bool", items: [true, false, true] }],
    ["tokens", { type: "array", itemType: "string", items: ["<s>", "▁the", "", Uint8Array.of(0xff)] }],
    ["nothing", { type: "array", itemType: "uint16", items: new Uint16Array(0) }],
    [
      "nested",
      {
        type: "array",
        itemType: "array",
        items: [
          { type: "array", itemType: "int8", items: Int8Array.of(-1, 2) },
          { type: "array", itemType: "string", items: ["a", "bc"] },
          {
            type: "array",
            itemType: "array",
            items: [{ type: "array", itemType: "float64", items: Float64Array.of(1.5) }],
          },
        ],
      },
    ],
  ];
}

export function fixtureContents(version: 2 | 3 = 3, alignment = 64): GgufContents {
  return {
    version,
    metadata: fixtureMetadata(alignment),
    tensors: [
      { name: "token_embd.weight", type: GGML_TYPE.F32, shape: [3, 5], data: bytes(60, 1) },
      { name: "norm", type: GGML_TYPE.F16, shape: [7], data: bytes(14, 2) },
      { name: "blk.0.q8", type: GGML_TYPE.Q8_0, shape: [2, 64], data: bytes(2 * 2 * 34, 3) },
      { name: "blk.0.q4k", type: GGML_TYPE.Q4_K, shape: [1, 256], data: bytes(144, 4) },
      { name: "scalar", type: GGML_TYPE.I32, shape: [], data: bytes(4, 5) },
    ],
  };
}
