import type { ScalarOp } from "../../compiler/kernels/kernel-ir.js";
import type { DType } from "../../ir/dtype.js";

/**
 * Each scalar op of the kernel IR in WGSL, given its rendered operands and their dtype
 * (float32 as f32, int32 as i32; bool operands arrive as i32 0/1 except for cmpeq).
 * The helpers named here are in wgsl-prelude.ts.
 */
export type WgslScalarOp = (args: readonly string[], operand: DType) => string;

const float = (f: (a: readonly string[]) => string, i: (a: readonly string[]) => string): WgslScalarOp => (args, operand) =>
  operand === "float32" ? f(args) : i(args);

const call = (name: string) => (args: readonly string[]) => `${name}(${args.join(", ")})`;
const floatOnly = (name: string) =>
  float(call(name), () => {
    throw new Error(`internal: ${name} on integers`);
  });

export const WGSL_SCALAR_OPS: Readonly<Record<ScalarOp, WgslScalarOp>> = {
  neg: ([a]) => `(-${a})`,
  recip: float(([a]) => `(1.0f / ${a})`, ([a]) => `i_div(1i, ${a})`),
  sqrt: floatOnly("sqrt"),
  exp: floatOnly("f_exp"),
  log: floatOnly("log"),
  sin: floatOnly("sin"),
  tanh: floatOnly("f_tanh"),
  erf: floatOnly("f_erf"),
  abs: call("abs"),
  add: ([a, b]) => `(${a} + ${b})`,
  sub: ([a, b]) => `(${a} - ${b})`,
  mul: ([a, b]) => `(${a} * ${b})`,
  div: float(([a, b]) => `(${a} / ${b})`, call("i_div")),
  pow: floatOnly("f_pow"),
  max: float(call("f_max"), call("max")),
  min: float(call("f_min"), call("min")),
  cmplt: ([a, b]) => `(${a} < ${b})`,
  cmpeq: ([a, b]) => `(${a} == ${b})`,
};
