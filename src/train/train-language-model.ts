// The one language-model training run, whatever the model family: corpus → tokenizer →
// split → model → optimizer → fit, with checkpoints and the JSON-lines log in the output
// directory, or the same run continued from the checkpoint there. trainGpt and trainRnnLm
// (`infiniset train gpt|rnn|lstm|gru`) are this run with their family.
import { existsSync, mkdirSync } from "node:fs";
import { basename, join } from "node:path";
import { loadCorpus } from "../data/corpus.js";
import type { Gpt } from "../models/gpt/gpt.js";
import type { RnnLm } from "../models/rnn-lm/rnn-lm.js";
import { setFakeQuantization } from "../nn/fake-quantize.js";
import type { Tensor } from "../tensor/tensor.js";
import type { TrainingCallback } from "./callbacks.js";
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  type CheckpointConfig,
  findCheckpoint,
  readCheckpoint,
} from "./checkpoint.js";
import { distillingTrainee } from "./distillation.js";
import { type FitResult, fit } from "./fit.js";
import { GPT_FAMILY, type GptTrainingSettings } from "./gpt-settings.js";
import { checkpointFamily, loadFamilyCheckpoint } from "./language-model-checkpoint.js";
import type { LanguageModel, LanguageModelFamily } from "./language-model-family.js";
import { createLanguageModelOptimizer, type LanguageModelSettings } from "./language-model-settings.js";
import { resumedSettings } from "./resume-settings.js";
import { RNN_FAMILY, type RnnTrainingSettings } from "./rnn-settings.js";
import { prepareTextDataset, type TextDataset } from "./text-dataset.js";
import { type TextTokenizer, tokenizerFromJson } from "./tokenizer.js";

/** The JSON-lines log of a run, in its directory. */
export const LOG_FILE = "log.jsonl";

export interface TrainLanguageModelOptions<S extends LanguageModelSettings, M extends LanguageModel> {
  /** The run's settings (a preset with the command line's changes). */
  settings: S;
  /** The run directory: checkpoints and log.jsonl. */
  out: string;
  /** Continue the run in `out` if it has a checkpoint (start a new one if it has none). */
  resume?: boolean;
  /**
   * Settings the user chose explicitly. A resumed run keeps its own settings; these must
   * agree with them, except `iterations`, which may move the end of the run.
   */
  explicit?: readonly (keyof S)[];
  callbacks?: readonly TrainingCallback[];
  /** Called once the data and model are ready, before the first step. */
  onReady?: (run: PreparedRun<S, M>) => void;
}

export interface PreparedRun<S extends LanguageModelSettings, M extends LanguageModel> {
  settings: S;
  dataset: TextDataset;
  model: M;
  /** The iteration training starts from (0 for a new run). */
  startIter: number;
}

export interface TrainLanguageModelResult<S extends LanguageModelSettings, M extends LanguageModel>
  extends FitResult {
  settings: S;
  model: M;
  tokenizer: TextTokenizer;
}

export function trainLanguageModel<S extends LanguageModelSettings, M extends LanguageModel>(
  family: LanguageModelFamily<S, M>,
  options: TrainLanguageModelOptions<S, M>,
): TrainLanguageModelResult<S, M> {
  const { out, explicit = [] } = options;
  family.check(options.settings);
  const existing = existsSync(out) ? findCheckpoint(out) : undefined;
  if (existing !== undefined && !options.resume) {
    throw new Error(
      `${out} already holds a training run (${basename(existing)}); pass --resume to continue it, or choose another --out`,
    );
  }
  const resumeFrom = existing === undefined ? undefined : readCheckpoint(out);
  if (resumeFrom?.config.compression) {
    const steps = resumeFrom.config.compression.map((step) => step.kind).join(", then ");
    throw new Error(
      `${resumeFrom.path} holds a compressed model (${steps}), which train --resume does not continue; fine-tune with infiniset prune --finetune-iters or distil instead`,
    );
  }
  const type = family.typeOf(options.settings);
  if (resumeFrom && resumeFrom.config.model.type !== type) {
    throw new Error(
      `${resumeFrom.path} holds a "${resumeFrom.config.model.type}" model, not ${family.nameOf(type)}`,
    );
  }
  const settings = resumeFrom
    ? resumedSettings(resumeFrom, options.settings, explicit, (s) => family.check(s))
    : options.settings;

  const corpus = loadCorpus(settings.data);
  let tokenizer: TextTokenizer;
  let dataset: TextDataset;
  try {
    tokenizer = resumeFrom
      ? tokenizerFromJson(resumeFrom.config.tokenizer)
      : family.tokenizerFor(settings, corpus.text);
    dataset = prepareTextDataset(corpus, tokenizer, {
      blockSize: settings.blockSize,
      ...(settings.validationFold ? { validationFold: settings.validationFold } : {}),
    });
  } catch (error) {
    // Most likely the file changed since the run started and has characters the saved vocabulary lacks.
    if (!resumeFrom) throw error;
    throw new Error(`cannot resume on ${settings.data}: ${(error as Error).message}`, { cause: error });
  }

  const teacher = settings.distillation
    ? loadTeacher(settings.distillation.teacher, tokenizer, settings)
    : undefined;
  const modelConfig = family.configFor(settings, tokenizer.vocabSize);
  const model = family.create(modelConfig, type, settings.seed);
  if (settings.qatBits !== undefined) setFakeQuantization(model, settings.qatBits);
  const optimizer = createLanguageModelOptimizer(model.parameters(), family.decays(model), settings);
  const config: CheckpointConfig = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    model: { type, config: { ...modelConfig } },
    tokenizer: tokenizer.toJSON(),
    training: { ...settings } as Record<string, unknown>,
  };
  mkdirSync(out, { recursive: true });
  options.onReady?.({ settings, dataset, model, startIter: resumeFrom?.state.iter ?? 0 });
  const trainee = teacher
    ? distillingTrainee(
        model,
        { student: (ids) => family.logits(model, ids), teacher: teacher.logits },
        settings.distillation!,
      )
    : model;
  const result = fit(trainee, dataset, {
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

/**
 * A distilling run's teacher, in eval mode: its logits for a batch. It must know the
 * student's tokens, and (a GPT) see blocks as long as the student's.
 */
function loadTeacher(
  dir: string,
  tokenizer: TextTokenizer,
  settings: LanguageModelSettings,
): { logits: (ids: Tensor) => Tensor } {
  const family = checkpointFamily(dir);
  const loaded = loadFamilyCheckpoint(family, dir);
  if (JSON.stringify(loaded.tokenizer.toJSON()) !== JSON.stringify(tokenizer.toJSON())) {
    throw new Error(
      `the teacher ${loaded.path} has another vocabulary (${loaded.tokenizer.vocabSize} tokens) than the student's run (${tokenizer.vocabSize}): a student learns the teacher's distribution over the same tokens, so train it on the teacher's corpus and tokenizer`,
    );
  }
  if (loaded.config.model.type === "gpt" && loaded.blockSize < settings.blockSize) {
    throw new Error(
      `the teacher ${loaded.path} reads blocks of ${loaded.blockSize} tokens, fewer than the student's ${settings.blockSize}`,
    );
  }
  loaded.model.eval();
  return { logits: (ids) => family.logits(loaded.model, ids) };
}

export type TrainGptOptions = TrainLanguageModelOptions<GptTrainingSettings, Gpt>;
export type PreparedGptRun = PreparedRun<GptTrainingSettings, Gpt>;
export type TrainGptResult = TrainLanguageModelResult<GptTrainingSettings, Gpt>;

export function trainGpt(options: TrainGptOptions): TrainGptResult {
  return trainLanguageModel(GPT_FAMILY, options);
}

export type TrainRnnOptions = TrainLanguageModelOptions<RnnTrainingSettings, RnnLm>;
export type PreparedRnnRun = PreparedRun<RnnTrainingSettings, RnnLm>;
export type TrainRnnResult = TrainLanguageModelResult<RnnTrainingSettings, RnnLm>;

export function trainRnnLm(options: TrainRnnOptions): TrainRnnResult {
  return trainLanguageModel(RNN_FAMILY, options);
}
