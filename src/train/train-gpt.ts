// A whole GPT training run as the CLI starts it: corpus → tokenizer → split → model →
// optimizer → fit, with checkpoints and the JSON-lines log in the output directory, or the
// same run continued from the checkpoint there.
import { existsSync, mkdirSync } from "node:fs";
import { basename, join } from "node:path";
import { loadCorpus } from "../data/corpus.js";
import type { Gpt } from "../models/gpt/gpt.js";
import { CharTokenizer } from "../text/char-tokenizer.js";
import type { TrainingCallback } from "./callbacks.js";
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  type CheckpointConfig,
  findCheckpoint,
  type LoadedCheckpoint,
  readCheckpoint,
} from "./checkpoint.js";
import { type FitResult, fit } from "./fit.js";
import { requireGptConfig } from "./gpt-checkpoint.js";
import {
  checkGptTrainingSettings,
  createGpt,
  createGptOptimizer,
  type GptTrainingSettings,
  gptConfigFor,
} from "./gpt-settings.js";
import { prepareTextDataset, type TextDataset } from "./text-dataset.js";
import { type TextTokenizer, tokenizerFromJson } from "./tokenizer.js";

export const LOG_FILE = "log.jsonl";

export interface TrainGptOptions {
  /** The run's settings (a preset with the command line's changes). */
  settings: GptTrainingSettings;
  /** The run directory: checkpoints and log.jsonl. */
  out: string;
  /** Continue the run in `out` if it has a checkpoint (start a new one if it has none). */
  resume?: boolean;
  /**
   * Settings the user chose explicitly. A resumed run keeps its own settings; these must
   * agree with them, except `iterations`, which may move the end of the run.
   */
  explicit?: readonly (keyof GptTrainingSettings)[];
  callbacks?: readonly TrainingCallback[];
  /** Called once the data and model are ready, before the first step. */
  onReady?: (run: PreparedGptRun) => void;
}

export interface PreparedGptRun {
  settings: GptTrainingSettings;
  dataset: TextDataset;
  model: Gpt;
  /** The iteration training starts from (0 for a new run). */
  startIter: number;
}

export interface TrainGptResult extends FitResult {
  settings: GptTrainingSettings;
  model: Gpt;
  tokenizer: TextTokenizer;
}

/** The resumed run's settings; throws if an explicitly chosen one differs from the checkpoint's. */
function resumedSettings(
  checkpoint: LoadedCheckpoint,
  requested: GptTrainingSettings,
  explicit: readonly (keyof GptTrainingSettings)[],
): GptTrainingSettings {
  const saved = checkpoint.config.training as unknown as GptTrainingSettings;
  try {
    checkGptTrainingSettings(saved);
  } catch (error) {
    throw new Error(`${checkpoint.path}: bad training settings: ${(error as Error).message}`);
  }
  for (const key of explicit) {
    // The iterations may move the end of the run; the schedule stays as it was.
    if (key === "iterations") continue;
    if (JSON.stringify(requested[key]) !== JSON.stringify(saved[key])) {
      throw new Error(
        `cannot resume with ${key} ${JSON.stringify(requested[key])}: the run in ${checkpoint.path} uses ` +
          `${JSON.stringify(saved[key])}, and a resumed run keeps its settings (only the iterations can change)`,
      );
    }
  }
  const settings = {
    ...saved,
    iterations: explicit.includes("iterations") ? requested.iterations : saved.iterations,
  };
  checkGptTrainingSettings(settings);
  return settings;
}

export function trainGpt(options: TrainGptOptions): TrainGptResult {
  const { out, explicit = [] } = options;
  checkGptTrainingSettings(options.settings);
  const existing = existsSync(out) ? findCheckpoint(out) : undefined;
  if (existing !== undefined && !options.resume) {
    throw new Error(
      `${out} already holds a training run (${basename(existing)}); pass --resume to continue it, or choose another --out`,
    );
  }
  const resumeFrom = existing === undefined ? undefined : readCheckpoint(out);
  if (resumeFrom) requireGptConfig(resumeFrom.config, resumeFrom.path);
  const settings = resumeFrom ? resumedSettings(resumeFrom, options.settings, explicit) : options.settings;

  const corpus = loadCorpus(settings.data);
  let tokenizer: TextTokenizer;
  let dataset: TextDataset;
  try {
    tokenizer = resumeFrom
      ? tokenizerFromJson(resumeFrom.config.tokenizer)
      : CharTokenizer.fromCorpus(corpus.text);
    dataset = prepareTextDataset(corpus, tokenizer, {
      blockSize: settings.blockSize,
      ...(settings.validationFold ? { validationFold: settings.validationFold } : {}),
    });
  } catch (error) {
    // Most likely the file changed since the run started and has characters the saved vocabulary lacks.
    if (!resumeFrom) throw error;
    throw new Error(`cannot resume on ${settings.data}: ${(error as Error).message}`, { cause: error });
  }

  const gptConfig = gptConfigFor(settings, tokenizer.vocabSize);
  const model = createGpt(gptConfig, settings.seed);
  const optimizer = createGptOptimizer(model, settings);
  const config: CheckpointConfig = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    model: { type: "gpt", config: { ...gptConfig } },
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
