import { exprLeaves } from "../../compiler/kernels/expr.js";
import type { MatmulKernel } from "../../compiler/kernels/kernel-ir.js";
import { matmulBatchTable } from "../../compiler/kernels/matmul-batches.js";
import { cExpr, cType } from "./c-expr.js";
import {
  declareLeaf,
  type LeafPlan,
  placeLeaf,
  positionExpr,
  readLeaf,
  strideClass,
} from "./c-leaf-access.js";
import { cPrelude } from "./c-prelude.js";
import { KernelParams } from "./kernel-params.js";
import {
  type MatmulEpilogueSource,
  MatmulParam,
  matmulSource,
  SMALL_M,
  smallMColumns,
} from "./matmul-source.js";
import type { MatmulTuning } from "./matmul-tuning.js";
import type { RenderedNativeKernel } from "./native-kernel.js";

/**
 * A matmul kernel: the compiled matmul (matmul-source.ts) for the tuned register block,
 * with this product's sizes, strides, batch offsets and blocking as parameters, and its
 * fused epilogue, if any, rendered as C. The blocking (rows and columns per tile unit,
 * the block along K) comes from the measured tuning, with units made smaller when there
 * would be too few to keep every thread busy; it changes speed, never results.
 */
export function renderMatmul(
  kernel: MatmulKernel,
  bufferOffset: (buffer: number) => number,
  tuning: MatmulTuning,
  threads: number,
): RenderedNativeKernel | undefined {
  if (kernel.dtype !== "float32") throw new Error("internal: the native matmul kernel is float32 only");
  const packed = kernel.b.packedPanel !== undefined;
  if (packed && kernel.b.packedPanel !== tuning.nr) {
    throw new Error(`internal: B packed in panels of ${kernel.b.packedPanel}, the kernel's are ${tuning.nr}`);
  }
  const r = kernel.shape.length;
  const [M, N] = [kernel.shape[r - 2]!, kernel.shape[r - 1]!];
  const K = kernel.a.view.shape[r - 1]!;
  const batches = kernel.shape.slice(0, -2).reduce((a, b) => a * b, 1);
  if (M * N * batches === 0) return undefined;
  const [sam, sak] = kernel.a.view.strides.slice(-2) as [number, number];
  const sbk = packed ? tuning.nr : kernel.b.view.strides[r - 2]!;
  const blocks = blocking(M, N, batches, packed, tuning, threads);
  // Blocks along K keep partial sums in C: an epilogue that stores something else than
  // float32 gets the whole of K in one block.
  const kc = kernel.epilogue && kernel.epilogue.dtype !== "float32" ? Math.max(1, K) : tuning.kc;

  const params = new KernelParams();
  const buffers: [number, number][] = [
    [MatmulParam.A, kernel.a.buffer],
    [MatmulParam.B, kernel.b.buffer],
    [MatmulParam.C, kernel.out],
  ];
  for (const [slot, buffer] of buffers) {
    if (params.buffer(buffer, bufferOffset(buffer)) !== `p[${slot}]`)
      throw new Error("internal: matmul parameters out of order");
  }
  const slots: [number, number][] = [
    [MatmulParam.M, M],
    [MatmulParam.N, N],
    [MatmulParam.K, K],
    [MatmulParam.SAM, sam],
    [MatmulParam.SAK, sak],
    [MatmulParam.SBK, sbk],
    [MatmulParam.MU, blocks.mu],
    [MatmulParam.NU, blocks.nu],
    [MatmulParam.KC, kc],
    [MatmulParam.ROW_UNITS, Math.ceil(M / blocks.mu)],
    [MatmulParam.COL_UNITS, Math.ceil(N / blocks.nu)],
    [MatmulParam.PACKED, packed ? 1 : 0],
    [MatmulParam.TABLE_AT, 0],
  ];
  for (const [slot, value] of slots) {
    const read = params.int(value);
    if (read !== `p[${slot}]`) throw new Error("internal: matmul parameters out of order");
  }
  const epilogue = kernel.epilogue ? renderEpilogue(kernel.epilogue, params, bufferOffset) : undefined;
  params.set(MatmulParam.TABLE_AT, params.length);
  for (const offset of matmulBatchTable(kernel)) params.int(offset);
  const units = batches * Math.ceil(M / blocks.mu) * Math.ceil(N / blocks.nu);
  return { code: { source: matmulSource(tuning, epilogue), contract: false }, params, units };
}

/** The epilogue over a 2-D product: leaves read at (row i, column j) through views over [M, N]. */
function renderEpilogue(
  expr: NonNullable<MatmulKernel["epilogue"]>,
  params: KernelParams,
  bufferOffset: (buffer: number) => number,
): MatmulEpilogueSource {
  const leaves = exprLeaves(expr);
  const plans: LeafPlan[] = leaves.map((leaf, index) => ({
    leaf,
    index,
    inner: strideClass(leaf.view.strides[1]!),
  }));
  const declarations = plans.flatMap((plan) =>
    declareLeaf(plan, plan.leaf.view.strides[1]!, params, bufferOffset),
  );
  const placeRow = plans.map((plan) =>
    placeLeaf(plan, positionExpr(params, plan.leaf.view.offset, [["i", plan.leaf.view.strides[0]!]])),
  );
  const value = cExpr(expr, (leaf) => readLeaf(plans[leaves.indexOf(leaf)]!, "j"), "x");
  return {
    declarations,
    placeRow,
    value: expr.dtype === "bool" ? `(uint8_t)(${value})` : value,
    outType: cType(expr.dtype),
    prelude: cPrelude(),
  };
}

const roundUp = (x: number, m: number) => Math.ceil(x / m) * m;

/** Rows and columns of C per tile unit. */
function blocking(
  M: number,
  N: number,
  batches: number,
  packed: boolean,
  tuning: MatmulTuning,
  threads: number,
) {
  // Enough units that a thread finishing early finds another, and that an odd one out at
  // the end is a small part of a thread's share.
  const wanted = threads > 1 ? 8 * threads : 1;
  if (M <= SMALL_M && !packed) {
    // Streaming B is fastest in wide column blocks (long runs of each row): one per thread
    // at most, and as few as the accumulators allow.
    const widest = smallMColumns(M);
    const columnUnits = Math.max(Math.ceil(N / widest), Math.min(threads, Math.ceil(N / 512)));
    const perBatch = batches >= threads ? Math.ceil(N / widest) : columnUnits;
    return { mu: M, nu: Math.min(widest, roundUp(Math.ceil(N / perBatch), 16)) };
  }
  let mu = Math.min(tuning.mu, roundUp(M, tuning.mr));
  let nu = Math.min(tuning.nu, roundUp(N, tuning.nr));
  const count = () => batches * Math.ceil(M / mu) * Math.ceil(N / nu);
  while (count() < wanted && (mu > 2 * tuning.mr || nu > 2 * tuning.nr)) {
    if (nu > 2 * tuning.nr && (nu >= mu || mu <= 2 * tuning.mr)) nu = roundUp(nu / 2, tuning.nr);
    else mu = roundUp(mu / 2, tuning.mr);
  }
  return { mu, nu };
}
