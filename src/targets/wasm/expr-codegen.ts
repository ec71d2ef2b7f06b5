import type { Expr } from "../../compiler/kernels/kernel-ir.js";
import { bytesPer } from "../../compiler/plan-memory.js";
import type { CodeWriter } from "./emitter/code-writer.js";
import { MiscOp, Op, SimdOp, ValType } from "./emitter/opcodes.js";
import type { HostFunctionName } from "./host-functions.js";
import { SIMD_MATH_OPS, type SimdMath } from "./simd-math.js";

/**
 * Emits the evaluation of an elementwise expression at one inner-loop position, as a
 * scalar (f32 for float32, i32 for int32 and bool) or as four lanes (v128: f32x4, or
 * i32x4 with bools as all-ones lane masks).
 *
 * Every leaf reads at `base + j·stride`: `base` is a local the loop nest sets for the
 * current outer position, `j` the inner counter, `stride` the leaf's inner stride.
 */
export interface LeafSlot {
  readonly base: number;
  readonly stride: number;
}

export interface ExprContext {
  readonly cw: CodeWriter;
  readonly leaves: Map<Expr, LeafSlot>;
  readonly bufferOffset: (buffer: number) => number;
  /** The local holding a buffer's base address (see buffer-bases.ts). */
  readonly base: (buffer: number) => number;
  readonly host: Record<HostFunctionName, number>;
  readonly simdMath: SimdMath;
  /** The inner counter local. */
  readonly j: number;
  /** In a reduction's finalize and epilogue: the local holding the row's reduced value. */
  readonly reduced?: number;
  /** The `reduced` local already holds four lanes (a matmul's accumulator), not one value. */
  readonly reducedIsVector?: boolean;
}

/** Computed by calling JavaScript (one element at a time). */
const HOST_MATH = new Set(["log", "sin"]);

/** Whether an expression can be evaluated four lanes at a time. */
export function vectorizable(e: Expr, leaves: Map<Expr, LeafSlot>): boolean {
  const ok = (x: Expr) => vectorizable(x, leaves);
  switch (e.kind) {
    case "const":
      return true;
    case "reduced":
      return e.dtype !== "bool";
    case "load":
      return e.dtype !== "bool" && Math.abs(leaves.get(e)!.stride) <= 1 && leaves.get(e)!.stride >= 0;
    case "iota":
      return e.dtype === "int32";
    case "random":
      return false;
    case "cast":
      return ok(e.arg);
    case "where":
      return e.args.every(ok);
    case "op": {
      const t = e.args[0]!.dtype;
      if (t === "float32") return e.args.every(ok);
      if (t === "bool") return false;
      return ["add", "sub", "mul", "neg", "cmplt", "cmpeq"].includes(e.op) && e.args.every(ok);
    }
  }
}

/** The element index a leaf reads at the current position: base + j·stride. */
function emitIndex(ctx: ExprContext, slot: LeafSlot) {
  const { cw } = ctx;
  cw.get(slot.base);
  if (slot.stride !== 0) {
    cw.get(ctx.j);
    if (slot.stride !== 1) cw.i32(slot.stride).op(Op.i32_mul);
    cw.op(Op.i32_add);
  }
}

/** Byte address relative to memory: arena base + index·bytes (the buffer offset goes in the memarg). */
function emitAddress(ctx: ExprContext, slot: LeafSlot, bytes: number, buffer: number) {
  emitIndex(ctx, slot);
  if (bytes === 4) ctx.cw.i32(2).op(Op.i32_shl);
  ctx.cw.get(ctx.base(buffer)).op(Op.i32_add);
}

/** Every kernel function is (tile begin, tile end, arena base): the base of this run's arena. */
export const ARENA_BASE = 2;

export function emitScalar(ctx: ExprContext, e: Expr): void {
  const { cw } = ctx;
  switch (e.kind) {
    case "reduced":
      cw.get(ctx.reduced!);
      return;
    case "const":
      if (e.dtype === "float32") cw.f32(e.value);
      else cw.i32(e.value);
      return;
    case "load": {
      const slot = ctx.leaves.get(e)!;
      const bytes = bytesPer(e.dtype);
      emitAddress(ctx, slot, bytes, e.buffer);
      const off = ctx.bufferOffset(e.buffer);
      if (e.dtype === "float32") cw.mem(Op.f32_load, 2, off);
      else if (e.dtype === "int32") cw.mem(Op.i32_load, 2, off);
      else cw.mem(Op.i32_load8_u, 0, off);
      return;
    }
    case "iota": {
      emitIndex(ctx, ctx.leaves.get(e)!);
      if (e.dtype === "int32") {
        cw.i32(e.step).op(Op.i32_mul).i32(e.start).op(Op.i32_add);
      } else {
        // In float64, as the reference computes start + i·step, then rounded once.
        cw.op(Op.f64_convert_i32_s)
          .f64(e.step)
          .op(Op.f64_mul)
          .f64(e.start)
          .op(Op.f64_add)
          .op(Op.f32_demote_f64);
      }
      return;
    }
    case "random":
      cw.get(ctx.base(e.seedBuffer)).mem(Op.i32_load, 2, ctx.bufferOffset(e.seedBuffer));
      emitIndex(ctx, ctx.leaves.get(e)!);
      cw.call(ctx.host[e.distribution === "uniform" ? "uniform" : "normal"]).op(Op.f32_demote_f64);
      return;
    case "where":
      emitScalar(ctx, e.args[1]);
      emitScalar(ctx, e.args[2]);
      emitScalar(ctx, e.args[0]);
      cw.op(Op.select);
      return;
    case "cast":
      emitScalarCast(ctx, e.arg, e.dtype);
      return;
    case "op":
      emitScalarOp(ctx, e);
      return;
  }
}

function emitScalarCast(ctx: ExprContext, arg: Expr, to: Expr["dtype"]) {
  const { cw } = ctx;
  const from = arg.dtype;
  emitScalar(ctx, arg);
  if (from === to) return;
  if (to === "float32") {
    cw.op(Op.f32_convert_i32_s);
  } else if (from === "float32" && to === "int32") {
    cw.misc(MiscOp.i32_trunc_sat_f32_s);
  } else if (from === "float32" && to === "bool") {
    // x ≠ 0, and NaN → false as in the reference (NaN is falsy): (x < 0) | (0 < x)
    const t = cw.local(ValType.f32);
    cw.tee(t).f32(0).op(Op.f32_lt).f32(0).get(t).op(Op.f32_lt).op(Op.i32_or);
  } else if (to === "bool") {
    cw.i32(0).op(Op.i32_ne);
  }
  // bool → int32: already 0/1
}

function emitScalarOp(ctx: ExprContext, e: Extract<Expr, { kind: "op" }>) {
  const { cw } = ctx;
  const float = e.args[0]!.dtype === "float32";
  const [a, b] = e.args;
  const both = () => {
    emitScalar(ctx, a!);
    emitScalar(ctx, b!);
  };
  if (SIMD_MATH_OPS.has(e.op)) {
    // The four-lane function on a splat, so scalar tails match vector lanes exactly.
    emitScalar(ctx, a!);
    cw.simd(SimdOp.f32x4_splat)
      .call(ctx.simdMath[e.op as keyof SimdMath])
      .lane(SimdOp.f32x4_extract_lane, 0);
    return;
  }
  if (HOST_MATH.has(e.op)) {
    emitScalar(ctx, a!);
    cw.op(Op.f64_promote_f32)
      .call(ctx.host[e.op as HostFunctionName])
      .op(Op.f32_demote_f64);
    return;
  }
  switch (e.op) {
    case "neg":
      if (float) {
        emitScalar(ctx, a!);
        cw.op(Op.f32_neg);
      } else {
        cw.i32(0);
        emitScalar(ctx, a!);
        cw.op(Op.i32_sub);
      }
      return;
    case "abs":
      if (float) {
        emitScalar(ctx, a!);
        cw.op(Op.f32_abs);
      } else {
        const t = cw.local(ValType.i32);
        emitScalar(ctx, a!);
        // (x ^ (x >> 31)) − (x >> 31)
        cw.tee(t)
          .get(t)
          .i32(31)
          .op(Op.i32_shr_s)
          .op(Op.i32_xor)
          .get(t)
          .i32(31)
          .op(Op.i32_shr_s)
          .op(Op.i32_sub);
      }
      return;
    case "recip":
      cw.f32(1);
      emitScalar(ctx, a!);
      cw.op(Op.f32_div);
      return;
    case "sqrt":
      emitScalar(ctx, a!);
      cw.op(Op.f32_sqrt);
      return;
    case "pow":
      emitScalar(ctx, a!);
      cw.op(Op.f64_promote_f32);
      emitScalar(ctx, b!);
      cw.op(Op.f64_promote_f32).call(ctx.host.pow).op(Op.f32_demote_f64);
      return;
    case "add":
      both();
      cw.op(float ? Op.f32_add : Op.i32_add);
      return;
    case "sub":
      both();
      cw.op(float ? Op.f32_sub : Op.i32_sub);
      return;
    case "mul":
      both();
      cw.op(float ? Op.f32_mul : Op.i32_mul);
      return;
    case "div":
      both();
      if (float) cw.op(Op.f32_div);
      else cw.call(ctx.host.idiv);
      return;
    case "max":
    case "min":
      if (float) {
        both();
        cw.op(e.op === "max" ? Op.f32_max : Op.f32_min);
      } else {
        const [x, y] = [cw.local(ValType.i32), cw.local(ValType.i32)];
        emitScalar(ctx, a!);
        cw.set(x);
        emitScalar(ctx, b!);
        cw.set(y);
        cw.get(x)
          .get(y)
          .get(x)
          .get(y)
          .op(e.op === "max" ? Op.i32_gt_s : Op.i32_lt_s)
          .op(Op.select);
      }
      return;
    case "cmplt":
      both();
      cw.op(float ? Op.f32_lt : Op.i32_lt_s);
      return;
    case "cmpeq":
      both();
      cw.op(float ? Op.f32_eq : Op.i32_eq);
      return;
  }
}

/** Four lanes of an expression (call only when `vectorizable`). */
export function emitVector(ctx: ExprContext, e: Expr): void {
  const { cw } = ctx;
  switch (e.kind) {
    case "reduced":
      cw.get(ctx.reduced!);
      if (!ctx.reducedIsVector) cw.simd(e.dtype === "float32" ? SimdOp.f32x4_splat : SimdOp.i32x4_splat);
      return;
    case "const":
      if (e.dtype === "float32") cw.f32(e.value).simd(SimdOp.f32x4_splat);
      else cw.i32(e.dtype === "bool" ? (e.value ? -1 : 0) : e.value).simd(SimdOp.i32x4_splat);
      return;
    case "load": {
      const slot = ctx.leaves.get(e)!;
      const off = ctx.bufferOffset(e.buffer);
      emitAddress(ctx, slot, 4, e.buffer);
      if (slot.stride === 0) {
        cw.mem(e.dtype === "float32" ? Op.f32_load : Op.i32_load, 2, off);
        cw.simd(e.dtype === "float32" ? SimdOp.f32x4_splat : SimdOp.i32x4_splat);
      } else {
        cw.simdMem(SimdOp.v128_load, off);
      }
      return;
    }
    case "iota": {
      // lanes: start + step·(base + j·s + lane·s)
      const slot = ctx.leaves.get(e)!;
      emitIndex(ctx, slot);
      cw.simd(SimdOp.i32x4_splat);
      cw.simd(SimdOp.v128_const);
      for (let lane = 0; lane < 4; lane++)
        cw.bytes.push(...new Uint8Array(Int32Array.of(lane * slot.stride).buffer));
      cw.simd(SimdOp.i32x4_add);
      cw.i32(e.step).simd(SimdOp.i32x4_splat).simd(SimdOp.i32x4_mul);
      cw.i32(e.start).simd(SimdOp.i32x4_splat).simd(SimdOp.i32x4_add);
      return;
    }
    case "random":
      throw new Error("internal: random numbers are not vectorised");
    case "where":
      emitVector(ctx, e.args[1]);
      emitVector(ctx, e.args[2]);
      emitVector(ctx, e.args[0]);
      cw.simd(SimdOp.v128_bitselect);
      return;
    case "cast":
      emitVectorCast(ctx, e.arg, e.dtype);
      return;
    case "op":
      emitVectorOp(ctx, e);
      return;
  }
}

function emitVectorCast(ctx: ExprContext, arg: Expr, to: Expr["dtype"]) {
  const { cw } = ctx;
  const from = arg.dtype;
  emitVector(ctx, arg);
  if (from === to) return;
  if (from === "bool") {
    // lane masks → 1.0 / 1
    if (to === "float32") cw.f32(1).simd(SimdOp.f32x4_splat);
    else cw.i32(1).simd(SimdOp.i32x4_splat);
    cw.simd(SimdOp.v128_and);
  } else if (to === "bool") {
    const t = cw.local(ValType.v128);
    if (from === "float32") {
      cw.tee(t).f32(0).simd(SimdOp.f32x4_splat).simd(SimdOp.f32x4_lt);
      cw.f32(0).simd(SimdOp.f32x4_splat).get(t).simd(SimdOp.f32x4_lt).simd(SimdOp.v128_or);
    } else {
      cw.i32(0).simd(SimdOp.i32x4_splat).simd(SimdOp.i32x4_eq).simd(SimdOp.v128_not);
    }
  } else if (to === "float32") {
    cw.simd(SimdOp.f32x4_convert_i32x4_s);
  } else {
    cw.simd(SimdOp.i32x4_trunc_sat_f32x4_s);
  }
}

const F32X4: Partial<Record<string, number>> = {
  add: SimdOp.f32x4_add,
  sub: SimdOp.f32x4_sub,
  mul: SimdOp.f32x4_mul,
  div: SimdOp.f32x4_div,
  max: SimdOp.f32x4_max,
  min: SimdOp.f32x4_min,
  cmplt: SimdOp.f32x4_lt,
  cmpeq: SimdOp.f32x4_eq,
};
const I32X4: Partial<Record<string, number>> = {
  add: SimdOp.i32x4_add,
  sub: SimdOp.i32x4_sub,
  mul: SimdOp.i32x4_mul,
  cmplt: SimdOp.i32x4_lt_s,
  cmpeq: SimdOp.i32x4_eq,
};

function emitVectorOp(ctx: ExprContext, e: Extract<Expr, { kind: "op" }>) {
  const { cw } = ctx;
  const float = e.args[0]!.dtype === "float32";
  const binary = (float ? F32X4 : I32X4)[e.op];
  if (binary !== undefined) {
    emitVector(ctx, e.args[0]!);
    emitVector(ctx, e.args[1]!);
    cw.simd(binary);
    return;
  }
  switch (e.op) {
    case "neg":
      if (float) {
        emitVector(ctx, e.args[0]!);
        cw.simd(SimdOp.f32x4_neg);
      } else {
        cw.i32(0).simd(SimdOp.i32x4_splat);
        emitVector(ctx, e.args[0]!);
        cw.simd(SimdOp.i32x4_sub);
      }
      return;
    case "abs":
      emitVector(ctx, e.args[0]!);
      cw.simd(SimdOp.f32x4_abs);
      return;
    case "sqrt":
      emitVector(ctx, e.args[0]!);
      cw.simd(SimdOp.f32x4_sqrt);
      return;
    case "recip":
      cw.f32(1).simd(SimdOp.f32x4_splat);
      emitVector(ctx, e.args[0]!);
      cw.simd(SimdOp.f32x4_div);
      return;
    case "exp":
    case "tanh":
    case "erf":
      emitVector(ctx, e.args[0]!);
      cw.call(ctx.simdMath[e.op]);
      return;
    default:
      emitLanewiseCall(ctx, e);
  }
}

/** log, sin and pow: each lane through the host function. */
function emitLanewiseCall(ctx: ExprContext, e: Extract<Expr, { kind: "op" }>) {
  const { cw } = ctx;
  const x = cw.local(ValType.v128);
  const out = cw.local(ValType.v128);
  emitVector(ctx, e.args[0]!);
  cw.tee(x).set(out);
  let y = -1;
  if (e.op === "pow") {
    y = cw.local(ValType.v128);
    emitVector(ctx, e.args[1]!);
    cw.set(y);
  }
  for (let lane = 0; lane < 4; lane++) {
    cw.get(out);
    cw.get(x).lane(SimdOp.f32x4_extract_lane, lane).op(Op.f64_promote_f32);
    if (y >= 0) cw.get(y).lane(SimdOp.f32x4_extract_lane, lane).op(Op.f64_promote_f32);
    cw.call(ctx.host[e.op as HostFunctionName]).op(Op.f32_demote_f64);
    cw.lane(SimdOp.f32x4_replace_lane, lane).set(out);
  }
  cw.get(out);
}
