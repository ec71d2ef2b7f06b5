// The kinds of training run a trial can be, and the one place that knows the train APIs:
// each kind has its presets, its settings check, and a function that trains a run
// directory up to an iteration (continuing it when it holds a checkpoint), handing every
// evaluation to a callback as it happens. A new kind of run (a classifier) is a new entry
// in RUN_KINDS; its evaluations carry whatever metrics it measures, and an objective can
// name any of them.
import { resolve } from "node:path";
import { MOBY_DICK } from "../data/corpus.js";
import type { TrainingCallback } from "../train/callbacks.js";
import { checkGptTrainingSettings, type GptTrainingSettings, presetSettings } from "../train/gpt-settings.js";
import {
  checkRnnTrainingSettings,
  type RnnTrainingSettings,
  rnnPresetSettings,
} from "../train/rnn-settings.js";
import { trainGpt } from "../train/train-gpt.js";
import { trainRnnLm } from "../train/train-rnn.js";

/** One evaluation of a run: the iteration, and the metrics measured there. */
export interface Evaluation {
  iter: number;
  [metric: string]: number;
}

export type Settings = Record<string, unknown>;

interface RunKind {
  preset(name: string): Settings;
  check(settings: Settings): void;
  /** Trains `dir` up to `settings.iterations`, continuing the run there if it has one. */
  train(settings: Settings, dir: string, callbacks: TrainingCallback[]): void;
}

const explicitIterations: ["iterations"] = ["iterations"];

const languageModel = (kind: "rnn" | "lstm" | "gru"): RunKind => ({
  preset: (name) => rnnPresetSettings(name, kind) as unknown as Settings,
  check: (s) => checkRnnTrainingSettings({ ...(s as unknown as RnnTrainingSettings), kind }),
  train: (s, dir, callbacks) => {
    trainRnnLm({
      settings: { ...(s as unknown as RnnTrainingSettings), kind },
      out: dir,
      resume: true,
      explicit: explicitIterations,
      callbacks,
    });
  },
});

export const RUN_KINDS: Readonly<Record<string, RunKind>> = {
  gpt: {
    preset: (name) => presetSettings(name) as unknown as Settings,
    check: (s) => checkGptTrainingSettings(s as unknown as GptTrainingSettings),
    train: (s, dir, callbacks) => {
      trainGpt({
        settings: s as unknown as GptTrainingSettings,
        out: dir,
        resume: true,
        explicit: explicitIterations,
        callbacks,
      });
    },
  },
  rnn: languageModel("rnn"),
  lstm: languageModel("lstm"),
  gru: languageModel("gru"),
};

export function runKind(model: string): RunKind {
  const kind = RUN_KINDS[model];
  if (!kind) throw new Error(`unknown model "${model}" (available: ${Object.keys(RUN_KINDS).join(", ")})`);
  return kind;
}

/**
 * A run's settings: the preset, then `fixed`, then a trial's values, with the rules the
 * `train` command applies to flags so that a partial change keeps the preset's shape: the
 * warm-up stays the same share of the run, the final learning rate the same share of the
 * peak, checkpoints follow evaluations. The learning rate decays over `iterations`
 * whatever iteration a segment of the run stops at.
 */
export function runSettings(model: string, presetName: string, fixed: Settings, params: Settings): Settings {
  const preset = runKind(model).preset(presetName);
  const chosen = { ...fixed, ...params };
  const settings: Settings = { ...preset, ...chosen };
  const has = (key: string) => key in chosen;
  const number = (s: Settings, key: string) => s[key] as number;
  if (typeof settings.data === "string" && settings.data !== MOBY_DICK)
    settings.data = resolve(settings.data);
  if (has("iterations")) {
    if (!has("decayIterations")) settings.decayIterations = settings.iterations;
    if (!has("warmup")) {
      settings.warmup = Math.round(
        (number(settings, "iterations") * number(preset, "warmup")) / number(preset, "iterations"),
      );
    }
  }
  if (has("lr") && !has("minLr"))
    settings.minLr = (number(settings, "lr") * number(preset, "minLr")) / number(preset, "lr");
  if (has("evalInterval") && !has("checkpointEvery")) settings.checkpointEvery = settings.evalInterval;
  return settings;
}

/** The names of the settings a model's runs have. */
export function settingNames(model: string, presetName: string): string[] {
  return Object.keys(runKind(model).preset(presetName));
}
