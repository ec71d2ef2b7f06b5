import type { Node } from "../ir/node.js";
import type { Shape } from "../ir/shape.js";
import { fmt } from "../ir/shape.js";
import {
  type ActivationFormat,
  activationBlock,
  activationFormat,
  dequantize as decodeRows,
  parseQuantType,
  type QuantType,
  roundActivations,
  rowColumns,
} from "../quant/index.js";
import { InstructionError } from "./errors.js";
import { defineInstruction, type Instruction, type TensorMeta } from "./instruction.js";
import { matmul, transposeLast } from "./matmul.js";
import { reshape } from "./movement.js";
import { reduceMax } from "./reduce.js";
import { abs, add, cmpeq, cmplt, div, mul, recip, sub } from "./scalar-ops.js";
import { where } from "./where.js";

/**
 * Quantized weights as values of the instruction set. A packed tensor is uint8
 * [..., rows, rowBytes]: each row is a run of ggml blocks of `type` (src/quant), the bytes a
 * GGUF file holds, so a model's weights are used where they were loaded, never unpacked.
 * Its logical shape is [..., rows, rowBytes / blockBytes · blockSize].
 */
export type QuantizedAttrs = {
  /** The ggml tensor type of the rows ("Q4_K", "Q8_0", "F16", …; any letter case). */
  readonly type: QuantType;
};

const attrs = { type: "string" } as const;

function canonicalType(name: string, { type }: QuantizedAttrs): QuantizedAttrs {
  try {
    return { type: parseQuantType(type) };
  } catch (error) {
    throw new InstructionError(name, (error as Error).message);
  }
}

/** [..., rows, columns] of packed weights; throws naming the shape when they are not whole blocks. */
function logicalShape(name: string, w: TensorMeta, type: QuantType): Shape {
  if (w.dtype !== "uint8") throw new InstructionError(name, `packed weights are uint8, got ${w.dtype}`);
  if (w.shape.length < 1)
    throw new InstructionError(name, "packed weights need at least one axis (row bytes)");
  const bytes = w.shape[w.shape.length - 1]!;
  try {
    return [...w.shape.slice(0, -1), rowColumns(type, bytes)];
  } catch (error) {
    throw new InstructionError(name, `${fmt(w.shape)}: ${(error as Error).message}`);
  }
}

/** Packed rows of `type` → their float32 values. The codec is the oracle. */
export const dequantize: Instruction<QuantizedAttrs> = defineInstruction<QuantizedAttrs>({
  name: "dequantize",
  doc: "packed ggml rows (uint8 [..., rows, rowBytes], attribute type) → float32 [..., rows, columns]",
  operands: 1,
  attrs,
  canonicalize: (_, a) => canonicalType("dequantize", a),
  shape: ([w], { type }) => logicalShape("dequantize", w!, type),
  dtype: () => "float32",
  ref: ([w], out, { type }) => {
    decodeRows(type, w!.data as Uint8Array, out.shape[out.shape.length - 1]!, out.data as Float64Array);
  },
  differentiable: false,
});

export type QuantizedMatmulAttrs = QuantizedAttrs & {
  /**
   * Round x first as ggml's CPU backend converts activations for weights of `type`
   * (src/quant/activations.ts: binary16 for F16, bfloat16 for BF16, Q8_0 blocks for the
   * 32-value block types, Q8_K blocks for the K types), so that the product is the one
   * llama.cpp computes; targets then take integer dot products. Off (the default), x
   * stays float32.
   */
  readonly roundActivations?: boolean;
};

/**
 * x[..., M, K] · Wᵀ with W packed [N, rowBytes] of `type` holding [N, K] row-major, as ggml
 * stores a linear layer's weight (out × in). Defined as dequantize then matmul (with x
 * rounded first when `roundActivations` is set), which is what a target without its own
 * kernel runs; targets with one read the packed rows directly (GEMV when M is small,
 * streaming the weights once). Differentiable in x (the rounding passes gradients
 * straight through).
 */
export const quantizedMatmul: Instruction<QuantizedMatmulAttrs> = defineInstruction<QuantizedMatmulAttrs>({
  name: "quantizedMatmul",
  doc: "x[...,M,K] · Wᵀ for packed W (uint8 [N, rowBytes] of ggml type; x rounded as llama.cpp does with roundActivations) → [...,M,N]",
  operands: 2,
  attrs: { type: "string", roundActivations: "bool?" },
  canonicalize: (_, a) => {
    const { type } = canonicalType("quantizedMatmul", a);
    // Rounding that changes nothing is not an attribute, so equal products share a key.
    return a.roundActivations && activationFormat(type) !== "F32"
      ? { type, roundActivations: true }
      : { type };
  },
  shape: ([x, w], { type }) => {
    if (x!.dtype !== "float32")
      throw new InstructionError("quantizedMatmul", `x is float32, got ${x!.dtype}`);
    if (w!.shape.length !== 2) {
      throw new InstructionError("quantizedMatmul", `packed weights are [N, rowBytes], got ${fmt(w!.shape)}`);
    }
    const [n, k] = logicalShape("quantizedMatmul", w!, type) as [number, number];
    if (x!.shape.length < 2) {
      throw new InstructionError("quantizedMatmul", `x needs rank ≥ 2 ([..., M, K]), got ${fmt(x!.shape)}`);
    }
    if (x!.shape[x!.shape.length - 1] !== k) {
      throw new InstructionError(
        "quantizedMatmul",
        `x ${fmt(x!.shape)} needs ${k} columns to multiply ${type} weights of ${n} × ${k}`,
      );
    }
    return [...x!.shape.slice(0, -1), n];
  },
  dtype: () => "float32",
  ref: ([x, w], out, { type, roundActivations: rounding }) => {
    const n = out.shape[out.shape.length - 1]!;
    const k = x!.shape[x!.shape.length - 1]!;
    const weights = decodeRows(type, w!.data as Uint8Array, k);
    const xs = rounding ? roundActivations(type, x!.data, k, new Float64Array(x!.data.length)) : x!.data;
    const rows = out.data.length / Math.max(n, 1);
    for (let m = 0; m < rows; m++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let i = 0; i < k; i++) acc += xs[m * k + i]! * weights[j * k + i]!;
        out.data[m * n + j] = acc;
      }
    }
  },
  // Rounding first, as instructions, leaves the float product to a target's own kernel.
  decompose: ([x, w], { type, roundActivations: rounding }) =>
    rounding
      ? quantizedMatmul(roundActivationNodes(x!, activationFormat(type)), w!, { type })
      : matmul(x!, transposeLast(dequantize(w!, { type }))),
  vjp: (g, { inputs: [, w], attrs: { type } }) => [matmul(g, dequantize(w!, { type })), undefined],
});

// The rounding as instructions, for targets without a kernel of their own, in float32
// arithmetic: Veltkamp's split c − (c − x), c = x·(2^s + 1), keeps the top 24 − s
// significant bits rounded to nearest even (11 for binary16, 8 for bfloat16), and
// (y + 1.5·2^23) − 1.5·2^23 rounds |y| < 2^22 to the nearest integer, ties to even.

function keepBits(x: Node, dropped: number): Node {
  const c = mul(x, 2 ** dropped + 1);
  return sub(c, sub(c, x));
}

/** Rounding to binary16: 11 significant bits, and below 2^−14 (subnormal) a multiple of 2^−24. */
function toF16(x: Node): Node {
  // 0.75 has an ulp of 2^−24 in float32, so adding and subtracting it rounds to that step.
  const subnormal = sub(add(x, 0.75), 0.75);
  return where(cmplt(abs(x), 2 ** -14), subnormal, keepBits(x, 13));
}

function roundToEven(y: Node): Node {
  const magic = 1.5 * 2 ** 23;
  return sub(add(y, magic), magic);
}

function roundActivationNodes(x: Node, format: ActivationFormat): Node {
  switch (format) {
    case "F32":
      return x;
    case "F16":
      return toF16(x);
    case "BF16":
      return keepBits(x, 16);
    default: {
      const block = activationBlock(format);
      const shape = x.shape;
      const k = shape[shape.length - 1]!;
      const blocks = reshape(x, { shape: [...shape.slice(0, -1), k / block, block] });
      const amax = reduceMax(abs(blocks), { axes: [-1], keepdims: true });
      const empty = cmpeq(amax, 0);
      const scale = where(empty, 0, div(127, where(empty, 1, amax)));
      const quants = roundToEven(mul(blocks, scale));
      // Q8_0 stores amax/127 as binary16, Q8_K keeps 1/(127/amax) in float32.
      const d = format === "Q8_0" ? toF16(div(amax, 127)) : where(empty, 0, recip(where(empty, 1, scale)));
      return reshape(mul(quants, d), { shape });
    }
  }
}
