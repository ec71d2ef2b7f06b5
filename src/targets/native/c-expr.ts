import type { Leaf } from "../../compiler/kernels/expr.js";
import type { Expr, ReduceKernel, ScalarRenderers } from "../../compiler/kernels/kernel-ir.js";
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
export function cType(dtype: DType): string {
  return dtype === "float32" ? "float" : dtype === "int32" ? "int32_t" : "uint8_t";
}

/** A reduction's accumulator in C: its type, start value and combining step. */
export interface CReduction {
  /** The reduced values' C type. */
  t: string;
  /** Whether the values are float32 (else int32 or bool, combined as integers). */
  float: boolean;
  /** The stored value's dtype (after finalize). */
  outDType: DType;
  init: string;
  combine: (a: string, b: string) => string;
}

export function cReduction(kernel: ReduceKernel): CReduction {
  const dtype = kernel.expr.dtype;
  const float = dtype === "float32";
  const sum = kernel.op === "sum";
  return {
    t: cType(dtype),
    float,
    outDType: kernel.finalize?.dtype ?? dtype,
    init: sum ? (float ? "0.0f" : "0") : float ? "(-INFINITY)" : "INT32_MIN",
    combine: sum
      ? (a, b) => (float ? `${a} + ${b}` : `i_add(${a}, ${b})`)
      : (a, b) => (float ? `f_max(${a}, ${b})` : `i_max(${a}, ${b})`),
  };
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

type CRenderer = (...args: string[]) => string;
const call =
  (name: string): CRenderer =>
  (...args) =>
    `${name}(${args.join(", ")})`;
const infix =
  (operator: string): CRenderer =>
  (a, b) =>
    `(${a} ${operator} ${b})`;

/**
 * Each scalar operation as C over already-rendered operands. Integer forms go through the
 * prelude's wrapping helpers; comparisons are the same on every dtype (bools are 0 and 1).
 */
export const C_SCALAR_OPS: ScalarRenderers<CRenderer, CRenderer> = {
  neg: { float: (a) => `(-${a})`, int: call("i_neg") },
  recip: { float: (a) => `(1.0f / ${a})` },
  sqrt: { float: call("sqrtf") },
  exp: { float: call("f_exp") },
  log: { float: call("f_log") },
  sin: { float: call("f_sin") },
  // In double and rounded once, as the reference (Math.cos).
  cos: { float: (a) => `((float)cos((double)${a}))` },
  tanh: { float: call("f_tanh") },
  erf: { float: call("f_erf") },
  abs: { float: call("fabsf"), int: call("i_abs") },
  add: { float: infix("+"), int: call("i_add") },
  sub: { float: infix("-"), int: call("i_sub") },
  mul: { float: infix("*"), int: call("i_mul") },
  div: { float: infix("/"), int: call("i_div") },
  pow: { float: call("f_pow") },
  max: { float: call("f_max"), int: call("i_max") },
  min: { float: call("f_min"), int: call("i_min") },
  cmplt: { float: infix("<"), int: infix("<") },
  cmpeq: { float: infix("=="), int: infix("==") },
};

function opExpr(e: Extract<Expr, { kind: "op" }>, args: string[]): string {
  const r = C_SCALAR_OPS[e.op];
  if (e.args[0]!.dtype === "float32") return r.float(...args);
  if (!("int" in r)) throw new Error(`internal: native target has no ${e.op} for ${e.args[0]!.dtype}`);
  return r.int(...args);
}
