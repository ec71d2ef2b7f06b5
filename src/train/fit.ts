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
import { type EvalRecord, type StepRecord, TrainingLogWriter } from "./training-log.js";

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
  const { optimizer, batchSize, blockSize, clipNorm, resumeFrom } = options;
  positiveInteger(batchSize, "batchSize");
  positiveInteger(blockSize, "blockSize");
  positiveInteger(options.evalInterval, "evalInterval");
  positiveInteger(options.evalBatches, "evalBatches");
  const iterations = totalIterations(options, data);
  const evalInterval = options.evalInterval ?? Math.max(1, Math.ceil(iterations / 10));
  const evalBatches = options.evalBatches ?? DEFAULT_EVAL_BATCHES;
  const checkpointEvery = options.checkpoint?.every ?? evalInterval;
  positiveInteger(checkpointEvery, "checkpoint.every");
  const callbacks = options.callbacks ?? [];
  const tokensPerStep = batchSize * blockSize;

  // Separate generators, so that evaluating more or less often never changes which
  // training batches are drawn. `unseeded` reseeds the global stream that rand, randn and
  // dropout without a seed of their own use, once per step.
  const root = new SeededRng(options.seed ?? 0);
  const rngs = {
    batches: new SeededRng(root.nextUint32()),
    evaluation: new SeededRng(root.nextUint32()),
    unseeded: new SeededRng(root.nextUint32()),
  };
  let startIter = 0;
  let previousElapsedMs = 0;
  let lastCheckpoint: string | undefined;
  const log = options.logFile === undefined ? undefined : new TrainingLogWriter(options.logFile);

  if (resumeFrom) {
    const { state } = resumeFrom;
    model.loadStateDict(resumeFrom.weights);
    optimizer.loadStateDict(resumeFrom.optimizer);
    for (const name of Object.keys(rngs) as (keyof typeof rngs)[]) {
      const saved = state.rng[name];
      if (saved === undefined)
        throw new Error(`${resumeFrom.path}: the checkpoint has no "${name}" RNG state`);
      rngs[name] = SeededRng.fromState(saved);
    }
    if (options.dropoutSeeds) {
      const saved = state.rng.dropout;
      if (saved === undefined) throw new Error(`${resumeFrom.path}: the checkpoint has no dropout RNG state`);
      options.dropoutSeeds.setState(saved);
    }
    for (const callback of callbacks) {
      if (callback.name !== undefined && callback.loadState && state.callbacks[callback.name] !== undefined) {
        callback.loadState(state.callbacks[callback.name]);
      }
    }
    startIter = state.iter;
    previousElapsedMs = state.elapsedMs;
    lastCheckpoint = resumeFrom.path;
    log?.truncateAfter(startIter);
  } else {
    log?.truncateAfter(-1);
  }

  const sessionStart = performance.now();
  const elapsed = () => previousElapsedMs + (performance.now() - sessionStart);
  const etaMs = (iter: number) => {
    const done = iter - startIter;
    return done === 0 ? Number.NaN : ((performance.now() - sessionStart) / done) * (iterations - iter);
  };
  // Training throughput since the last evaluation, excluding the time evaluations take.
  let trainingMsSinceEval = 0;
  let stepsSinceEval = 0;

  const saveCheckpoint = (iter: number) => {
    if (!options.checkpoint) return;
    // A finite loss was computed before its update: the weights after it can still have
    // overflowed. A checkpoint must never hold those, or it would not be a good one.
    const weights = model.stateDict();
    for (const [name, value] of weights) {
      const bad = value.dataSync().find((v) => !Number.isFinite(v));
      if (bad !== undefined) nonFinite(iter, `weight ${name} after the update`, bad);
    }
    const state: TrainingState = {
      iter,
      elapsedMs: elapsed(),
      rng: Object.fromEntries(Object.entries(rngs).map(([name, rng]) => [name, rng.state()])),
      callbacks: {},
    };
    if (options.dropoutSeeds) state.rng.dropout = options.dropoutSeeds.state();
    for (const callback of callbacks) {
      if (callback.name !== undefined && callback.state) state.callbacks[callback.name] = callback.state();
    }
    lastCheckpoint = writeCheckpoint(
      options.checkpoint.dir,
      {
        config: options.checkpoint.config,
        weights,
        optimizer: optimizer.stateDict(),
        state,
      },
      options.checkpoint.keep,
    );
    for (const callback of callbacks) callback.onCheckpoint?.({ iter, path: lastCheckpoint });
  };

  const end = (iter: number, reason: StopReason, message: string) => {
    if (reason !== "completed") log?.append({ type: "stop", iter, reason: message });
    for (const callback of callbacks) callback.onEnd?.({ iter, reason, message, elapsedMs: elapsed() });
  };

  const nonFinite = (iter: number, what: string, value: number): never => {
    const kept =
      lastCheckpoint === undefined
        ? "no checkpoint had been saved yet"
        : `the last good checkpoint is ${lastCheckpoint}`;
    const message = `training stopped at iteration ${iter}: the ${what} is ${value}; ${kept}`;
    end(iter, "non-finite-loss", message);
    throw new NonFiniteLossError(message, iter, lastCheckpoint);
  };

  let lastEvaluation: EvalRecord | undefined;
  const evaluate = (iter: number): string | undefined => {
    const batches = { batches: evalBatches, batchSize, blockSize, rng: rngs.evaluation };
    const trainLoss = estimateLoss(model, data.train, batches);
    const valLoss = estimateLoss(model, data.validation, batches);
    const record: EvalRecord = {
      type: "eval",
      iter,
      trainLoss,
      valLoss,
      tokensPerSec: stepsSinceEval === 0 ? 0 : (stepsSinceEval * tokensPerStep * 1000) / trainingMsSinceEval,
      elapsedMs: Math.round(elapsed()),
    };
    trainingMsSinceEval = 0;
    stepsSinceEval = 0;
    lastEvaluation = record;
    log?.append(record);
    if (!Number.isFinite(trainLoss)) nonFinite(iter, "evaluation loss on the training data", trainLoss);
    if (!Number.isFinite(valLoss)) nonFinite(iter, "validation loss", valLoss);
    let stop: string | undefined;
    for (const callback of callbacks) {
      stop = callback.onEvaluation?.({ ...record, iterations, etaMs: etaMs(iter) }) ?? stop;
    }
    return stop;
  };

  const stepLosses: FitResult["stepLosses"] = [];
  let stopMessage: string | undefined;
  let iter = startIter;
  try {
    for (const callback of callbacks) {
      callback.onStart?.({ startIter, iterations, tokensPerStep, elapsedMs: previousElapsedMs });
    }
    model.train(true);
    if (startIter === 0) stopMessage = evaluate(0);
    while (stopMessage === undefined && iter < iterations) {
      const stepStart = performance.now();
      manualSeed(rngs.unseeded.nextUint32());
      const lr = optimizer.learningRates?.()[0];
      const { ids, targets } = sampleBatchTensors(data.train, batchSize, blockSize, rngs.batches);
      const { loss } = optimizer.stepOn(model.loss(ids, targets), clipNorm === undefined ? {} : { clipNorm });
      iter++;
      const stepMs = performance.now() - stepStart;
      trainingMsSinceEval += stepMs;
      stepsSinceEval++;
      stepLosses.push({ iter, loss });
      const record: StepRecord = {
        type: "step",
        iter,
        loss,
        ...(lr === undefined ? {} : { lr }),
        tokensPerSec: (tokensPerStep * 1000) / stepMs,
        elapsedMs: Math.round(elapsed()),
      };
      log?.append(record);
      // The update was computed with this loss, so the weights are now spoilt: stop without
      // saving, and keep the last checkpoint, which was written from good weights.
      if (!Number.isFinite(loss)) nonFinite(iter, "training loss", loss);
      for (const callback of callbacks) callback.onStep?.({ ...record, iterations, etaMs: etaMs(iter) });
      const scheduled = iter % evalInterval === 0;
      if (scheduled) stopMessage = evaluate(iter);
      if (iter % checkpointEvery === 0 || iter === iterations || stopMessage !== undefined)
        saveCheckpoint(iter);
      // The last model is always evaluated. Off the schedule, that comes after the checkpoint,
      // which must hold what a run going on past this point holds (the evaluation RNG and
      // early stopping's memory without this evaluation), or resuming would not be exact.
      if (!scheduled && iter === iterations) evaluate(iter);
    }
  } catch (error) {
    // Callbacks hear of every end, so that a progress bar lets go of the terminal.
    if (!(error instanceof NonFiniteLossError))
      end(iter, "error", (error as Error)?.message ?? String(error));
    throw error;
  }

  const reason: StopReason = stopMessage === undefined ? "completed" : "early-stopping";
  const message =
    stopMessage ??
    (startIter >= iterations
      ? `nothing to do: the run is already at iteration ${startIter}`
      : `training done: ${iterations} iterations${lastEvaluation ? `, validation loss ${lastEvaluation.valLoss.toFixed(4)}` : ""}`);
  end(iter, reason, message);
  return {
    iter,
    reason,
    message,
    stepLosses,
    ...(lastEvaluation ? { lastEvaluation } : {}),
    ...(lastCheckpoint ? { checkpoint: lastCheckpoint } : {}),
    elapsedMs: elapsed(),
  };
}
