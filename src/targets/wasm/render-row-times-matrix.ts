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
 * Columns of C per tile unit: as wide as the threads allow (long runs of each row of B are
 * what the hardware prefetcher streams fastest), up to 4096 (16 KiB of C, in L1), at least 512.
 */
function rowChunk(n: number, batches: number, threads: number): number {
  const perBatch = Math.max(1, Math.ceil(threads / batches));
  return Math.min(4096, Math.max(512, Math.ceil(n / perBatch / 16) * 16));
}

/** Rows of B per pass over the chunk: one load and store of C per this many multiply-adds. */
const ROWS_PER_PASS = 8;

/**
 * One row of A times B: for each k, C[j] += A[k]·B[k, j] over a chunk of C's columns, so B is
 * read row after row, sequentially (the blocked kernel would read 8 columns of each row, a
 * cache line and a page apart), and the chunk of C stays in L1. Tile unit: (batch, chunk).
 * Each element of C adds its products in the order of k whatever the chunk, so the chunk
 * width (set by the thread count) does not change results.
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: it emits one WebAssembly function whose parts share its locals
export function renderRowTimesMatrix(
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
  const chunk = rowChunk(N, batches, layout.threads);
  const chunks = Math.ceil(N / chunk);
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
  const epilogue = matmulEpilogue(kernel, ctx, cw, i, j0, baseOf);
  cw.i32(0).set(i);

  // C[cBase + j], as a byte address
  const splats = [aSplat, ...Array.from({ length: ROWS_PER_PASS - 1 }, () => cw.local(ValType.v128))];
  const scalars = [aScalar, ...Array.from({ length: ROWS_PER_PASS - 1 }, () => cw.local(ValType.f32))];
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
      cw.get(u).get(t).i32(chunks).op(Op.i32_mul).op(Op.i32_sub).i32(chunk).op(Op.i32_mul).set(j0);
      cw.get(j0)
        .i32(chunk)
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
      // ROWS_PER_PASS rows of B per pass over the chunk, then the remaining rows one by one;
      // pointers step through C and B.
      const kFull = K - (K % ROWS_PER_PASS);
      cw.forLoop(
        k,
        () => cw.i32(0),
        () => cw.i32(kFull),
        ROWS_PER_PASS,
        () => accumulateRows(ROWS_PER_PASS),
      );
      cw.forLoop(
        k,
        () => cw.i32(kFull),
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
