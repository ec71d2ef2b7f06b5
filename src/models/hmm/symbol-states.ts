import { type Hmm, validateHmm } from "./model.js";
import { stationaryDistribution } from "./stationary.js";

/**
 * For each symbol, which state tends to emit it: P(state = s | symbol = k) ∝
 * weights[s] · B[s][k]. Comparing raw B[s][k] across states would be biased toward
 * the state that is visited less often (its emission row concentrates on fewer
 * symbols); weighting by how often each state is occupied removes that bias.
 * Weights default to the stationary distribution of A.
 *
 * Returns M×N: shares[k * N + s]. A symbol no state can emit gets a row of zeros.
 */
export function symbolStatePosteriors(
  hmm: Hmm,
  weights: Float64Array = stationaryDistribution(hmm),
): Float64Array {
  validateHmm(hmm);
  const { numStates: n, numSymbols: m, emission } = hmm;
  if (weights.length !== n) {
    throw new Error(`symbolStatePosteriors: ${weights.length} weights for ${n} states`);
  }
  const shares = new Float64Array(m * n);
  for (let k = 0; k < m; k++) {
    let total = 0;
    for (let s = 0; s < n; s++) total += shares[k * n + s] = weights[s]! * emission[s * m + k]!;
    if (total > 0) for (let s = 0; s < n; s++) shares[k * n + s]! /= total;
  }
  return shares;
}

/** The state with the largest share of each symbol (ties to the lower index; -1 if no state emits it). */
export function dominantStateBySymbol(
  hmm: Hmm,
  weights: Float64Array = stationaryDistribution(hmm),
): Int32Array {
  const shares = symbolStatePosteriors(hmm, weights);
  const n = hmm.numStates;
  return Int32Array.from({ length: hmm.numSymbols }, (_, k) => {
    let best = -1;
    for (let s = 0; s < n; s++) {
      const share = shares[k * n + s]!;
      if (share > 0 && (best < 0 || share > shares[k * n + best]!)) best = s;
    }
    return best;
  });
}
