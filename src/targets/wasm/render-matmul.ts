import type { MatmulKernel } from "../../compiler/kernels/kernel-ir.js";
import { CodeWriter } from "./emitter/code-writer.js";
import { renderBlockedMatmul } from "./render-blocked-matmul.js";
import type { RenderContext, RenderedKernel } from "./render-elementwise.js";
import { renderRowTimesMatrix } from "./render-row-times-matrix.js";

/**
 * Batched float32 matmul. Addresses are relative to the arena base (the kernels' third
 * parameter). Operand offsets per batch come from a table written at preparation, so any
 * broadcast or strided batch layout works; rows of B are contiguous (the compiler copies
 * B first otherwise).
 *
 * Two kernels: the blocked one (render-blocked-matmul.ts) for matrices, and for a single
 * row of A (token-by-token generation) one that sweeps whole rows of B, which streams the
 * weights at memory speed (render-row-times-matrix.ts); both store through the fused
 * epilogue (matmul-epilogue.ts). Each output element is computed by the same
 * instructions whatever the tiling, so results do not depend on the thread count. With
 * relaxed SIMD, products are accumulated with fused multiply-add.
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
  /** Threads that will share the kernel's tile units (the row × matrix kernel sizes its units by it). */
  readonly threads: number;
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
  return renderBlockedMatmul(kernel, ctx, layout);
}
