// `infiniset/tune`: hyper-parameter search from TypeScript, and the pieces to build on it.
export { LocalExecutor } from "../jobs/executors/local-executor.js";
export { QueueExecutor } from "../jobs/executors/queue-executor.js";
export { startQueueWorker } from "../jobs/executors/queue-worker.js";
export type { Job, JobResult } from "../jobs/job.js";
export type { Evaluation } from "../jobs/training-runs.js";
export { ConfigError } from "./config-error.js";
export { type Direction, type Objective, registerMetric } from "./objective.js";
export { renderSweepSvg } from "./plot-sweep.js";
export { type ResultRecord, readResults } from "./results-log.js";
export type { ParamSpec, Params, SearchSpace } from "./search-space.js";
export { Asha, FullRuns, type Segment, type Strategy, SuccessiveHalving } from "./strategies/index.js";
export { type SweepSummary, summarizeSweep, type TrialSummary } from "./summary.js";
export { runSweep, type SweepEvent, type SweepOptions, type SweepRun } from "./sweep.js";
export { parseSweepConfig, readSweepConfig, type SweepConfig } from "./sweep-config.js";
export { type TuneOptions, type TuneResult, tune } from "./tune.js";
