import type { Node } from "../ir/node.js";
import { unbroadcast } from "./broadcast.js";
import { cmpeq, cmplt, where } from "./compare.js";
import { defineBinary } from "./elementwise.js";
import { cast, log, neg } from "./unary.js";

/** Elementwise binary arithmetic primitives, broadcasting as NumPy does. */

export const add = defineBinary({
  name: "add",
  doc: "a + b",
  accepts: "numeric",
  fn: (a, b) => a + b,
  vjp: (g, { inputs: [a, b] }) => [unbroadcast(g, a!.shape), unbroadcast(g, b!.shape)],
});

export const sub = defineBinary({
  name: "sub",
  doc: "a − b",
  accepts: "numeric",
  fn: (a, b) => a - b,
  vjp: (g, { inputs: [a, b] }) => [unbroadcast(g, a!.shape), unbroadcast(neg(g), b!.shape)],
});

export const mul = defineBinary({
  name: "mul",
  doc: "a · b",
  accepts: "numeric",
  fn: (a, b) => a * b,
  vjp: (g, { inputs: [a, b] }) => [unbroadcast(mul(g, b!), a!.shape), unbroadcast(mul(g, a!), b!.shape)],
});

export const div = defineBinary({
  name: "div",
  doc: "a / b (int32: truncated toward zero)",
  accepts: "numeric",
  fn: (a, b) => a / b,
  vjp: (g, { inputs: [a, b], out }) => [
    unbroadcast(div(g, b!), a!.shape),
    unbroadcast(neg(mul(g, div(out, b!))), b!.shape),
  ],
});

export const pow = defineBinary({
  name: "pow",
  doc: "aᵇ",
  accepts: "float",
  fn: Math.pow,
  vjp: (g, { inputs: [a, b], out }) => {
    const ga = mul(g, mul(b!, pow(a!, sub(b!, 1))));
    // d/db aᵇ = aᵇ·ln a, defined for a > 0; elsewhere the gradient is taken as 0.
    const positive = cmplt(0, a!);
    const gb = where(positive, mul(g, mul(out, log(where(positive, a!, 1)))), 0);
    return [unbroadcast(ga, a!.shape), unbroadcast(gb, b!.shape)];
  },
});

/** Gradient share for max/min: all of it to the winner, half each on a tie. */
function winnerShare(win: Node, tie: Node): Node {
  return add(cast(win, { dtype: "float32" }), mul(cast(tie, { dtype: "float32" }), 0.5));
}

export const max = defineBinary({
  name: "max",
  doc: "elementwise maximum",
  accepts: "numeric",
  fn: Math.max,
  vjp: (g, { inputs: [a, b] }) => {
    const tie = cmpeq(a!, b!);
    return [
      unbroadcast(mul(g, winnerShare(cmplt(b!, a!), tie)), a!.shape),
      unbroadcast(mul(g, winnerShare(cmplt(a!, b!), tie)), b!.shape),
    ];
  },
});

export const min = defineBinary({
  name: "min",
  doc: "elementwise minimum",
  accepts: "numeric",
  fn: Math.min,
  vjp: (g, { inputs: [a, b] }) => {
    const tie = cmpeq(a!, b!);
    return [
      unbroadcast(mul(g, winnerShare(cmplt(a!, b!), tie)), a!.shape),
      unbroadcast(mul(g, winnerShare(cmplt(b!, a!), tie)), b!.shape),
    ];
  },
});
