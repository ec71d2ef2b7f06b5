// The training loop. Each step draws a batch of random blocks, and the optimizer computes
// the loss, its gradients and every parameter update as one program (`stepOn`). Every
// `evalInterval` steps the mean loss over random batches of each split is measured in
// eval mode without gradients. Checkpoints capture everything that decides what happens
// next — weights, optimizer state, every RNG, callbacks' state — so a resumed run
// produces the same losses as one that never stopped.

import { SeededRng } from "../random/seeded-rng.js";
import { manualSeed } from "../tensor/creation.js";
import { noGrad } from "../tensor/functional.js";
import type { Tensor } from "../tensor/tensor.js";
import type { StopReason, TrainingCallback } from "./callbacks.js";
import {
  type CheckpointConfig,
  type LoadedCheckpoint,
  type TrainingState,
  writeCheckpoint,
} from "./checkpoint.js";
import { sampleBatchTensors } from "./text-dataset.js";
import { type EvalRecord, readTrainingLog, type StepRecord, TrainingLogWriter } from "./training-log.js";

/** What `fit` needs of a model: a loss on token batches, parameters by name, train/eval mode. */
export interface TrainableLanguageModel {
  /** Mean next-token cross-entropy of int32 ids [batch, block] against targets of the same shape. */
  loss(ids: Tensor, targets: Tensor): Tensor;
  stateDict(): ReadonlyMap<string, Tensor>;
  loadStateDict(dict: ReadonlyMap<string, Tensor>): unknown;
  readonly training: boolean;
  train(mode?: boolean): unknown;
}

/** What `fit` needs of an optimizer (`src/optim` provides these). */
export interface TrainingOptimizer {
  /** Computes the loss, its gradients and the update in one program; returns the loss. */
  stepOn(loss: Tensor, options?: { clipNorm?: number }): { loss: number };
  stateDict(): unknown;
  loadStateDict(state: unknown): void;
  /** The learning rate of each parameter group at the next step, for the log. */
  learningRates?(): number[];
}

/** Anything that can be read as a mutable seed stream (`src/nn`'s SeedStream for dropout). */
export interface SeedSource {
  state(): TrainingState["rng"][string];
  setState(state: TrainingState["rng"][string]): void;
}

/** Token streams to train and validate on (a TextDataset fits). */
export interface TrainingData {
  train: Int32Array;
  validation: Int32Array;
}

export interface CheckpointOptions {
  /** The run directory; checkpoints go in `step-NNNNNN/` folders under it. */
  dir: string;
  /** Save every this many steps (and always after the last). Default: the evaluation interval. */
  every?: number;
  /** How many checkpoints to keep. Default 1. */
  keep?: number;
  /** Model, tokenizer and training options, stored with every checkpoint. */
  config: CheckpointConfig;
}

export interface FitOptions {
  optimizer: TrainingOptimizer;
  batchSize: number;
  blockSize: number;
  /** Total optimizer steps (counting those before a resume). Give this or `epochs`. */
  iterations?: number;
  /** Total epochs, an epoch being as many steps as it takes to draw as many tokens as the training split has. */
  epochs?: number;
  /** Clip gradients to this global norm. */
  clipNorm?: number;
  /** Seeds batch selection, evaluation batches and unseeded random ops. Default 0. */
  seed?: number;
  /** Steps between evaluations (there is also one before the first step and one after the last). */
  evalInterval?: number;
  /** Random batches per split in an evaluation. Default 50. */
  evalBatches?: number;
  /** The stream the model's dropout layers draw mask seeds from, so that it is checkpointed. */
  dropoutSeeds?: SeedSource;
  checkpoint?: CheckpointOptions;
  /** Append a JSON-lines record per step and per evaluation to this file. */
  logFile?: string;
  callbacks?: readonly TrainingCallback[];
  /** Continue from this checkpoint: weights, optimizer, RNGs, callbacks and log are restored. */
  resumeFrom?: LoadedCheckpoint;
}

export interface FitResult {
  /** Steps completed in total. */
  iter: number;
  reason: StopReason;
  message: string;
  /** The loss of every step this call took, in order. */
  stepLosses: { iter: number; loss: number }[];
  lastEvaluation?: EvalRecord;
  /** The newest checkpoint written or resumed from. */
  checkpoint?: string;
  elapsedMs: number;
}

/** Thrown when a loss is NaN or infinite; the message names the last good checkpoint. */
export class NonFiniteLossError extends Error {
  constructor(
    message: string,
    readonly iter: number,
    readonly checkpoint: string | undefined,
  ) {
    super(message);
    this.name = "NonFiniteLossError";
  }
}

const DEFAULT_EVAL_BATCHES = 50;

function positiveInteger(value: number | undefined, name: string): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
    throw new Error(`fit: ${name} must be an integer >= 1, got ${value}`);
  }
}

/** Total steps from `iterations` or `epochs`. */
function totalIterations(options: FitOptions, data: TrainingData): number {
  const { iterations, epochs, batchSize, blockSize } = options;
  if ((iterations === undefined) === (epochs === undefined)) {
    throw new Error("fit: give exactly one of iterations and epochs");
  }
  positiveInteger(iterations, "iterations");
  positiveInteger(epochs, "epochs");
  if (iterations !== undefined) return iterations;
  const stepsPerEpoch = Math.max(1, Math.floor(data.train.length / (batchSize * blockSize)));
  return epochs! * stepsPerEpoch;
}

/** Mean loss over `batches` random batches of `tokens`, in eval mode and without gradients. */
export function estimateLoss(
  model: TrainableLanguageModel,
  tokens: Int32Array,
  options: { batches: number; batchSize: number; blockSize: number; rng: SeededRng },
): number {
  const wasTraining = model.training;
  model.train(false);
  try {
    let total = 0;
    for (let b = 0; b < options.batches; b++) {
      const { ids, targets } = sampleBatchTensors(tokens, options.batchSize, options.blockSize, options.rng);
      total += noGrad(() => model.loss(ids, targets)).item();
    }
    return total / options.batches;
  } finally {
    model.train(wasTraining);
  }
}

/** Trains `model` on `data`; see {@link FitOptions}. */
export function fit(model: TrainableLanguageModel, data: TrainingData, options: FitOptions): FitResult {
  const run = new FitRun(model, data, options, fitSchedule(options, data));
  if (options.resumeFrom) run.restore(options.resumeFrom);
  else run.log?.truncateAfter(-1);
  return run.run();
}

/** The numbers that pace a run, from the options (checked). */
interface FitSchedule {
  readonly iterations: number;
  readonly evalInterval: number;
  readonly evalBatches: number;
  readonly checkpointEvery: number;
  readonly tokensPerStep: number;
}

function fitSchedule(options: FitOptions, data: TrainingData): FitSchedule {
  const { batchSize, blockSize } = options;
  positiveInteger(batchSize, "batchSize");
  positiveInteger(blockSize, "blockSize");
  positiveInteger(options.evalInterval, "evalInterval");
  positiveInteger(options.evalBatches, "evalBatches");
  const iterations = totalIterations(options, data);
  const evalInterval = options.evalInterval ?? Math.max(1, Math.ceil(iterations / 10));
  const checkpointEvery = options.checkpoint?.every ?? evalInterval;
  positiveInteger(checkpointEvery, "checkpoint.every");
  return {
    iterations,
    evalInterval,
    evalBatches: options.evalBatches ?? DEFAULT_EVAL_BATCHES,
    checkpointEvery,
    tokensPerStep: batchSize * blockSize,
  };
}

/**
 * One call of `fit`: its state (step, RNGs, clocks, the last evaluation and checkpoint)
 * and the steps of the loop, each a method: restore, train a step, evaluate, save a
 * checkpoint, stop on a non-finite value, end.
 */
class FitRun {
  readonly log: TrainingLogWriter | undefined;
  private readonly callbacks: readonly TrainingCallback[];
  /**
   * Separate generators, so that evaluating more or less often never changes which
   * training batches are drawn. `unseeded` reseeds the global stream that rand, randn and
   * dropout without a seed of their own use, once per step.
   */
  private rngs: { batches: SeededRng; evaluation: SeededRng; unseeded: SeededRng };
  private startIter = 0;
  private iter = 0;
  private previousElapsedMs = 0;
  private readonly sessionStart = performance.now();
  private lastCheckpoint: string | undefined;
  private lastEvaluation: EvalRecord | undefined;
  /** Training throughput since the last evaluation, excluding the time evaluations take. */
  private trainingMsSinceEval = 0;
  private stepsSinceEval = 0;
  private readonly stepLosses: FitResult["stepLosses"] = [];

  constructor(
    private readonly model: TrainableLanguageModel,
    private readonly data: TrainingData,
    private readonly options: FitOptions,
    private readonly schedule: FitSchedule,
  ) {
    this.callbacks = options.callbacks ?? [];
    this.log = options.logFile === undefined ? undefined : new TrainingLogWriter(options.logFile);
    const root = new SeededRng(options.seed ?? 0);
    this.rngs = {
      batches: new SeededRng(root.nextUint32()),
      evaluation: new SeededRng(root.nextUint32()),
      unseeded: new SeededRng(root.nextUint32()),
    };
  }

  /** Continues from a checkpoint: weights, optimizer, every RNG, callbacks' state, the log. */
  restore(checkpoint: LoadedCheckpoint): void {
    const { state } = checkpoint;
    this.model.loadStateDict(checkpoint.weights);
    this.options.optimizer.loadStateDict(checkpoint.optimizer);
    for (const name of Object.keys(this.rngs) as (keyof FitRun["rngs"])[]) {
      const saved = state.rng[name];
      if (saved === undefined)
        throw new Error(`${checkpoint.path}: the checkpoint has no "${name}" RNG state`);
      this.rngs[name] = SeededRng.fromState(saved);
    }
    if (this.options.dropoutSeeds) {
      const saved = state.rng.dropout;
      if (saved === undefined) throw new Error(`${checkpoint.path}: the checkpoint has no dropout RNG state`);
      this.options.dropoutSeeds.setState(saved);
    }
    for (const callback of this.callbacks) {
      if (callback.name !== undefined && callback.loadState && state.callbacks[callback.name] !== undefined) {
        callback.loadState(state.callbacks[callback.name]);
      }
    }
    this.startIter = this.iter = state.iter;
    this.previousElapsedMs = state.elapsedMs;
    this.lastCheckpoint = checkpoint.path;
    this.log?.truncateAfter(this.startIter);
  }

  /** The loop: evaluate first (a new run), then step, evaluate and checkpoint on schedule. */
  run(): FitResult {
    const { iterations, evalInterval, checkpointEvery, tokensPerStep } = this.schedule;
    let stopMessage: string | undefined;
    try {
      for (const callback of this.callbacks) {
        callback.onStart?.({
          startIter: this.startIter,
          iterations,
          tokensPerStep,
          elapsedMs: this.previousElapsedMs,
        });
      }
      this.model.train(true);
      if (this.startIter === 0) stopMessage = this.evaluate(0);
      // Killed between the last checkpoint and the off-schedule evaluation after it, a run
      // resumes at its end with that evaluation missing: make it now. The checkpoint holds
      // the evaluation RNG from before it, so it gives the values the run would have logged.
      if (
        this.startIter > 0 &&
        this.startIter === iterations &&
        iterations % evalInterval !== 0 &&
        !this.loggedEvaluationAt(iterations)
      ) {
        this.evaluate(iterations);
      }
      while (stopMessage === undefined && this.iter < iterations) {
        const iter = this.trainStep();
        const scheduled = iter % evalInterval === 0;
        if (scheduled) stopMessage = this.evaluate(iter);
        if (iter % checkpointEvery === 0 || iter === iterations || stopMessage !== undefined)
          this.saveCheckpoint(iter);
        // The last model is always evaluated. Off the schedule, that comes after the checkpoint,
        // which must hold what a run going on past this point holds (the evaluation RNG and
        // early stopping's memory without this evaluation), or resuming would not be exact.
        if (!scheduled && iter === iterations) this.evaluate(iter);
      }
    } catch (error) {
      // Callbacks hear of every end, so that a progress bar lets go of the terminal.
      if (!(error instanceof NonFiniteLossError))
        this.end("error", (error as Error)?.message ?? String(error));
      throw error;
    }
    return this.finish(stopMessage);
  }

  private loggedEvaluationAt(iter: number): boolean {
    if (!this.log) return false;
    return readTrainingLog(this.log.path).some((record) => record.type === "eval" && record.iter === iter);
  }

  /** One optimizer step on a random batch; logs it and hands it to the callbacks. Returns the new step count. */
  private trainStep(): number {
    const { optimizer, batchSize, blockSize, clipNorm } = this.options;
    const { iterations, tokensPerStep } = this.schedule;
    const stepStart = performance.now();
    manualSeed(this.rngs.unseeded.nextUint32());
    const lr = optimizer.learningRates?.()[0];
    const { ids, targets } = sampleBatchTensors(this.data.train, batchSize, blockSize, this.rngs.batches);
    const { loss } = optimizer.stepOn(
      this.model.loss(ids, targets),
      clipNorm === undefined ? {} : { clipNorm },
    );
    const iter = ++this.iter;
    const stepMs = performance.now() - stepStart;
    this.trainingMsSinceEval += stepMs;
    this.stepsSinceEval++;
    this.stepLosses.push({ iter, loss });
    const record: StepRecord = {
      type: "step",
      iter,
      loss,
      ...(lr === undefined ? {} : { lr }),
      tokensPerSec: (tokensPerStep * 1000) / stepMs,
      elapsedMs: Math.round(this.elapsed()),
    };
    this.log?.append(record);
    // The update was computed with this loss, so the weights are now spoilt: stop without
    // saving, and keep the last checkpoint, which was written from good weights.
    if (!Number.isFinite(loss)) this.nonFinite("training loss", loss);
    for (const callback of this.callbacks) callback.onStep?.({ ...record, iterations, etaMs: this.etaMs() });
    return iter;
  }

  /** Mean losses on both splits; returns a callback's request to stop, if any. */
  private evaluate(iter: number): string | undefined {
    const { batchSize, blockSize } = this.options;
    const { evalBatches, tokensPerStep, iterations } = this.schedule;
    const batches = { batches: evalBatches, batchSize, blockSize, rng: this.rngs.evaluation };
    const trainLoss = estimateLoss(this.model, this.data.train, batches);
    const valLoss = estimateLoss(this.model, this.data.validation, batches);
    const record: EvalRecord = {
      type: "eval",
      iter,
      trainLoss,
      valLoss,
      tokensPerSec:
        this.stepsSinceEval === 0
          ? 0
          : (this.stepsSinceEval * tokensPerStep * 1000) / this.trainingMsSinceEval,
      elapsedMs: Math.round(this.elapsed()),
    };
    this.trainingMsSinceEval = 0;
    this.stepsSinceEval = 0;
    this.lastEvaluation = record;
    this.log?.append(record);
    if (!Number.isFinite(trainLoss)) this.nonFinite("evaluation loss on the training data", trainLoss);
    if (!Number.isFinite(valLoss)) this.nonFinite("validation loss", valLoss);
    let stop: string | undefined;
    for (const callback of this.callbacks) {
      stop = callback.onEvaluation?.({ ...record, iterations, etaMs: this.etaMs() }) ?? stop;
    }
    return stop;
  }

  /** Everything that decides what happens next, written atomically (see checkpoint.ts). */
  private saveCheckpoint(iter: number): void {
    const checkpoint = this.options.checkpoint;
    if (!checkpoint) return;
    // A finite loss was computed before its update: the weights after it can still have
    // overflowed. A checkpoint must never hold those, or it would not be a good one.
    const weights = this.model.stateDict();
    for (const [name, value] of weights) {
      const bad = value.dataSync().find((v) => !Number.isFinite(v));
      if (bad !== undefined) this.nonFinite(`weight ${name} after the update`, bad);
    }
    const state: TrainingState = {
      iter,
      elapsedMs: this.elapsed(),
      rng: Object.fromEntries(Object.entries(this.rngs).map(([name, rng]) => [name, rng.state()])),
      callbacks: {},
    };
    if (this.options.dropoutSeeds) state.rng.dropout = this.options.dropoutSeeds.state();
    for (const callback of this.callbacks) {
      if (callback.name !== undefined && callback.state) state.callbacks[callback.name] = callback.state();
    }
    this.lastCheckpoint = writeCheckpoint(
      checkpoint.dir,
      { config: checkpoint.config, weights, optimizer: this.options.optimizer.stateDict(), state },
      checkpoint.keep,
    );
    for (const callback of this.callbacks) callback.onCheckpoint?.({ iter, path: this.lastCheckpoint });
  }

  /** Stops the run on a NaN or infinite value, naming the last good checkpoint. */
  private nonFinite(what: string, value: number): never {
    const kept =
      this.lastCheckpoint === undefined
        ? "no checkpoint had been saved yet"
        : `the last good checkpoint is ${this.lastCheckpoint}`;
    const message = `training stopped at iteration ${this.iter}: the ${what} is ${value}; ${kept}`;
    this.end("non-finite-loss", message);
    throw new NonFiniteLossError(message, this.iter, this.lastCheckpoint);
  }

  private end(reason: StopReason, message: string): void {
    if (reason !== "completed") this.log?.append({ type: "stop", iter: this.iter, reason: message });
    for (const callback of this.callbacks)
      callback.onEnd?.({ iter: this.iter, reason, message, elapsedMs: this.elapsed() });
  }

  private finish(stopMessage: string | undefined): FitResult {
    const { iterations } = this.schedule;
    const reason: StopReason = stopMessage === undefined ? "completed" : "early-stopping";
    const last = this.lastEvaluation;
    const message =
      stopMessage ??
      (this.startIter >= iterations
        ? `nothing to do: the run is already at iteration ${this.startIter}`
        : `training done: ${iterations} iterations${last ? `, validation loss ${last.valLoss.toFixed(4)}` : ""}`);
    this.end(reason, message);
    return {
      iter: this.iter,
      reason,
      message,
      stepLosses: this.stepLosses,
      ...(last ? { lastEvaluation: last } : {}),
      ...(this.lastCheckpoint ? { checkpoint: this.lastCheckpoint } : {}),
      elapsedMs: this.elapsed(),
    };
  }

  private elapsed(): number {
    return this.previousElapsedMs + (performance.now() - this.sessionStart);
  }

  private etaMs(): number {
    const done = this.iter - this.startIter;
    const ms = performance.now() - this.sessionStart;
    return done === 0 ? Number.NaN : (ms / done) * (this.schedule.iterations - this.iter);
  }
}
