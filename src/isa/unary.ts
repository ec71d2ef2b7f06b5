import { type DType, isFloat } from "../ir/dtype.js";
import { add, div, mul, sub } from "./binary.js";
import { cmplt } from "./compare.js";
import { defineUnary } from "./elementwise.js";
import { defineInstruction, type Instruction } from "./instruction.js";
import { erf as erfScalar } from "./math.js";

/** Elementwise unary primitives. */

export const neg = defineUnary({
  name: "neg",
  doc: "−x",
  accepts: "numeric",
  fn: (x) => -x,
  vjp: (g) => [neg(g)],
});

export const recip = defineUnary({
  name: "recip",
  doc: "1 / x",
  accepts: "float",
  fn: (x) => 1 / x,
  vjp: (g, { out }) => [neg(mul(g, mul(out, out)))],
});

export const sqrt = defineUnary({
  name: "sqrt",
  doc: "√x",
  accepts: "float",
  fn: Math.sqrt,
  vjp: (g, { out }) => [div(g, mul(out, 2))],
});

export const exp = defineUnary({
  name: "exp",
  doc: "eˣ",
  accepts: "float",
  fn: Math.exp,
  vjp: (g, { out }) => [mul(g, out)],
});

export const log = defineUnary({
  name: "log",
  doc: "natural logarithm",
  accepts: "float",
  fn: Math.log,
  vjp: (g, { inputs: [x] }) => [div(g, x!)],
});

export const sin = defineUnary({
  name: "sin",
  doc: "sine (radians)",
  accepts: "float",
  fn: Math.sin,
  // cos x = sin(x + π/2): no separate cos primitive is needed.
  vjp: (g, { inputs: [x] }) => [mul(g, sin(add(x!, Math.PI / 2)))],
});

export const tanh = defineUnary({
  name: "tanh",
  doc: "hyperbolic tangent",
  accepts: "float",
  fn: Math.tanh,
  vjp: (g, { out }) => [mul(g, sub(1, mul(out, out)))],
});

export const erf = defineUnary({
  name: "erf",
  doc: "Gauss error function",
  accepts: "float",
  fn: erfScalar,
  vjp: (g, { inputs: [x] }) => [mul(g, mul(exp(neg(mul(x!, x!))), 2 / Math.sqrt(Math.PI)))],
});

export const abs = defineUnary({
  name: "abs",
  doc: "|x|",
  accepts: "numeric",
  fn: Math.abs,
  // sign(x) = [0 < x] − [x < 0]; zero at zero, as in PyTorch.
  vjp: (g, { inputs: [x] }) => {
    const sign = sub(cast(cmplt(0, x!), { dtype: x!.dtype }), cast(cmplt(x!, 0), { dtype: x!.dtype }));
    return [mul(g, sign)];
  },
});

/** Converts dtype. Float → int truncates toward zero (as C does); anything → bool is x ≠ 0. */
export const cast: Instruction<{ dtype: DType }> = defineInstruction<{ dtype: DType }>({
  name: "cast",
  doc: "converts to another dtype (float→int truncates toward zero)",
  operands: 1,
  attrs: { dtype: "dtype" },
  elementwise: true,
  shape: ([x]) => x!.shape,
  dtype: (_, { dtype }) => dtype,
  ref: ([x], out, { dtype }) => {
    const src = x!.data;
    if (dtype === "bool") for (let i = 0; i < src.length; i++) out.data[i] = src[i] ? 1 : 0;
    else if (dtype === "int32") for (let i = 0; i < src.length; i++) out.data[i] = Math.trunc(src[i]!);
    else out.data.set(src);
  },
  vjp: (g, { inputs: [x] }) => [isFloat(x!.dtype) ? cast(g, { dtype: x!.dtype }) : undefined],
});
