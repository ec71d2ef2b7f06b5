import type { InstructionKernel } from "../../compiler/kernels/kernel-ir.js";
import type { QuantType } from "../../quant/index.js";
import { KernelParams } from "./kernel-params.js";
import type { RenderedNativeKernel } from "./native-kernel.js";
import { dequantizeSource, QuantParam, quantizedMatmulSource, STREAM_ROWS } from "./quantized-source.js";

/**
 * The native target's kernels for quantized weights (quantized-source.ts has the C): one
 * compiled kernel per ggml type, sizes in parameters.
 */

/** Tile units per thread to aim for: a thread that finishes early finds another. */
const UNITS_PER_THREAD = 8;

/** quantizedMatmul: x [..., M, K] · Wᵀ, W packed [N, rowBytes]. */
export function renderQuantizedMatmul(
  kernel: InstructionKernel,
  bufferOffset: (buffer: number) => number,
  threads: number,
): RenderedNativeKernel | undefined {
  const type = kernel.attrs.type as QuantType;
  const [x, w] = kernel.inputs as [number, number];
  const [xShape, wShape] = kernel.inputShapes as [readonly number[], readonly number[]];
  const K = xShape[xShape.length - 1]!;
  const [N, rowBytes] = wShape as [number, number];
  const M = kernel.shape.reduce((a, b) => a * b, 1) / Math.max(N, 1);
  if (M * N === 0) return undefined;
  const params = new KernelParams();
  params.buffer(x, bufferOffset(x));
  params.buffer(w, bufferOffset(w));
  params.buffer(kernel.out, bufferOffset(kernel.out));
  // Small products stream the weights once: units are column blocks (rows of W). Larger
  // ones also split x into row blocks, each reading its share of W decoded block by block.
  const wanted = threads > 1 ? UNITS_PER_THREAD * threads : 1;
  const mu = M <= STREAM_ROWS ? M : Math.min(M, 64);
  const rowUnits = Math.ceil(M / mu);
  const nu = Math.max(4, Math.ceil(N / Math.max(1, Math.ceil(wanted / rowUnits)) / 4) * 4);
  const colUnits = Math.ceil(N / nu);
  const values = [M, N, K, rowBytes, mu, nu, colUnits];
  values.forEach((v, i) => {
    if (params.int(v) !== `p[${QuantParam.M + i}]`)
      throw new Error("internal: quantized parameters out of order");
  });
  return {
    code: { source: quantizedMatmulSource(type, kernel.attrs.roundActivations === true), contract: true },
    params,
    units: rowUnits * colUnits,
    multiplyAdds: M * N * K,
  };
}

/** dequantize: packed [..., rows, rowBytes] → float32 [..., rows, K]. */
export function renderDequantize(
  kernel: InstructionKernel,
  bufferOffset: (buffer: number) => number,
  threads: number,
): RenderedNativeKernel | undefined {
  const type = kernel.attrs.type as QuantType;
  const [w] = kernel.inputs as [number];
  const wShape = kernel.inputShapes[0]!;
  const K = kernel.shape[kernel.shape.length - 1]!;
  const rows = kernel.shape.reduce((a, b) => a * b, 1) / Math.max(K, 1);
  if (rows * K === 0) return undefined;
  const params = new KernelParams();
  params.buffer(w, bufferOffset(w));
  params.buffer(kernel.out, bufferOffset(kernel.out));
  const per = Math.max(1, Math.ceil(rows / (threads > 1 ? UNITS_PER_THREAD * threads : 1)));
  for (const v of [rows, K, wShape[wShape.length - 1]!, per]) params.int(v);
  return { code: { source: dequantizeSource(type), contract: true }, params, units: Math.ceil(rows / per) };
}
