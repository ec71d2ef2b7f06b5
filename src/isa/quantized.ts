import type { Shape } from "../ir/shape.js";
import { fmt } from "../ir/shape.js";
import { dequantize as decodeRows, parseQuantType, type QuantType, rowColumns } from "../quant/index.js";
import { InstructionError } from "./errors.js";
import { defineInstruction, type Instruction, type TensorMeta } from "./instruction.js";
import { matmul, transposeLast } from "./matmul.js";

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

/**
 * x[..., M, K] · Wᵀ with W packed [N, rowBytes] of `type` holding [N, K] row-major, as ggml
 * stores a linear layer's weight (out × in). Defined as dequantize then matmul, which is
 * what a target without its own kernel runs; targets with one read the packed rows directly
 * (GEMV when M is small, streaming the weights once). Differentiable in x.
 */
export const quantizedMatmul: Instruction<QuantizedAttrs> = defineInstruction<QuantizedAttrs>({
  name: "quantizedMatmul",
  doc: "x[...,M,K] · Wᵀ for packed W (uint8 [N, rowBytes] of ggml type) → [...,M,N]",
  operands: 2,
  attrs,
  canonicalize: (_, a) => canonicalType("quantizedMatmul", a),
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
  ref: ([x, w], out, { type }) => {
    const n = out.shape[out.shape.length - 1]!;
    const k = x!.shape[x!.shape.length - 1]!;
    const weights = decodeRows(type, w!.data as Uint8Array, k);
    const rows = out.data.length / Math.max(n, 1);
    for (let m = 0; m < rows; m++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let i = 0; i < k; i++) acc += x!.data[m * k + i]! * weights[j * k + i]!;
        out.data[m * n + j] = acc;
      }
    }
  },
  decompose: ([x, w], a) => matmul(x!, transposeLast(dequantize(w!, a))),
  vjp: (g, { inputs: [, w], attrs: a }) => [matmul(g, dequantize(w!, a)), undefined],
});
