import { cosineDecay } from "./cosine-decay.js";
import { linearWarmup } from "./linear-warmup.js";
import { checkCount, type LrSchedule } from "./lr-schedule.js";
import { sequence } from "./sequence.js";

export interface WarmupCosineOptions {
  /** Warm-up iterations (nanoGPT's `warmup_iters`). */
  warmup: number;
  /** The iteration at which the rate reaches minLr (nanoGPT's `lr_decay_iters`). */
  total: number;
  maxLr: number;
  minLr: number;
}

/**
 * nanoGPT's `get_lr`: linear warm-up, then cosine decay to minLr at iteration `total`,
 * then minLr. Iterations are nanoGPT's `iter_num` (0 for the first step):
 *
 * - it < warmup: `maxLr · (it + 1) / (warmup + 1)`
 * - warmup ≤ it ≤ total: `minLr + ½(1 + cos(π·(it − warmup)/(total − warmup)))·(maxLr − minLr)`,
 *   so it = warmup gives exactly maxLr and it = total exactly minLr
 * - it > total: minLr
 */
export function warmupCosine({ warmup, total, maxLr, minLr }: WarmupCosineOptions): LrSchedule {
  checkCount(warmup, "warmup", "warmupCosine", 0);
  if (!Number.isInteger(total) || total <= warmup) {
    throw new Error(`warmupCosine: total must be an integer above warmup (${warmup}), got ${total}`);
  }
  return sequence(
    [linearWarmup({ warmup, maxLr }), cosineDecay({ maxLr, minLr, decayIterations: total - warmup })],
    [warmup],
  );
}
