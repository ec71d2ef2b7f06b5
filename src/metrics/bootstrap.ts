// Bootstrap confidence intervals: resample the examples with replacement, recompute the
// metric, and take percentiles of the resampled values (the percentile method).
import { SeededRng } from "../random/seeded-rng.js";

export interface BootstrapInterval {
  /** The metric on the examples as given. */
  estimate: number;
  low: number;
  high: number;
  /** E.g. 0.95. */
  confidence: number;
  samples: number;
}

/**
 * A percentile-bootstrap interval for `metric(indices)`, which scores the examples at the
 * given indices (a resample repeats some and leaves others out). Resamples on which the
 * metric is not finite (one class missing for an AUC) are drawn again.
 */
export function bootstrapInterval(
  n: number,
  metric: (indices: readonly number[]) => number,
  {
    samples = 1000,
    confidence = 0.95,
    seed = 0,
  }: { samples?: number; confidence?: number; seed?: number } = {},
): BootstrapInterval {
  if (!(n >= 1)) throw new Error("bootstrapInterval: no examples");
  if (!(confidence > 0 && confidence < 1)) {
    throw new Error(`bootstrapInterval: confidence must lie in (0, 1), got ${confidence}`);
  }
  const rng = new SeededRng(seed);
  const all = [...Array(n).keys()];
  const values: number[] = [];
  let failures = 0;
  while (values.length < samples) {
    const indices = all.map(() => rng.nextInt(n));
    let value: number;
    try {
      value = metric(indices);
    } catch {
      value = Number.NaN;
    }
    if (Number.isFinite(value)) values.push(value);
    else if (++failures > 10 * samples)
      throw new Error("bootstrapInterval: the metric fails on almost every resample");
  }
  values.sort((a, b) => a - b);
  const at = (q: number) => values[Math.min(samples - 1, Math.max(0, Math.round(q * (samples - 1))))]!;
  const alpha = (1 - confidence) / 2;
  return { estimate: metric(all), low: at(alpha), high: at(1 - alpha), confidence, samples };
}
