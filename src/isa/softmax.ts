import type { Node } from "../ir/node.js";
import { normalizeAxes, normalizeAxis } from "../ir/shape.js";
import { broadcastTo } from "./broadcast.js";
import { checkDType } from "./elementwise.js";
import { defineInstruction, type TensorMeta } from "./instruction.js";
import { reshape } from "./movement.js";
import { type ReduceAttrs, reducedShape, reduceMax, sum } from "./reduce.js";
import { forEachLane, reductionIndex } from "./ref-loops.js";
import { add, div, exp, log, mul, sub } from "./scalar-ops.js";

/** softmax, log-softmax and logsumexp, all computed stably (the maximum subtracted first). */

type AxisAttrs = {
  axis?: number;
};

function canonicalAxis(name: string) {
  return ([x]: readonly TensorMeta[], a: AxisAttrs) => {
    checkDType(name, x!.dtype, "float");
    return { axis: normalizeAxis(a.axis ?? -1, x!.shape.length, name) };
  };
}

/** max over one axis, kept as a size-1 axis and broadcast back over x. */
function laneMax(x: Node, axis: number): Node {
  return broadcastTo(reduceMax(x, { axes: [axis], keepdims: true }), x.shape);
}

function laneSum(x: Node, axis: number): Node {
  return broadcastTo(sum(x, { axes: [axis], keepdims: true }), x.shape);
}

/** Reference loop: for each lane, the max and log of the sum of exp(x − max). */
function laneStats(x: { data: ArrayLike<number> }, start: number, stride: number, length: number) {
  let m = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < length; i++) m = Math.max(m, x.data[start + i * stride]!);
  let s = 0;
  for (let i = 0; i < length; i++) s += Math.exp(x.data[start + i * stride]! - m);
  return { m, logSum: Math.log(s) };
}

export const softmax = defineInstruction<AxisAttrs>({
  name: "softmax",
  doc: "exp(x) / sum(exp(x)) along an axis (default −1)",
  operands: 1,
  attrs: { axis: "int?" },
  canonicalize: canonicalAxis("softmax"),
  ref: ([x], out, { axis }) => {
    forEachLane(x!.shape, axis!, (start, stride, length) => {
      const { m, logSum } = laneStats(x!, start, stride, length);
      for (let i = 0; i < length; i++)
        out.data[start + i * stride] = Math.exp(x!.data[start + i * stride]! - m - logSum);
    });
  },
  decompose: ([x], { axis }) => {
    const e = exp(sub(x!, laneMax(x!, axis!)));
    return div(e, laneSum(e, axis!));
  },
  vjp: (g, { out, attrs: { axis } }) => [mul(out, sub(g, laneSum(mul(g, out), axis!)))],
});

export const logSoftmax = defineInstruction<AxisAttrs>({
  name: "logSoftmax",
  doc: "log(softmax(x)) along an axis (default −1), computed stably",
  operands: 1,
  attrs: { axis: "int?" },
  canonicalize: canonicalAxis("logSoftmax"),
  ref: ([x], out, { axis }) => {
    forEachLane(x!.shape, axis!, (start, stride, length) => {
      const { m, logSum } = laneStats(x!, start, stride, length);
      for (let i = 0; i < length; i++)
        out.data[start + i * stride] = x!.data[start + i * stride]! - m - logSum;
    });
  },
  decompose: ([x], { axis }) => {
    const shifted = sub(x!, laneMax(x!, axis!));
    return sub(shifted, log(laneSum(exp(shifted), axis!)));
  },
  vjp: (g, { out, attrs: { axis } }) => [sub(g, mul(exp(out), laneSum(g, axis!)))],
});

export const logsumexp = defineInstruction<ReduceAttrs>({
  name: "logsumexp",
  doc: "log(sum(exp(x))) over axes, computed stably",
  operands: 1,
  attrs: { axes: "ints?", keepdims: "bool?" },
  canonicalize: ([x], a) => {
    checkDType("logsumexp", x!.dtype, "float");
    return { axes: normalizeAxes(a.axes, x!.shape.length, "logsumexp"), keepdims: a.keepdims ?? false };
  },
  ref: ([x], out, a) => {
    const into = reductionIndex(x!.shape, a.axes!);
    const m = new Float64Array(out.data.length).fill(Number.NEGATIVE_INFINITY);
    for (let i = 0; i < x!.data.length; i++) m[into[i]!] = Math.max(m[into[i]!]!, x!.data[i]!);
    const s = new Float64Array(out.data.length);
    for (let i = 0; i < x!.data.length; i++) s[into[i]!]! += Math.exp(x!.data[i]! - m[into[i]!]!);
    for (let o = 0; o < s.length; o++) out.data[o] = Number.isFinite(m[o]!) ? m[o]! + Math.log(s[o]!) : m[o]!;
  },
  decompose: ([x], a) => {
    const axes = a.axes!;
    const mKeep = reduceMax(x!, { axes, keepdims: true });
    const lse = add(log(sum(exp(sub(x!, broadcastTo(mKeep, x!.shape))), { axes, keepdims: true })), mKeep);
    return a.keepdims ? lse : reshape(lse, { shape: reducedShape(x!.shape, axes, false) });
  },
  // d lse / dx = softmax(x) = exp(x − lse).
  vjp: (g, { inputs: [x], out, attrs: { axes } }) => {
    const keep = reducedShape(x!.shape, axes!, true);
    const back = (v: Node) => broadcastTo(reshape(v, { shape: keep }), x!.shape);
    return [mul(back(g), exp(sub(x!, back(out))))];
  },
});
