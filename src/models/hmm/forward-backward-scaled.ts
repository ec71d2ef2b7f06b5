import { type Hmm, validateHmm } from "./model.js";
import { checkObservations, type Observations } from "./observations.js";

/**
 * Forward pass with per-step normalisation (Rabiner's scaling). Raw forward
 * probabilities shrink geometrically and underflow after a few hundred symbols;
 * normalising each step keeps them near 1, and the normalisers carry the likelihood.
 */
export interface ScaledForward {
  /** T×N: alpha[t * N + i] = P(state_t = i | o_0..o_t); each row sums to 1. */
  readonly alpha: Float64Array;
  /** scales[t] = P(o_t | o_0..o_{t-1}); their logs sum to the log-likelihood. */
  readonly scales: Float64Array;
  /** log P(o_0..o_{T-1}); -Infinity when the model cannot emit the sequence. */
  readonly logLikelihood: number;
}

export function forwardScaled(hmm: Hmm, observations: Observations): ScaledForward {
  validateHmm(hmm);
  checkObservations(observations, hmm.numSymbols);
  return forwardScaledUnchecked(hmm, observations);
}

/** For callers that validated already (Baum-Welch validates once, then iterates). */
export function forwardScaledUnchecked(hmm: Hmm, observations: Observations): ScaledForward {
  const { numStates: n, numSymbols: m, initial, transition, emission } = hmm;
  const length = observations.length;
  const alpha = new Float64Array(length * n);
  const scales = new Float64Array(length);
  let logLikelihood = 0;
  for (let t = 0; t < length; t++) {
    const symbol = observations[t]!;
    const row = t * n;
    if (t === 0) {
      for (let j = 0; j < n; j++) alpha[j] = initial[j]! * emission[j * m + symbol]!;
    } else {
      for (let j = 0; j < n; j++) {
        let reach = 0;
        for (let i = 0; i < n; i++) reach += alpha[row - n + i]! * transition[i * n + j]!;
        alpha[row + j] = reach * emission[j * m + symbol]!;
      }
    }
    let scale = 0;
    for (let j = 0; j < n; j++) scale += alpha[row + j]!;
    // An impossible prefix stays impossible; later rows are left at zero.
    if (scale === 0) return { alpha, scales, logLikelihood: Number.NEGATIVE_INFINITY };
    const inverse = 1 / scale;
    for (let j = 0; j < n; j++) alpha[row + j]! *= inverse;
    scales[t] = scale;
    logLikelihood += Math.log(scale);
  }
  return { alpha, scales, logLikelihood };
}

/**
 * Backward pass scaled by the forward pass's normalisers, so that
 * alpha[t, i] · beta[t, i] is exactly the posterior P(state_t = i | all observations).
 * Returns beta as T×N.
 */
export function backwardScaled(hmm: Hmm, observations: Observations, scales: Float64Array): Float64Array {
  validateHmm(hmm);
  checkObservations(observations, hmm.numSymbols);
  if (scales.length !== observations.length) {
    throw new Error(`backwardScaled: ${scales.length} scales for ${observations.length} observations`);
  }
  return backwardScaledUnchecked(hmm, observations, scales);
}

export function backwardScaledUnchecked(
  hmm: Hmm,
  observations: Observations,
  scales: Float64Array,
): Float64Array {
  const { numStates: n, numSymbols: m, transition, emission } = hmm;
  const length = observations.length;
  const impossibleAt = scales.indexOf(0);
  if (impossibleAt >= 0) {
    throw new Error(
      `observation sequence has probability zero under the model (from position ${impossibleAt}); ` +
        "the backward pass and posteriors are undefined",
    );
  }
  const beta = new Float64Array(length * n);
  beta.fill(1, (length - 1) * n);
  // next[j] = B[j, o_{t+1}] · beta[t+1, j] / c_{t+1}, shared by every source state i.
  const next = new Float64Array(n);
  for (let t = length - 2; t >= 0; t--) {
    const symbol = observations[t + 1]!;
    const scale = scales[t + 1]!;
    for (let j = 0; j < n; j++) next[j] = (emission[j * m + symbol]! * beta[(t + 1) * n + j]!) / scale;
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let j = 0; j < n; j++) sum += transition[i * n + j]! * next[j]!;
      beta[t * n + i] = sum;
    }
  }
  return beta;
}
