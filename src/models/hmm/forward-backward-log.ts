import { logParameters, logSumExp } from "./log-math.js";
import type { Hmm } from "./model.js";
import type { Observations } from "./observations.js";

/**
 * Forward and backward passes carried out on log probabilities. Slower than the
 * scaled passes (an exp and a log per term) but needs no normaliser bookkeeping,
 * and keeps exact zeros as -Infinity; the two are tested against each other.
 */
export interface LogForward {
  /** T×N: logAlpha[t * N + i] = log P(o_0..o_t, state_t = i). */
  readonly logAlpha: Float64Array;
  /** log P(o_0..o_{T-1}). */
  readonly logLikelihood: number;
}

export interface LogBackward {
  /** T×N: logBeta[t * N + i] = log P(o_{t+1}..o_{T-1} | state_t = i). */
  readonly logBeta: Float64Array;
  /** log P(o_0..o_{T-1}), recomputed from the backward side. */
  readonly logLikelihood: number;
}

export function forwardLog(hmm: Hmm, observations: Observations): LogForward {
  const { n, m, logInitial, logTransition, logEmission } = logParameters(hmm, observations);
  const length = observations.length;
  const logAlpha = new Float64Array(length * n);
  const terms = new Float64Array(n);
  for (let j = 0; j < n; j++) logAlpha[j] = logInitial[j]! + logEmission[j * m + observations[0]!]!;
  for (let t = 1; t < length; t++) {
    const symbol = observations[t]!;
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) terms[i] = logAlpha[(t - 1) * n + i]! + logTransition[i * n + j]!;
      logAlpha[t * n + j] = logSumExp(terms) + logEmission[j * m + symbol]!;
    }
  }
  return { logAlpha, logLikelihood: logSumExp(logAlpha, (length - 1) * n, n) };
}

export function backwardLog(hmm: Hmm, observations: Observations): LogBackward {
  const { n, m, logInitial, logTransition, logEmission } = logParameters(hmm, observations);
  const length = observations.length;
  const logBeta = new Float64Array(length * n); // last row stays log 1 = 0
  const terms = new Float64Array(n);
  for (let t = length - 2; t >= 0; t--) {
    const symbol = observations[t + 1]!;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        terms[j] = logTransition[i * n + j]! + logEmission[j * m + symbol]! + logBeta[(t + 1) * n + j]!;
      }
      logBeta[t * n + i] = logSumExp(terms);
    }
  }
  for (let i = 0; i < n; i++)
    terms[i] = logInitial[i]! + logEmission[i * m + observations[0]!]! + logBeta[i]!;
  return { logBeta, logLikelihood: logSumExp(terms) };
}
