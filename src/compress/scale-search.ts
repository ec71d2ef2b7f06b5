// How a group of weights (a block of 32, or a whole output channel) gets its scale:
//   minmax      the group's signed extreme lands on the grid's most negative code (ggml's
//               choice), so nothing is clipped;
//   percentile  the extreme is the given quantile of |w|: rare outliers are clipped to buy
//               resolution for the rest;
//   mse         the scale (a fraction of the minmax one, either sign) that minimises the
//               squared rounding error, each weight counted by how large its input is on
//               calibration data (E[x²] of its input column), so the error measured is the
//               one the layer's output sees.
import { codeOf, type IntegerGrid, storedScale } from "./integer-grids.js";

export type ScaleMethod = "minmax" | "percentile" | "mse";

export interface ScaleOptions {
  method: ScaleMethod;
  /** For percentile: the quantile of |w| taken as the extreme (default 0.999). */
  percentile?: number;
}

/** Fractions of the minmax scale the MSE search tries, from 1 down to 0.5. */
const SHRINKS = Array.from({ length: 51 }, (_, i) => 1 - i / 100);

/** Weighted squared error of rounding w[at..at+n) on the grid of scale d. */
export function roundingError(
  grid: IntegerGrid,
  w: ArrayLike<number>,
  at: number,
  n: number,
  d: number,
  importance: ArrayLike<number> | undefined,
  importanceAt: number,
): number {
  let error = 0;
  for (let i = 0; i < n; i++) {
    const x = w[at + i]!;
    const e = x - codeOf(grid, x, d) * d;
    error += (importance ? importance[importanceAt + i]! : 1) * e * e;
  }
  return error;
}

/**
 * The scale of w[at..at+n) (stored: binary16). `importance` (one weight per element, read
 * from importanceAt) is what the mse method minimises against; the others ignore it.
 */
export function chooseScale(
  grid: IntegerGrid,
  w: ArrayLike<number>,
  at: number,
  n: number,
  options: ScaleOptions,
  importance?: ArrayLike<number>,
  importanceAt = 0,
): number {
  let extreme = 0;
  for (let i = 0; i < n; i++) {
    const x = w[at + i]!;
    if (Math.abs(x) > Math.abs(extreme)) extreme = x;
  }
  if (extreme === 0) return 0;
  if (options.method === "percentile") {
    const p = options.percentile ?? 0.999;
    const magnitudes = Float64Array.from({ length: n }, (_, i) => Math.abs(w[at + i]!)).sort();
    extreme = Math.sign(extreme) * magnitudes[Math.min(n - 1, Math.ceil(p * n) - 1)]!;
    return storedScale(extreme / grid.qmin);
  }
  const minmax = storedScale(extreme / grid.qmin);
  if (options.method === "minmax") return minmax;
  // Either end of an asymmetric grid ([−8, 7]) may hold the extreme.
  const bases =
    grid.qmin === -grid.qmax ? [extreme / grid.qmin] : [extreme / grid.qmin, -extreme / grid.qmax];
  let best = minmax;
  let bestError = roundingError(grid, w, at, n, minmax, importance, importanceAt);
  for (const base of bases) {
    for (const shrink of SHRINKS) {
      const d = storedScale(base * shrink);
      const error = roundingError(grid, w, at, n, d, importance, importanceAt);
      if (error < bestError) {
        best = d;
        bestError = error;
      }
    }
  }
  return best;
}
