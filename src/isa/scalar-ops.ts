import type { DType } from "../ir/dtype.js";
import type { Node } from "../ir/node.js";
import { unbroadcast } from "./broadcast.js";
import { cast } from "./cast.js";
import { type DTypeClass, defineBinary, defineUnary } from "./elementwise.js";
import type { Instruction, VjpContext } from "./instruction.js";
import { erf as erfScalar } from "./math.js";
import { where } from "./where.js";

/**
 * The scalar operations: the elementwise math primitives, each one function of one
 * element of each (broadcast) operand. This table is their whole declaration (arity,
 * dtypes, reference function, gradient); code-generating targets render each of them from
 * a table keyed by `ScalarOp` (see compiler/kernels/kernel-ir.ts `ScalarRenderers`), so a
 * row added here without a renderer in every target is a type error.
 */
export interface ScalarOpSpec {
  readonly arity: 1 | 2;
  readonly doc: string;
  /** Operand dtypes: "float" (float32 only), "numeric" (float32, int32) or "any" (bool too). */
  readonly accepts: DTypeClass;
  /** A fixed result dtype (bool for comparisons); otherwise the operands' dtype. */
  readonly result?: DType;
  /** The reference semantics of one element (in float64; stored values round to the dtype). */
  readonly fn: (...xs: number[]) => number;
}

export const SCALAR_OPS = {
  neg: { arity: 1, doc: "−x", accepts: "numeric", fn: (x) => -x },
  recip: { arity: 1, doc: "1 / x", accepts: "float", fn: (x) => 1 / x },
  sqrt: { arity: 1, doc: "√x", accepts: "float", fn: Math.sqrt },
  exp: { arity: 1, doc: "eˣ", accepts: "float", fn: Math.exp },
  log: { arity: 1, doc: "natural logarithm", accepts: "float", fn: Math.log },
  sin: { arity: 1, doc: "sine (radians)", accepts: "float", fn: Math.sin },
  cos: { arity: 1, doc: "cosine (radians)", accepts: "float", fn: Math.cos },
  tanh: { arity: 1, doc: "hyperbolic tangent", accepts: "float", fn: Math.tanh },
  erf: { arity: 1, doc: "Gauss error function", accepts: "float", fn: erfScalar },
  abs: { arity: 1, doc: "|x|", accepts: "numeric", fn: Math.abs },
  add: { arity: 2, doc: "a + b", accepts: "numeric", fn: (a, b) => a + b },
  sub: { arity: 2, doc: "a − b", accepts: "numeric", fn: (a, b) => a - b },
  mul: { arity: 2, doc: "a · b", accepts: "numeric", fn: (a, b) => a * b },
  div: { arity: 2, doc: "a / b (int32: truncated toward zero)", accepts: "numeric", fn: (a, b) => a / b },
  pow: { arity: 2, doc: "aᵇ", accepts: "float", fn: Math.pow },
  max: { arity: 2, doc: "elementwise maximum", accepts: "numeric", fn: Math.max },
  min: { arity: 2, doc: "elementwise minimum", accepts: "numeric", fn: Math.min },
  cmplt: { arity: 2, doc: "a < b, as bool", accepts: "any", result: "bool", fn: (a, b) => (a < b ? 1 : 0) },
  cmpeq: {
    arity: 2,
    doc: "a == b, as bool",
    accepts: "any",
    result: "bool",
    fn: (a, b) => (a === b ? 1 : 0),
  },
} as const satisfies Record<string, ScalarOpSpec>;

export type ScalarOp = keyof typeof SCALAR_OPS;

/** True for the operations that accept float32 operands only (targets render no integer form). */
export type FloatOnly<K extends ScalarOp> = (typeof SCALAR_OPS)[K]["accepts"] extends "float" ? true : false;

export function isScalarOp(name: string): name is ScalarOp {
  return Object.hasOwn(SCALAR_OPS, name);
}

type Vjp = (g: Node, ctx: VjpContext<Record<string, never>>) => readonly (Node | undefined)[];

/** Gradient share for max/min: all of it to the winner, half each on a tie. */
function winnerShare(win: Node, tie: Node): Node {
  return add(cast(win, { dtype: "float32" }), mul(cast(tie, { dtype: "float32" }), 0.5));
}

/** Gradients; comparisons have none. Binary ones sum back to each operand's shape. */
const GRADIENTS: { readonly [K in ScalarOp]?: Vjp } = {
  neg: (g) => [neg(g)],
  recip: (g, { out }) => [neg(mul(g, mul(out, out)))],
  sqrt: (g, { out }) => [div(g, mul(out, 2))],
  exp: (g, { out }) => [mul(g, out)],
  log: (g, { inputs: [x] }) => [div(g, x!)],
  sin: (g, { inputs: [x] }) => [mul(g, cos(x!))],
  cos: (g, { inputs: [x] }) => [neg(mul(g, sin(x!)))],
  tanh: (g, { out }) => [mul(g, sub(1, mul(out, out)))],
  erf: (g, { inputs: [x] }) => [mul(g, mul(exp(neg(mul(x!, x!))), 2 / Math.sqrt(Math.PI)))],
  // sign(x) = [0 < x] − [x < 0]; zero at zero, as in PyTorch.
  abs: (g, { inputs: [x] }) => {
    const sign = sub(cast(cmplt(0, x!), { dtype: x!.dtype }), cast(cmplt(x!, 0), { dtype: x!.dtype }));
    return [mul(g, sign)];
  },
  add: (g, { inputs: [a, b] }) => [unbroadcast(g, a!.shape), unbroadcast(g, b!.shape)],
  sub: (g, { inputs: [a, b] }) => [unbroadcast(g, a!.shape), unbroadcast(neg(g), b!.shape)],
  mul: (g, { inputs: [a, b] }) => [unbroadcast(mul(g, b!), a!.shape), unbroadcast(mul(g, a!), b!.shape)],
  div: (g, { inputs: [a, b], out }) => [
    unbroadcast(div(g, b!), a!.shape),
    unbroadcast(neg(mul(g, div(out, b!))), b!.shape),
  ],
  pow: (g, { inputs: [a, b], out }) => {
    const ga = mul(g, mul(b!, pow(a!, sub(b!, 1))));
    // d/db aᵇ = aᵇ·ln a, defined for a > 0; elsewhere the gradient is taken as 0.
    const positive = cmplt(0, a!);
    const gb = where(positive, mul(g, mul(out, log(where(positive, a!, 1)))), 0);
    return [unbroadcast(ga, a!.shape), unbroadcast(gb, b!.shape)];
  },
  max: (g, { inputs: [a, b] }) => {
    const tie = cmpeq(a!, b!);
    return [
      unbroadcast(mul(g, winnerShare(cmplt(b!, a!), tie)), a!.shape),
      unbroadcast(mul(g, winnerShare(cmplt(a!, b!), tie)), b!.shape),
    ];
  },
  min: (g, { inputs: [a, b] }) => {
    const tie = cmpeq(a!, b!);
    return [
      unbroadcast(mul(g, winnerShare(cmplt(a!, b!), tie)), a!.shape),
      unbroadcast(mul(g, winnerShare(cmplt(b!, a!), tie)), b!.shape),
    ];
  },
};

function defineScalarOps(): Record<ScalarOp, Instruction<Record<string, never>>> {
  const entries = Object.entries(SCALAR_OPS) as [ScalarOp, ScalarOpSpec][];
  return Object.fromEntries(
    entries.map(([name, spec]) => {
      const vjp = GRADIENTS[name];
      const decl = { name, ...spec, ...(vjp ? { vjp } : {}) };
      return [name, spec.arity === 1 ? defineUnary(decl) : defineBinary(decl)];
    }),
  ) as Record<ScalarOp, Instruction<Record<string, never>>>;
}

export const {
  neg,
  recip,
  sqrt,
  exp,
  log,
  sin,
  cos,
  tanh,
  erf,
  abs,
  add,
  sub,
  mul,
  div,
  pow,
  max,
  min,
  cmplt,
  cmpeq,
} = defineScalarOps();
