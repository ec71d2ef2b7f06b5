// Training a compressed GPT a little further on the data it was trained on, so the rest of
// the network makes up for what was taken away: a fresh AdamW (decay on the Linear weights,
// as in training) with a short warm-up and a cosine decay to a tenth of the peak rate.
import type { Gpt } from "../models/gpt/gpt.js";
import type { TrainingCallback } from "../train/callbacks.js";
import { type FitResult, fit, type TrainableLanguageModel } from "../train/fit.js";
import { GPT_FAMILY } from "../train/gpt-settings.js";
import { createLanguageModelOptimizer } from "../train/language-model-settings.js";
import type { CompressionSource } from "./compressed-checkpoint.js";

export interface FinetuneOptions {
  iterations: number;
  /** The peak learning rate (default: the source run's final one, times 3). */
  lr?: number;
  /** Evaluations during fine-tuning (besides the one before and after); default 4. */
  evaluations?: number;
  /** What fit trains: the model itself by default. */
  trainee?: TrainableLanguageModel;
  callbacks?: readonly TrainingCallback[];
  /** Seeds the batches (default: the source run's seed + 1, so they differ from training's). */
  seed?: number;
}

/** The peak learning rate fine-tuning uses unless told otherwise. */
export function defaultFinetuneLr(source: CompressionSource): number {
  return 3 * source.settings.minLr;
}

export function finetuneGpt(model: Gpt, source: CompressionSource, options: FinetuneOptions): FitResult {
  const { settings } = source;
  const { iterations } = options;
  const lr = options.lr ?? defaultFinetuneLr(source);
  const optimizer = createLanguageModelOptimizer(model.parameters(), GPT_FAMILY.decays(model), {
    ...settings,
    lr,
    minLr: lr / 10,
    warmup: Math.min(Math.ceil(iterations / 20), iterations - 1),
    decayIterations: iterations,
  });
  return fit(options.trainee ?? model, source.dataset(), {
    optimizer,
    batchSize: settings.batchSize,
    blockSize: source.blockSize,
    iterations,
    ...(settings.clipNorm > 0 ? { clipNorm: settings.clipNorm } : {}),
    seed: options.seed ?? settings.seed + 1,
    evalInterval: Math.max(1, Math.ceil(iterations / (options.evaluations ?? 4))),
    evalBatches: settings.evalBatches,
    dropoutSeeds: model.dropoutSeeds,
    ...(options.callbacks ? { callbacks: options.callbacks } : {}),
  });
}
