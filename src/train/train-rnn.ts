// A whole recurrent language model training run as the CLI starts it (`infiniset train
// rnn|lstm|gru`): corpus → tokenizer → split → model → optimizer → fit, with checkpoints and
// the JSON-lines log in the output directory, or the same run continued from the checkpoint
// there. The counterpart of train-gpt.ts; both share `fit`, checkpoints and the log.
import { existsSync, mkdirSync } from "node:fs";
import { basename, join } from "node:path";
import { loadCorpus } from "../data/corpus.js";
import type { RnnLm } from "../models/rnn-lm/rnn-lm.js";
import type { TrainingCallback } from "./callbacks.js";
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  type CheckpointConfig,
  findCheckpoint,
  readCheckpoint,
} from "./checkpoint.js";
import { type FitResult, fit } from "./fit.js";
import { resumedSettings } from "./resume-settings.js";
import { requireRnnLmConfig } from "./rnn-checkpoint.js";
import {
  checkRnnTrainingSettings,
  createRnnLm,
  createRnnOptimizer,
  type RnnTrainingSettings,
  rnnLmConfigFor,
  rnnTokenizerFor,
} from "./rnn-settings.js";
import { prepareTextDataset, type TextDataset } from "./text-dataset.js";
import { type TextTokenizer, tokenizerFromJson } from "./tokenizer.js";
import { LOG_FILE } from "./train-gpt.js";

export interface TrainRnnOptions {
  /** The run's settings (a preset with the command line's changes). */
  settings: RnnTrainingSettings;
  /** The run directory: checkpoints and log.jsonl. */
  out: string;
  /** Continue the run in `out` if it has a checkpoint (start a new one if it has none). */
  resume?: boolean;
  /** Settings the user chose explicitly; a resumed run keeps its own, and these must agree (but `iterations`). */
  explicit?: readonly (keyof RnnTrainingSettings)[];
  callbacks?: readonly TrainingCallback[];
  /** Called once the data and model are ready, before the first step. */
  onReady?: (run: PreparedRnnRun) => void;
}

export interface PreparedRnnRun {
  settings: RnnTrainingSettings;
  dataset: TextDataset;
  model: RnnLm;
  /** The iteration training starts from (0 for a new run). */
  startIter: number;
}

export interface TrainRnnResult extends FitResult {
  settings: RnnTrainingSettings;
  model: RnnLm;
  tokenizer: TextTokenizer;
}

export function trainRnnLm(options: TrainRnnOptions): TrainRnnResult {
  const { out, explicit = [] } = options;
  checkRnnTrainingSettings(options.settings);
  const existing = existsSync(out) ? findCheckpoint(out) : undefined;
  if (existing !== undefined && !options.resume) {
    throw new Error(
      `${out} already holds a training run (${basename(existing)}); pass --resume to continue it, or choose another --out`,
    );
  }
  const resumeFrom = existing === undefined ? undefined : readCheckpoint(out);
  if (resumeFrom) requireRnnLmConfig(resumeFrom.config, resumeFrom.path, options.settings.kind);
  const settings = resumeFrom
    ? resumedSettings(resumeFrom, options.settings, explicit, checkRnnTrainingSettings)
    : options.settings;

  const corpus = loadCorpus(settings.data);
  let tokenizer: TextTokenizer;
  let dataset: TextDataset;
  try {
    tokenizer = resumeFrom
      ? tokenizerFromJson(resumeFrom.config.tokenizer)
      : rnnTokenizerFor(settings, corpus.text);
    dataset = prepareTextDataset(corpus, tokenizer, {
      blockSize: settings.blockSize,
      ...(settings.validationFold ? { validationFold: settings.validationFold } : {}),
    });
  } catch (error) {
    // Most likely the file changed since the run started and has characters the saved vocabulary lacks.
    if (!resumeFrom) throw error;
    throw new Error(`cannot resume on ${settings.data}: ${(error as Error).message}`, { cause: error });
  }

  const modelConfig = rnnLmConfigFor(settings, tokenizer.vocabSize);
  const model = createRnnLm(modelConfig, settings.seed);
  const optimizer = createRnnOptimizer(model, settings);
  const config: CheckpointConfig = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    model: { type: settings.kind, config: { ...modelConfig } },
    tokenizer: tokenizer.toJSON(),
    training: { ...settings },
  };
  mkdirSync(out, { recursive: true });
  options.onReady?.({ settings, dataset, model, startIter: resumeFrom?.state.iter ?? 0 });
  const result = fit(model, dataset, {
    optimizer,
    batchSize: settings.batchSize,
    blockSize: settings.blockSize,
    iterations: settings.iterations,
    ...(settings.clipNorm > 0 ? { clipNorm: settings.clipNorm } : {}),
    seed: settings.seed,
    evalInterval: settings.evalInterval,
    evalBatches: settings.evalBatches,
    dropoutSeeds: model.dropoutSeeds,
    checkpoint: { dir: out, every: settings.checkpointEvery, config },
    logFile: join(out, LOG_FILE),
    ...(options.callbacks ? { callbacks: options.callbacks } : {}),
    ...(resumeFrom ? { resumeFrom } : {}),
  });
  return { ...result, settings, model, tokenizer };
}
