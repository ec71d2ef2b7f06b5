export {
  type BaumWelchOptions,
  type BaumWelchResult,
  baumWelch,
  DEFAULT_MAX_ITERATIONS,
  DEFAULT_TOLERANCE,
} from "./baum-welch.js";
export { type FitHmmOptions, type FitHmmResult, fitHmm, type RestartSummary } from "./fit-hmm.js";
export { backwardLog, forwardLog, type LogBackward, type LogForward } from "./forward-backward-log.js";
export { backwardScaled, forwardScaled, type ScaledForward } from "./forward-backward-scaled.js";
export { logSumExp } from "./log-math.js";
export { createHmm, type Hmm, type HmmSpec, STOCHASTIC_TOLERANCE, validateHmm } from "./model.js";
export { checkObservations, type Observations } from "./observations.js";
export { type PosteriorDecoding, type ProbabilitySpace, posteriorDecode } from "./posterior.js";
export { createRandom, type Random } from "./random.js";
export { randomHmm } from "./random-hmm.js";
export { type Reestimation, reestimate } from "./reestimate.js";
export { type HmmSample, sampleHmm } from "./sample.js";
export { stationaryDistribution } from "./stationary.js";
export { dominantStateBySymbol, symbolStatePosteriors } from "./symbol-states.js";
export { type ViterbiPath, viterbi } from "./viterbi.js";
