import { maxIterations, type SweepConfig, trialLimit } from "../sweep-config.js";
import { FullRuns } from "./full-runs.js";
import { Asha, SuccessiveHalving } from "./halving.js";
import type { Strategy } from "./strategy.js";

export { FullRuns } from "./full-runs.js";
export { Asha, SuccessiveHalving } from "./halving.js";
export * from "./strategy.js";

/** The strategy a sweep config names. */
export function createStrategy(config: SweepConfig): Strategy {
  const context = {
    objective: config.objective,
    trialLimit: trialLimit(config),
    maxIterations: maxIterations(config),
  };
  const { type, eta, minIterations } = config.strategy;
  if (type === "asha") return new Asha(context, { eta, minIterations });
  if (type === "successive-halving") return new SuccessiveHalving(context, { eta, minIterations });
  return new FullRuns(context);
}
