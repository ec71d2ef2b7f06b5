import { checkCount, checkIteration, checkRate, type LrSchedule } from "./lr-schedule.js";

export interface CosineDecayOptions {
  /** The rate at iteration 0. */
  maxLr: number;
  /** The floor, reached at iteration `decayIterations` and kept after it. Default 0. */
  minLr?: number;
  /** Iterations from maxLr down to minLr. */
  decayIterations: number;
}

/**
 * Half a cosine from maxLr down to minLr over `decayIterations`, then minLr:
 * `minLr + ½(1 + cos(π·it/decayIterations))·(maxLr − minLr)`, evaluated in the same
 * order as nanoGPT's `get_lr` so the two agree to the last bit.
 */
export function cosineDecay({ maxLr, minLr = 0, decayIterations }: CosineDecayOptions): LrSchedule {
  checkRate(maxLr, "maxLr", "cosineDecay");
  checkRate(minLr, "minLr", "cosineDecay");
  checkCount(decayIterations, "decayIterations", "cosineDecay", 1);
  return (it) => {
    checkIteration(it, "cosineDecay");
    if (it > decayIterations) return minLr;
    const decayRatio = it / decayIterations;
    const coeff = 0.5 * (1.0 + Math.cos(Math.PI * decayRatio));
    return minLr + coeff * (maxLr - minLr);
  };
}
