import { type Hmm, validateHmm } from "./model.js";
import { checkObservations, type Observations } from "./observations.js";

/**
 * log(Σ exp(values[start .. start+length))) without overflow or underflow: the
 * largest term is factored out. An all -Infinity input (every path impossible)
 * gives -Infinity rather than NaN.
 */
export function logSumExp(values: Float64Array, start = 0, length = values.length - start): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < length; k++) max = Math.max(max, values[start + k]!);
  if (max === Number.NEGATIVE_INFINITY) return max;
  let sum = 0;
  for (let k = 0; k < length; k++) sum += Math.exp(values[start + k]! - max);
  return max + Math.log(sum);
}

/** Elementwise natural log; zero probabilities become -Infinity, which the log-space code relies on. */
export function logOf(values: Float64Array): Float64Array {
  return values.map(Math.log);
}

/** An HMM's sizes and parameters as log probabilities, once it and the observations are checked. */
export interface LogParameters {
  /** States. */
  n: number;
  /** Symbols. */
  m: number;
  logInitial: Float64Array;
  logTransition: Float64Array;
  logEmission: Float64Array;
}

/** Checks `hmm` and `observations` against it, then takes the log of its parameters. */
export function logParameters(hmm: Hmm, observations: Observations): LogParameters {
  validateHmm(hmm);
  checkObservations(observations, hmm.numSymbols);
  return {
    n: hmm.numStates,
    m: hmm.numSymbols,
    logInitial: logOf(hmm.initial),
    logTransition: logOf(hmm.transition),
    logEmission: logOf(hmm.emission),
  };
}
