import type { DType } from "../ir/dtype.js";
import type { Node } from "../ir/node.js";
import { fmt, normalizeAxes, sizeOf } from "../ir/shape.js";
import { broadcastTo } from "./broadcast.js";
import { cast } from "./cast.js";
import { checkDType } from "./elementwise.js";
import { InstructionError } from "./errors.js";
import { defineInstruction, type TensorMeta } from "./instruction.js";
import { reshape } from "./movement.js";
import { reductionIndex } from "./ref-loops.js";
import { cmpeq, div, mul } from "./scalar-ops.js";

/** Reductions over any set of axes. `axes` omitted = all axes; `keepdims` keeps them as size 1. */
export type ReduceAttrs = {
  axes?: readonly number[];
  keepdims?: boolean;
};

const reduceAttrSchema = { axes: "ints?", keepdims: "bool?" } as const;

function canonicalReduce(name: string) {
  return ([x]: readonly TensorMeta[], a: ReduceAttrs): ReduceAttrs => ({
    axes: normalizeAxes(a.axes, x!.shape.length, name),
    keepdims: a.keepdims ?? false,
  });
}

export function reducedShape(shape: readonly number[], axes: readonly number[], keepdims: boolean): number[] {
  return keepdims
    ? shape.map((d, i) => (axes.includes(i) ? 1 : d))
    : shape.filter((_, i) => !axes.includes(i));
}

/** The reduced value (or gradient) brought back to the input's shape for elementwise use. */
function restore(v: Node, input: TensorMeta, axes: readonly number[]): Node {
  return broadcastTo(reshape(v, { shape: reducedShape(input.shape, axes, true) }), input.shape);
}

export const sum = defineInstruction<ReduceAttrs>({
  name: "sum",
  doc: "sum over axes (bool sums to int32)",
  operands: 1,
  attrs: reduceAttrSchema,
  canonicalize: canonicalReduce("sum"),
  shape: ([x], a) => reducedShape(x!.shape, a.axes!, a.keepdims!),
  dtype: ([x]): DType => {
    if (x!.dtype === "bool") return "int32";
    checkDType("sum", x!.dtype, "numeric");
    return x!.dtype;
  },
  ref: ([x], out, a) => {
    const into = reductionIndex(x!.shape, a.axes!);
    out.data.fill(0);
    for (let i = 0; i < x!.data.length; i++) out.data[into[i]!]! += x!.data[i]!;
  },
  vjp: (g, { inputs: [x], attrs }) => [restore(g, x!, attrs.axes!)],
});

export const reduceMax = defineInstruction<ReduceAttrs>({
  name: "reduceMax",
  doc: "maximum over axes",
  operands: 1,
  attrs: reduceAttrSchema,
  canonicalize: canonicalReduce("reduceMax"),
  shape: ([x], a) => {
    const out = reducedShape(x!.shape, a.axes!, a.keepdims!);
    if (sizeOf(x!.shape) === 0 && sizeOf(out) > 0) {
      throw new InstructionError(
        "reduceMax",
        `cannot take the maximum over an empty axis of ${fmt(x!.shape)}`,
      );
    }
    return out;
  },
  dtype: ([x]) => {
    checkDType("reduceMax", x!.dtype, "numeric");
    return x!.dtype;
  },
  ref: ([x], out, a) => {
    const into = reductionIndex(x!.shape, a.axes!);
    out.data.fill(x!.dtype === "int32" ? -(2 ** 31) : Number.NEGATIVE_INFINITY);
    const nan = new Uint8Array(out.data.length);
    for (let i = 0; i < x!.data.length; i++) {
      const v = x!.data[i]!;
      const o = into[i]!;
      if (Number.isNaN(v)) nan[o] = 1;
      else if (v > out.data[o]!) out.data[o] = v;
    }
    // NaN propagates, as in NumPy and PyTorch.
    for (let o = 0; o < nan.length; o++) if (nan[o]) out.data[o] = Number.NaN;
  },
  // The gradient goes to the maxima, shared evenly between ties (as PyTorch's amax does).
  vjp: (g, { inputs: [x], out, attrs }) => {
    const isMax = cast(cmpeq(x!, restore(out, x!, attrs.axes!)), { dtype: x!.dtype });
    const ties = sum(isMax, { axes: attrs.axes!, keepdims: true });
    return [mul(restore(g, x!, attrs.axes!), div(isMax, broadcastTo(ties, x!.shape)))];
  },
});
