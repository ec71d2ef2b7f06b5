// The tensor types of ggml, as GGUF files number them: how many elements one block holds and
// how many bytes it takes. A tensor's rows are whole blocks, so its size in the file is
// (elements / blockSize) × bytesPerBlock. Ids are stable across ggml releases; the gaps
// (4, 5, 31–33, 36–38) are types that were removed from the format and are refused.
//
// The byte counts follow ggml's block structs (ggml-common.h):
//   Q4_0   f16 d, 16 bytes of 4-bit quants                         2 + 16
//   Q4_1   f16 d, f16 m, 16 bytes of 4-bit quants                  2 + 2 + 16
//   Q5_0   f16 d, 4 bytes of fifth bits, 16 bytes of low nibbles    2 + 4 + 16
//   Q5_1   f16 d, f16 m, fifth bits, low nibbles                    2 + 2 + 4 + 16
//   Q8_0   f16 d, 32 int8                                           2 + 32
//   Q8_1   f16 d, f16 sum, 32 int8                                  2 + 2 + 32
//   Q2_K   16 scale/min bytes, 64 bytes of 2-bit quants, f16 d, dmin
//   Q3_K   32 bytes high-bit mask, 64 bytes of 2-bit quants, 12 scale bytes, f16 d
//   Q4_K   f16 d, dmin, 12 bytes of 6-bit scales and mins, 128 bytes of nibbles
//   Q5_K   as Q4_K plus 32 bytes of fifth bits
//   Q6_K   128 bytes low nibbles, 64 bytes high 2 bits, 16 int8 scales, f16 d
//   Q8_K   f32 d, 256 int8, 16 int16 block sums
// gguf-py lists Q8_1 as 40 bytes (from when d and s were f32); ggml itself reads 36, and
// Q8_1 only ever occurs as an activation format, never in a file.

/** One ggml tensor type. */
export interface GgmlType {
  /** The id stored in a GGUF tensor-info record. */
  readonly id: number;
  /** The name as gguf-py spells it ("Q4_K", "BF16"); lookups ignore case. */
  readonly name: string;
  /** Elements per block (1 for plain numbers, 32 or 256 for most quantized types). */
  readonly blockSize: number;
  /** Bytes one block occupies in the file. */
  readonly bytesPerBlock: number;
  /** True for block-quantized types (everything but plain floats and integers). */
  readonly quantized: boolean;
}

const SUPER_BLOCK = 256;

type Layout = Omit<GgmlType, "name">;

function plain(id: number, bytes: number): Layout {
  return { id, blockSize: 1, bytesPerBlock: bytes, quantized: false };
}

function blocks(id: number, blockSize: number, bytesPerBlock: number): Layout {
  return { id, blockSize, bytesPerBlock, quantized: true };
}

const LAYOUTS = {
  F32: plain(0, 4),
  F16: plain(1, 2),
  Q4_0: blocks(2, 32, 2 + 16),
  Q4_1: blocks(3, 32, 2 + 2 + 16),
  Q5_0: blocks(6, 32, 2 + 4 + 16),
  Q5_1: blocks(7, 32, 2 + 2 + 4 + 16),
  Q8_0: blocks(8, 32, 2 + 32),
  Q8_1: blocks(9, 32, 2 + 2 + 32),
  Q2_K: blocks(10, SUPER_BLOCK, SUPER_BLOCK / 16 + SUPER_BLOCK / 4 + 2 + 2),
  Q3_K: blocks(11, SUPER_BLOCK, SUPER_BLOCK / 8 + SUPER_BLOCK / 4 + 12 + 2),
  Q4_K: blocks(12, SUPER_BLOCK, 2 + 2 + 12 + SUPER_BLOCK / 2),
  Q5_K: blocks(13, SUPER_BLOCK, 2 + 2 + 12 + SUPER_BLOCK / 8 + SUPER_BLOCK / 2),
  Q6_K: blocks(14, SUPER_BLOCK, SUPER_BLOCK / 2 + SUPER_BLOCK / 4 + SUPER_BLOCK / 16 + 2),
  Q8_K: blocks(15, SUPER_BLOCK, 4 + SUPER_BLOCK + (SUPER_BLOCK / 16) * 2),
  IQ2_XXS: blocks(16, SUPER_BLOCK, 2 + SUPER_BLOCK / 4),
  IQ2_XS: blocks(17, SUPER_BLOCK, 2 + SUPER_BLOCK / 4 + SUPER_BLOCK / 32),
  IQ3_XXS: blocks(18, SUPER_BLOCK, 2 + SUPER_BLOCK / 4 + SUPER_BLOCK / 8),
  IQ1_S: blocks(19, SUPER_BLOCK, 2 + SUPER_BLOCK / 8 + SUPER_BLOCK / 16),
  IQ4_NL: blocks(20, 32, 2 + 16),
  IQ3_S: blocks(21, SUPER_BLOCK, 2 + SUPER_BLOCK / 4 + SUPER_BLOCK / 8 + SUPER_BLOCK / 32 + 4),
  IQ2_S: blocks(22, SUPER_BLOCK, 2 + SUPER_BLOCK / 4 + SUPER_BLOCK / 16),
  IQ4_XS: blocks(23, SUPER_BLOCK, 2 + 2 + SUPER_BLOCK / 2 + SUPER_BLOCK / 64),
  I8: plain(24, 1),
  I16: plain(25, 2),
  I32: plain(26, 4),
  I64: plain(27, 8),
  F64: plain(28, 8),
  IQ1_M: blocks(29, SUPER_BLOCK, SUPER_BLOCK / 8 + SUPER_BLOCK / 16 + SUPER_BLOCK / 32),
  BF16: plain(30, 2),
  TQ1_0: blocks(34, SUPER_BLOCK, 2 + 4 * 13),
  TQ2_0: blocks(35, SUPER_BLOCK, 2 + SUPER_BLOCK / 4),
  MXFP4: blocks(39, 32, 1 + 16),
  NVFP4: blocks(40, 64, 4 + 32),
  Q1_0: blocks(41, 128, 2 + 16),
} satisfies Record<string, Layout>;

export type GgmlTypeName = keyof typeof LAYOUTS;

/** Every tensor type of the GGUF format by name: `GGML_TYPE.Q4_K.id` is 12. */
export const GGML_TYPE = Object.freeze(
  Object.fromEntries(
    Object.entries(LAYOUTS).map(([name, layout]) => [name, Object.freeze({ name, ...layout })]),
  ),
) as { readonly [K in GgmlTypeName]: GgmlType };

/** Every tensor type of the GGUF format, in id order. */
export const GGML_TYPES: readonly GgmlType[] = Object.values(GGML_TYPE);

const BY_ID = new Map(GGML_TYPES.map((t) => [t.id, t]));
const BY_NAME = new Map(GGML_TYPES.map((t) => [t.name.toLowerCase(), t]));

/** The type with this id, or undefined for an id the format does not define. */
export function ggmlTypeById(id: number): GgmlType | undefined {
  return BY_ID.get(id);
}

/** The type with this name, in any case ("q4_k", "Q4_K"), or undefined. */
export function ggmlTypeByName(name: string): GgmlType | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/**
 * Bytes that `elements` values of `type` take when each row of `rowLength` values is whole
 * blocks (ggml quantizes along the innermost dimension, so a row never shares a block).
 * Throws when the row length is not a multiple of the block size.
 */
export function ggmlByteLength(type: GgmlType, elements: number, rowLength = elements): number {
  if (rowLength % type.blockSize !== 0) {
    throw new Error(
      `${type.name}: a row of ${rowLength} elements is not a whole number of ${type.blockSize}-element blocks`,
    );
  }
  if (elements === 0) return 0;
  if (elements % rowLength !== 0) {
    throw new Error(`${type.name}: ${elements} elements are not whole rows of ${rowLength}`);
  }
  return (elements / type.blockSize) * type.bytesPerBlock;
}
