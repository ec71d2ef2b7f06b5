// Metrics of hard predictions: accuracy, the confusion matrix, and precision, recall and
// F1 per class and averaged (macro, micro, weighted), as scikit-learn defines them with
// zero_division=0: a ratio whose denominator is 0 counts as 0.
import { checkSameLength, classCount, type Labels } from "./labels.js";

/** The fraction of predictions equal to the true label. */
export function accuracy(yTrue: Labels, yPred: Labels): number {
  checkSameLength("accuracy", yTrue, yPred);
  let right = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) right++;
  return right / yTrue.length;
}

/**
 * counts[t][p]: how many examples of true class t were predicted p (rows are the truth, as
 * in scikit-learn). `classes` defaults to one more than the largest label seen.
 */
export function confusionMatrix(yTrue: Labels, yPred: Labels, classes?: number): number[][] {
  checkSameLength("confusionMatrix", yTrue, yPred);
  const k = classCount(classes ?? 0, yTrue, yPred);
  if (classes !== undefined && k > classes) {
    throw new Error(`confusionMatrix: a label is ≥ the ${classes} classes given`);
  }
  const counts = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < yTrue.length; i++) counts[yTrue[i]!]![yPred[i]!]!++;
  return counts;
}

export interface PrecisionRecallF1 {
  precision: number;
  recall: number;
  f1: number;
}

export interface ClassScores extends PrecisionRecallF1 {
  /** Examples whose true label is this class. */
  support: number;
}

export interface ClassificationReport {
  /** One entry per class index. */
  perClass: ClassScores[];
  /** Unweighted mean over classes. */
  macro: PrecisionRecallF1;
  /** From the counts pooled over classes (for single-label data all three equal accuracy). */
  micro: PrecisionRecallF1;
  /** Mean over classes weighted by support. */
  weighted: PrecisionRecallF1;
  accuracy: number;
  /** The confusion matrix the scores came from. */
  confusion: number[][];
}

const ratio = (num: number, den: number) => (den === 0 ? 0 : num / den);
const f1Of = (p: number, r: number) => ratio(2 * p * r, p + r);

/** Precision, recall and F1 from a confusion matrix: per class, macro, micro and weighted. */
export function scoresFromConfusion(confusion: readonly (readonly number[])[]): ClassificationReport {
  const k = confusion.length;
  const perClass: ClassScores[] = [];
  let tpAll = 0;
  let total = 0;
  for (let c = 0; c < k; c++) {
    const tp = confusion[c]![c]!;
    let predicted = 0;
    let support = 0;
    for (let j = 0; j < k; j++) {
      predicted += confusion[j]![c]!;
      support += confusion[c]![j]!;
    }
    const precision = ratio(tp, predicted);
    const recall = ratio(tp, support);
    perClass.push({ precision, recall, f1: f1Of(precision, recall), support });
    tpAll += tp;
    total += support;
  }
  const mean = (weight: (s: ClassScores) => number): PrecisionRecallF1 => {
    const sum = perClass.reduce((a, s) => a + weight(s), 0);
    const avg = (key: keyof PrecisionRecallF1) =>
      ratio(
        perClass.reduce((a, s) => a + weight(s) * s[key], 0),
        sum,
      );
    return { precision: avg("precision"), recall: avg("recall"), f1: avg("f1") };
  };
  const micro = ratio(tpAll, total);
  return {
    perClass,
    macro: mean(() => 1),
    micro: { precision: micro, recall: micro, f1: micro },
    weighted: mean((s) => s.support),
    accuracy: micro,
    confusion: confusion.map((row) => [...row]),
  };
}

/** Every score of {@link ClassificationReport} for hard predictions. */
export function classificationReport(yTrue: Labels, yPred: Labels, classes?: number): ClassificationReport {
  return scoresFromConfusion(confusionMatrix(yTrue, yPred, classes));
}

export type Average = "binary" | "macro" | "micro" | "weighted";

/**
 * F1 of hard predictions. "binary" (the default) scores class `positive` (default 1) alone,
 * as scikit-learn's f1_score does for two classes.
 */
export function f1Score(
  yTrue: Labels,
  yPred: Labels,
  options: { average?: Average; positive?: number } = {},
): number {
  return averagedScores(yTrue, yPred, options).f1;
}

/** Precision of hard predictions; see {@link f1Score} for the options. */
export function precisionScore(
  yTrue: Labels,
  yPred: Labels,
  options: { average?: Average; positive?: number } = {},
): number {
  return averagedScores(yTrue, yPred, options).precision;
}

/** Recall of hard predictions; see {@link f1Score} for the options. */
export function recallScore(
  yTrue: Labels,
  yPred: Labels,
  options: { average?: Average; positive?: number } = {},
): number {
  return averagedScores(yTrue, yPred, options).recall;
}

function averagedScores(
  yTrue: Labels,
  yPred: Labels,
  { average = "binary", positive = 1 }: { average?: Average; positive?: number },
): PrecisionRecallF1 {
  const report = classificationReport(yTrue, yPred, classCount(positive + 1, yTrue, yPred));
  if (average === "binary") return report.perClass[positive]!;
  return report[average];
}
