import type { MatmulKernel } from "../../compiler/kernels/kernel-ir.js";
import { matmulBatchTable } from "../wasm/render-matmul.js";
import { KernelParams } from "./kernel-params.js";
import { MatmulParam, matmulSource, SMALL_M, SMALL_M_MAX_COLUMNS } from "./matmul-source.js";
import type { MatmulTuning } from "./matmul-tuning.js";
import type { RenderedNativeKernel } from "./native-kernel.js";

/**
 * A matmul kernel: the generic compiled matmul (matmul-source.ts) with this product's
 * sizes, strides, batch offsets and blocking as parameters. The blocking (rows and
 * columns per tile unit, the block along K) comes from the measured tuning, with units
 * made smaller when there would be too few to keep every thread busy; it changes speed,
 * never results.
 */
export function renderMatmul(
  kernel: MatmulKernel,
  bufferOffset: (buffer: number) => number,
  tuning: MatmulTuning,
  threads: number,
): RenderedNativeKernel | undefined {
  if (kernel.dtype !== "float32") throw new Error("internal: the native matmul kernel is float32 only");
  if (kernel.b.packedPanel !== undefined) throw new Error("internal: the native matmul packs B itself");
  const r = kernel.shape.length;
  const [M, N] = [kernel.shape[r - 2]!, kernel.shape[r - 1]!];
  const K = kernel.a.view.shape[r - 1]!;
  const batches = kernel.shape.slice(0, -2).reduce((a, b) => a * b, 1);
  if (M * N * batches === 0) return undefined;
  const [sam, sak] = kernel.a.view.strides.slice(-2) as [number, number];
  const sbk = kernel.b.view.strides[r - 2]!;
  const blocks = blocking(M, N, batches, tuning, threads);

  const params = new KernelParams();
  const slots: [number, number][] = [
    [MatmulParam.A, bufferOffset(kernel.a.buffer)],
    [MatmulParam.B, bufferOffset(kernel.b.buffer)],
    [MatmulParam.C, bufferOffset(kernel.out)],
    [MatmulParam.M, M],
    [MatmulParam.N, N],
    [MatmulParam.K, K],
    [MatmulParam.SAM, sam],
    [MatmulParam.SAK, sak],
    [MatmulParam.SBK, sbk],
    [MatmulParam.MU, blocks.mu],
    [MatmulParam.NU, blocks.nu],
    [MatmulParam.KC, tuning.kc],
    [MatmulParam.ROW_UNITS, Math.ceil(M / blocks.mu)],
    [MatmulParam.COL_UNITS, Math.ceil(N / blocks.nu)],
  ];
  for (const [slot, value] of slots) {
    const read = params.int(value);
    if (read !== `p[${slot}]`) throw new Error("internal: matmul parameters out of order");
  }
  for (const offset of matmulBatchTable(kernel)) params.int(offset);
  const units = batches * Math.ceil(M / blocks.mu) * Math.ceil(N / blocks.nu);
  return { code: { source: matmulSource(tuning), contract: true }, params, units };
}

const roundUp = (x: number, m: number) => Math.ceil(x / m) * m;

/** Rows and columns of C per tile unit. */
function blocking(M: number, N: number, batches: number, tuning: MatmulTuning, threads: number) {
  // Enough units that a thread finishing early finds another.
  const wanted = threads > 1 ? 3 * threads : 1;
  if (M <= SMALL_M) {
    const columnUnits = Math.max(1, Math.ceil(wanted / batches));
    const nu = Math.min(SMALL_M_MAX_COLUMNS, Math.max(64, roundUp(Math.ceil(N / columnUnits), 64)));
    return { mu: M, nu: Math.min(nu, roundUp(N, 16)) };
  }
  let mu = Math.min(tuning.mu, roundUp(M, tuning.mr));
  let nu = Math.min(tuning.nu, roundUp(N, tuning.nr));
  const count = () => batches * Math.ceil(M / mu) * Math.ceil(N / nu);
  while (count() < wanted && (mu > 4 * tuning.mr || nu > 2 * tuning.nr)) {
    if (mu > 4 * tuning.mr) mu = roundUp(mu / 2, tuning.mr);
    else nu = roundUp(nu / 2, tuning.nr);
  }
  return { mu, nu };
}
