import type { MatmulKernel } from "../../compiler/kernels/kernel-ir.js";
import { CodeWriter } from "./emitter/code-writer.js";
import { Op, SimdOp, ValType } from "./emitter/opcodes.js";
import type { RenderContext } from "./render-elementwise.js";

/**
 * Batched float32 matmul. For each batch (operand offsets come from a table written at
 * preparation, so any broadcast or transposed batch layout works): B is packed into a
 * row-major scratch panel if its rows are not contiguous; then columns are swept in panels
 * of 8 (two f32x4 accumulators per row) with blocks of 4 rows, so a K×8 panel of B stays
 * in L1 while all rows of A pass over it. Remainders use 1-row blocks, 4-wide and scalar columns.
 */
export interface MatmulLayout {
  /** Byte offset of the [batch][2] int32 table of element offsets of A and B. */
  readonly table: number;
  /** Byte offset of a K×N float32 scratch area, used when B must be packed. */
  readonly scratch: number;
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

export function matmulScratchBytes(kernel: MatmulKernel): number {
  const [k, n] = kernel.b.view.shape.slice(-2) as [number, number];
  return kernel.b.view.strides[kernel.b.view.strides.length - 1] === 1 ? 0 : k * n * 4;
}

export function renderMatmul(kernel: MatmulKernel, ctx: RenderContext, layout: MatmulLayout): CodeWriter {
  if (kernel.dtype !== "float32") throw new Error("internal: the wasm matmul kernel is float32 only");
  const cw = new CodeWriter(0);
  const r = kernel.shape.length;
  const [M, N] = [kernel.shape[r - 2]!, kernel.shape[r - 1]!];
  const K = kernel.a.view.shape[r - 1]!;
  const batches = kernel.shape.slice(0, -2).reduce((a, b) => a * b, 1);
  const [sam, sak] = kernel.a.view.strides.slice(-2) as [number, number];
  const [sbk, sbn] = kernel.b.view.strides.slice(-2) as [number, number];
  const pack = sbn !== 1;
  const aBuf = ctx.bufferOffset(kernel.a.buffer);
  const bBuf = pack ? layout.scratch : ctx.bufferOffset(kernel.b.buffer);
  const cBuf = ctx.bufferOffset(kernel.out);
  if (M * N * batches === 0) return cw;

  const i32 = () => cw.local(ValType.i32);
  const [t, aBase, bBase, cBase, i, jj, k] = [i32(), i32(), i32(), i32(), i32(), i32(), i32()];
  const pa = [i32(), i32(), i32(), i32()];
  const pb = i32();

  // Byte address of A[i + row, 0], of B[0, j] and of C[i + row, j].
  const aRowAddress = (row: number) => {
    cw.get(aBase).get(i);
    if (row) cw.i32(row).op(Op.i32_add);
    cw.i32(sam).op(Op.i32_mul).op(Op.i32_add).i32(2).op(Op.i32_shl);
  };

  cw.forLoop(
    t,
    () => cw.i32(0),
    () => cw.i32(batches),
    1,
    () => {
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
      if (pack) {
        // scratch[k][n] = B[k, n]
        const [pk, pn] = [i32(), i32()];
        cw.forLoop(
          pk,
          () => cw.i32(0),
          () => cw.i32(K),
          1,
          () => {
            cw.forLoop(
              pn,
              () => cw.i32(0),
              () => cw.i32(N),
              1,
              () => {
                cw.get(pk).i32(N).op(Op.i32_mul).get(pn).op(Op.i32_add).i32(2).op(Op.i32_shl);
                cw.get(bBase)
                  .get(pk)
                  .i32(sbk)
                  .op(Op.i32_mul)
                  .op(Op.i32_add)
                  .get(pn)
                  .i32(sbn)
                  .op(Op.i32_mul)
                  .op(Op.i32_add);
                cw.i32(2).op(Op.i32_shl).mem(Op.f32_load, 2, ctx.bufferOffset(kernel.b.buffer));
                cw.mem(Op.f32_store, 2, layout.scratch);
              },
            );
          },
        );
        cw.i32(0).set(bBase);
      }

      /** One block: `rows` rows of A against `vecs` f32x4 column groups (0 = one scalar column). */
      const block = (rows: number, vecs: number) => {
        const acc = Array.from({ length: rows * Math.max(vecs, 1) }, () =>
          cw.local(vecs ? ValType.v128 : ValType.f32),
        );
        const bv = Array.from({ length: vecs }, () => cw.local(ValType.v128));
        for (const a of acc) {
          if (vecs) cw.f32(0).simd(SimdOp.f32x4_splat);
          else cw.f32(0);
          cw.set(a);
        }
        for (let row = 0; row < rows; row++) {
          aRowAddress(row);
          cw.set(pa[row]!);
        }
        // pb = address of B[0, jj]
        cw.get(bBase).get(jj).op(Op.i32_add).i32(2).op(Op.i32_shl).set(pb);
        cw.forLoop(
          k,
          () => cw.i32(0),
          () => cw.i32(K),
          1,
          () => {
            if (vecs) {
              bv.forEach((b, v) => {
                cw.get(pb)
                  .simdMem(SimdOp.v128_load, bBuf + 16 * v)
                  .set(b);
              });
            }
            for (let row = 0; row < rows; row++) {
              for (let v = 0; v < Math.max(vecs, 1); v++) {
                const a = acc[row * Math.max(vecs, 1) + v]!;
                cw.get(a);
                cw.get(pa[row]!).mem(Op.f32_load, 2, aBuf);
                if (vecs) {
                  cw.simd(SimdOp.f32x4_splat).get(bv[v]!).simd(SimdOp.f32x4_mul).simd(SimdOp.f32x4_add);
                } else {
                  cw.get(pb).mem(Op.f32_load, 2, bBuf).op(Op.f32_mul).op(Op.f32_add);
                }
                cw.set(a);
              }
              cw.get(pa[row]!)
                .i32(sak * 4)
                .op(Op.i32_add)
                .set(pa[row]!);
            }
            cw.get(pb)
              .i32((pack ? N : sbk) * 4)
              .op(Op.i32_add)
              .set(pb);
          },
        );
        for (let row = 0; row < rows; row++) {
          for (let v = 0; v < Math.max(vecs, 1); v++) {
            cw.get(cBase).get(i);
            if (row) cw.i32(row).op(Op.i32_add);
            cw.i32(N).op(Op.i32_mul).op(Op.i32_add).get(jj).op(Op.i32_add).i32(2).op(Op.i32_shl);
            cw.get(acc[row * Math.max(vecs, 1) + v]!);
            if (vecs) cw.simdMem(SimdOp.v128_store, cBuf + 16 * v);
            else cw.mem(Op.f32_store, 2, cBuf);
          }
        }
      };
      /** All rows for the current column panel: blocks of 4, then single rows. */
      const rowsFor = (vecs: number) => {
        const m4 = M - (M % 4);
        cw.forLoop(
          i,
          () => cw.i32(0),
          () => cw.i32(m4),
          4,
          () => block(4, vecs),
        );
        cw.forLoop(
          i,
          () => cw.i32(m4),
          () => cw.i32(M),
          1,
          () => block(1, vecs),
        );
      };
      const n8 = N - (N % 8);
      const n4 = N - (N % 4);
      cw.forLoop(
        jj,
        () => cw.i32(0),
        () => cw.i32(n8),
        8,
        () => rowsFor(2),
      );
      cw.forLoop(
        jj,
        () => cw.i32(n8),
        () => cw.i32(n4),
        4,
        () => rowsFor(1),
      );
      cw.forLoop(
        jj,
        () => cw.i32(n4),
        () => cw.i32(N),
        1,
        () => rowsFor(0),
      );
    },
  );
  return cw;
}
