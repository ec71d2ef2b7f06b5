import type { ScalarRenderers } from "../../compiler/kernels/kernel-ir.js";
import type { CodeWriter } from "./emitter/code-writer.js";
import { Op, SimdOp, ValType } from "./emitter/opcodes.js";
import { emitSimdMath, type SimdMath } from "./simd-math.js";

/**
 * How the wasm target renders each scalar operation. An emitter gets the code writer, a
 * function that emits operand i (as one value, or as four lanes, matching the emitter),
 * and the module's functions; it leaves the result on the stack.
 */
export interface ScalarOpContext {
  /** Indices of the imported JavaScript functions (see host-functions.ts). */
  readonly host: Readonly<Record<string, number>>;
  readonly simdMath: SimdMath;
}
export type ScalarEmitter = (cw: CodeWriter, arg: (i: number) => void, ctx: ScalarOpContext) => void;

/**
 * float32 operands: instructions for one f32 and for four lanes (f32x4); or a JavaScript
 * function called per element (per lane in vector code), for functions wasm lacks.
 */
export type WasmFloatOp =
  | { readonly scalar: ScalarEmitter; readonly lanes: ScalarEmitter }
  | { readonly host: (...xs: number[]) => number };

/** int32 operands (and bool, for comparisons): one i32; four lanes (i32x4) where SIMD has the operation. */
export interface WasmIntOp {
  readonly scalar: ScalarEmitter;
  readonly lanes?: ScalarEmitter;
}

const operands = (arg: (i: number) => void, n: number) => {
  for (let i = 0; i < n; i++) arg(i);
};
const op =
  (code: number, arity = 2): ScalarEmitter =>
  (cw, arg) => {
    operands(arg, arity);
    cw.op(code);
  };
const simd =
  (code: number, arity = 2): ScalarEmitter =>
  (cw, arg) => {
    operands(arg, arity);
    cw.simd(code);
  };
const float = (scalar: number, lanes: number, arity = 2): WasmFloatOp => ({
  scalar: op(scalar, arity),
  lanes: simd(lanes, arity),
});
const int = (scalar: number, lanes?: number): WasmIntOp => ({
  scalar: op(scalar),
  ...(lanes === undefined ? {} : { lanes: simd(lanes) }),
});

/**
 * One of simd-math.ts's four-lane functions: inline in vector code, called on a splatted
 * scalar in scalar code, so tails match vector lanes exactly.
 */
const simdMath = (name: keyof SimdMath): WasmFloatOp => ({
  scalar: (cw, arg, ctx) => {
    arg(0);
    cw.simd(SimdOp.f32x4_splat).call(ctx.simdMath[name]).lane(SimdOp.f32x4_extract_lane, 0);
  },
  lanes: (cw, arg) => {
    arg(0);
    emitSimdMath(cw, name);
  },
});

/** Integer max/min: select on a comparison of the two operands held in locals. */
const intSelect =
  (compare: number): ScalarEmitter =>
  (cw, arg) => {
    const [x, y] = [cw.local(ValType.i32), cw.local(ValType.i32)];
    arg(0);
    cw.set(x);
    arg(1);
    cw.set(y);
    cw.get(x).get(y).get(x).get(y).op(compare).op(Op.select);
  };

export const WASM_SCALAR_OPS: ScalarRenderers<WasmFloatOp, WasmIntOp> = {
  neg: {
    float: float(Op.f32_neg, SimdOp.f32x4_neg, 1),
    int: {
      scalar: (cw, arg) => {
        cw.i32(0);
        arg(0);
        cw.op(Op.i32_sub);
      },
      lanes: (cw, arg) => {
        cw.i32(0).simd(SimdOp.i32x4_splat);
        arg(0);
        cw.simd(SimdOp.i32x4_sub);
      },
    },
  },
  recip: {
    float: {
      scalar: (cw, arg) => {
        cw.f32(1);
        arg(0);
        cw.op(Op.f32_div);
      },
      lanes: (cw, arg) => {
        cw.f32(1).simd(SimdOp.f32x4_splat);
        arg(0);
        cw.simd(SimdOp.f32x4_div);
      },
    },
  },
  sqrt: { float: float(Op.f32_sqrt, SimdOp.f32x4_sqrt, 1) },
  exp: { float: simdMath("exp") },
  log: { float: { host: Math.log } },
  sin: { float: { host: Math.sin } },
  cos: { float: { host: Math.cos } },
  tanh: { float: simdMath("tanh") },
  erf: { float: simdMath("erf") },
  abs: {
    float: float(Op.f32_abs, SimdOp.f32x4_abs, 1),
    int: {
      // (x ^ (x >> 31)) − (x >> 31)
      scalar: (cw, arg) => {
        const t = cw.local(ValType.i32);
        arg(0);
        cw.tee(t)
          .get(t)
          .i32(31)
          .op(Op.i32_shr_s)
          .op(Op.i32_xor)
          .get(t)
          .i32(31)
          .op(Op.i32_shr_s)
          .op(Op.i32_sub);
      },
    },
  },
  add: { float: float(Op.f32_add, SimdOp.f32x4_add), int: int(Op.i32_add, SimdOp.i32x4_add) },
  sub: { float: float(Op.f32_sub, SimdOp.f32x4_sub), int: int(Op.i32_sub, SimdOp.i32x4_sub) },
  mul: { float: float(Op.f32_mul, SimdOp.f32x4_mul), int: int(Op.i32_mul, SimdOp.i32x4_mul) },
  div: {
    float: float(Op.f32_div, SimdOp.f32x4_div),
    // Truncating, and 0 for a zero divisor where wasm would trap: in JavaScript.
    int: {
      scalar: (cw, arg, ctx) => {
        operands(arg, 2);
        cw.call(ctx.host.idiv!);
      },
    },
  },
  pow: { float: { host: Math.pow } },
  max: { float: float(Op.f32_max, SimdOp.f32x4_max), int: { scalar: intSelect(Op.i32_gt_s) } },
  min: { float: float(Op.f32_min, SimdOp.f32x4_min), int: { scalar: intSelect(Op.i32_lt_s) } },
  cmplt: { float: float(Op.f32_lt, SimdOp.f32x4_lt), int: int(Op.i32_lt_s, SimdOp.i32x4_lt_s) },
  cmpeq: { float: float(Op.f32_eq, SimdOp.f32x4_eq), int: int(Op.i32_eq, SimdOp.i32x4_eq) },
};
