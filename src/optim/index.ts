/**
 * Optimizers, learning-rate schedules, gradient clipping and penalties. An optimizer step
 * is built from tensor instructions, so `optimizer.stepOn(loss)` computes the loss, its
 * gradients, the clip and every parameter update as one compiled program.
 */
export { Adam } from "./adam.js";
export type { AdamOptions } from "./adam-options.js";
export { AdamW } from "./adamw.js";
export { clipByGlobalNorm, clipGradNorm, globalNorm } from "./clip-grad-norm.js";
export { type LbfgsOptions, type LbfgsResult, minimizeLbfgs, type Objective } from "./lbfgs.js";
export {
  Optimizer,
  type StepOnResult,
  type StepOptions,
  type StepResult,
  type UpdateInput,
  type UpdateOutput,
} from "./optimizer.js";
export type { CommonOptions, Group, ParamGroup } from "./param-groups.js";
export { addPenaltyGradients, l1Penalty, l2Penalty } from "./penalties.js";
export { constantLr } from "./schedules/constant.js";
export { type CosineDecayOptions, cosineDecay } from "./schedules/cosine-decay.js";
export { type ExponentialDecayOptions, exponentialDecay } from "./schedules/exponential-decay.js";
export { type LinearWarmupOptions, linearWarmup } from "./schedules/linear-warmup.js";
export { type LearningRate, type LrSchedule, learningRateAt } from "./schedules/lr-schedule.js";
export { sequence } from "./schedules/sequence.js";
export { type StepDecayOptions, stepDecay } from "./schedules/step-decay.js";
export { type WarmupCosineOptions, warmupCosine } from "./schedules/warmup-cosine.js";
export { SGD, type SgdOptions } from "./sgd.js";
export type { OptimizerStateDict, SavedOption } from "./state-dict.js";
