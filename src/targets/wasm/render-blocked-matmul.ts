import { exprBuffers } from "../../compiler/kernels/expr.js";
import type { MatmulKernel } from "../../compiler/kernels/kernel-ir.js";
import { bindBufferBases } from "./buffer-bases.js";
import { CodeWriter } from "./emitter/code-writer.js";
import { Op, SimdOp, ValType } from "./emitter/opcodes.js";
import { ARENA_BASE } from "./expr-codegen.js";
import { matmulEpilogue } from "./matmul-epilogue.js";
import type { RenderContext, RenderedKernel } from "./render-elementwise.js";
import type { MatmulLayout } from "./render-matmul.js";

/**
 * The blocked kernel (M ≥ 2, or B packed): a tile unit is (batch, row block, column panel),
 * panels varying fastest, so the units a thread takes in one chunk share a row block of A
 * that stays in L2; long K is cut into blocks of 256 whose K×8 slice of B stays in L1;
 * registers hold a (rows × 8) block of C (rows tuned per machine), then 4-high and 1-high
 * blocks for the remainder; the last panel takes the remaining columns (8 wide from
 * zero-padded packed B, else 4-wide then one by one).
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: it emits one WebAssembly function, and the closures that emit its parts (a register block, the row loops, the unit decoding) share its locals
export function renderBlockedMatmul(
  kernel: MatmulKernel,
  ctx: RenderContext,
  layout: MatmulLayout,
): RenderedKernel {
  const r = kernel.shape.length;
  const [M, N] = [kernel.shape[r - 2]!, kernel.shape[r - 1]!];
  const K = kernel.a.view.shape[r - 1]!;
  const batches = kernel.shape.slice(0, -2).reduce((a, b) => a * b, 1);
  const packed = kernel.b.packedPanel === 8;
  const cw = new CodeWriter(3);
  const baseOf = bindBufferBases(cw, ctx, [
    kernel.a.buffer,
    kernel.b.buffer,
    ...(kernel.epilogue ? exprBuffers(kernel.epilogue) : []),
  ]);
  const [sam, sak] = kernel.a.view.strides.slice(-2) as [number, number];
  // Packed: B's panel p is a contiguous K×8 block at p·K·8; otherwise rows of B are sbk apart.
  const sbk = packed ? 8 : kernel.b.view.strides[r - 2]!;
  const aBuf = ctx.bufferOffset(kernel.a.buffer);
  const bBuf = ctx.bufferOffset(kernel.b.buffer);
  const cBuf = ctx.bufferOffset(kernel.out);
  const fullPanels = Math.floor(N / 8);
  const panels = fullPanels + (N % 8 ? 1 : 0);
  const kc = K > 512 ? 256 : Math.max(K, 1);
  const kBlocks = Math.max(1, Math.ceil(K / kc));
  const rowBlock = Math.max(4, Math.min(roundUp(M, 4), Math.floor(L2_BUDGET / (kc * 4) / 4) * 4));
  const rowBlocks = Math.ceil(M / rowBlock);

  const i32 = () => cw.local(ValType.i32);
  const [u, t, rem, aBase, bBase, cBase, i, jj, panelStart] = [
    i32(),
    i32(),
    i32(),
    i32(),
    i32(),
    i32(),
    i32(),
    i32(),
    i32(),
  ];
  const [pa, pb, kLeft, kStart, kCount] = [i32(), i32(), i32(), i32(), i32()];
  const [rStart, rMain, r4, rEnd] = [i32(), i32(), i32(), i32()];
  const aSplat = cw.local(ValType.v128);
  const epilogue = matmulEpilogue(kernel, ctx, cw, i, jj, baseOf);

  const cAddress = (row: number) => {
    cw.get(cBase).get(i);
    if (row) cw.i32(row).op(Op.i32_add);
    cw.i32(N)
      .op(Op.i32_mul)
      .op(Op.i32_add)
      .get(jj)
      .op(Op.i32_add)
      .i32(2)
      .op(Op.i32_shl)
      .get(ARENA_BASE)
      .op(Op.i32_add);
  };

  /**
   * One register block: `rows` rows of A against `vecs` f32x4 column groups (0: one scalar
   * column), over the current block of K. `validColumns` < 4·vecs stores only that many
   * columns (the last, zero-padded packed panel).
   */
  const block = (rows: number, vecs: number, validColumns = 4 * vecs) => {
    const width = Math.max(vecs, 1);
    const acc = Array.from({ length: rows * width }, () => cw.local(vecs ? ValType.v128 : ValType.f32));
    const bv = Array.from({ length: vecs }, () => cw.local(ValType.v128));
    const zero = () => {
      for (const a of acc) {
        if (vecs) cw.f32(0).simd(SimdOp.f32x4_splat);
        else cw.f32(0);
        cw.set(a);
      }
    };
    if (kBlocks === 1) zero();
    else {
      // Later blocks of K continue the sums the earlier ones stored in C.
      cw.get(kStart).op(Op.i32_eqz);
      cw.ifThen(zero, () => {
        acc.forEach((a, n) => {
          cAddress(Math.floor(n / width));
          if (vecs) cw.simdMem(SimdOp.v128_load, cBuf + 16 * (n % width));
          else cw.mem(Op.f32_load, 2, cBuf);
          cw.set(a);
        });
      });
    }
    // One pointer walks A's first row of the block; the other rows are constant offsets
    // from it (memarg offsets). A counter bounds the loop: B's stride along K can be 0.
    cw.get(aBase).get(i).i32(sam).op(Op.i32_mul).op(Op.i32_add);
    cw.get(kStart)
      .i32(sak)
      .op(Op.i32_mul)
      .op(Op.i32_add)
      .i32(2)
      .op(Op.i32_shl)
      .get(baseOf(kernel.a.buffer))
      .op(Op.i32_add)
      .set(pa);
    if (packed) cw.get(bBase).get(jj).i32(K).op(Op.i32_mul).op(Op.i32_add);
    else cw.get(bBase).get(jj).op(Op.i32_add);
    cw.get(kStart)
      .i32(sbk)
      .op(Op.i32_mul)
      .op(Op.i32_add)
      .i32(2)
      .op(Op.i32_shl)
      .get(baseOf(kernel.b.buffer))
      .op(Op.i32_add)
      .set(pb);
    cw.get(kCount).set(kLeft);
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
    const store = (finished: boolean) => {
      for (let row = 0; row < rows; row++) {
        if (finished && epilogue) epilogue.setBases(row);
        for (let v = 0; v < width; v++) {
          const value = acc[row * width + v]!;
          // A finished sum goes through the fused epilogue on its way to memory.
          if (finished && epilogue) epilogue.apply(value, 4 * v, vecs > 0);
          const lanes = Math.min(4, validColumns - 4 * v);
          if (!vecs) {
            cAddress(row);
            cw.get(value).mem(Op.f32_store, 2, cBuf);
          } else if (lanes === 4) {
            cAddress(row);
            cw.get(value).simdMem(SimdOp.v128_store, cBuf + 16 * v);
          } else {
            for (let lane = 0; lane < lanes; lane++) {
              cAddress(row);
              cw.get(value)
                .lane(SimdOp.f32x4_extract_lane, lane)
                .mem(Op.f32_store, 2, cBuf + 16 * v + 4 * lane);
            }
          }
        }
      }
    };
    if (!epilogue || kBlocks === 1) store(true);
    else {
      cw.get(kStart).get(kCount).op(Op.i32_add).i32(K).op(Op.i32_eq);
      cw.ifThen(
        () => store(true),
        () => store(false),
      );
    }
  };

  /** The rows of the current row block against the columns from jj on, `vecs` wide. */
  const rowsFor = (vecs: number, validColumns = 4 * vecs) => {
    const tall = layout.rows;
    cw.forLoop(
      i,
      () => cw.get(rStart),
      () => cw.get(rMain),
      tall,
      () => block(tall, vecs, validColumns),
    );
    if (tall !== 4)
      cw.forLoop(
        i,
        () => cw.get(rMain),
        () => cw.get(r4),
        4,
        () => block(4, vecs, validColumns),
      );
    cw.forLoop(
      i,
      () => cw.get(r4),
      () => cw.get(rEnd),
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
      // unit u = (batch t, row block, panel)
      const perBatch = rowBlocks * panels;
      cw.get(u).i32(perBatch).op(Op.i32_div_s).set(t);
      cw.get(u).get(t).i32(perBatch).op(Op.i32_mul).op(Op.i32_sub).set(rem);
      cw.get(rem).i32(panels).op(Op.i32_div_s).i32(rowBlock).op(Op.i32_mul).set(rStart);
      cw.get(rem).get(rem).i32(panels).op(Op.i32_div_s).i32(panels).op(Op.i32_mul).op(Op.i32_sub);
      cw.i32(8).op(Op.i32_mul).set(panelStart);
      // rEnd = min(M, rStart + rowBlock); rMain and r4 end the tall and the 4-high blocks
      cw.get(rStart)
        .i32(rowBlock)
        .op(Op.i32_add)
        .tee(rEnd)
        .i32(M)
        .get(rEnd)
        .i32(M)
        .op(Op.i32_lt_s)
        .op(Op.select)
        .set(rEnd);
      cw.get(rStart).get(rEnd).get(rStart).op(Op.i32_sub).i32(layout.rows).op(Op.i32_div_s).i32(layout.rows);
      cw.op(Op.i32_mul).op(Op.i32_add).set(rMain);
      cw.get(rMain).get(rEnd).get(rMain).op(Op.i32_sub).i32(~3).op(Op.i32_and).op(Op.i32_add).set(r4);
      cw.get(t)
        .i32(3)
        .op(Op.i32_shl)
        .get(ARENA_BASE)
        .op(Op.i32_add)
        .mem(Op.i32_load, 2, layout.table)
        .set(aBase);
      cw.get(t)
        .i32(3)
        .op(Op.i32_shl)
        .get(ARENA_BASE)
        .op(Op.i32_add)
        .mem(Op.i32_load, 2, layout.table + 4)
        .set(bBase);
      cw.get(t)
        .i32(M * N)
        .op(Op.i32_mul)
        .set(cBase);
      cw.forLoop(
        kStart,
        () => cw.i32(0),
        // at least once: with K = 0 the block still stores zeros
        () => cw.i32(Math.max(K, 1)),
        kc,
        () => {
          // kCount = min(kc, K − kStart)
          cw.i32(K)
            .get(kStart)
            .op(Op.i32_sub)
            .tee(kCount)
            .i32(kc)
            .get(kCount)
            .i32(kc)
            .op(Op.i32_lt_s)
            .op(Op.select);
          cw.set(kCount);
          cw.get(panelStart).set(jj);
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
    },
  );
  return { code: cw, units: batches * rowBlocks * panels };
}

/** Bytes of A a row block may take, so that it stays in L2 across the panels of B. */
const L2_BUDGET = 128 * 1024;

function roundUp(n: number, multiple: number): number {
  return Math.ceil(n / multiple) * multiple;
}
