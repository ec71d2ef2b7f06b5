import type { Expr } from "../../compiler/kernels/kernel-ir.js";
import { bytesPer } from "../../ir/dtype.js";
import type { CodeWriter } from "./emitter/code-writer.js";
import { MiscOp, Op, SimdOp, ValType } from "./emitter/opcodes.js";
import { WASM_SCALAR_OPS, type WasmIntOp } from "./scalar-ops.js";
import type { SimdMath } from "./simd-math.js";

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
  readonly host: Readonly<Record<string, number>>;
  readonly simdMath: SimdMath;
  /** The inner counter local. */
  readonly j: number;
  /** In a reduction's finalize and epilogue: the local holding the row's reduced value. */
  readonly reduced?: number;
  /** The `reduced` local already holds four lanes (a matmul's accumulator), not one value. */
  readonly reducedIsVector?: boolean;
}

/** Whether an expression can be evaluated four lanes at a time. */
export function vectorizable(e: Expr, leaves: Map<Expr, LeafSlot>): boolean {
  const ok = (x: Expr) => vectorizable(x, leaves);
  switch (e.kind) {
    case "const":
      return true;
    case "reduced":
      return e.dtype !== "bool";
    case "load":
      // Four-byte elements only: bool and uint8 load one byte per lane.
      return bytesPer(e.dtype) === 4 && Math.abs(leaves.get(e)!.stride) <= 1 && leaves.get(e)!.stride >= 0;
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
      return intOp(e).lanes !== undefined && e.args.every(ok);
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

/** The integer renderer of an operation the instruction set lets take int32 or bool operands. */
function intOp(e: Extract<Expr, { kind: "op" }>): WasmIntOp {
  const r = WASM_SCALAR_OPS[e.op];
  if (!("int" in r)) throw new Error(`internal: ${e.op} on ${e.args[0]!.dtype}`);
  return r.int;
}

function emitScalarOp(ctx: ExprContext, e: Extract<Expr, { kind: "op" }>) {
  const { cw } = ctx;
  const arg = (i: number) => emitScalar(ctx, e.args[i]!);
  if (e.args[0]!.dtype !== "float32") {
    intOp(e).scalar(cw, arg, ctx);
    return;
  }
  const r = WASM_SCALAR_OPS[e.op].float;
  if ("host" in r) {
    for (let i = 0; i < e.args.length; i++) {
      arg(i);
      cw.op(Op.f64_promote_f32);
    }
    cw.call(ctx.host[e.op]!).op(Op.f32_demote_f64);
    return;
  }
  r.scalar(cw, arg, ctx);
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

function emitVectorOp(ctx: ExprContext, e: Extract<Expr, { kind: "op" }>) {
  const { cw } = ctx;
  const arg = (i: number) => emitVector(ctx, e.args[i]!);
  if (e.args[0]!.dtype !== "float32") {
    intOp(e).lanes!(cw, arg, ctx);
    return;
  }
  const r = WASM_SCALAR_OPS[e.op].float;
  if ("host" in r) emitLanewiseCall(ctx, e);
  else r.lanes(cw, arg, ctx);
}

/** A JavaScript function (log, sin, pow) on each lane. */
function emitLanewiseCall(ctx: ExprContext, e: Extract<Expr, { kind: "op" }>) {
  const { cw } = ctx;
  const x = cw.local(ValType.v128);
  const out = cw.local(ValType.v128);
  emitVector(ctx, e.args[0]!);
  cw.tee(x).set(out);
  let y = -1;
  if (e.args.length === 2) {
    y = cw.local(ValType.v128);
    emitVector(ctx, e.args[1]!);
    cw.set(y);
  }
  for (let lane = 0; lane < 4; lane++) {
    cw.get(out);
    cw.get(x).lane(SimdOp.f32x4_extract_lane, lane).op(Op.f64_promote_f32);
    if (y >= 0) cw.get(y).lane(SimdOp.f32x4_extract_lane, lane).op(Op.f64_promote_f32);
    cw.call(ctx.host[e.op]!).op(Op.f32_demote_f64);
    cw.lane(SimdOp.f32x4_replace_lane, lane).set(out);
  }
  cw.get(out);
}
