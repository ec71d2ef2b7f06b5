import { normalizeAxes, sizeOf } from "../ir/shape.js";
import { broadcastTo } from "./broadcast.js";
import { checkDType } from "./elementwise.js";
import { InstructionError } from "./errors.js";
import { defineInstruction, type TensorMeta } from "./instruction.js";
import { reshape } from "./movement.js";
import { type ReduceAttrs, reducedShape, sum } from "./reduce.js";
import { reductionIndex } from "./ref-loops.js";
import { div, mul, sub } from "./scalar-ops.js";

/** Mean and variance over any set of axes. */

function canonical(name: string) {
  return ([x]: readonly TensorMeta[], a: ReduceAttrs) => {
    checkDType(name, x!.dtype, "float");
    return { ...a, axes: normalizeAxes(a.axes, x!.shape.length, name), keepdims: a.keepdims ?? false };
  };
}

function countOf(x: TensorMeta, axes: readonly number[]): number {
  return sizeOf(axes.map((a) => x.shape[a]!));
}

export const mean = defineInstruction<ReduceAttrs>({
  name: "mean",
  doc: "arithmetic mean over axes",
  operands: 1,
  attrs: { axes: "ints?", keepdims: "bool?" },
  canonicalize: canonical("mean"),
  ref: ([x], out, a) => {
    const into = reductionIndex(x!.shape, a.axes!);
    const n = countOf(x!, a.axes!);
    const acc = new Float64Array(out.data.length);
    for (let i = 0; i < x!.data.length; i++) acc[into[i]!]! += x!.data[i]!;
    for (let o = 0; o < acc.length; o++) out.data[o] = acc[o]! / n;
  },
  decompose: ([x], a) => div(sum(x!, a), countOf(x!, a.axes!)),
});

export type VarianceAttrs = ReduceAttrs & {
  /** Subtracted from the count in the denominator: 0 = population (NumPy's default), 1 = sample. */
  correction?: number;
};

export const variance = defineInstruction<VarianceAttrs>({
  name: "variance",
  doc: "variance over axes (correction 0 = population, 1 = sample)",
  operands: 1,
  attrs: { axes: "ints?", keepdims: "bool?", correction: "int?" },
  canonicalize: ([x], a) => {
    const c = canonical("variance")([x!], a);
    const correction = a.correction ?? 0;
    if (correction < 0) throw new InstructionError("variance", `correction must be ≥ 0, got ${correction}`);
    return { ...c, correction };
  },
  ref: ([x], out, a) => {
    const into = reductionIndex(x!.shape, a.axes!);
    const n = countOf(x!, a.axes!);
    const m = new Float64Array(out.data.length);
    for (let i = 0; i < x!.data.length; i++) m[into[i]!]! += x!.data[i]! / n;
    const ss = new Float64Array(out.data.length);
    for (let i = 0; i < x!.data.length; i++) ss[into[i]!]! += (x!.data[i]! - m[into[i]!]!) ** 2;
    for (let o = 0; o < ss.length; o++) out.data[o] = ss[o]! / (n - a.correction!);
  },
  decompose: ([x], a) => {
    const axes = a.axes!;
    const m = broadcastTo(
      reshape(mean(x!, { axes, keepdims: true }), { shape: reducedShape(x!.shape, axes, true) }),
      x!.shape,
    );
    const d = sub(x!, m);
    return div(sum(mul(d, d), { axes, keepdims: a.keepdims! }), countOf(x!, axes) - a.correction!);
  },
});
