// A compressed GPT is saved as a checkpoint like any other (generate, eval, serve and
// export read it), whose config says what was done to the model (`compression`, oldest
// step first) and keeps the training settings of the run it came from, so that calibration
// and fine-tuning draw from the same data and evaluation defaults to the same split.
import { basename } from "node:path";
import { loadCorpus } from "../data/corpus.js";
import type { Gpt } from "../models/gpt/gpt.js";
import { SeededRng } from "../random/seeded-rng.js";
import type { Tensor } from "../tensor/tensor.js";
import { type CheckpointConfig, writeCheckpoint } from "../train/checkpoint.js";
import { type LoadedGpt, loadGptCheckpoint } from "../train/gpt-checkpoint.js";
import type { GptTrainingSettings } from "../train/gpt-settings.js";
import { prepareTextDataset, sampleBatchTensors, type TextDataset } from "../train/text-dataset.js";

/** A trained GPT to compress: the model, its tokenizer and run settings, and its data on demand. */
export interface CompressionSource extends LoadedGpt {
  /** Optimizer steps behind the model (from the checkpoint's folder name). */
  iter: number;
  settings: GptTrainingSettings;
  /** The run's corpus, tokenized and split as the run split it. */
  dataset(): TextDataset;
}

export function openCompressionSource(dir: string): CompressionSource {
  const loaded = loadGptCheckpoint(dir);
  const settings = loaded.config.training as unknown as GptTrainingSettings;
  if (typeof settings.data !== "string") {
    throw new Error(`${loaded.path} does not say what it was trained on (training.data)`);
  }
  let dataset: TextDataset | undefined;
  return {
    ...loaded,
    iter: Number(/^step-(\d+)$/.exec(basename(loaded.path))?.[1] ?? 0),
    settings,
    dataset: () => {
      dataset ??= prepareTextDataset(loadCorpus(settings.data), loaded.tokenizer, {
        blockSize: loaded.blockSize,
        ...(settings.validationFold ? { validationFold: settings.validationFold } : {}),
      });
      return dataset;
    },
  };
}

/** `blocks` random blocks of the training split, int32 [blocks, blockSize]: what calibration runs on. */
export function calibrationBlocks(source: CompressionSource, blocks: number, seed: number): Tensor {
  return sampleBatchTensors(source.dataset().train, blocks, source.blockSize, new SeededRng(seed)).ids;
}

/**
 * Writes `model` as a checkpoint in the run directory `out` (a step folder and latest.json),
 * with `step` appended to the source's compression history. `iter` counts the source's
 * steps plus any fine-tuning. Returns the checkpoint folder.
 */
export function writeCompressedGpt(
  out: string,
  source: CompressionSource,
  model: Gpt,
  step: Record<string, unknown>,
  iter = source.iter,
): string {
  const config: CheckpointConfig = {
    ...source.config,
    model: { type: "gpt", config: { ...model.config } },
    compression: [...(source.config.compression ?? []), { ...step, from: source.path }],
  };
  return writeCheckpoint(out, {
    config,
    weights: model.stateDict(),
    optimizer: {},
    state: { iter, elapsedMs: 0, rng: {}, callbacks: {} },
  });
}

/** Bytes of a model's parameters and buffers as stored (packed weights at their size). */
export function modelBytes(model: Gpt): number {
  let bytes = 0;
  for (const [, value] of model.stateDict()) bytes += value.size * (value.dtype === "uint8" ? 1 : 4);
  return bytes;
}
