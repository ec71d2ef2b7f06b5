// The integer formats post-training quantization writes: symmetric grids of 32-value
// blocks, value = q·d with one binary16 scale d per block, stored exactly as ggml's Q8_0
// and Q4_0 blocks. The bytes are a GGUF file's, so the targets' quantizedMatmul kernels
// run them and llama.cpp reads them; only how d and q are chosen differs from ggml's own
// quantizer (here: by calibration, or with error compensation).
import { f16Bits, type QuantType, roundToF16 } from "../quant/index.js";

/** Values per block (and per scale, unless a whole row shares one). */
export const GROUP = 32;

export interface IntegerGrid {
  /** The ggml type whose blocks hold it. */
  readonly type: QuantType;
  readonly bits: 8 | 4;
  /** The most negative code: the scale maps a group's signed extreme onto it (ggml's choice for Q4_0). */
  readonly qmin: number;
  readonly qmax: number;
  readonly blockBytes: number;
  /** Writes one block: scale d (binary16-representable) and GROUP codes in [qmin, qmax] from codes[from..]. */
  writeBlock(dst: Uint8Array, at: number, d: number, codes: ArrayLike<number>, from: number): void;
}

function writeScale(dst: Uint8Array, at: number, d: number): void {
  const bits = f16Bits(d);
  dst[at] = bits & 0xff;
  dst[at + 1] = bits >>> 8;
}

/** int8: x = d·q, q in [−127, 127] (symmetric), 34 bytes a block. */
export const INT8_GRID: IntegerGrid = {
  type: "Q8_0",
  bits: 8,
  qmin: -127,
  qmax: 127,
  blockBytes: 34,
  writeBlock(dst, at, d, codes, from) {
    writeScale(dst, at, d);
    for (let j = 0; j < GROUP; j++) dst[at + 2 + j] = codes[from + j]! & 0xff;
  },
};

/** int4: x = d·q, q in [−8, 7], stored as q + 8 two to a byte (value j low, j + 16 high), 18 bytes a block. */
export const INT4_GRID: IntegerGrid = {
  type: "Q4_0",
  bits: 4,
  qmin: -8,
  qmax: 7,
  blockBytes: 18,
  writeBlock(dst, at, d, codes, from) {
    writeScale(dst, at, d);
    for (let j = 0; j < GROUP / 2; j++) {
      dst[at + 2 + j] = (codes[from + j]! + 8) | ((codes[from + j + GROUP / 2]! + 8) << 4);
    }
  },
};

export function gridOfBits(bits: number): IntegerGrid {
  if (bits === 8) return INT8_GRID;
  if (bits === 4) return INT4_GRID;
  throw new Error(`quantize: bits must be 8 or 4, got ${bits}`);
}

/** The code of x on the grid of scale d: round to nearest (ties to even), clamped. */
export function codeOf(grid: IntegerGrid, x: number, d: number): number {
  if (d === 0) return 0;
  const r = Math.round(x / d);
  const q = r - x / d === 0.5 && r & 1 ? r - 1 : r;
  return Math.min(Math.max(q, grid.qmin), grid.qmax);
}

/** A scale as stored: the nearest binary16 value. */
export const storedScale = roundToF16;
