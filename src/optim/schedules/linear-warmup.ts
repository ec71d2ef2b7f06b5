import { checkCount, checkIteration, checkRate, type LrSchedule } from "./lr-schedule.js";

export interface LinearWarmupOptions {
  /** Iterations spent warming up. */
  warmup: number;
  /** The rate reached at iteration `warmup` and kept after it. */
  maxLr: number;
}

/**
 * nanoGPT's warm-up: `maxLr · (it + 1) / (warmup + 1)` for it < warmup, then `maxLr`.
 * The +1s mean the first step already moves (rate maxLr/(warmup+1), not 0) and the ramp
 * ends one step below maxLr, so iteration `warmup` (the first at the full rate) continues
 * it without a jump.
 */
export function linearWarmup({ warmup, maxLr }: LinearWarmupOptions): LrSchedule {
  checkCount(warmup, "warmup", "linearWarmup", 0);
  checkRate(maxLr, "maxLr", "linearWarmup");
  return (it) => {
    checkIteration(it, "linearWarmup");
    return it < warmup ? (maxLr * (it + 1)) / (warmup + 1) : maxLr;
  };
}
