import type { Node } from "../ir/node.js";
import { broadcastShapes, fmt, sizeOf, stridesOf } from "../ir/shape.js";
import { unbroadcast } from "./broadcast.js";
import { checkDType, sameDTypeOrThrow } from "./elementwise.js";
import { InstructionError } from "./errors.js";
import { defineInstruction, type Instruction } from "./instruction.js";
import { permute, reshape } from "./movement.js";

/** Swaps the last two axes. */
export function transposeLast(x: Node): Node {
  const r = x.shape.length;
  return permute(x, { axes: [...Array.from({ length: r - 2 }, (_, i) => i), r - 1, r - 2] });
}

/**
 * Batched matrix product a[..., M, K] @ b[..., K, N] → [..., M, N], batch axes broadcast.
 * Both operands have rank ≥ 2; the Tensor API promotes vectors the way NumPy does.
 */
export const matmul: Instruction = defineInstruction({
  name: "matmul",
  doc: "batched matrix product [...,M,K] @ [...,K,N], batch axes broadcast",
  operands: 2,
  shape: ([a, b]) => {
    const sa = a!.shape;
    const sb = b!.shape;
    if (sa.length < 2 || sb.length < 2) {
      throw new InstructionError("matmul", `operands need rank ≥ 2: ${fmt(sa)} @ ${fmt(sb)}`);
    }
    if (sa[sa.length - 1] !== sb[sb.length - 2]) {
      throw new InstructionError("matmul", `inner dimensions differ: ${fmt(sa)} @ ${fmt(sb)}`);
    }
    const batch = broadcastShapes(sa.slice(0, -2), sb.slice(0, -2));
    if (!batch)
      throw new InstructionError("matmul", `batch dimensions do not broadcast: ${fmt(sa)} @ ${fmt(sb)}`);
    return [...batch, sa[sa.length - 2]!, sb[sb.length - 1]!];
  },
  dtype: (inputs) => {
    const dtype = sameDTypeOrThrow("matmul", inputs);
    checkDType("matmul", dtype, "numeric");
    return dtype;
  },
  ref: ([a, b], out) => {
    const r = out.shape.length;
    const [M, N] = [out.shape[r - 2]!, out.shape[r - 1]!];
    const K = a!.shape[a!.shape.length - 1]!;
    const batchShape = out.shape.slice(0, -2);
    const batches = sizeOf(batchShape);
    // Offset of each batch's matrix inside a and b, following broadcasting.
    const offsetOf = (shape: readonly number[], matrixSize: number) => {
      const own = shape.slice(0, -2);
      const strides = stridesOf(own);
      return (batch: number) => {
        let rem = batch;
        let off = 0;
        for (let d = batchShape.length - 1; d >= 0; d--) {
          const i = rem % batchShape[d]!;
          rem = Math.floor(rem / batchShape[d]!);
          const od = d - (batchShape.length - own.length);
          if (od >= 0 && own[od] !== 1) off += i * strides[od]!;
        }
        return off * matrixSize;
      };
    };
    const aOff = offsetOf(a!.shape, M * K);
    const bOff = offsetOf(b!.shape, K * N);
    for (let t = 0; t < batches; t++) {
      const ao = aOff(t);
      const bo = bOff(t);
      const oo = t * M * N;
      for (let i = 0; i < M; i++) {
        for (let j = 0; j < N; j++) {
          let acc = 0;
          for (let k = 0; k < K; k++) acc += a!.data[ao + i * K + k]! * b!.data[bo + k * N + j]!;
          out.data[oo + i * N + j] = acc;
        }
      }
    }
  },
  vjp: (g, { inputs: [a, b] }) => [leftGradient(a!, b!, g), rightGradient(a!, b!, g)],
});

/** Whether x is another node with its last two axes swapped (a weight read as Wᵀ). */
function isTransposed(x: Node): boolean {
  const r = x.shape.length;
  const axes = x.attrs.axes as readonly number[] | undefined;
  return x.op?.name === "permute" && r >= 2 && axes!.every((a, i) => a === (i < r - 2 ? i : 2 * r - 3 - i));
}

/**
 * ∂/∂a = g·bᵀ. For a matrix shared by every batch of b (a convolution's weight times each
 * image's im2col columns) and shorter than b is tall (M < K), it is computed as (Σ b·gᵀ)ᵀ:
 * the product's right operand, which a matmul reads down its columns and so copies, is
 * then gᵀ, smaller than bᵀ; the sum and the transpose are of one small matrix.
 */
function leftGradient(a: Node, b: Node, g: Node): Node {
  const [m, k] = a.shape.slice(-2) as [number, number];
  if (a.shape.length === 2 && b.shape.length > 2 && m < k && !isTransposed(b)) {
    return transposeLast(unbroadcast(matmul(b, transposeLast(g)), [k, m]));
  }
  return unbroadcast(matmul(g, transposeLast(b)), a.shape);
}

/**
 * ∂/∂b = aᵀ·g. When b is a weight read transposed (x·Wᵀ, PyTorch's Linear), it is computed
 * as (gᵀ·a)ᵀ, so that W's gradient, the transpose of this, is laid out as W is (the two
 * transposes cancel), and whatever reads it (an optimizer) reads it in order.
 */
function rightGradient(a: Node, b: Node, g: Node): Node {
  if (a.shape.length > 2 && b.shape.length === 2) {
    const product = sharedWeightGradient(isTransposed(b) ? g : a, isTransposed(b) ? a : g);
    return isTransposed(b) ? transposeLast(product) : product;
  }
  if (isTransposed(b)) {
    const [k, n] = b.shape.slice(-2) as [number, number];
    return transposeLast(unbroadcast(matmul(transposeLast(g), a), [...b.shape.slice(0, -2), n, k]));
  }
  return unbroadcast(matmul(transposeLast(a), g), b.shape);
}

/**
 * The gradient of a matrix shared by every batch (x[..., M, K] @ w[K, N], a linear layer)
 * is Σ_batch xᵀ·g: one [K, batch·M] @ [batch·M, N] product, instead of one small product
 * per batch followed by a sum over the batch (called with x and g swapped, it is Σ gᵀ·x).
 */
function sharedWeightGradient(a: Node, g: Node): Node {
  const k = a.shape[a.shape.length - 1]!;
  const n = g.shape[g.shape.length - 1]!;
  return matmul(transposeLast(reshape(a, { shape: [-1, k] })), reshape(g, { shape: [-1, n] }));
}
