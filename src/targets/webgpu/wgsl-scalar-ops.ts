import type { ScalarRenderers } from "../../compiler/kernels/kernel-ir.js";

/**
 * Each scalar op of the kernel IR in WGSL over already-rendered operands: the float32
 * form on f32, the integer form on i32 (bools arrive as i32 0 and 1, see wgsl-expr.ts).
 * The helpers named here are in wgsl-prelude.ts.
 */
export type WgslRenderer = (...args: string[]) => string;

const call =
  (name: string): WgslRenderer =>
  (...args) =>
    `${name}(${args.join(", ")})`;
const infix =
  (operator: string): WgslRenderer =>
  (a, b) =>
    `(${a} ${operator} ${b})`;

export const WGSL_SCALAR_OPS: ScalarRenderers<WgslRenderer, WgslRenderer> = {
  neg: { float: (a) => `(-${a})`, int: (a) => `(-${a})` },
  recip: { float: (a) => `(1.0f / ${a})` },
  sqrt: { float: call("f_sqrt") },
  exp: { float: call("f_exp") },
  log: { float: call("f_log") },
  sin: { float: call("f_sin") },
  cos: { float: call("f_cos") },
  tanh: { float: call("f_tanh") },
  erf: { float: call("f_erf") },
  abs: { float: call("abs"), int: call("abs") },
  add: { float: infix("+"), int: infix("+") },
  sub: { float: infix("-"), int: infix("-") },
  mul: { float: infix("*"), int: infix("*") },
  div: { float: infix("/"), int: call("i_div") },
  pow: { float: call("f_pow") },
  max: { float: call("f_max"), int: call("max") },
  min: { float: call("f_min"), int: call("min") },
  cmplt: { float: infix("<"), int: infix("<") },
  cmpeq: { float: infix("=="), int: infix("==") },
};
