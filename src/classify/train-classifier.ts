// A classifier run: load labelled texts, hold out the standard 20% (stratified, by hash),
// train the model (or an ensemble of models) on the rest, evaluate on the held-out part,
// save a checkpoint with the evaluation. With `folds`, K-fold cross-validation instead:
// one model per fold over all the data, every metric as mean ± sd.
import { hashSplit, type TrainTestIndices } from "../data/hash-split.js";
import { type LabelledTexts, loadLabelledTexts } from "../data/labelled-text.js";
import { loadSpamAssassin, SPAM_ASSASSIN } from "../data/spam-assassin.js";
import { crossValidate, type MeanStd, stratifiedKFold } from "../metrics/cross-validation.js";
import { augmentDataset } from "../text/augment.js";
import { type HeldOutPredictions, writeClassifierCheckpoint } from "./classifier-checkpoint.js";
import type { ClassifierSettings } from "./classifier-settings.js";
import { type EnsembleMethod, trainEnsemble } from "./ensemble.js";
import { type ClassifierEvaluation, evaluateClassifier } from "./evaluate-classifier.js";
import { isNeuralKind, trainNeuralClassifier } from "./neural-classifier.js";
import type { TextClassifier } from "./text-classifier.js";
import { TfidfClassifier } from "./tfidf-classifier.js";

export const TFIDF_KINDS = ["nb", "logreg"] as const;

export { type ClassifierSettings, DEFAULT_SETTINGS } from "./classifier-settings.js";

/** Labelled texts with the strata the held-out split keeps in proportion (source groups or classes). */
export function loadClassifierData(source: string): { data: LabelledTexts; strata: string[] } {
  if (source === SPAM_ASSASSIN) {
    const data = loadSpamAssassin();
    return { data, strata: data.groups };
  }
  const data = loadLabelledTexts(source);
  return { data, strata: data.labels.map(String) };
}

export function heldOutSplit(data: LabelledTexts, strata: readonly string[], seed = 0): TrainTestIndices {
  const split = hashSplit(data.ids, strata, { seed });
  if (split.train.length === 0 || split.test.length === 0) {
    throw new Error(
      `${data.source}: ${data.texts.length} examples are too few to hold out a fifth for testing`,
    );
  }
  return split;
}

/** Trains one model of a kind on texts. */
export function trainTextClassifier(
  kind: string,
  texts: readonly string[],
  labels: readonly number[],
  classes: readonly string[],
  settings: ClassifierSettings,
): TextClassifier {
  if (kind === "nb" || kind === "logreg")
    return TfidfClassifier.train(kind, texts, labels, classes, settings);
  if (!isNeuralKind(kind)) throw new Error(`unknown model "${kind}"`);
  return trainNeuralClassifier(kind, texts, labels, classes, settings);
}

/** One model, or an ensemble when `kinds` has several and a method is given. */
export function trainModel(
  kinds: readonly string[],
  ensemble: EnsembleMethod | undefined,
  texts: readonly string[],
  labels: readonly number[],
  classes: readonly string[],
  settings: ClassifierSettings,
): TextClassifier {
  if (kinds.length === 1 && !ensemble)
    return trainTextClassifier(kinds[0]!, texts, labels, classes, settings);
  if (!ensemble)
    throw new Error(`several models (${kinds.join(",")}) need --ensemble to say how to combine them`);
  return trainEnsemble(
    ensemble,
    kinds,
    texts,
    labels,
    classes,
    (kind, t, l) => trainTextClassifier(kind, t, l, classes, settings),
    { seed: settings.seed },
  );
}

export interface HeldOutRun {
  classifier: TextClassifier;
  evaluation: ClassifierEvaluation;
  heldOut: HeldOutPredictions;
  trainSeconds: number;
  /** Wall time of predicting the held-out texts, per example. */
  msPerExample: number;
  trainExamples: number;
}

export function runHeldOut(
  data: LabelledTexts,
  split: TrainTestIndices,
  kinds: readonly string[],
  ensemble: EnsembleMethod | undefined,
  settings: ClassifierSettings,
  out?: string,
): HeldOutRun {
  let texts = split.train.map((i) => data.texts[i]!);
  let labels = split.train.map((i) => data.labels[i]!);
  if (settings.augment && settings.augment.length > 0) {
    ({ texts, labels } = augmentDataset(texts, labels, settings.augment, { seed: settings.seed }));
  }
  const start = performance.now();
  const classifier = trainModel(kinds, ensemble, texts, labels, data.classes, settings);
  const trainSeconds = (performance.now() - start) / 1000;
  const predictStart = performance.now();
  const probabilities = classifier.predictProba(split.test.map((i) => data.texts[i]!));
  const msPerExample = (performance.now() - predictStart) / split.test.length;
  const testLabels = split.test.map((i) => data.labels[i]!);
  const heldOut: HeldOutPredictions = {
    classes: data.classes,
    labels: testLabels,
    probabilities,
    ids: split.test.map((i) => data.ids[i]!),
  };
  if (out !== undefined && !ensemble) {
    writeClassifierCheckpoint(out, classifier, { data: data.source, ...settings, trainSeconds }, heldOut);
  }
  return {
    classifier,
    evaluation: evaluateClassifier(testLabels, probabilities, data.classes),
    heldOut,
    trainSeconds,
    msPerExample,
    trainExamples: texts.length,
  };
}

export const FOLD_METRICS = [
  "accuracy",
  "precision",
  "recall",
  "f1",
  "macroF1",
  "auc",
  "logLoss",
  "trainSeconds",
] as const;
export type FoldMetrics = Record<(typeof FOLD_METRICS)[number], number>;

/**
 * A held-out run's metrics: precision and recall of class 1 (the positive class) when there
 * are two classes, their macro averages otherwise.
 */
export function foldMetrics(run: HeldOutRun, classes: number): FoldMetrics {
  const e = run.evaluation;
  const binary = classes === 2;
  return {
    accuracy: e.accuracy,
    precision: binary ? e.perClass[1]!.precision : e.macro.precision,
    recall: binary ? e.perClass[1]!.recall : e.macro.recall,
    f1: e.f1,
    macroF1: e.macro.f1,
    auc: e.auc,
    logLoss: e.logLoss,
    trainSeconds: run.trainSeconds,
  };
}

/** K-fold cross-validation over all the examples: every metric per fold and as mean ± sd. */
export function runFolds(
  data: LabelledTexts,
  k: number,
  kinds: readonly string[],
  ensemble: EnsembleMethod | undefined,
  settings: ClassifierSettings,
  onFold?: (index: number, metrics: FoldMetrics) => void,
): { folds: FoldMetrics[]; summary: Record<keyof FoldMetrics, MeanStd> } {
  const folds = stratifiedKFold(data.labels, k, { seed: settings.seed });
  return crossValidate(folds, (fold, index) => {
    const metrics = foldMetrics(runHeldOut(data, fold, kinds, ensemble, settings), data.classes.length);
    onFold?.(index, metrics);
    return metrics;
  });
}
