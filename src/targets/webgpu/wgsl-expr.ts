import type { Expr } from "../../compiler/kernels/kernel-ir.js";
import type { DType } from "../../ir/dtype.js";
import { wgslF32, wgslI32 } from "./wgsl-literals.js";
import { WGSL_SCALAR_OPS, type WgslRenderer } from "./wgsl-scalar-ops.js";

/**
 * An elementwise expression as one WGSL expression. Leaves (loads, iota, random numbers)
 * are rendered by the caller, which knows the index arithmetic. Values are f32 for
 * float32, i32 for int32 and bool for bool; buffers hold every dtype as 32-bit words.
 */
export type Leaf = Extract<Expr, { kind: "load" | "iota" | "random" }>;

/** `reduced` is the WGSL name of a reduction's row value, or a matmul's product. */
export function wgslExpr(e: Expr, leaf: (l: Leaf) => string, reduced?: string): string {
  const r = (x: Expr) => wgslExpr(x, leaf, reduced);
  switch (e.kind) {
    case "reduced":
      if (reduced === undefined) throw new Error("internal: a reduced value outside a reduction or matmul");
      return reduced;
    case "const":
      return e.dtype === "float32"
        ? wgslF32(e.value)
        : e.dtype === "int32"
          ? wgslI32(e.value)
          : e.value
            ? "true"
            : "false";
    case "load":
    case "iota":
    case "random":
      return leaf(e);
    case "where":
      return `select(${r(e.args[2])}, ${r(e.args[1])}, ${r(e.args[0])})`;
    case "cast":
      return castExpr(r(e.arg), e.arg.dtype, e.dtype);
    case "op": {
      const operand = e.args[0]!.dtype;
      // Bools compute as 0 and 1 (max of two bools, a bool compared for order).
      const asInt = operand === "bool" && e.op !== "cmpeq";
      const args = e.args.map((a) => (asInt ? `select(0i, 1i, ${r(a)})` : r(a)));
      const renderer = WGSL_SCALAR_OPS[e.op];
      const float = operand === "float32" && !asInt;
      if (!float && !("int" in renderer))
        throw new Error(`internal: webgpu target has no ${e.op} for ${operand}`);
      const value = float ? renderer.float(...args) : (renderer as { int: WgslRenderer }).int(...args);
      return asInt && e.dtype === "bool" ? `(${value} != 0i)` : value;
    }
  }
}

function castExpr(x: string, from: DType, to: DType): string {
  if (from === to) return x;
  if (to === "float32") return from === "bool" ? `select(0.0f, 1.0f, ${x})` : `f32(${x})`;
  if (to === "bool") return from === "float32" ? `f_to_bool(${x})` : `(${x} != 0i)`;
  // To int32 (nothing casts to uint8: it holds packed bytes, read as i32 here).
  return from === "float32" ? `f_to_i32(${x})` : from === "bool" ? `select(0i, 1i, ${x})` : x;
}

/** A 32-bit word of a buffer as a value of `dtype`. */
export function fromWord(word: string, dtype: DType): string {
  return dtype === "float32"
    ? `bitcast<f32>(${word})`
    : dtype === "int32"
      ? `bitcast<i32>(${word})`
      : `(${word} != 0u)`;
}

/** A value of `dtype` as the 32-bit word stored. */
export function toWord(value: string, dtype: DType): string {
  return dtype === "bool" ? `select(0u, 1u, ${value})` : `bitcast<u32>(${value})`;
}

export function wgslType(dtype: DType): string {
  return dtype === "float32" ? "f32" : dtype === "int32" ? "i32" : "bool";
}
