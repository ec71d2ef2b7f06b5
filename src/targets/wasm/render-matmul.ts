import { exprViews } from "../../compiler/kernels/expr.js";
import type { Expr, MatmulKernel } from "../../compiler/kernels/kernel-ir.js";
import { CodeWriter } from "./emitter/code-writer.js";
import { Op, SimdOp, ValType } from "./emitter/opcodes.js";
import { type ExprContext, emitScalar, emitVector, type LeafSlot } from "./expr-codegen.js";
import { leavesOf, type RenderContext, type RenderedKernel } from "./render-elementwise.js";

/**
 * Batched float32 matmul. Operand offsets per batch come from a table written at
 * preparation, so any broadcast or strided batch layout works; rows of B are contiguous
 * (the compiler copies B first otherwise).
 *
 * The tile unit is one (batch, column panel) pair: a panel is 8 columns (two f32x4
 * accumulators per row), the last panel of a batch takes the remaining columns (4-wide,
 * then one by one). Within a panel, rows go in blocks of 4 then one by one, so a K×8 slice
 * of B stays in L1 while every row of A passes over it. Each output element is computed by
 * the same instructions whatever the tiling, so results do not depend on the thread count.
 * With relaxed SIMD, products are accumulated with fused multiply-add.
 */
export interface MatmulLayout {
  /** Byte offset of the [batch][2] int32 table of element offsets of A and B. */
  readonly table: number;
  readonly fma: boolean;
  /**
   * Rows of A per register block (rows × 8 accumulators): chosen by measurement
   * (matmul-tuning.ts), since too many spill registers and too few waste loads.
   */
  readonly rows: number;
}

export function matmulBatchTable(kernel: MatmulKernel): Int32Array {
  const batchShape = kernel.shape.slice(0, -2);
  const count = batchShape.reduce((a, b) => a * b, 1);
  const table = new Int32Array(count * 2);
  const rank = batchShape.length;
  for (let t = 0; t < count; t++) {
    let rem = t;
    let a = kernel.a.view.offset;
    let b = kernel.b.view.offset;
    for (let d = rank - 1; d >= 0; d--) {
      const i = rem % batchShape[d]!;
      rem = Math.floor(rem / batchShape[d]!);
      a += i * kernel.a.view.strides[d]!;
      b += i * kernel.b.view.strides[d]!;
    }
    table[2 * t] = a;
    table[2 * t + 1] = b;
  }
  return table;
}

export function renderMatmul(kernel: MatmulKernel, ctx: RenderContext, layout: MatmulLayout): RenderedKernel {
  if (kernel.dtype !== "float32") throw new Error("internal: the wasm matmul kernel is float32 only");
  const cw = new CodeWriter(2);
  const r = kernel.shape.length;
  const [M, N] = [kernel.shape[r - 2]!, kernel.shape[r - 1]!];
  const K = kernel.a.view.shape[r - 1]!;
  const batches = kernel.shape.slice(0, -2).reduce((a, b) => a * b, 1);
  const [sam, sak] = kernel.a.view.strides.slice(-2) as [number, number];
  const packed = kernel.b.packedPanel === 8;
  if (kernel.b.packedPanel !== undefined && !packed)
    throw new Error("internal: wasm matmul reads panels of 8");
  // Packed: B's panel p is a contiguous K×8 block at p·K·8; otherwise rows of B are sbk apart.
  const sbk = packed ? 8 : kernel.b.view.strides[r - 2]!;
  const aBuf = ctx.bufferOffset(kernel.a.buffer);
  const bBuf = ctx.bufferOffset(kernel.b.buffer);
  const cBuf = ctx.bufferOffset(kernel.out);
  const fullPanels = Math.floor(N / 8);
  const panels = fullPanels + (N % 8 ? 1 : 0);
  if (M * N * batches === 0) return { code: cw, units: 0 };

  const i32 = () => cw.local(ValType.i32);
  const [u, t, aBase, bBase, cBase, i, jj] = [i32(), i32(), i32(), i32(), i32(), i32(), i32()];
  const [pa, pb, kLeft] = [i32(), i32(), i32()];
  const aSplat = cw.local(ValType.v128);

  // A fused epilogue's operands: each leaf is read at (i + row, jj + column) through its view.
  const epilogue = kernel.epilogue;
  const epiLeaves = epilogue ? leavesOf(epilogue) : [];
  const epiViews = epilogue ? exprViews(epilogue) : [];
  const epiBases = epiLeaves.map(() => i32());
  const column = i32();
  const epilogueContext: ExprContext = {
    ...ctx,
    cw,
    leaves: new Map<Expr, LeafSlot>(
      epiLeaves.map((l, k) => [l, { base: epiBases[k]!, stride: epiViews[k]!.strides[1]! }]),
    ),
    j: column,
  };
  const setEpilogueBases = (row: number) => {
    epiViews.forEach((v, k) => {
      cw.i32(v.offset).get(i);
      if (row) cw.i32(row).op(Op.i32_add);
      cw.i32(v.strides[0]!).op(Op.i32_mul).op(Op.i32_add);
      if (v.strides[1]) cw.get(jj).op(Op.i32_add);
      cw.set(epiBases[k]!);
    });
  };

  /**
   * One block: `rows` rows of A against `vecs` f32x4 column groups (0 = one scalar column).
   * `validColumns` < 4·vecs stores only that many columns (the last, partial packed panel).
   */
  const block = (rows: number, vecs: number, validColumns = 4 * vecs) => {
    const width = Math.max(vecs, 1);
    const acc = Array.from({ length: rows * width }, () => cw.local(vecs ? ValType.v128 : ValType.f32));
    const bv = Array.from({ length: vecs }, () => cw.local(ValType.v128));
    for (const a of acc) {
      if (vecs) cw.f32(0).simd(SimdOp.f32x4_splat);
      else cw.f32(0);
      cw.set(a);
    }
    // One pointer walks A's first row of the block; the other rows are constant offsets
    // from it (memarg offsets). A counter bounds the loop: B's stride along K can be 0.
    cw.get(aBase).get(i).i32(sam).op(Op.i32_mul).op(Op.i32_add).i32(2).op(Op.i32_shl).set(pa);
    if (packed) cw.get(bBase).get(jj).i32(K).op(Op.i32_mul).op(Op.i32_add).i32(2).op(Op.i32_shl).set(pb);
    else cw.get(bBase).get(jj).op(Op.i32_add).i32(2).op(Op.i32_shl).set(pb);
    cw.i32(K).set(kLeft);
    const aOffset = (row: number) => aBuf + row * sam * 4;
    cw.block(() => {
      cw.loop(() => {
        cw.get(kLeft).op(Op.i32_eqz).br_if(1);
        cw.get(kLeft).i32(1).op(Op.i32_sub).set(kLeft);
        bv.forEach((b, v) => {
          cw.get(pb)
            .simdMem(SimdOp.v128_load, bBuf + 16 * v)
            .set(b);
        });
        for (let row = 0; row < rows; row++) {
          // A[i+row, k] broadcast once, used against every B vector of the block.
          if (vecs) cw.get(pa).simdMemAligned(SimdOp.v128_load32_splat, 2, aOffset(row)).set(aSplat);
          for (let v = 0; v < width; v++) {
            const a = acc[row * width + v]!;
            if (vecs && layout.fma) {
              cw.get(aSplat).get(bv[v]!).get(a).simd(SimdOp.f32x4_relaxed_madd);
            } else if (vecs) {
              cw.get(a).get(aSplat).get(bv[v]!).simd(SimdOp.f32x4_mul).simd(SimdOp.f32x4_add);
            } else {
              cw.get(a).get(pa).mem(Op.f32_load, 2, aOffset(row));
              cw.get(pb).mem(Op.f32_load, 2, bBuf).op(Op.f32_mul).op(Op.f32_add);
            }
            cw.set(a);
          }
        }
        cw.get(pa)
          .i32(sak * 4)
          .op(Op.i32_add)
          .set(pa);
        cw.get(pb)
          .i32(sbk * 4)
          .op(Op.i32_add)
          .set(pb);
        cw.br(0);
      });
    });
    const cAddress = (row: number) => {
      cw.get(cBase).get(i);
      if (row) cw.i32(row).op(Op.i32_add);
      cw.i32(N).op(Op.i32_mul).op(Op.i32_add).get(jj).op(Op.i32_add).i32(2).op(Op.i32_shl);
    };
    for (let row = 0; row < rows; row++) {
      if (epilogue) setEpilogueBases(row);
      for (let v = 0; v < width; v++) {
        const acc1 = acc[row * width + v]!;
        const lanes = Math.min(4, validColumns - 4 * v);
        if (epilogue) {
          // The product goes through the fused epilogue on its way to memory.
          cw.i32(4 * v).set(column);
          const ectx = { ...epilogueContext, reduced: acc1, reducedIsVector: vecs > 0 };
          if (vecs) emitVector(ectx, epilogue);
          else emitScalar(ectx, epilogue);
          cw.set(acc1);
        }
        if (!vecs) {
          cAddress(row);
          cw.get(acc1).mem(Op.f32_store, 2, cBuf);
        } else if (lanes === 4) {
          cAddress(row);
          cw.get(acc1).simdMem(SimdOp.v128_store, cBuf + 16 * v);
        } else {
          for (let lane = 0; lane < lanes; lane++) {
            cAddress(row);
            cw.get(acc1)
              .lane(SimdOp.f32x4_extract_lane, lane)
              .mem(Op.f32_store, 2, cBuf + 16 * v + 4 * lane);
          }
        }
      }
    }
  };
  /** All rows against the columns from jj on, `vecs` wide: blocks of 4 rows, then single rows. */
  const rowsFor = (vecs: number, validColumns = 4 * vecs) => {
    const ROWS = layout.rows;
    const mMain = M - (M % ROWS);
    const m4 = mMain + ((M - mMain) & ~3);
    cw.forLoop(
      i,
      () => cw.i32(0),
      () => cw.i32(mMain),
      ROWS,
      () => block(ROWS, vecs, validColumns),
    );
    if (ROWS !== 4)
      cw.forLoop(
        i,
        () => cw.i32(mMain),
        () => cw.i32(m4),
        4,
        () => block(4, vecs, validColumns),
      );
    cw.forLoop(
      i,
      () => cw.i32(m4),
      () => cw.i32(M),
      1,
      () => block(1, vecs, validColumns),
    );
  };

  cw.forLoop(
    u,
    () => cw.get(0),
    () => cw.get(1),
    1,
    () => {
      // unit u = (batch t, panel u mod panels)
      cw.get(u).i32(panels).op(Op.i32_div_s).set(t);
      cw.get(u).get(t).i32(panels).op(Op.i32_mul).op(Op.i32_sub).i32(8).op(Op.i32_mul).set(jj);
      cw.get(t).i32(3).op(Op.i32_shl).mem(Op.i32_load, 2, layout.table).set(aBase);
      cw.get(t)
        .i32(3)
        .op(Op.i32_shl)
        .mem(Op.i32_load, 2, layout.table + 4)
        .set(bBase);
      cw.get(t)
        .i32(M * N)
        .op(Op.i32_mul)
        .set(cBase);
      cw.get(jj)
        .i32(fullPanels * 8)
        .op(Op.i32_lt_s);
      cw.ifThen(
        () => rowsFor(2),
        () => {
          if (packed) {
            // The last panel is zero-padded to 8 columns: compute 8, store the valid ones.
            rowsFor(2, N % 8);
            return;
          }
          // The last, partial panel: 4 columns at a time, then one at a time.
          const end4 = N - (N % 4);
          cw.forLoop(
            jj,
            () => cw.i32(fullPanels * 8),
            () => cw.i32(end4),
            4,
            () => rowsFor(1),
          );
          cw.forLoop(
            jj,
            () => cw.i32(end4),
            () => cw.i32(N),
            1,
            () => rowsFor(0),
          );
        },
      );
    },
  );
  return { code: cw, units: batches * panels };
}
