import { logParameters } from "./log-math.js";
import type { Hmm } from "./model.js";
import type { Observations } from "./observations.js";

export interface ViterbiPath {
  /** The single most probable state sequence (ties go to the lower state index). */
  readonly path: Int32Array;
  /** log P(path, observations); -Infinity when no path can emit the observations. */
  readonly logProbability: number;
}

/** Most likely state path, by dynamic programming over log probabilities (products would underflow). */
export function viterbi(hmm: Hmm, observations: Observations): ViterbiPath {
  const { n, m, logInitial, logTransition, logEmission } = logParameters(hmm, observations);
  const length = observations.length;
  // best[t * n + j]: log probability of the best path ending in state j at step t;
  // from[t * n + j]: the state at step t-1 on that path.
  const best = new Float64Array(length * n);
  const from = new Int32Array(length * n);
  for (let j = 0; j < n; j++) best[j] = logInitial[j]! + logEmission[j * m + observations[0]!]!;
  for (let t = 1; t < length; t++) {
    const symbol = observations[t]!;
    for (let j = 0; j < n; j++) {
      let bestScore = Number.NEGATIVE_INFINITY;
      let bestFrom = 0;
      for (let i = 0; i < n; i++) {
        const score = best[(t - 1) * n + i]! + logTransition[i * n + j]!;
        if (score > bestScore) {
          bestScore = score;
          bestFrom = i;
        }
      }
      best[t * n + j] = bestScore + logEmission[j * m + symbol]!;
      from[t * n + j] = bestFrom;
    }
  }
  const path = new Int32Array(length);
  let last = 0;
  for (let j = 1; j < n; j++) if (best[(length - 1) * n + j]! > best[(length - 1) * n + last]!) last = j;
  path[length - 1] = last;
  for (let t = length - 1; t > 0; t--) path[t - 1] = from[t * n + path[t]!]!;
  return { path, logProbability: best[(length - 1) * n + last]! };
}
