import { backwardScaledUnchecked, forwardScaledUnchecked } from "./forward-backward-scaled.js";
import { type Hmm, validateHmm } from "./model.js";
import { checkObservationSet, type Observations } from "./observations.js";

export interface Reestimation {
  /** The model after one EM update. */
  readonly model: Hmm;
  /** Total log-likelihood of the sequences under the model that was passed in. */
  readonly logLikelihood: number;
}

/**
 * One Baum-Welch step: the E-step gathers expected initial-state, transition and
 * emission counts over all sequences (from scaled forward-backward), the M-step
 * normalises them into the next model.
 */
export function reestimate(hmm: Hmm, sequences: readonly Observations[]): Reestimation {
  validateHmm(hmm);
  checkObservationSet(sequences, hmm.numSymbols);
  return reestimateValidated(hmm, sequences);
}

/** The step itself, for the EM loop, which validates once before iterating. */
export function reestimateValidated(hmm: Hmm, sequences: readonly Observations[]): Reestimation {
  const { numStates: n, numSymbols: m, transition, emission } = hmm;
  const initialCounts = new Float64Array(n);
  const transitionCounts = new Float64Array(n * n);
  const emissionCounts = new Float64Array(n * m);
  const next = new Float64Array(n);
  let logLikelihood = 0;
  for (const observations of sequences) {
    const { alpha, scales, logLikelihood: sequenceLogLikelihood } = forwardScaledUnchecked(hmm, observations);
    logLikelihood += sequenceLogLikelihood;
    const beta = backwardScaledUnchecked(hmm, observations, scales);
    const length = observations.length;
    for (let t = 0; t < length; t++) {
      const symbol = observations[t]!;
      for (let i = 0; i < n; i++) {
        const posterior = alpha[t * n + i]! * beta[t * n + i]!;
        if (t === 0) initialCounts[i]! += posterior;
        emissionCounts[i * m + symbol]! += posterior;
      }
      if (t === length - 1) continue;
      // Expected transitions i→j between t and t+1 (xi), with the j-only factor shared.
      const nextSymbol = observations[t + 1]!;
      for (let j = 0; j < n; j++) {
        next[j] = (emission[j * m + nextSymbol]! * beta[(t + 1) * n + j]!) / scales[t + 1]!;
      }
      for (let i = 0; i < n; i++) {
        const from = alpha[t * n + i]!;
        for (let j = 0; j < n; j++) transitionCounts[i * n + j]! += from * transition[i * n + j]! * next[j]!;
      }
    }
  }
  normaliseRow(initialCounts, 0, n, hmm.initial);
  for (let i = 0; i < n; i++) {
    normaliseRow(transitionCounts, i * n, n, transition);
    normaliseRow(emissionCounts, i * m, m, emission);
  }
  return {
    model: {
      numStates: n,
      numSymbols: m,
      initial: initialCounts,
      transition: transitionCounts,
      emission: emissionCounts,
    },
    logLikelihood,
  };
}

/**
 * Turns expected counts into probabilities. A state that is never visited has no
 * counts to estimate from; it keeps its previous row instead of becoming 0/0.
 */
function normaliseRow(counts: Float64Array, start: number, length: number, previous: Float64Array): void {
  let sum = 0;
  for (let k = 0; k < length; k++) sum += counts[start + k]!;
  for (let k = 0; k < length; k++) {
    counts[start + k] = sum > 0 ? counts[start + k]! / sum : previous[start + k]!;
  }
}
