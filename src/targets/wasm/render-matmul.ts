import { exprBuffers, exprViews } from "../../compiler/kernels/expr.js";
import type { Expr, MatmulKernel } from "../../compiler/kernels/kernel-ir.js";
import { bindBufferBases } from "./buffer-bases.js";
import { CodeWriter } from "./emitter/code-writer.js";
import { Op, SimdOp, ValType } from "./emitter/opcodes.js";
import { ARENA_BASE, type ExprContext, emitScalar, emitVector, type LeafSlot } from "./expr-codegen.js";
import { leavesOf, type RenderContext, type RenderedKernel } from "./render-elementwise.js";

/**
 * Batched float32 matmul. Addresses are relative to the arena base (the kernels' third parameter). Operand offsets per batch come from a table written at
 * preparation, so any broadcast or strided batch layout works; rows of B are contiguous
 * (the compiler copies B first otherwise).
 *
 * Blocking, from the outside in: a tile unit is (batch, row block, column panel), panels
 * varying fastest, so the units a thread takes in one chunk share a row block of A that
 * stays in L2; long K is cut into blocks of 256 whose K×8 slice of B stays in L1; registers
 * hold a (rows × 8) block of C — rows tuned per machine, then 4-high and 1-high blocks for the
 * remainder; the last panel takes the remaining columns (8 wide from zero-padded packed B,
 * else 4-wide then one by one). A single row of A (token-by-token generation) instead sweeps
 * whole rows of B, which streams the weights at memory speed. Each output element is
 * computed by the same instructions whatever the tiling, so results do not depend on the
 * thread count. With relaxed SIMD, products are accumulated with fused multiply-add.
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
  const r = kernel.shape.length;
  const [M, N] = [kernel.shape[r - 2]!, kernel.shape[r - 1]!];
  const K = kernel.a.view.shape[r - 1]!;
  const batches = kernel.shape.slice(0, -2).reduce((a, b) => a * b, 1);
  const packed = kernel.b.packedPanel === 8;
  if (kernel.b.packedPanel !== undefined && !packed)
    throw new Error("internal: wasm matmul reads panels of 8");
  if (M * N * batches === 0) return { code: new CodeWriter(3), units: 0 };
  if (M === 1 && !packed && K > 0) return renderRowTimesMatrix(kernel, ctx, layout);
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
  const epilogue = epilogueOf(kernel, ctx, cw, i, jj, baseOf);

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

/** Columns of C per tile unit of the row × matrix kernel (2 KiB of each row of B, read sequentially). */
const ROW_CHUNK = 512;

/**
 * One row of A times B: for each k, C[j] += A[k]·B[k, j] over a chunk of C's columns, so B is
 * read row after row, sequentially (the blocked kernel would read 8 columns of each row, a
 * cache line and a page apart), and the chunk of C stays in L1. Tile unit: (batch, chunk).
 */
function renderRowTimesMatrix(
  kernel: MatmulKernel,
  ctx: RenderContext,
  layout: MatmulLayout,
): RenderedKernel {
  const cw = new CodeWriter(3);
  const baseOf = bindBufferBases(cw, ctx, [
    kernel.a.buffer,
    kernel.b.buffer,
    ...(kernel.epilogue ? exprBuffers(kernel.epilogue) : []),
  ]);
  const r = kernel.shape.length;
  const N = kernel.shape[r - 1]!;
  const K = kernel.a.view.shape[r - 1]!;
  const batches = kernel.shape.slice(0, -2).reduce((a, b) => a * b, 1);
  const sak = kernel.a.view.strides[r - 1]!;
  const [sbk, sbn] = kernel.b.view.strides.slice(-2) as [number, number];
  if (sbn !== 1 && N > 1) throw new Error("internal: B's rows must be contiguous");
  const [aBuf, bBuf, cBuf] = [kernel.a.buffer, kernel.b.buffer, kernel.out].map(ctx.bufferOffset) as [
    number,
    number,
    number,
  ];
  const chunks = Math.ceil(N / ROW_CHUNK);
  const i32 = () => cw.local(ValType.i32);
  const [u, t, j, j0, jEnd, jVec, k, aBase, bRow, cBase, i] = [
    i32(),
    i32(),
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
  const aSplat = cw.local(ValType.v128);
  const aScalar = cw.local(ValType.f32);
  const epilogue = epilogueOf(kernel, ctx, cw, i, j0, baseOf);
  cw.i32(0).set(i);

  // C[cBase + j], as a byte address
  const splats = [aSplat, cw.local(ValType.v128), cw.local(ValType.v128), cw.local(ValType.v128)];
  const scalars = [aScalar, cw.local(ValType.f32), cw.local(ValType.f32), cw.local(ValType.f32)];
  const accumulator = cw.local(ValType.v128);
  const [pc, pcEnd, pb] = [i32(), i32(), i32()];
  /** C[chunk] += Σ_r A[k + r]·B[k + r, chunk], r < rows; B's rows are constant byte offsets apart. */
  const accumulateRows = (rows: number) => {
    for (let r = 0; r < rows; r++) {
      cw.get(aBase).get(k);
      if (r) cw.i32(r).op(Op.i32_add);
      cw.i32(sak)
        .op(Op.i32_mul)
        .op(Op.i32_add)
        .i32(2)
        .op(Op.i32_shl)
        .get(baseOf(kernel.a.buffer))
        .op(Op.i32_add);
      cw.mem(Op.f32_load, 2, aBuf).tee(scalars[r]!).simd(SimdOp.f32x4_splat).set(splats[r]!);
    }
    cw.get(t)
      .i32(3)
      .op(Op.i32_shl)
      .get(ARENA_BASE)
      .op(Op.i32_add)
      .mem(Op.i32_load, 2, layout.table + 4);
    cw.get(k).i32(sbk).op(Op.i32_mul).op(Op.i32_add).set(bRow);
    const rowOffset = (r: number) => bBuf + r * sbk * 4;
    // pc, pb: byte addresses of C[j0] and B[k, j0]; pcEnd: of C[jVec]
    cw.get(cBase).get(j0).op(Op.i32_add).i32(2).op(Op.i32_shl).get(ARENA_BASE).op(Op.i32_add).set(pc);
    cw.get(cBase).get(jVec).op(Op.i32_add).i32(2).op(Op.i32_shl).get(ARENA_BASE).op(Op.i32_add).set(pcEnd);
    cw.get(bRow)
      .get(j0)
      .op(Op.i32_add)
      .i32(2)
      .op(Op.i32_shl)
      .get(baseOf(kernel.b.buffer))
      .op(Op.i32_add)
      .set(pb);
    cw.block(() => {
      cw.loop(() => {
        cw.get(pc).get(pcEnd).op(Op.i32_ge_u).br_if(1);
        cw.get(pc);
        cw.get(pc).simdMem(SimdOp.v128_load, cBuf);
        for (let r = 0; r < rows; r++) {
          if (layout.fma) {
            cw.set(accumulator).get(splats[r]!).get(pb).simdMem(SimdOp.v128_load, rowOffset(r));
            cw.get(accumulator).simd(SimdOp.f32x4_relaxed_madd);
          } else {
            cw.get(splats[r]!).get(pb).simdMem(SimdOp.v128_load, rowOffset(r));
            cw.simd(SimdOp.f32x4_mul).simd(SimdOp.f32x4_add);
          }
        }
        cw.simdMem(SimdOp.v128_store, cBuf);
        cw.get(pc).i32(16).op(Op.i32_add).set(pc);
        cw.get(pb).i32(16).op(Op.i32_add).set(pb);
        cw.br(0);
      });
    });
    cw.forLoop(
      j,
      () => cw.get(jVec),
      () => cw.get(jEnd),
      1,
      () => {
        cAt();
        cAt();
        cw.mem(Op.f32_load, 2, cBuf);
        for (let r = 0; r < rows; r++) {
          cw.get(scalars[r]!);
          bAt();
          cw.mem(Op.f32_load, 2, rowOffset(r)).op(Op.f32_mul).op(Op.f32_add);
        }
        cw.mem(Op.f32_store, 2, cBuf);
      },
    );
  };
  const cAt = () => cw.get(cBase).get(j).op(Op.i32_add).i32(2).op(Op.i32_shl).get(ARENA_BASE).op(Op.i32_add);
  const bAt = () =>
    cw.get(bRow).get(j).op(Op.i32_add).i32(2).op(Op.i32_shl).get(baseOf(kernel.b.buffer)).op(Op.i32_add);

  cw.forLoop(
    u,
    () => cw.get(0),
    () => cw.get(1),
    1,
    () => {
      cw.get(u).i32(chunks).op(Op.i32_div_s).set(t);
      cw.get(u).get(t).i32(chunks).op(Op.i32_mul).op(Op.i32_sub).i32(ROW_CHUNK).op(Op.i32_mul).set(j0);
      cw.get(j0)
        .i32(ROW_CHUNK)
        .op(Op.i32_add)
        .tee(jEnd)
        .i32(N)
        .get(jEnd)
        .i32(N)
        .op(Op.i32_lt_s)
        .op(Op.select)
        .set(jEnd);
      cw.get(j0).get(jEnd).get(j0).op(Op.i32_sub).i32(~3).op(Op.i32_and).op(Op.i32_add).set(jVec);
      cw.get(t)
        .i32(3)
        .op(Op.i32_shl)
        .get(ARENA_BASE)
        .op(Op.i32_add)
        .mem(Op.i32_load, 2, layout.table)
        .set(aBase);
      cw.get(t).i32(N).op(Op.i32_mul).set(cBase);
      // C[chunk] = 0
      cw.forLoop(
        j,
        () => cw.get(j0),
        () => cw.get(jVec),
        4,
        () => {
          cAt();
          cw.f32(0).simd(SimdOp.f32x4_splat).simdMem(SimdOp.v128_store, cBuf);
        },
      );
      cw.forLoop(
        j,
        () => cw.get(jVec),
        () => cw.get(jEnd),
        1,
        () => {
          cAt();
          cw.f32(0).mem(Op.f32_store, 2, cBuf);
        },
      );
      // Four rows of B per pass over the chunk (one load and store of C per four
      // multiply-adds), then the remaining rows one by one; pointers step through C and B.
      const k4 = K - (K % 4);
      cw.forLoop(
        k,
        () => cw.i32(0),
        () => cw.i32(k4),
        4,
        () => accumulateRows(4),
      );
      cw.forLoop(
        k,
        () => cw.i32(k4),
        () => cw.i32(K),
        1,
        () => accumulateRows(1),
      );
      if (epilogue) {
        // The finished chunk through the fused epilogue, in place.
        epilogue.setBases(0);
        const value = cw.local(ValType.v128);
        const scalar = cw.local(ValType.f32);
        cw.forLoop(
          j,
          () => cw.get(j0),
          () => cw.get(jVec),
          4,
          () => {
            cAt();
            cAt();
            cw.simdMem(SimdOp.v128_load, cBuf).set(value);
            cw.get(j).get(j0).op(Op.i32_sub).set(epilogue.column);
            epilogue.applyDynamic(value, true);
            cw.get(value).simdMem(SimdOp.v128_store, cBuf);
          },
        );
        cw.forLoop(
          j,
          () => cw.get(jVec),
          () => cw.get(jEnd),
          1,
          () => {
            cAt();
            cAt();
            cw.mem(Op.f32_load, 2, cBuf).set(scalar);
            cw.get(j).get(j0).op(Op.i32_sub).set(epilogue.column);
            epilogue.applyDynamic(scalar, false);
            cw.get(scalar).mem(Op.f32_store, 2, cBuf);
          },
        );
      }
    },
  );
  return { code: cw, units: batches * chunks };
}

/**
 * A fused epilogue: each leaf is read at (row i + r, column jj + c) through its view;
 * `apply` replaces a product local by the epilogue's value.
 */
function epilogueOf(
  kernel: MatmulKernel,
  ctx: RenderContext,
  cw: CodeWriter,
  i: number,
  jj: number,
  base: (buffer: number) => number,
) {
  const expr = kernel.epilogue;
  if (!expr) return undefined;
  const leaves = leavesOf(expr);
  const views = exprViews(expr);
  const bases = leaves.map(() => cw.local(ValType.i32));
  const column = cw.local(ValType.i32);
  const context: ExprContext = {
    ...ctx,
    base,
    cw,
    leaves: new Map<Expr, LeafSlot>(
      leaves.map((l, k) => [l, { base: bases[k]!, stride: views[k]!.strides[1]! }]),
    ),
    j: column,
  };
  const evaluate = (value: number, vector: boolean) => {
    const ectx = { ...context, reduced: value, reducedIsVector: vector };
    if (vector) emitVector(ectx, expr);
    else emitScalar(ectx, expr);
    cw.set(value);
  };
  return {
    column,
    setBases(row: number) {
      views.forEach((v, k) => {
        cw.i32(v.offset).get(i);
        if (row) cw.i32(row).op(Op.i32_add);
        cw.i32(v.strides[0]!).op(Op.i32_mul).op(Op.i32_add);
        if (v.strides[1]) cw.get(jj).op(Op.i32_add);
        cw.set(bases[k]!);
      });
    },
    /** At a column offset known when rendering. */
    apply(value: number, columnOffset: number, vector: boolean) {
      cw.i32(columnOffset).set(column);
      evaluate(value, vector);
    },
    /** At the column offset already in `column`. */
    applyDynamic: evaluate,
  };
}

/** Bytes of A a row block may take, so that it stays in L2 across the panels of B. */
const L2_BUDGET = 128 * 1024;

function roundUp(n: number, multiple: number): number {
  return Math.ceil(n / multiple) * multiple;
}
