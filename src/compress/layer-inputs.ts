// What calibration measures: the second moment E[x xᵀ] of the inputs a linear layer sees
// when the model runs on sample text. The layer's forward is wrapped for the duration of
// the runs (an own property shadowing the method), so the model's code is what runs,
// unchanged, and only the subgraph up to the layer is computed.
import { noGrad } from "../tensor/functional.js";
import type { Tensor } from "../tensor/tensor.js";

/** Something whose `method` takes an input [..., width] first. */
type Observed = Record<string, unknown>;

/**
 * E[x xᵀ] [width, width] of the inputs `target[method]` receives while `run(ids)` runs on
 * each batch of rows of `calibration` (int32 [n, T]).
 */
export function inputMoment(
  target: object,
  method: string,
  width: number,
  calibration: Tensor,
  batchRows: number,
  run: (ids: Tensor) => unknown,
): Float64Array {
  const observed = target as Observed;
  const original = observed[method] as (x: Tensor, ...rest: unknown[]) => Tensor;
  const moment = new Float64Array(width * width);
  let count = 0;
  let products: Tensor[] = [];
  observed[method] = (x: Tensor, ...rest: unknown[]) => {
    const rows = x.reshape([x.size / width, width]);
    products.push(rows.transpose().matmul(rows));
    count += rows.shape[0]!;
    return original.call(target, x, ...rest);
  };
  try {
    const [n, time] = calibration.shape as [number, number];
    for (let start = 0; start < n; start += batchRows) {
      const rows = Math.min(batchRows, n - start);
      products = [];
      noGrad(() => {
        run(calibration.slice([start, 0], [start + rows, time]));
        for (const product of products) {
          const values = product.dataSync();
          for (let i = 0; i < moment.length; i++) moment[i]! += values[i]!;
        }
      });
    }
  } finally {
    delete observed[method];
  }
  if (count === 0) throw new Error(`calibration: the model never called ${method} of the layer`);
  for (let i = 0; i < moment.length; i++) moment[i]! /= count;
  return moment;
}
