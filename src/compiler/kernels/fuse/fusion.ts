import type { DType } from "../../../ir/dtype.js";
import { sizeOf } from "../../../ir/shape.js";
import type { Program, ProgramStep } from "../../program.js";
import { mapViews } from "../expr.js";
import type { BufferInfo, Expr, Kernel } from "../kernel-ir.js";
import { contiguousView, expandView, isContiguous, type View } from "../view.js";

/**
 * What fusion knows about a program slot: a buffer read through a view (a movement
 * instruction costs nothing), or an expression not yet written anywhere, with the
 * instructions it fused so far.
 */
export type Value = BufferValue | ExprValue;
export interface BufferValue {
  readonly kind: "buffer";
  readonly buffer: number;
  readonly view: View;
  readonly dtype: DType;
}
export interface ExprValue {
  readonly kind: "expr";
  readonly expr: Expr;
  readonly shape: readonly number[];
  readonly fused: string[];
}

/**
 * The kernel program under construction while fusing: buffers, kernels, the value of each
 * slot, and the operations handlers share (a new buffer, writing a value out, moving it).
 */
export class Fusion {
  readonly buffers: BufferInfo[] = [];
  readonly kernels: Kernel[] = [];
  private readonly values = new Map<number, Value>();
  /** A value several consumers need written out is written once. */
  private readonly written = new WeakMap<Value, BufferValue>();

  constructor(readonly program: Program) {}

  newBuffer(shape: readonly number[], dtype: DType): number {
    this.buffers.push({ size: sizeOf(shape), dtype });
    return this.buffers.length - 1;
  }

  /** A new contiguous buffer of the given shape, as a value. */
  wholeBuffer(buffer: number, shape: readonly number[], dtype: DType): BufferValue {
    return { kind: "buffer", buffer, view: contiguousView(shape), dtype };
  }

  set(slot: number, value: Value): void {
    this.values.set(slot, value);
  }

  valueAt(slot: number): Value {
    return this.values.get(slot)!;
  }

  /** Operand i of a step. */
  input(step: ProgramStep, i: number): Value {
    return this.valueAt(step.inputs[i]!);
  }

  asExpr(v: Value): { expr: Expr; fused: string[] } {
    return v.kind === "expr"
      ? { expr: v.expr, fused: v.fused }
      : { expr: { kind: "load", buffer: v.buffer, view: v.view, dtype: v.dtype }, fused: [] };
  }

  /** The value as an expression over `shape`, its leaves broadcast to it. */
  broadcastExpr(v: Value, shape: readonly number[]): { expr: Expr; fused: string[] } {
    const { expr, fused } = this.asExpr(v);
    return { expr: mapViews(expr, (view) => expandView(view, shape))!, fused };
  }

  /**
   * Writes a value to a new contiguous buffer, unless it already is the whole of one
   * (a contiguous slice starting inside a buffer is not: readers expect element 0 at the start).
   */
  materialize(v: Value, force = false): BufferValue {
    const whole =
      v.kind === "buffer" &&
      isContiguous(v.view) &&
      v.view.offset === 0 &&
      this.buffers[v.buffer]!.size === sizeOf(v.view.shape);
    if (whole && !force) return v;
    const done = this.written.get(v);
    if (done && !force) return done;
    const shape = shapeOf(v);
    const { expr, fused } = this.asExpr(v);
    const out = this.newBuffer(shape, expr.dtype);
    this.kernels.push({ kind: "elementwise", out, shape, expr, fused: fused.length ? fused : ["copy"] });
    const result = this.wholeBuffer(out, shape, expr.dtype);
    this.written.set(v, result);
    return result;
  }

  /** A buffer for an operand a kernel reads through a view; expressions are written out first. */
  materializeIfExpr(v: Value): BufferValue {
    return v.kind === "expr" ? this.materialize(v) : v;
  }

  /** The value seen through a view transformation; written out first where the view cannot express it. */
  moved(v: Value, f: (view: View) => View | undefined): Value {
    if (v.kind === "buffer") {
      const view = f(v.view);
      if (view) return { ...v, view };
      const copy = this.materialize(v, true);
      return { ...copy, view: f(copy.view)! };
    }
    const expr = mapViews(v.expr, f);
    if (expr) return { ...v, expr, shape: f(contiguousView(v.shape))!.shape };
    const copy = this.materialize(v);
    return { ...copy, view: f(copy.view)! };
  }
}

export function shapeOf(v: Value): readonly number[] {
  return v.kind === "buffer" ? v.view.shape : v.shape;
}

/** How one instruction becomes kernels (or a view, or an expression): the value of its output. */
export type FuseHandler = (step: ProgramStep, f: Fusion) => Value;
