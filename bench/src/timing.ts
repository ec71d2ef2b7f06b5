// Timing helpers: run a call until enough time has passed and report the median, so one
// slow call on a shared machine does not decide the figure.
import { performance } from "node:perf_hooks";

export interface TimingOptions {
  /** Keep calling until this many milliseconds have been spent (after warm-up). */
  minMs?: number;
  /** ...and at least this many calls. */
  minCalls?: number;
  /** Untimed calls first (compilation, caches, lazy set-up). */
  warmup?: number;
  /** Stop after this many calls even if minMs has not passed. */
  maxCalls?: number;
}

/** The median milliseconds per call of `fn` (sync or async). */
export async function medianMs(fn: () => unknown, options: TimingOptions = {}): Promise<number> {
  const { minMs = 400, minCalls = 3, warmup = 1, maxCalls = 1000 } = options;
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  let spent = 0;
  while ((spent < minMs || times.length < minCalls) && times.length < maxCalls) {
    const t0 = performance.now();
    await fn();
    const dt = performance.now() - t0;
    times.push(dt);
    spent += dt;
  }
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  return times.length % 2 === 1 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2;
}
