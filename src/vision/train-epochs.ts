// The training loop every vision model shares: epochs of shuffled mini-batches (the last
// partial batch dropped, so each step is one compiled program), Adam on a cosine schedule
// to zero, the loss, gradients, update and any staged batch-norm statistics computed as one
// program per step, an evaluation after each epoch, and a checkpoint after each epoch from
// which an interrupted run continues exactly (same batches, augmentations, dropout masks).
import type { Module } from "../nn/module.js";
import { SeedStream } from "../nn/seed-stream.js";
import { Adam } from "../optim/adam.js";
import { SeededRng, type SeededRngState } from "../random/seeded-rng.js";
import type { Tensor } from "../tensor/tensor.js";
import {
  readVisionCheckpoint,
  VISION_FORMAT,
  type VisionConfig,
  type VisionTask,
  writeVisionCheckpoint,
} from "./vision-checkpoint.js";

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  msPerStep: number;
  elapsedMs: number;
  /** What `evaluate` measured after the epoch (held-out accuracy, BLEU, …). */
  [metric: string]: number;
}

/** The run's own settings every vision model's settings hold. */
export interface EpochSettings {
  batchSize: number;
  epochs: number;
  /** Peak learning rate; it decays to zero on a cosine over the run. */
  lr: number;
  seed: number;
}

export interface EpochTraining {
  model: Module;
  /** Training examples; batches are drawn from 0 … count − 1. */
  count: number;
  settings: EpochSettings;
  /** The loss of a batch of example indices; `rng` is the run's, for augmentation. */
  batchLoss(indices: readonly number[], rng: SeededRng): Tensor;
  /** Held-out figures after an epoch (the model is left in training mode after). */
  evaluate?(): Record<string, number>;
  /** The stream the model's dropout layers draw from (checkpointed with the run). */
  dropoutSeeds?: SeedStream;
  /** Run directory and the config stored with each checkpoint; `resume` continues from one. */
  checkpoint?: { out: string; config: VisionConfig; resume?: boolean };
  onStep?(step: number, steps: number, loss: number): void;
  onEpoch?(record: EpochRecord): void;
}

interface RunState {
  epoch: number;
  rng: SeededRngState;
  dropout?: SeededRngState;
  history: EpochRecord[];
  elapsedMs: number;
}

/** The checkpoint to resume from in `out`, if it holds one of `task` with a training state. */
function resumable(out: string, task: VisionConfig["task"]) {
  try {
    const checkpoint = readVisionCheckpoint(out, task);
    return checkpoint.state ? checkpoint : undefined;
  } catch (error) {
    if (/no infiniset vision checkpoint/.test((error as Error).message)) return undefined;
    throw error;
  }
}

export function trainEpochs(run: EpochTraining): { history: EpochRecord[] } {
  const { model } = run;
  const { batchSize, epochs, lr, seed } = run.settings;
  if (run.count < batchSize) {
    throw new Error(`train: ${run.count} training examples are fewer than one batch of ${batchSize}`);
  }
  const stepsPerEpoch = Math.floor(run.count / batchSize);
  const totalSteps = stepsPerEpoch * epochs;
  const optimizer = new Adam(model.parameters(), {
    lr: (step: number) => 0.5 * lr * (1 + Math.cos((Math.PI * Math.min(step, totalSteps)) / totalSteps)),
  });
  let rng = new SeededRng(seed + 2);
  let history: EpochRecord[] = [];
  let elapsedMs = 0;
  let first = 0;
  const resumed = run.checkpoint?.resume
    ? resumable(run.checkpoint.out, run.checkpoint.config.task)
    : undefined;
  if (resumed) {
    model.loadStateDict(resumed.weights);
    optimizer.loadStateDict(resumed.optimizer as never);
    const state = resumed.state as unknown as RunState;
    rng = SeededRng.fromState(state.rng);
    if (state.dropout) run.dropoutSeeds?.setState(state.dropout);
    ({ history, elapsedMs, epoch: first } = state);
  }
  for (let epoch = first; epoch < epochs; epoch++) {
    const started = performance.now();
    model.train();
    const order = Array.from({ length: run.count }, (_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.nextInt(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    let total = 0;
    for (let step = 0; step < stepsPerEpoch; step++) {
      const loss = run.batchLoss(order.slice(step * batchSize, (step + 1) * batchSize), rng);
      const { loss: value } = optimizer.stepOn(loss, { alsoCompute: model.stagedValues() });
      model.commitStaged();
      if (!Number.isFinite(value))
        throw new Error(`train: the loss became ${value} at epoch ${epoch + 1}, step ${step + 1}`);
      total += value;
      run.onStep?.(step + 1, stepsPerEpoch, value);
    }
    const trainMs = performance.now() - started;
    const metrics = run.evaluate?.() ?? {};
    model.train();
    elapsedMs += performance.now() - started;
    const record: EpochRecord = {
      epoch: epoch + 1,
      trainLoss: total / stepsPerEpoch,
      ...metrics,
      msPerStep: trainMs / stepsPerEpoch,
      elapsedMs,
    };
    history.push(record);
    if (run.checkpoint) {
      const state: RunState = {
        epoch: epoch + 1,
        rng: rng.state(),
        dropout: run.dropoutSeeds?.state(),
        history,
        elapsedMs,
      };
      writeVisionCheckpoint(run.checkpoint.out, {
        config: run.checkpoint.config,
        weights: model.stateDict(),
        optimizer: optimizer.stateDict(),
        state: state as unknown as RunState & { [key: string]: unknown },
      });
    }
    run.onEpoch?.(record);
  }
  return { history };
}

/**
 * The checkpoint option of a run with a directory (none without): where it keeps its
 * checkpoints, whether it resumes, and the config stored with them (the model's config and
 * the training settings).
 */
export function runCheckpoint(
  options: { out?: string; resume?: boolean },
  task: VisionTask,
  model: object,
  training: object,
): EpochTraining["checkpoint"] {
  if (!options.out) return undefined;
  return {
    out: options.out,
    resume: options.resume,
    config: { format: VISION_FORMAT, version: 1, task, model: { ...model }, training: { ...training } },
  };
}

/** A fresh stream of dropout seeds for a run with this seed. */
export function dropoutSeedsFor(seed: number): SeedStream {
  return new SeedStream(seed + 1);
}
