// `infiniset train classifier`: a text classifier on the SpamAssassin corpus, a CSV file or
// a folder per class; the held-out evaluation, or K-fold cross-validation with --folds.
import { resolve } from "node:path";
import { Option } from "commander";
import { writeJsonFile } from "../../classify/classifier-checkpoint.js";
import { ENSEMBLE_METHODS, type EnsembleClassifier, type EnsembleMethod } from "../../classify/ensemble.js";
import { formatEvaluation } from "../../classify/evaluate-classifier.js";
import { parseFeatureSpec } from "../../classify/text-features.js";
import {
  type ClassifierSettings,
  DEFAULT_SETTINGS,
  FOLD_METRICS,
  heldOutSplit,
  loadClassifierData,
  runFolds,
  runHeldOut,
} from "../../classify/train-classifier.js";
import { SPAM_ASSASSIN } from "../../data/spam-assassin.js";
import { formatMeanStd } from "../../metrics/cross-validation.js";
import { AUGMENTATIONS, type Augmentation } from "../../text/augment.js";
import { integerInRange } from "../parse-integer.js";
import { numberInRange } from "../parse-number.js";

export const CLASSIFIER_KINDS = ["nb", "logreg", "cnn", "transformer", "gpt-finetune"];

/** The flags `train classifier` takes (attribute names), besides data, seed, out and json. */
export const CLASSIFIER_FLAGS = [
  "data",
  "seed",
  "out",
  "json",
  "model",
  "ensemble",
  "features",
  "C",
  "alpha",
  "folds",
  "epochs",
  "maxTokens",
  "gpt",
  "augment",
];

export function classifierOptions(): Option[] {
  return [
    new Option(
      "--model <kinds>",
      `classifier: ${CLASSIFIER_KINDS.join(", ")}; several, comma-separated, with --ensemble`,
    ).default("logreg"),
    new Option("--ensemble <method>", "classifier: combine several --model kinds").choices(ENSEMBLE_METHODS),
    new Option(
      "--features <spec>",
      "classifier (nb, logreg): TF-IDF n-grams, e.g. word,char (default: word:1-2,char:2-5)",
    ),
    new Option("--C <value>", "classifier (logreg): inverse L2 strength (default 10)").argParser(
      numberInRange(1e-12, 1e12),
    ),
    new Option("--alpha <value>", "classifier (nb): smoothing (default 0.01)").argParser(
      numberInRange(1e-12, 1e6),
    ),
    new Option("--folds <k>", "classifier: K-fold cross-validation, mean ± sd of every metric").argParser(
      integerInRange(2, 100),
    ),
    new Option(
      "--epochs <n>",
      "classifier (cnn, transformer, gpt-finetune) and train cnn: passes over the data",
    ).argParser(integerInRange(1, 10_000)),
    new Option("--max-tokens <n>", "classifier (neural): tokens kept per text").argParser(
      integerInRange(8, 100_000),
    ),
    new Option("--gpt <dir>", "classifier (gpt-finetune): the GPT checkpoint to start from"),
    new Option(
      "--augment <methods>",
      `classifier: add an augmented copy of each training text per method (${AUGMENTATIONS.join(", ")}; comma-separated); train cnn: augment each batch (affine, elastic, noise, cutout, mixup; settings after colons, e.g. affine:degrees=15,mixup:alpha=0.2; "none")`,
    ),
  ];
}

export interface ClassifierFlags {
  data?: string;
  seed?: number;
  out?: string;
  json?: boolean;
  model: string;
  ensemble?: EnsembleMethod;
  features?: string;
  C?: number;
  alpha?: number;
  folds?: number;
  epochs?: number;
  maxTokens?: number;
  gpt?: string;
  augment?: string;
}

function parseAugmentations(spec: string): Augmentation[] {
  return spec.split(",").map((m) => {
    const method = m.trim();
    if (!(AUGMENTATIONS as readonly string[]).includes(method)) {
      throw new Error(`--augment: "${method}" is not one of ${AUGMENTATIONS.join(", ")}`);
    }
    return method as Augmentation;
  });
}

export function trainClassifierFromFlags(flags: ClassifierFlags, print: (line: string) => void): void {
  const kinds = flags.model.split(",").map((k) => k.trim());
  for (const kind of kinds) {
    if (!CLASSIFIER_KINDS.includes(kind)) {
      throw new Error(`--model: "${kind}" is not one of ${CLASSIFIER_KINDS.join(", ")}`);
    }
  }
  const tfidf = kinds.some((k) => k === "nb" || k === "logreg");
  const neural = kinds.some((k) => k !== "nb" && k !== "logreg");
  const applies: [keyof ClassifierFlags, boolean, string][] = [
    ["features", tfidf, "--features applies to nb and logreg"],
    ["C", kinds.includes("logreg"), "--C applies to logreg"],
    ["alpha", kinds.includes("nb"), "--alpha applies to nb"],
    ["epochs", neural, "--epochs applies to cnn, transformer and gpt-finetune"],
    ["maxTokens", neural, "--max-tokens applies to cnn, transformer and gpt-finetune"],
    ["gpt", kinds.includes("gpt-finetune"), "--gpt applies to gpt-finetune"],
  ];
  for (const [flag, ok, message] of applies) {
    if (flags[flag] !== undefined && !ok) throw new Error(`${message}, not to ${kinds.join(",")}`);
  }
  if (kinds.length > 1 && !flags.ensemble) {
    throw new Error(`several models (${kinds.join(",")}) need --ensemble to say how to combine them`);
  }
  if (flags.ensemble && kinds.length < 2)
    throw new Error(`--ensemble needs several --model kinds, got ${kinds[0]}`);
  const settings: ClassifierSettings = {
    ...DEFAULT_SETTINGS,
    ...(flags.features === undefined ? {} : { features: parseFeatureSpec(flags.features) }),
    ...(flags.C === undefined ? {} : { C: flags.C }),
    ...(flags.alpha === undefined ? {} : { alpha: flags.alpha }),
    ...(flags.seed === undefined ? {} : { seed: flags.seed }),
    ...(flags.epochs === undefined ? {} : { epochs: flags.epochs }),
    ...(flags.maxTokens === undefined ? {} : { maxTokens: flags.maxTokens }),
    ...(flags.gpt === undefined ? {} : { gptCheckpoint: resolve(flags.gpt) }),
    ...(flags.augment === undefined ? {} : { augment: parseAugmentations(flags.augment) }),
  };
  const source = flags.data ?? SPAM_ASSASSIN;
  const { data, strata } = loadClassifierData(source === SPAM_ASSASSIN ? source : resolve(source));
  const name = flags.ensemble ? `${flags.ensemble} ensemble of ${kinds.join(", ")}` : kinds[0]!;
  const out = flags.out ?? `runs/classifier-${flags.ensemble ? `${flags.ensemble}-` : ""}${kinds.join("-")}`;
  if (!flags.json) {
    print(`data: ${data.source}, ${data.texts.length} texts, classes ${data.classes.join(", ")}`);
  }
  if (flags.folds !== undefined) {
    if (!flags.json)
      print(`${flags.folds}-fold cross-validation of ${name} (stratified, seed ${settings.seed})`);
    const result = runFolds(data, flags.folds, kinds, flags.ensemble, settings, (i, m) => {
      if (!flags.json)
        print(
          `fold ${i + 1}: F1 ${m.f1.toFixed(4)}, accuracy ${m.accuracy.toFixed(4)}, AUC ${m.auc.toFixed(4)}`,
        );
    });
    writeJsonFile(`${out}.folds.json`, { model: name, k: flags.folds, ...result });
    if (flags.json) {
      print(JSON.stringify({ model: name, folds: flags.folds, summary: result.summary }));
      return;
    }
    for (const metric of FOLD_METRICS) print(`${metric.padEnd(13)} ${formatMeanStd(result.summary[metric])}`);
    print(`per-fold values in ${out}.folds.json (infiniset plot draws them as a box plot)`);
    return;
  }
  const split = heldOutSplit(data, strata, 0);
  if (!flags.json) {
    print(`training ${name} on ${split.train.length} texts; ${split.test.length} held out`);
  }
  const run = runHeldOut(data, split, kinds, flags.ensemble, settings, flags.ensemble ? undefined : out);
  if (flags.ensemble) writeJsonFile(`${out}.evaluation.json`, run.heldOut);
  const cascade = (run.classifier as EnsembleClassifier).lastCascade;
  if (flags.json) {
    const e = run.evaluation;
    print(
      JSON.stringify({
        model: name,
        f1: e.f1,
        accuracy: e.accuracy,
        auc: e.auc,
        logLoss: e.logLoss,
        trainSeconds: run.trainSeconds,
        msPerExample: run.msPerExample,
        ...(cascade ? { answered: cascade.answered } : {}),
        out: flags.ensemble ? `${out}.evaluation.json` : out,
      }),
    );
    return;
  }
  print(`trained in ${run.trainSeconds.toFixed(1)} s; held-out evaluation (${split.test.length} texts):`);
  for (const line of formatEvaluation(run.evaluation)) print(line);
  print(`prediction: ${run.msPerExample.toFixed(3)} ms per text`);
  if (cascade) {
    print(
      `cascade: answered by ${run.classifier.kind}: ${cascade.answered.map((a) => `${(100 * a).toFixed(1)}%`).join(" → ")}`,
    );
  }
  print(
    flags.ensemble
      ? `held-out predictions in ${out}.evaluation.json`
      : `checkpoint in ${out} (infiniset eval --checkpoint ${out})`,
  );
}
