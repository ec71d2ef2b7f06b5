import { exprBuffers, exprLeaves, exprViews } from "../../compiler/kernels/expr.js";
import type { Expr, ReduceKernel } from "../../compiler/kernels/kernel-ir.js";
import { coalesceAxes } from "../../compiler/kernels/loop-nest.js";
import { stridesOf } from "../../ir/shape.js";
import { bindBufferBases } from "./buffer-bases.js";
import { CodeWriter } from "./emitter/code-writer.js";
import { Op, SimdOp, ValType } from "./emitter/opcodes.js";
import {
  ARENA_BASE,
  type ExprContext,
  emitScalar,
  emitVector,
  type LeafSlot,
  vectorizable,
} from "./expr-codegen.js";
import {
  type RenderContext,
  type RenderedKernel,
  storeScalar,
  TILE_BEGIN,
  TILE_END,
} from "./render-elementwise.js";

/** Vectors of neighbouring outputs computed together: 16 columns, a cache line of each row per step. */
const BLOCK = 4;

/**
 * A float32 reduction across rows (the innermost kept axis contiguous, the innermost
 * reduced axis strided: a bias gradient, sum over axis 0 of [rows, columns]), computing
 * neighbouring outputs together: each step along the reduced axes reads 16 contiguous
 * elements into four f32x4 accumulators, one lane per output, instead of walking each
 * output's column one element at a time. Columns left over at the end of a tile are
 * reduced one by one. Each output adds its elements in the order of the reduced axes
 * either way (as the row kernel does for a strided axis), so results do not depend on
 * the tiling. Returns undefined for a reduction this does not fit.
 */
export function renderReduceColumns(kernel: ReduceKernel, ctx: RenderContext): RenderedKernel | undefined {
  if (kernel.epilogue || kernel.expr.dtype !== "float32") return undefined;
  if ((kernel.finalize?.dtype ?? "float32") !== "float32") return undefined;
  const kept = [...kernel.shape.keys()].filter((a) => !kernel.axes.includes(a));
  const reduced = [...kernel.axes];
  const keptShape = kept.map((a) => kernel.shape[a]!);
  const redShape = reduced.map((a) => kernel.shape[a]!);
  if (keptShape.length === 0 || [...keptShape, ...redShape].some((d) => d === 0)) return undefined;
  const leaves = exprLeaves(kernel.expr, false);
  const views = exprViews(kernel.expr);
  const keptNest = coalesceAxes(keptShape, [
    ...views.map((v) => kept.map((a) => v.strides[a]!)),
    stridesOf(keptShape),
  ]);
  const redNest = coalesceAxes(
    redShape,
    views.map((v) => reduced.map((a) => v.strides[a]!)),
  );
  const keptInner = keptNest.shape.length - 1;
  const redInner = redNest.shape.length - 1;
  const along = (k: number) => keptNest.strides[k]![keptInner]!;
  const slots = new Map<Expr, LeafSlot>(leaves.map((l, k) => [l, { base: -1, stride: along(k) }]));
  const fits =
    keptNest.shape[keptInner]! >= 4 * BLOCK &&
    along(views.length) === 1 &&
    views.every((_, k) => along(k) === 0 || along(k) === 1) &&
    views.some((_, k) => leaves[k]!.kind === "load" && ![0, 1].includes(redNest.strides[k]![redInner]!)) &&
    vectorizable(kernel.expr, slots);
  if (!fits) return undefined;

  const cw = new CodeWriter(3);
  const base = bindBufferBases(cw, ctx, exprBuffers(kernel.expr));
  const i32 = () => cw.local(ValType.i32);
  const keptCounters = keptNest.shape.map(() => i32());
  const redCounters = redNest.shape.map(() => i32());
  const rowBases = views.map(() => i32());
  const bases = views.map(() => i32());
  const [jb, jEnd, j, outBase, column] = [i32(), i32(), i32(), i32(), i32()];
  const acc = Array.from({ length: BLOCK }, () => cw.local(ValType.v128));
  const scalarAcc = cw.local(ValType.f32);
  const finalized = cw.local(ValType.f32);
  const leafSlots = new Map<Expr, LeafSlot>(leaves.map((l, k) => [l, { base: bases[k]!, stride: along(k) }]));
  const exprCtx: ExprContext = { ...ctx, base, cw, leaves: leafSlots, j, reduced: finalized };
  const isSum = kernel.op === "sum";
  const init = isSum ? 0 : Number.NEGATIVE_INFINITY;

  /** Loops over the reduced axes; at each step the leaves' bases are placed, then `body`. */
  const overReduced = (body: () => void) =>
    cw.nestedLoops(redCounters, redNest.shape, () => {
      bases.forEach((b, k) => {
        cw.get(rowBases[k]!).addStrided(redCounters, redNest.strides[k]!).set(b);
      });
      body();
    });
  const store = (value: () => void, offset: () => void) => {
    cw.get(outBase);
    offset();
    cw.op(Op.i32_add).i32(2).op(Op.i32_shl).get(ARENA_BASE).op(Op.i32_add);
    value();
    cw.set(finalized);
    if (kernel.finalize) {
      emitScalar(exprCtx, kernel.finalize);
      cw.set(finalized);
    }
    cw.get(finalized);
    storeScalar(cw, "float32", ctx.bufferOffset(kernel.out));
  };

  const columns = () => {
    // Where each view and the output start for this position of the outer kept axes.
    views.forEach((v, k) => {
      cw.i32(v.offset).addStrided(keptCounters.slice(0, keptInner), keptNest.strides[k]!).set(rowBases[k]!);
    });
    cw.i32(0).addStrided(keptCounters.slice(0, keptInner), keptNest.strides[views.length]!).set(outBase);
    // The columns of this tile when the contiguous axis is the one tiles split, else all.
    if (keptInner === 0) cw.get(TILE_BEGIN).set(jb).get(TILE_END).set(jEnd);
    else cw.i32(0).set(jb).i32(keptNest.shape[keptInner]!).set(jEnd);
    // Blocks of 4·BLOCK columns.
    cw.block(() => {
      cw.loop(() => {
        cw.get(jb)
          .i32(4 * BLOCK)
          .op(Op.i32_add)
          .get(jEnd)
          .op(Op.i32_gt_s)
          .br_if(1);
        for (const a of acc) cw.f32(init).simd(SimdOp.f32x4_splat).set(a);
        overReduced(() => {
          acc.forEach((a, u) => {
            cw.get(jb)
              .i32(4 * u)
              .op(Op.i32_add)
              .set(j);
            cw.get(a);
            emitVector(exprCtx, kernel.expr);
            cw.simd(isSum ? SimdOp.f32x4_add : SimdOp.f32x4_max).set(a);
          });
        });
        acc.forEach((a, u) => {
          for (let lane = 0; lane < 4; lane++) {
            store(
              () => cw.get(a).lane(SimdOp.f32x4_extract_lane, lane),
              () =>
                cw
                  .get(jb)
                  .i32(4 * u + lane)
                  .op(Op.i32_add),
            );
          }
        });
        cw.get(jb)
          .i32(4 * BLOCK)
          .op(Op.i32_add)
          .set(jb);
        cw.br(0);
      });
    });
    // The remaining columns, one at a time.
    cw.forLoop(
      column,
      () => cw.get(jb),
      () => cw.get(jEnd),
      1,
      () => {
        cw.get(column).set(j);
        cw.f32(init).set(scalarAcc);
        overReduced(() => {
          cw.get(scalarAcc);
          emitScalar(exprCtx, kernel.expr);
          cw.op(isSum ? Op.f32_add : Op.f32_max).set(scalarAcc);
        });
        store(
          () => cw.get(scalarAcc),
          () => cw.get(column),
        );
      },
    );
  };

  cw.nestedLoops(keptCounters.slice(0, keptInner), keptNest.shape, columns, [TILE_BEGIN, TILE_END]);
  return { code: cw, units: keptNest.shape[0]! };
}
