import type { Expr } from "../../compiler/kernels/kernel-ir.js";
import type { DType } from "../../ir/dtype.js";
import { cFloat, cInt } from "./c-literals.js";

/**
 * An elementwise expression as one C expression, evaluated at one position of the inner
 * loop. Leaves (loads, iota, random numbers) are rendered by the caller, which knows the
 * loop nest; everything else maps onto the prelude's helpers (c-prelude.ts), so the C
 * computes what the wasm kernels compute.
 *
 * Values are C `float` for float32, `int32_t` for int32 and `int` (0 or 1) for bool.
 */
export type Leaf = Extract<Expr, { kind: "load" | "iota" | "random" }>;

export function cType(dtype: DType): string {
  return dtype === "float32" ? "float" : dtype === "int32" ? "int32_t" : "uint8_t";
}

/**
 * `reduced` names the C variable that holds a reduction's row value (in its finalize and
 * epilogue) or a matmul's product (in its epilogue).
 */
export function cExpr(e: Expr, leaf: (l: Leaf) => string, reduced?: string): string {
  const r = (x: Expr) => cExpr(x, leaf, reduced);
  switch (e.kind) {
    case "reduced":
      if (reduced === undefined) throw new Error("internal: a reduced value outside a reduction or matmul");
      return reduced;
    case "const":
      return e.dtype === "float32"
        ? cFloat(e.value)
        : e.dtype === "int32"
          ? cInt(e.value)
          : e.value
            ? "1"
            : "0";
    case "load":
    case "iota":
    case "random":
      return leaf(e);
    case "where":
      return `(${r(e.args[0])} ? ${r(e.args[1])} : ${r(e.args[2])})`;
    case "cast":
      return castExpr(r(e.arg), e.arg.dtype, e.dtype);
    case "op":
      return opExpr(e, e.args.map(r));
  }
}

function castExpr(x: string, from: DType, to: DType): string {
  if (from === to) return x;
  if (to === "float32") return `((float)${x})`;
  if (to === "bool") return from === "float32" ? `f_to_bool(${x})` : `(${x} != 0)`;
  // to int32
  return from === "float32" ? `f_to_i32(${x})` : `((int32_t)${x})`;
}

const FLOAT_CALLS: Partial<Record<string, string>> = {
  sqrt: "sqrtf",
  exp: "f_exp",
  log: "f_log",
  sin: "f_sin",
  tanh: "f_tanh",
  erf: "f_erf",
  abs: "fabsf",
  pow: "f_pow",
  max: "f_max",
  min: "f_min",
};
const INT_CALLS: Partial<Record<string, string>> = {
  neg: "i_neg",
  abs: "i_abs",
  add: "i_add",
  sub: "i_sub",
  mul: "i_mul",
  div: "i_div",
  max: "i_max",
  min: "i_min",
};
const FLOAT_INFIX: Partial<Record<string, string>> = { add: "+", sub: "-", mul: "*", div: "/" };

function opExpr(e: Extract<Expr, { kind: "op" }>, args: string[]): string {
  const [a, b] = args;
  const operand = e.args[0]!.dtype;
  // Comparisons work alike on every dtype (bools are 0 and 1).
  if (e.op === "cmplt") return `(${a} < ${b})`;
  if (e.op === "cmpeq") return `(${a} == ${b})`;
  const call = (operand === "float32" ? FLOAT_CALLS : INT_CALLS)[e.op];
  if (operand === "float32") {
    if (e.op === "neg") return `(-${a})`;
    if (e.op === "recip") return `(1.0f / ${a})`;
    const infix = FLOAT_INFIX[e.op];
    if (infix) return `(${a} ${infix} ${b})`;
  }
  if (call === undefined) throw new Error(`internal: native target has no ${e.op} for ${operand}`);
  return `${call}(${args.join(", ")})`;
}
