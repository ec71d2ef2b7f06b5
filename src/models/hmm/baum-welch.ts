import { type Hmm, validateHmm } from "./model.js";
import { checkObservationSet, type Observations } from "./observations.js";
import { reestimateValidated } from "./reestimate.js";

export interface BaumWelchOptions {
  /**
   * Stop once an update raises the log-likelihood *per observed symbol* by less than
   * this. Per symbol, so the same value suits ten symbols or a million. Default 1e-6.
   */
  tolerance?: number;
  /** Most EM updates to apply. Default 500. */
  maxIterations?: number;
  /** Called with the log-likelihood of each model visited, starting with the initial one (iteration 0). */
  onIteration?: (progress: { iteration: number; logLikelihood: number }) => void;
}

export interface BaumWelchResult {
  readonly model: Hmm;
  /** Total log-likelihood of the training sequences under `model`. */
  readonly logLikelihood: number;
  /** history[k]: log-likelihood after k updates; EM guarantees it never decreases. */
  readonly history: readonly number[];
  /** Number of updates applied (history.length - 1). */
  readonly iterations: number;
  /** Whether the tolerance was met before maxIterations ran out. */
  readonly converged: boolean;
}

export const DEFAULT_TOLERANCE = 1e-6;
export const DEFAULT_MAX_ITERATIONS = 500;

/** Baum-Welch (EM) from one starting model over one or many observation sequences. */
export function baumWelch(
  initialModel: Hmm,
  sequences: readonly Observations[],
  options: BaumWelchOptions = {},
): BaumWelchResult {
  validateHmm(initialModel);
  checkObservationSet(sequences, initialModel.numSymbols);
  return baumWelchValidated(initialModel, sequences, options);
}

/** The EM loop itself, for callers that validated the model and the sequences. */
export function baumWelchValidated(
  initialModel: Hmm,
  sequences: readonly Observations[],
  options: BaumWelchOptions,
): BaumWelchResult {
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  const maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  if (!(tolerance >= 0)) throw new Error(`Baum-Welch tolerance must be ≥ 0, got ${tolerance}`);
  if (!Number.isInteger(maxIterations) || maxIterations < 0) {
    throw new Error(`Baum-Welch maxIterations must be a non-negative integer, got ${maxIterations}`);
  }
  const symbolCount = sequences.reduce((total, sequence) => total + sequence.length, 0);
  // Each step scores the model it is given and proposes the next one, so `model`
  // always has a known likelihood and the last proposal is simply not taken.
  let model = initialModel;
  let step = reestimateValidated(model, sequences);
  const history = [step.logLikelihood];
  options.onIteration?.({ iteration: 0, logLikelihood: step.logLikelihood });
  let converged = false;
  while (history.length <= maxIterations) {
    model = step.model;
    step = reestimateValidated(model, sequences);
    const previous = history[history.length - 1]!;
    history.push(step.logLikelihood);
    options.onIteration?.({ iteration: history.length - 1, logLikelihood: step.logLikelihood });
    if (step.logLikelihood - previous < tolerance * symbolCount) {
      converged = true;
      break;
    }
  }
  return {
    model,
    logLikelihood: history[history.length - 1]!,
    history,
    iterations: history.length - 1,
    converged,
  };
}
