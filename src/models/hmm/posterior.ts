import { backwardLog, forwardLog } from "./forward-backward-log.js";
import { backwardScaledUnchecked, forwardScaledUnchecked } from "./forward-backward-scaled.js";
import { type Hmm, validateHmm } from "./model.js";
import { checkObservations, type Observations } from "./observations.js";

/** Which forward-backward implementation computes the posteriors. */
export type ProbabilitySpace = "scaled" | "log";

export interface PosteriorDecoding {
  /** T×N: posteriors[t * N + i] = P(state_t = i | all observations); rows sum to 1. */
  readonly posteriors: Float64Array;
  /**
   * The individually most probable state at each step (ties go to the lower index).
   * Unlike Viterbi's path it maximises the expected number of correct states, and
   * may use a transition the model forbids.
   */
  readonly path: Int32Array;
  readonly logLikelihood: number;
}

export function posteriorDecode(
  hmm: Hmm,
  observations: Observations,
  space: ProbabilitySpace = "scaled",
): PosteriorDecoding {
  validateHmm(hmm);
  checkObservations(observations, hmm.numSymbols);
  const { posteriors, logLikelihood } =
    space === "scaled" ? scaledPosteriors(hmm, observations) : logSpacePosteriors(hmm, observations);
  return { posteriors, path: argmaxPerRow(posteriors, hmm.numStates), logLikelihood };
}

function scaledPosteriors(hmm: Hmm, observations: Observations) {
  const forward = forwardScaledUnchecked(hmm, observations);
  const beta = backwardScaledUnchecked(hmm, observations, forward.scales);
  const posteriors = forward.alpha.map((alpha, index) => alpha * beta[index]!);
  return { posteriors, logLikelihood: forward.logLikelihood };
}

function logSpacePosteriors(hmm: Hmm, observations: Observations) {
  const { logAlpha, logLikelihood } = forwardLog(hmm, observations);
  if (logLikelihood === Number.NEGATIVE_INFINITY) {
    throw new Error("observation sequence has probability zero under the model; posteriors are undefined");
  }
  const { logBeta } = backwardLog(hmm, observations);
  const posteriors = logAlpha.map((value, index) => Math.exp(value + logBeta[index]! - logLikelihood));
  return { posteriors, logLikelihood };
}

function argmaxPerRow(matrix: Float64Array, width: number): Int32Array {
  const rows = matrix.length / width;
  const best = new Int32Array(rows);
  for (let t = 0; t < rows; t++) {
    for (let i = 1; i < width; i++) {
      if (matrix[t * width + i]! > matrix[t * width + best[t]!]!) best[t] = i;
    }
  }
  return best;
}
