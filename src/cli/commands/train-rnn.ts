// `infiniset train rnn|lstm|gru`: a recurrent language model trained like the GPT, with the
// same flags where they mean the same thing (--layers, --embd, --block-size, the schedule,
// checkpoints, --resume, --json) and a few of its own (--hidden, --level, --max-vocab).
import { resolve } from "node:path";
import { MOBY_DICK } from "../../data/corpus.js";
import type { RecurrentKind } from "../../models/rnn-lm/config.js";
import { defaultTarget } from "../../runtime/default-target.js";
import type { TrainingCallback } from "../../train/callbacks.js";
import { type RnnTrainingSettings, rnnPresetSettings } from "../../train/rnn-settings.js";
import { LOG_FILE } from "../../train/train-gpt.js";
import { type PreparedRnnRun, trainRnnLm } from "../../train/train-rnn.js";

export interface RnnTrainFlags {
  data?: string;
  preset: string;
  iters?: number;
  batchSize?: number;
  blockSize?: number;
  layers?: number;
  embd?: number;
  hidden?: number;
  level?: "char" | "word";
  maxVocab?: number;
  dropout?: number;
  lr?: number;
  warmup?: number;
  seed?: number;
  evalInterval?: number;
  evalBatches?: number;
  checkpointEvery?: number;
  out?: string;
  resume?: boolean;
  json?: boolean;
}

/** Which setting each flag sets (flags that set nothing in the settings are not listed). */
const FLAG_SETTING: Partial<Record<keyof RnnTrainFlags, keyof RnnTrainingSettings>> = {
  data: "data",
  iters: "iterations",
  batchSize: "batchSize",
  blockSize: "blockSize",
  layers: "nLayer",
  embd: "nEmbd",
  hidden: "hiddenSize",
  level: "tokenizer",
  maxVocab: "maxVocab",
  dropout: "dropout",
  lr: "lr",
  warmup: "warmup",
  seed: "seed",
  evalInterval: "evalInterval",
  evalBatches: "evalBatches",
  checkpointEvery: "checkpointEvery",
};

/**
 * The preset with the flags applied, the schedule keeping the preset's shape as `train gpt`
 * keeps it: the warm-up stays the same share of the run, the floor the same share of the
 * peak learning rate, and checkpoints follow the evaluation interval.
 */
export function rnnSettingsFromFlags(
  kind: RecurrentKind,
  flags: RnnTrainFlags,
): { settings: RnnTrainingSettings; explicit: (keyof RnnTrainingSettings)[] } {
  const preset = rnnPresetSettings(flags.preset, kind);
  const settings: RnnTrainingSettings = { ...preset };
  const explicit: (keyof RnnTrainingSettings)[] = [];
  for (const [flag, key] of Object.entries(FLAG_SETTING) as [
    keyof RnnTrainFlags,
    keyof RnnTrainingSettings,
  ][]) {
    const value = flags[flag];
    if (value === undefined) continue;
    (settings as unknown as Record<string, unknown>)[key] = value;
    explicit.push(key);
  }
  // A checkpoint must find its corpus again from wherever it is resumed.
  if (settings.data !== MOBY_DICK) settings.data = resolve(settings.data);
  if (flags.iters !== undefined) {
    settings.decayIterations = settings.iterations;
    if (flags.warmup === undefined) {
      settings.warmup = Math.round((settings.iterations * preset.warmup) / preset.iterations);
    }
  }
  if (flags.lr !== undefined) settings.minLr = (settings.lr * preset.minLr) / preset.lr;
  if (flags.evalInterval !== undefined && flags.checkpointEvery === undefined) {
    settings.checkpointEvery = settings.evalInterval;
  }
  return { settings, explicit };
}

const TITLES: Record<RecurrentKind, string> = { rnn: "RNN (tanh)", lstm: "LSTM", gru: "GRU" };

function describeRun(run: PreparedRnnRun, out: string): string[] {
  const { settings: s, dataset, model, startIter } = run;
  const millions = (model.parameterCount() / 1e6).toFixed(2);
  const total = dataset.train.length + dataset.validation.length;
  return [
    `${TITLES[s.kind]}: ${s.nLayer} layers, embedding ${s.nEmbd}, hidden ${s.hiddenSize}, block ${s.blockSize}: ` +
      `${millions}M parameters, vocabulary ${dataset.tokenizer.vocabSize} (${s.tokenizer})`,
    `data: ${dataset.source}, ${total} tokens (${dataset.train.length} train, ${dataset.validation.length} validation)`,
    `${startIter > 0 ? `resuming at iteration ${startIter} of` : "training for"} ${s.iterations} iterations, ` +
      `batch ${s.batchSize}, on the "${defaultTarget().name}" target; run directory ${out}, log ${LOG_FILE}`,
  ];
}

export function trainRecurrentFromFlags(
  kind: RecurrentKind,
  flags: RnnTrainFlags,
  callbacks: TrainingCallback[],
  print: (line: string) => void,
): void {
  const { settings, explicit } = rnnSettingsFromFlags(kind, flags);
  const out = flags.out ?? `runs/${kind}-${flags.preset}`;
  trainRnnLm({
    settings,
    explicit,
    out,
    resume: flags.resume === true,
    callbacks,
    onReady: (run) => {
      if (!flags.json) describeRun(run, out).forEach(print);
    },
  });
}
