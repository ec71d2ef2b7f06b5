// A job is a piece of work a worker process does on its own: train a run directory up to an
// iteration (a sweep's trial segment), score a list of texts with a checkpoint, or continue
// a list of prompts. Jobs are plain JSON, so the same job runs in a local child process or
// goes through a queue to a worker on another machine. Paths in a job (checkpoints, data
// files) must mean the same file wherever it runs; run directories are relative to the
// worker's work directory.
import type { Evaluation, Settings } from "./training-runs.js";

/** Train (or continue) the run in `dir` up to `settings.iterations`. */
export interface TrainJob {
  kind: "train";
  model: string;
  settings: Settings;
  /** The run directory, relative to the worker's work directory. */
  dir: string;
}

/** Score each text with a trained model: mean loss per token and perplexity. */
export interface EvalTextsJob {
  kind: "eval";
  checkpoint: string;
  items: { index: number; text: string }[];
}

/** Continue each prompt with a trained model. */
export interface GenerateTextsJob {
  kind: "generate";
  checkpoint: string;
  items: { index: number; text: string }[];
  maxTokens: number;
  temperature: number;
  topK?: number;
  topP?: number;
  seed: number;
}

export type Job = TrainJob | EvalTextsJob | GenerateTextsJob;

export const JOB_KINDS: readonly Job["kind"][] = ["train", "eval", "generate"];

/** What each item of a batch job produced: its index and the fields the job computes. */
export interface ItemResult {
  index: number;
  [field: string]: unknown;
}

/**
 * How a job ended. "failed" is an outcome of the work itself (a run whose loss diverged, a
 * prompt outside the vocabulary): doing it again gives the same, so it is not retried. A
 * job whose process dies or cannot start is an error instead, and is retried.
 */
export interface JobResult {
  status: "completed" | "failed";
  error?: string;
  /** Train jobs: every evaluation of the run so far (earlier segments included). */
  evaluations?: Evaluation[];
  /** Batch jobs: one result per item, in the job's order. */
  items?: ItemResult[];
  seconds: number;
  /** host:pid of the process that did it. */
  worker: string;
}

/** Progress a job reports while it runs: a train job's evaluations, a batch job's items done. */
export type JobProgress = { evaluation: Evaluation } | { done: number; total: number };

/** The exit code of a job process that could not run the job now (see job-process.ts). */
export const EXIT_RETRY_LATER = 75;
