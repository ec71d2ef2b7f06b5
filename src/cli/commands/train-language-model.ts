// `infiniset train gpt|rnn|lstm|gru`: one language-model run for every family, with the
// same flags where they mean the same thing (--layers, --embd, --block-size, the schedule,
// checkpoints, --resume, --json) and a few of each family's own (--heads; --hidden,
// --level, --max-vocab).
import { defaultTarget } from "../../runtime/default-target.js";
import type { TrainingCallback } from "../../train/callbacks.js";
import { changedSettings } from "../../train/changed-settings.js";
import { GPT_FAMILY, type GptTrainingSettings, presetSettings } from "../../train/gpt-settings.js";
import type { LanguageModel, LanguageModelFamily } from "../../train/language-model-family.js";
import type { LanguageModelSettings } from "../../train/language-model-settings.js";
import { RNN_FAMILY, rnnPresetSettings } from "../../train/rnn-settings.js";
import { LOG_FILE, type PreparedRun, trainLanguageModel } from "../../train/train-language-model.js";

export interface LanguageModelFlags {
  data?: string;
  preset: string;
  iters?: number;
  batchSize?: number;
  blockSize?: number;
  layers?: number;
  heads?: number;
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
  qat?: 8 | 4;
  out?: string;
  resume?: boolean;
  json?: boolean;
}

/** Which setting each flag every language model takes sets; `preset`, `out`, `resume` and `json` set none. */
const SHARED_FLAGS: Partial<Record<keyof LanguageModelFlags, string>> = {
  data: "data",
  iters: "iterations",
  batchSize: "batchSize",
  blockSize: "blockSize",
  layers: "nLayer",
  embd: "nEmbd",
  dropout: "dropout",
  lr: "lr",
  warmup: "warmup",
  seed: "seed",
  evalInterval: "evalInterval",
  evalBatches: "evalBatches",
  checkpointEvery: "checkpointEvery",
  qat: "qatBits",
};

type AnyFamily = LanguageModelFamily<LanguageModelSettings, LanguageModel>;

/** A family as the command line sees it: its presets, its own flags, where its runs go. */
interface CommandLineFamily {
  readonly family: AnyFamily;
  preset(name: string): LanguageModelSettings;
  /** The family's own flags and the settings they set. */
  readonly flags: Partial<Record<keyof LanguageModelFlags, string>>;
  defaultOut(preset: string): string;
}

const recurrent = (kind: "rnn" | "lstm" | "gru"): CommandLineFamily => ({
  family: RNN_FAMILY as unknown as AnyFamily,
  preset: (name) => rnnPresetSettings(name, kind),
  flags: { hidden: "hiddenSize", level: "tokenizer", maxVocab: "maxVocab" },
  defaultOut: (preset) => `runs/${kind}-${preset}`,
});

export const LANGUAGE_MODELS: Readonly<Record<string, CommandLineFamily>> = {
  gpt: {
    family: GPT_FAMILY as unknown as AnyFamily,
    preset: presetSettings,
    flags: { heads: "nHead" },
    defaultOut: (preset) => `runs/${preset}`,
  },
  rnn: recurrent("rnn"),
  lstm: recurrent("lstm"),
  gru: recurrent("gru"),
};

/** The flags (attribute names) model `model` takes. */
export function languageModelFlags(model: string): string[] {
  return [
    ...Object.keys(SHARED_FLAGS),
    "preset",
    "out",
    "resume",
    "json",
    ...Object.keys(LANGUAGE_MODELS[model]!.flags),
  ];
}

/**
 * The preset with the flags applied; the schedule keeps the preset's shape when only some
 * of it is given (see `changedSettings`). `explicit` lists the settings the flags chose.
 */
export function settingsFromFlags<S extends LanguageModelSettings = GptTrainingSettings>(
  flags: LanguageModelFlags,
  model = "gpt",
): { settings: S; explicit: (keyof S)[] } {
  const { preset, flags: own } = LANGUAGE_MODELS[model]!;
  const changes: Record<string, unknown> = {};
  for (const [flag, key] of Object.entries({ ...SHARED_FLAGS, ...own })) {
    const value = flags[flag as keyof LanguageModelFlags];
    if (value !== undefined) changes[key!] = value;
  }
  const settings = changedSettings(preset(flags.preset), changes as Partial<LanguageModelSettings>);
  return { settings: settings as S, explicit: Object.keys(changes) as (keyof S)[] };
}

function describeRun(
  family: AnyFamily,
  run: PreparedRun<LanguageModelSettings, LanguageModel>,
  out: string,
): string[] {
  const { settings: s, dataset, model, startIter } = run;
  const millions = (model.parameterCount() / 1e6).toFixed(2);
  const total = dataset.train.length + dataset.validation.length;
  const tokenizer = (s as { tokenizer?: string }).tokenizer;
  const objective = [
    ...(s.distillation
      ? [
          `distilling from ${s.distillation.teacher} (temperature ${s.distillation.temperature}, alpha ${s.distillation.alpha})`,
        ]
      : []),
    ...(s.qatBits
      ? [`quantization-aware: every Linear trains through ${s.qatBits}-bit fake quantization`]
      : []),
  ];
  return [
    `${family.describe(s)}: ${millions}M parameters, vocabulary ${dataset.tokenizer.vocabSize} (${tokenizer})`,
    ...objective,
    `data: ${dataset.source}, ${total} tokens (${dataset.train.length} train, ${dataset.validation.length} validation)`,
    `${startIter > 0 ? `resuming at iteration ${startIter} of` : "training for"} ${s.iterations} iterations, ` +
      `batch ${s.batchSize}, on the "${defaultTarget().name}" target; run directory ${out}, log ${LOG_FILE}`,
  ];
}

/** Trains `model` as the flags say, with `extra` settings no flag sets (a distilling run's teacher). */
export function trainLanguageModelFromFlags(
  model: string,
  flags: LanguageModelFlags,
  callbacks: TrainingCallback[],
  print: (line: string) => void,
  extra: Partial<LanguageModelSettings> = {},
): void {
  const cli = LANGUAGE_MODELS[model]!;
  const fromFlags = settingsFromFlags<LanguageModelSettings>(flags, model);
  const settings = { ...fromFlags.settings, ...extra };
  const explicit = [...fromFlags.explicit, ...(Object.keys(extra) as (keyof LanguageModelSettings)[])];
  const out = flags.out ?? cli.defaultOut(flags.preset);
  trainLanguageModel(cli.family, {
    settings,
    explicit,
    out,
    resume: flags.resume === true,
    callbacks,
    onReady: (run) => {
      if (!flags.json) describeRun(cli.family, run, out).forEach(print);
    },
  });
}
