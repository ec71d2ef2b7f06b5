// The kinds of training run a trial can be, and the one place that knows the train APIs:
// each kind has its presets, its settings check, and a function that trains a run
// directory up to an iteration (continuing it when it holds a checkpoint), handing every
// evaluation to a hook as it happens. Language models (gpt, rnn, lstm, gru) evaluate every
// `evalInterval` steps (trainLoss, valLoss); classifiers train in one go and are evaluated
// once, at "iteration" 1, on the standard held-out fifth (accuracy, f1, auc, logLoss, …).
// An objective can name any metric a kind's evaluations carry.
import { join } from "node:path";
import type { ClassifierSettings } from "../classify/classifier-settings.js";
import { NEURAL_KINDS } from "../classify/neural-classifier.js";
import { parseFeatureSpec } from "../classify/text-features.js";
import {
  DEFAULT_SETTINGS,
  foldMetrics,
  heldOutSplit,
  loadClassifierData,
  runHeldOut,
  TFIDF_KINDS,
} from "../classify/train-classifier.js";
import { SPAM_ASSASSIN } from "../data/spam-assassin.js";
import { stratifiedKFold } from "../metrics/cross-validation.js";
import type { TrainingCallback } from "../train/callbacks.js";
import { changedSettings } from "../train/changed-settings.js";
import { checkGptTrainingSettings, type GptTrainingSettings, presetSettings } from "../train/gpt-settings.js";
import {
  checkRnnTrainingSettings,
  type RnnTrainingSettings,
  rnnPresetSettings,
} from "../train/rnn-settings.js";
import type { ValidationFold } from "../train/text-dataset.js";
import { LOG_FILE, trainGpt, trainRnnLm } from "../train/train-language-model.js";
import { readTrainingLog } from "../train/training-log.js";

/** One evaluation of a run: the iteration, and the metrics measured there. */
export interface Evaluation {
  iter: number;
  [metric: string]: number;
}

export type Settings = Record<string, unknown>;

/** What a run tells while it trains: each step (a chance to stop), each evaluation. */
export interface RunHooks {
  onStep(): void;
  onEvaluation(evaluation: Evaluation): void;
}

interface RunKind {
  preset(name: string): Settings;
  check(settings: Settings): void;
  /**
   * Trains `dir` up to `settings.iterations`, continuing the run there if it has one;
   * returns every evaluation of the run (earlier sessions' too).
   */
  train(settings: Settings, dir: string, hooks: RunHooks): Evaluation[];
}

const explicitIterations: ["iterations"] = ["iterations"];

/** The hooks as a `fit` callback. */
function fitCallbacks(hooks: RunHooks): TrainingCallback[] {
  return [
    {
      onStep: () => hooks.onStep(),
      onEvaluation(evaluation) {
        const { type: _, iterations: _i, etaMs: _e, ...metrics } = evaluation;
        hooks.onEvaluation(metrics as Evaluation);
        return undefined;
      },
    },
  ];
}

/** The evaluations in a language-model run directory's log, as metrics by iteration. */
export function runEvaluations(dir: string): Evaluation[] {
  return readTrainingLog(join(dir, LOG_FILE)).flatMap((record) => {
    if (record.type !== "eval") return [];
    const { type: _, ...metrics } = record;
    return [metrics as Evaluation];
  });
}

const languageModel = (kind: "rnn" | "lstm" | "gru"): RunKind => ({
  preset: (name) => rnnPresetSettings(name, kind) as unknown as Settings,
  check: (s) => checkRnnTrainingSettings({ ...(s as unknown as RnnTrainingSettings), kind }),
  train: (s, dir, hooks) => {
    trainRnnLm({
      settings: { ...(s as unknown as RnnTrainingSettings), kind },
      out: dir,
      resume: true,
      explicit: explicitIterations,
      callbacks: fitCallbacks(hooks),
    });
    return runEvaluations(dir);
  },
});

const CLASSIFIER_MODELS = [...TFIDF_KINDS, ...NEURAL_KINDS] as readonly string[];

/**
 * A text classifier (`train classifier`'s models; the preset names the model): trained on
 * the standard split's training part, evaluated once on its held-out fifth (or on a fold). `features` may
 * be `--features`' spec string ("word:1-2,char:2-5"), so a sweep can choose among them.
 */
const classifier: RunKind = {
  preset: (name) => {
    if (!CLASSIFIER_MODELS.includes(name)) {
      throw new Error(`unknown classifier "${name}" (available: ${CLASSIFIER_MODELS.join(", ")})`);
    }
    return { data: SPAM_ASSASSIN, model: name, iterations: 1, ...DEFAULT_SETTINGS };
  },
  check: (s) => {
    if (typeof s.data !== "string" || s.data === "") throw new Error("data must name a data set or a file");
    if (!CLASSIFIER_MODELS.includes(s.model as string)) {
      throw new Error(`model must be one of ${CLASSIFIER_MODELS.join(", ")}, got ${JSON.stringify(s.model)}`);
    }
    if (s.iterations !== 1)
      throw new Error(`a classifier trains in one go: iterations must be 1, got ${s.iterations}`);
    for (const key of ["C", "alpha"]) {
      if (!(typeof s[key] === "number" && (s[key] as number) > 0))
        throw new Error(`${key} must be a number > 0, got ${s[key]}`);
    }
    if (typeof s.features === "string") parseFeatureSpec(s.features);
  },
  train: (s, dir, hooks) => {
    const { data, model, iterations: _, features, validationFold, ...rest } = s;
    const settings = {
      ...(rest as unknown as ClassifierSettings),
      features:
        typeof features === "string"
          ? parseFeatureSpec(features)
          : (features as ClassifierSettings["features"]),
    };
    const loaded = loadClassifierData(data as string);
    // Cross-validation: the fold of `train classifier --folds` (stratified, by the run's seed).
    const fold = validationFold as ValidationFold | undefined;
    const split = fold
      ? stratifiedKFold(loaded.data.labels, fold.count, { seed: settings.seed })[fold.index]!
      : heldOutSplit(loaded.data, loaded.strata);
    const run = runHeldOut(loaded.data, split, [model as string], undefined, settings, dir);
    const evaluation: Evaluation = { iter: 1, ...foldMetrics(run, loaded.data.classes.length) };
    hooks.onEvaluation(evaluation);
    return [evaluation];
  },
};

export const RUN_KINDS: Readonly<Record<string, RunKind>> = {
  gpt: {
    preset: (name) => presetSettings(name) as unknown as Settings,
    check: (s) => checkGptTrainingSettings(s as unknown as GptTrainingSettings),
    train: (s, dir, hooks) => {
      trainGpt({
        settings: s as unknown as GptTrainingSettings,
        out: dir,
        resume: true,
        explicit: explicitIterations,
        callbacks: fitCallbacks(hooks),
      });
      return runEvaluations(dir);
    },
  },
  rnn: languageModel("rnn"),
  lstm: languageModel("lstm"),
  gru: languageModel("gru"),
  classifier,
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
  return changedSettings(runKind(model).preset(presetName), { ...fixed, ...params });
}

/** The names of the settings a model's runs have. */
export function settingNames(model: string, presetName: string): string[] {
  return Object.keys(runKind(model).preset(presetName));
}
