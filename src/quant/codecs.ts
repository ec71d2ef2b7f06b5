import type { BlockCodec } from "./block-codec.js";
import { bf16Codec, f16Codec, f32Codec } from "./float-codecs.js";
import { q4_KCodec, q5_KCodec, q6_KCodec } from "./k-quants.js";
import { q4_0Codec, q4_1Codec, q5_0Codec, q5_1Codec, q8_0Codec } from "./legacy-quants.js";

/**
 * The tensor types infiniset reads, writes and computes with, spelt as GGUF tooling spells
 * them (`GGML_TYPE` in src/formats/gguf/ggml-types.ts). A tensor of one of these types is
 * stored row by row, each row a run of whole blocks, exactly as in a GGUF file.
 */
export const QUANT_TYPES = [
  "F32",
  "F16",
  "BF16",
  "Q8_0",
  "Q4_0",
  "Q4_1",
  "Q5_0",
  "Q5_1",
  "Q4_K",
  "Q5_K",
  "Q6_K",
] as const;
export type QuantType = (typeof QUANT_TYPES)[number];

const CODECS: Readonly<Record<QuantType, BlockCodec>> = {
  F32: f32Codec,
  F16: f16Codec,
  BF16: bf16Codec,
  Q8_0: q8_0Codec,
  Q4_0: q4_0Codec,
  Q4_1: q4_1Codec,
  Q5_0: q5_0Codec,
  Q5_1: q5_1Codec,
  Q4_K: q4_KCodec,
  Q5_K: q5_KCodec,
  Q6_K: q6_KCodec,
};

export function isQuantType(x: unknown): x is QuantType {
  return typeof x === "string" && (QUANT_TYPES as readonly string[]).includes(x);
}

/** The type named, in any letter case ("Q4_K", "q4_k"); throws listing the known types. */
export function parseQuantType(name: string): QuantType {
  const found = QUANT_TYPES.find((t) => t.toLowerCase() === name.toLowerCase());
  if (!found) throw new Error(`unknown tensor type "${name}" (known: ${QUANT_TYPES.join(", ")})`);
  return found;
}

export function codecOf(type: QuantType): BlockCodec {
  const codec = CODECS[type];
  if (!codec) throw new Error(`unknown tensor type "${type}" (known: ${QUANT_TYPES.join(", ")})`);
  return codec;
}

/** Bytes of one row of `columns` values; throws when the row is not whole blocks. */
export function rowBytes(type: QuantType, columns: number): number {
  const { blockSize, blockBytes } = codecOf(type);
  if (!Number.isInteger(columns) || columns < 0 || columns % blockSize !== 0) {
    throw new Error(`a ${type} row holds a multiple of ${blockSize} values, got ${columns}`);
  }
  return (columns / blockSize) * blockBytes;
}

/** Values in a row of `bytes` bytes; throws when the bytes are not whole blocks. */
export function rowColumns(type: QuantType, bytes: number): number {
  const { blockSize, blockBytes } = codecOf(type);
  if (!Number.isInteger(bytes) || bytes < 0 || bytes % blockBytes !== 0) {
    throw new Error(`a ${type} row is a multiple of ${blockBytes} bytes, got ${bytes}`);
  }
  return (bytes / blockBytes) * blockSize;
}

/**
 * Encodes row-major values (rows of `columns`) as `type`, the bytes ggml's reference
 * quantizer writes. `values.length` must be a whole number of rows.
 */
export function quantize(type: QuantType, values: Float32Array, columns: number): Uint8Array {
  const codec = codecOf(type);
  const perRow = rowBytes(type, columns);
  if (columns === 0 ? values.length !== 0 : values.length % columns !== 0) {
    throw new Error(`quantize: ${values.length} values are not whole rows of ${columns}`);
  }
  const blocks = values.length / codec.blockSize;
  const out = new Uint8Array(columns === 0 ? 0 : (values.length / columns) * perRow);
  for (let b = 0; b < blocks; b++) codec.encode(values, b * codec.blockSize, out, b * codec.blockBytes);
  return out;
}

/** Decodes bytes of `type` into float32 values (rows of `columns`), into `out` when given. */
export function dequantize<T extends Float32Array | Float64Array = Float32Array>(
  type: QuantType,
  bytes: Uint8Array,
  columns: number,
  out?: T,
): T {
  const codec = codecOf(type);
  const perRow = rowBytes(type, columns);
  if (perRow === 0 ? bytes.length !== 0 : bytes.length % perRow !== 0) {
    throw new Error(`dequantize: ${bytes.length} bytes are not whole ${type} rows of ${columns} values`);
  }
  const blocks = bytes.length / codec.blockBytes;
  const result = out ?? (new Float32Array(blocks * codec.blockSize) as T);
  if (result.length < blocks * codec.blockSize) {
    throw new Error(`dequantize: output holds ${result.length} values, needs ${blocks * codec.blockSize}`);
  }
  for (let b = 0; b < blocks; b++) codec.decode(bytes, b * codec.blockBytes, result, b * codec.blockSize);
  return result;
}
