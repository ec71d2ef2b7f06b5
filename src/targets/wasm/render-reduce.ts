import { exprBuffers, exprLeaves, exprViews } from "../../compiler/kernels/expr.js";
import type { Expr, ReduceKernel } from "../../compiler/kernels/kernel-ir.js";
import { coalesceAxes } from "../../compiler/kernels/loop-nest.js";
import { bytesPer } from "../../ir/dtype.js";
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
  nestOf,
  type RenderContext,
  type RenderedKernel,
  storeScalar,
  TILE_BEGIN,
  TILE_END,
} from "./render-elementwise.js";
import { renderReduceColumns } from "./render-reduce-columns.js";

/**
 * Reductions loop over the kept axes outside and the reduced axes inside, accumulating in
 * a register (four lanes wide when the innermost reduced axis allows) before one store.
 * A fused epilogue then sweeps the same row again, writing an elementwise result that uses
 * the row's reduced value: the row is still in cache and the value in a register.
 * Tiles split the first kept axis, so each row is computed whole by one tile. Reductions
 * across rows go to render-reduce-columns.ts.
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: it emits one WebAssembly function, and the closures that emit its loops (row, lanes, tail, finalize, epilogue) share its locals
export function renderReduce(kernel: ReduceKernel, ctx: RenderContext): RenderedKernel {
  // Across rows (a strided reduced axis, contiguous outputs): neighbouring outputs together.
  const columns = renderReduceColumns(kernel, ctx);
  if (columns) return columns;
  const cw = new CodeWriter(3);
  const base = bindBufferBases(cw, ctx, [
    ...exprBuffers(kernel.expr),
    ...(kernel.epilogue ? exprBuffers(kernel.epilogue.expr) : []),
  ]);
  const kept = [...kernel.shape.keys()].filter((a) => !kernel.axes.includes(a));
  const reduced = [...kernel.axes];
  const keptShape = kept.map((a) => kernel.shape[a]!);
  if (keptShape.some((d) => d === 0)) return { code: cw, units: 0 };
  const epilogue = kernel.epilogue;

  // Every view over the full index space: prologue leaves, epilogue leaves, epilogue output.
  const proLeaves = exprLeaves(kernel.expr, false);
  const epiLeaves = epilogue ? exprLeaves(epilogue.expr, false) : [];
  const views = [
    ...exprViews(kernel.expr),
    ...(epilogue ? exprViews(epilogue.expr) : []),
    ...(epilogue ? [{ strides: stridesOf(kernel.shape), offset: 0 }] : []),
  ];
  const epiOutSet = views.length - 1;
  const keptNest = coalesceAxes(keptShape, [
    ...views.map((v) => kept.map((a) => v.strides[a]!)),
    stridesOf(keptShape),
  ]);
  const redNest = nestOf(
    reduced.map((a) => kernel.shape[a]!),
    views.map((v) => reduced.map((a) => v.strides[a]!)),
    views.map(() => 0),
  );
  const empty = reduced.some((a) => kernel.shape[a] === 0);

  const dtype = kernel.expr.dtype;
  const float = dtype === "float32";
  const isSum = kernel.op === "sum";
  const keptCounters = keptNest.shape.map(() => cw.local(ValType.i32));
  const redCounters = redNest.outer.map(() => cw.local(ValType.i32));
  const bases = views.map(() => cw.local(ValType.i32));
  const keptBases = views.map(() => cw.local(ValType.i32));
  const outIndex = cw.local(ValType.i32);
  const j = cw.local(ValType.i32);
  const acc = cw.local(float ? ValType.f32 : ValType.i32);
  const vacc = cw.local(ValType.v128);
  const finalized = cw.local((kernel.finalize?.dtype ?? dtype) === "float32" ? ValType.f32 : ValType.i32);
  const slot = (k: number): LeafSlot => ({ base: bases[k]!, stride: redNest.innerStrides[k]! });
  const proSlots = new Map<Expr, LeafSlot>(proLeaves.map((l, k) => [l, slot(k)]));
  const epiSlots = new Map<Expr, LeafSlot>(epiLeaves.map((l, k) => [l, slot(proLeaves.length + k)]));
  const exprCtx = (leaves: Map<Expr, LeafSlot>): ExprContext => ({
    ...ctx,
    base,
    cw,
    leaves,
    j,
    reduced: finalized,
  });
  const vector = !empty && (float || isSum) && vectorizable(kernel.expr, proSlots) && redNest.inner >= 8;
  const epiVector =
    epilogue !== undefined &&
    vectorizable(epilogue.expr, epiSlots) &&
    bytesPer(epilogue.expr.dtype) === 4 &&
    redNest.innerStrides[epiOutSet] === 1 &&
    redNest.inner >= 4;
  const init = isSum ? 0 : float ? Number.NEGATIVE_INFINITY : -(2 ** 31);

  const combineScalar = () => {
    if (isSum) cw.op(float ? Op.f32_add : Op.i32_add);
    else if (float) cw.op(Op.f32_max);
    else {
      const [x, y] = [cw.local(ValType.i32), cw.local(ValType.i32)];
      cw.set(y).set(x).get(x).get(y).get(x).get(y).op(Op.i32_gt_s).op(Op.select);
    }
  };
  const vectorCombine = float ? (isSum ? SimdOp.f32x4_add : SimdOp.f32x4_max) : SimdOp.i32x4_add;

  /** Loops over the reduced axes of the current row; `inner` emits the innermost loop body. */
  const sweepRow = (vectorBody: (() => void) | undefined, scalarBody: () => void) => {
    cw.nestedLoops(redCounters, redNest.outer, () => {
      bases.forEach((base, k) => {
        cw.get(keptBases[k]!).addStrided(redCounters, redNest.outerStrides[k]!).set(base);
      });
      let tailStart = () => cw.i32(0);
      if (vectorBody) {
        const vectorEnd = redNest.inner - (redNest.inner % 4);
        cw.forLoop(
          j,
          () => cw.i32(0),
          () => cw.i32(vectorEnd),
          4,
          vectorBody,
        );
        tailStart = () => cw.i32(vectorEnd);
      }
      cw.forLoop(j, tailStart, () => cw.i32(redNest.inner), 1, scalarBody);
    });
  };

  const epiOutAddress = () => {
    const stride = redNest.innerStrides[epiOutSet]!;
    cw.get(bases[epiOutSet]!).get(j);
    if (stride !== 1) cw.i32(stride).op(Op.i32_mul);
    cw.op(Op.i32_add);
    if (bytesPer(epilogue!.expr.dtype) === 4) cw.i32(2).op(Op.i32_shl);
    cw.get(ARENA_BASE).op(Op.i32_add);
  };

  const row = () => {
    // Positions of this output and of each view at the start of its row.
    cw.i32(0).addStrided(keptCounters, keptNest.strides[views.length]!).set(outIndex);
    views.forEach((v, k) => {
      cw.i32(v.offset).addStrided(keptCounters, keptNest.strides[k]!).set(keptBases[k]!);
    });
    if (float) cw.f32(init);
    else cw.i32(init);
    cw.set(acc);
    if (vector) {
      if (float) cw.f32(init).simd(SimdOp.f32x4_splat);
      else cw.i32(init).simd(SimdOp.i32x4_splat);
      cw.set(vacc);
    }
    const pro = exprCtx(proSlots);
    if (!empty) {
      sweepRow(
        vector
          ? () => {
              cw.get(vacc);
              emitVector(pro, kernel.expr);
              cw.simd(vectorCombine).set(vacc);
            }
          : undefined,
        () => {
          cw.get(acc);
          emitScalar(pro, kernel.expr);
          combineScalar();
          cw.set(acc);
        },
      );
    }
    if (vector) {
      for (let lane = 0; lane < 4; lane++) {
        cw.get(acc)
          .get(vacc)
          .lane(float ? SimdOp.f32x4_extract_lane : SimdOp.i32x4_extract_lane, lane);
        combineScalar();
        cw.set(acc);
      }
    }
    // finalize (a mean's division, say), then store
    cw.get(acc).set(finalized);
    if (kernel.finalize) {
      emitScalar(pro, kernel.finalize);
      cw.set(finalized);
    }
    const outDType = kernel.finalize?.dtype ?? dtype;
    cw.get(outIndex);
    if (bytesPer(outDType) === 4) cw.i32(2).op(Op.i32_shl);
    cw.get(ARENA_BASE).op(Op.i32_add);
    cw.get(finalized);
    storeScalar(cw, outDType, ctx.bufferOffset(kernel.out));
    if (epilogue) {
      const epi = exprCtx(epiSlots);
      const outOffset = ctx.bufferOffset(epilogue.out);
      sweepRow(
        epiVector
          ? () => {
              epiOutAddress();
              emitVector(epi, epilogue.expr);
              cw.simdMem(SimdOp.v128_store, outOffset);
            }
          : undefined,
        () => {
          epiOutAddress();
          emitScalar(epi, epilogue.expr);
          storeScalar(cw, epilogue.expr.dtype, outOffset);
        },
      );
    }
  };

  const keptLoops = () => cw.nestedLoops(keptCounters, keptNest.shape, row, [TILE_BEGIN, TILE_END]);
  if (keptNest.shape.length === 0) {
    // One output: the single tile is [0, 1).
    cw.get(TILE_BEGIN).op(Op.i32_eqz);
    cw.ifThen(() => keptLoops());
    return { code: cw, units: 1 };
  }
  keptLoops();
  return { code: cw, units: keptNest.shape[0]! };
}
