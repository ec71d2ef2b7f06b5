// The sweep's coordinator: asks the strategy what to train next, hands each segment to the
// executor as a train job (local processes or a queue), records every segment that ends in
// results.jsonl, and stops at the trial or time budget or when told to. A sweep directory
// holds sweep.json (the config and the sweep's id), results.jsonl, and, with local
// processes, the trials' run directories; resuming replays results.jsonl into a fresh
// strategy, and trials that were cut short continue from their checkpoints.

import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomicSync } from "../formats/atomic-write.js";
import { type Executor, ExecutorClosedError } from "../jobs/executors/executor.js";
import type { JobProgress, JobResult, TrainJob } from "../jobs/job.js";
import type { Evaluation } from "../jobs/training-runs.js";
import { objectiveValue } from "./objective.js";
import { RESULTS_FILE, type ResultRecord, ResultsLog, readResults } from "./results-log.js";
import type { Params } from "./search-space.js";
import { createStrategy, type Segment } from "./strategies/index.js";
import { type SweepConfig, trialParams, trialSettings } from "./sweep-config.js";

export const SWEEP_FILE = "sweep.json";

export type SweepEvent =
  | { type: "start"; segment: Segment; params: Params }
  | { type: "evaluation"; trial: number; fold?: number; evaluation: Evaluation }
  | { type: "result"; record: ResultRecord }
  | { type: "waiting-for-workers" };

export type StopReason = "completed" | "time-budget" | "stopped";

export interface SweepOptions {
  config: SweepConfig;
  /** The sweep directory. */
  out: string;
  executor: Executor;
  /** Continue the sweep in `out` (it must have been started with the same config). */
  resume?: boolean;
  /**
   * The executor's work directory serves other sweeps too (a queue's workers): trial run
   * directories go in a folder named after the sweep and its id. Otherwise (local processes
   * working in `out/trials`) they are named after the trial alone.
   */
  sharedWorkDir?: boolean;
  onEvent?: (event: SweepEvent) => void;
  /** Aborting stops the sweep as the time budget does: it can be resumed. */
  signal?: AbortSignal;
}

export interface SweepRun {
  id: string;
  records: ResultRecord[];
  reason: StopReason;
  seconds: number;
}

interface SweepFile {
  id: string;
  createdAt: string;
  config: SweepConfig;
}

/** The sweep's id: new for a new sweep, read back when resuming one with the same config. */
function openSweepDirectory(out: string, config: SweepConfig, resume: boolean): string {
  const path = join(out, SWEEP_FILE);
  if (existsSync(path)) {
    if (!resume)
      throw new Error(`${out} already holds a sweep; pass --resume to continue it, or choose another --out`);
    const saved = JSON.parse(readFileSync(path, "utf8")) as SweepFile;
    // The file holds the config as checked then; checking is deterministic, so the same
    // config file gives the same object now.
    const savedConfig = saved.config as SweepConfig;
    if (JSON.stringify(savedConfig) !== JSON.stringify(config)) {
      const differs = (Object.keys(config) as (keyof SweepConfig)[]).filter(
        (key) => JSON.stringify(config[key]) !== JSON.stringify(savedConfig[key]),
      );
      throw new Error(
        `the sweep in ${out} was started with a different config (${differs.join(", ")} differ); a resumed sweep keeps its config`,
      );
    }
    return saved.id;
  }
  mkdirSync(out, { recursive: true });
  const file: SweepFile = { id: randomBytes(4).toString("hex"), createdAt: new Date().toISOString(), config };
  writeFileAtomicSync(path, `${JSON.stringify(file, null, 2)}\n`);
  return file.id;
}

export function trialName(trial: number): string {
  return `trial-${String(trial).padStart(4, "0")}`;
}

/** The objective at the segment's last iteration, from the run's evaluations. */
function segmentObjective(config: SweepConfig, segment: Segment, evaluations: Evaluation[]): number {
  const atEnd = evaluations.filter((e) => e.iter <= segment.iterations).at(-1);
  if (!atEnd || atEnd.iter !== segment.iterations) {
    throw new Error(`the run has no evaluation at iteration ${segment.iterations}`);
  }
  return objectiveValue(config.objective, atEnd);
}

function toRecord(config: SweepConfig, segment: Segment, params: Params, result: JobResult): ResultRecord {
  const evaluations = (result.evaluations ?? []).filter((e) => e.iter <= segment.iterations);
  let objective: number | null = null;
  let error = result.error;
  if (result.status === "completed") {
    try {
      objective = segmentObjective(config, segment, evaluations);
      if (!Number.isFinite(objective)) {
        error = `the objective is ${objective}`;
        objective = null;
      }
    } catch (e) {
      error = (e as Error).message;
    }
  }
  return {
    trial: segment.trial,
    rung: segment.rung,
    iterations: segment.iterations,
    params,
    objective,
    status: objective === null ? "failed" : "completed",
    ...(error === undefined ? {} : { error }),
    evaluations,
    seconds: Number(result.seconds.toFixed(3)),
    worker: result.worker,
    finishedAt: new Date().toISOString(),
  };
}

/**
 * A cross-validated segment: the mean objective over the folds (each fold's is kept), and
 * the evaluations averaged per iteration; failed if any fold failed.
 */
function combineFolds(folds: ResultRecord[]): ResultRecord {
  const first = folds[0]!;
  const failed = folds.findIndex((r) => r.objective === null);
  const iterations = first.evaluations
    .map((e) => e.iter)
    .filter((iter) => folds.every((r) => r.evaluations.some((e) => e.iter === iter)));
  const evaluations = iterations.map((iter) => {
    const at = folds.map((r) => r.evaluations.find((e) => e.iter === iter)!);
    const mean: Evaluation = { iter };
    for (const key of Object.keys(at[0]!)) {
      if (key !== "iter" && at.every((e) => typeof e[key] === "number"))
        mean[key] = at.reduce((sum, e) => sum + e[key]!, 0) / at.length;
    }
    return mean;
  });
  return {
    ...first,
    objective: failed >= 0 ? null : folds.reduce((sum, r) => sum + r.objective!, 0) / folds.length,
    status: failed >= 0 ? "failed" : "completed",
    ...(failed >= 0 ? { error: `fold ${failed}: ${folds[failed]!.error}` } : {}),
    folds: folds.map((r) => r.objective),
    evaluations,
    seconds: Number(folds.reduce((sum, r) => sum + r.seconds, 0).toFixed(3)),
    worker: [...new Set(folds.map((r) => r.worker))].join(","),
  };
}

/** Runs (or resumes) a sweep until its budget is spent, its search is done, or `signal` aborts. */
export async function runSweep(options: SweepOptions): Promise<SweepRun> {
  const { config, out, executor } = options;
  const emit = options.onEvent ?? (() => {});
  const started = performance.now();
  const id = openSweepDirectory(out, config, options.resume === true);
  const resultsPath = join(out, RESULTS_FILE);
  const records = options.resume ? readResults(resultsPath) : [];
  const log = new ResultsLog(resultsPath, records);
  const strategy = createStrategy(config);
  for (const record of records) {
    strategy.record({ ...record, objective: record.objective ?? Number.NaN });
  }
  const prefix = options.sharedWorkDir ? `${config.name}-${id}/` : "";

  const deadline =
    config.budget.seconds === undefined ? Number.POSITIVE_INFINITY : started + config.budget.seconds * 1000;
  const running = new Map<string, Promise<void>>();
  let reason: StopReason | undefined;
  let wake: () => void = () => {};
  const stopRequested = () => {
    if (options.signal?.aborted) reason ??= "stopped";
    if (performance.now() >= deadline) reason ??= "time-budget";
    return reason !== undefined;
  };
  const onAbort = () => wake();
  options.signal?.addEventListener("abort", onAbort);
  const deadlineTimer = Number.isFinite(deadline)
    ? setTimeout(() => wake(), deadline - performance.now())
    : undefined;

  /** One train job of the segment: the whole run, or one fold of it. */
  const runJob = (segment: Segment, params: Params, fold?: number): Promise<ResultRecord | undefined> => {
    const settings = { ...trialSettings(config, params), iterations: segment.iterations };
    const folded = fold !== undefined;
    const job: TrainJob = {
      kind: "train",
      model: config.model,
      settings: folded ? { ...settings, validationFold: { index: fold, count: config.folds } } : settings,
      dir: `${prefix}${trialName(segment.trial)}${folded ? `/fold-${fold}` : ""}`,
    };
    const jobId = `${config.name}-${id}.t${segment.trial}.r${segment.rung}${folded ? `.f${fold}` : ""}`;
    const onProgress = (progress: JobProgress) => {
      if ("evaluation" in progress)
        emit({
          type: "evaluation",
          trial: segment.trial,
          evaluation: progress.evaluation,
          ...(folded ? { fold } : {}),
        });
    };
    return executor.run(jobId, job, onProgress).then(
      (result) => toRecord(config, segment, params, result),
      (error: Error): ResultRecord | undefined =>
        error instanceof ExecutorClosedError
          ? undefined
          : toRecord(config, segment, params, {
              status: "failed",
              error: error.message,
              seconds: 0,
              worker: "",
            }),
    );
  };

  const launch = (segment: Segment) => {
    const params = trialParams(config, segment.trial);
    emit({ type: "start", segment, params });
    const done =
      config.folds > 1
        ? Promise.all(Array.from({ length: config.folds }, (_, fold) => runJob(segment, params, fold))).then(
            (folds) =>
              folds.every((r) => r !== undefined) ? combineFolds(folds as ResultRecord[]) : undefined,
          )
        : runJob(segment, params);
    const key = `${segment.trial}/${segment.rung}`;
    running.set(
      key,
      done.then((record) => {
        running.delete(key);
        if (record && log.append(record)) {
          records.push(record);
          strategy.record({ ...record, objective: record.objective ?? Number.NaN });
          emit({ type: "result", record });
        }
      }),
    );
  };

  try {
    let waitingForWorkers = false;
    while (!stopRequested()) {
      const capacity = await executor.capacity();
      if (capacity === 0 && !waitingForWorkers) emit({ type: "waiting-for-workers" });
      waitingForWorkers = capacity === 0;
      // A segment is one job per fold.
      const segments = Math.max(1, Math.ceil(capacity / config.folds));
      let next = running.size < segments ? strategy.next() : "wait";
      while (typeof next === "object") {
        launch(next);
        next = running.size < segments ? strategy.next() : "wait";
      }
      if (next === "done" && running.size === 0) {
        reason = "completed";
        break;
      }
      // Wait for a segment to end, a stop, or (for workers joining a queue) a while.
      await new Promise<void>((resolve) => {
        wake = resolve;
        const timer = setTimeout(resolve, waitingForWorkers ? 1000 : 5000);
        Promise.race(running.values()).then(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    if (deadlineTimer) clearTimeout(deadlineTimer);
    if (reason !== "completed") await executor.close();
    await Promise.allSettled(running.values());
  }
  return { id, records, reason: reason ?? "stopped", seconds: (performance.now() - started) / 1000 };
}
