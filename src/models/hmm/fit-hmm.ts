import { type BaumWelchOptions, type BaumWelchResult, baumWelchValidated } from "./baum-welch.js";
import { checkObservationSet, type Observations } from "./observations.js";
import { createRandom } from "./random.js";
import { randomHmm } from "./random-hmm.js";

export interface FitHmmOptions extends Omit<BaumWelchOptions, "onIteration"> {
  numStates: number;
  numSymbols: number;
  /**
   * Independent Baum-Welch runs from random models; EM only finds a local optimum,
   * so the best of several is kept. Default 5.
   */
  restarts?: number;
  /** Seed of the random starting models: the same seed gives the same result. Default 1. */
  seed?: number;
  onIteration?: (progress: { restart: number; iteration: number; logLikelihood: number }) => void;
}

export interface RestartSummary {
  readonly logLikelihood: number;
  readonly iterations: number;
  readonly converged: boolean;
}

export interface FitHmmResult extends BaumWelchResult {
  /** Index of the restart that produced `model`. */
  readonly bestRestart: number;
  /** How every restart ended, in order. */
  readonly restarts: readonly RestartSummary[];
}

/** Trains an HMM from scratch: Baum-Welch from several seeded random starts, keeping the most likely. */
export function fitHmm(sequences: readonly Observations[], options: FitHmmOptions): FitHmmResult {
  const { numStates, numSymbols, restarts = 5, seed = 1, onIteration, ...loopOptions } = options;
  if (!Number.isInteger(restarts) || restarts < 1) {
    throw new Error(`fitHmm needs at least one restart, got restarts = ${restarts}`);
  }
  const random = createRandom(seed);
  // randomHmm checks N and M; make it do so before the sequences are scanned against M.
  const startingModels = Array.from({ length: restarts }, () => randomHmm(numStates, numSymbols, random));
  checkObservationSet(sequences, numSymbols);
  let best: BaumWelchResult | undefined;
  let bestRestart = 0;
  const summaries: RestartSummary[] = [];
  startingModels.forEach((start, restart) => {
    const result = baumWelchValidated(start, sequences, {
      ...loopOptions,
      onIteration: onIteration && ((progress) => onIteration({ restart, ...progress })),
    });
    summaries.push({
      logLikelihood: result.logLikelihood,
      iterations: result.iterations,
      converged: result.converged,
    });
    if (best === undefined || result.logLikelihood > best.logLikelihood) {
      best = result;
      bestRestart = restart;
    }
  });
  return { ...best!, bestRestart, restarts: summaries };
}
