import { type Hmm, validateHmm } from "./model.js";

/**
 * The long-run share of time the chain spends in each state: a distribution p with
 * p·A = p. Found by power iteration on the "lazy" chain (A + I) / 2, which has the
 * same stationary distribution but cannot oscillate, so it converges even when A is
 * periodic (e.g. two states that always swap). For a reducible chain the answer
 * depends on the start, which is π.
 */
export function stationaryDistribution(hmm: Hmm, tolerance = 1e-13, maxIterations = 100_000): Float64Array {
  validateHmm(hmm);
  const n = hmm.numStates;
  let current = Float64Array.from(hmm.initial);
  let next = new Float64Array(n);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    next.fill(0);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) next[j]! += current[i]! * hmm.transition[i * n + j]!;
    }
    let change = 0;
    for (let j = 0; j < n; j++) {
      next[j] = (next[j]! + current[j]!) / 2;
      change += Math.abs(next[j]! - current[j]!);
    }
    [current, next] = [next, current];
    if (change < tolerance) break;
  }
  return current;
}
