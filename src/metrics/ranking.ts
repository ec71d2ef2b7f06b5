// Metrics of scores (any number that ranks examples as more or less positive): the ROC
// curve and its area, the precision-recall curve and average precision. They follow
// scikit-learn's definitions (ties share a threshold; the ROC curve drops points on a
// straight segment), so the arrays match its roc_curve and precision_recall_curve.
import { checkSameLength, type Labels } from "./labels.js";

/** Cumulative true and false positives at each distinct score, from the highest score down. */
interface ThresholdCounts {
  tps: number[];
  fps: number[];
  thresholds: number[];
}

/** Whether each label is the positive class: 1 (or `positive`) against everything else. */
function positives(yTrue: Labels, positive: number): Uint8Array {
  const out = new Uint8Array(yTrue.length);
  for (let i = 0; i < yTrue.length; i++) out[i] = yTrue[i] === positive ? 1 : 0;
  return out;
}

function countsByThreshold(
  metric: string,
  isPositive: Uint8Array,
  scores: ArrayLike<number>,
): ThresholdCounts {
  checkSameLength(metric, isPositive, scores);
  const order = Array.from({ length: scores.length }, (_, i) => i);
  for (let i = 0; i < scores.length; i++) {
    if (Number.isNaN(scores[i]!)) throw new Error(`${metric}: score ${i} is NaN`);
  }
  // Descending; equal scores keep no particular order since they share one threshold.
  order.sort((a, b) => scores[b]! - scores[a]!);
  const tps: number[] = [];
  const fps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  for (let r = 0; r < order.length; r++) {
    tp += isPositive[order[r]!]!;
    const score = scores[order[r]!]!;
    if (r === order.length - 1 || scores[order[r + 1]!]! !== score) {
      tps.push(tp);
      fps.push(r + 1 - tp);
      thresholds.push(score);
    }
  }
  return { tps, fps, thresholds };
}

export interface RocCurve {
  /** False-positive rate at each threshold, rising from 0 to 1. */
  fpr: number[];
  /** True-positive rate at each threshold. */
  tpr: number[];
  /** Scores ≥ the threshold are called positive; the first is +Infinity (nothing positive). */
  thresholds: number[];
}

/**
 * The ROC curve of scores for the `positive` class (default 1). Points in the middle of a
 * straight segment are dropped, as scikit-learn does by default.
 */
export function rocCurve(yTrue: Labels, scores: ArrayLike<number>, positive = 1): RocCurve {
  const { tps, fps, thresholds } = countsByThreshold("rocCurve", positives(yTrue, positive), scores);
  const n = tps.length;
  const keep = (i: number) =>
    i === 0 ||
    i === n - 1 ||
    fps[i + 1]! - 2 * fps[i]! + fps[i - 1]! !== 0 ||
    tps[i + 1]! - 2 * tps[i]! + tps[i - 1]! !== 0;
  const kept = n > 2 ? [...Array(n).keys()].filter(keep) : [...Array(n).keys()];
  const totalP = tps[n - 1]!;
  const totalN = fps[n - 1]!;
  if (totalP === 0 || totalN === 0) {
    throw new Error(
      `rocCurve: needs both classes among the true labels, got only ${totalP === 0 ? "negatives" : "positives"}`,
    );
  }
  return {
    fpr: [0, ...kept.map((i) => fps[i]! / totalN)],
    tpr: [0, ...kept.map((i) => tps[i]! / totalP)],
    thresholds: [Number.POSITIVE_INFINITY, ...kept.map((i) => thresholds[i]!)],
  };
}

/** Area under a curve by the trapezoidal rule (x must be monotonic). */
export function trapezoid(x: readonly number[], y: readonly number[]): number {
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i]! - x[i - 1]!) * (y[i]! + y[i - 1]!)) / 2;
  return Math.abs(area);
}

/** Area under the ROC curve of scores for the `positive` class (default 1). */
export function rocAuc(yTrue: Labels, scores: ArrayLike<number>, positive = 1): number {
  const { fpr, tpr } = rocCurve(yTrue, scores, positive);
  return trapezoid(fpr, tpr);
}

/**
 * Multi-class AUC, one class against the rest: the mean of each class's AUC of its column of
 * `probabilities` (rows are examples), unweighted ("macro") or weighted by class frequency.
 */
export function rocAucOneVsRest(
  yTrue: Labels,
  probabilities: readonly ArrayLike<number>[],
  average: "macro" | "weighted" = "macro",
): number {
  checkSameLength("rocAucOneVsRest", yTrue, probabilities);
  const k = probabilities[0]!.length;
  let sum = 0;
  let weights = 0;
  for (let c = 0; c < k; c++) {
    const column = probabilities.map((row) => row[c]!);
    const weight = average === "macro" ? 1 : positives(yTrue, c).reduce((a, b) => a + b, 0);
    sum += weight * rocAuc(yTrue, column, c);
    weights += weight;
  }
  return sum / weights;
}

export interface PrecisionRecallCurve {
  /** Precision at each threshold, then 1 (the point with nothing called positive). */
  precision: number[];
  /** Recall at each threshold (falling), then 0. */
  recall: number[];
  /** Increasing; one fewer than the points. */
  thresholds: number[];
}

/** The precision-recall curve of scores for the `positive` class (default 1), as scikit-learn orders it. */
export function precisionRecallCurve(
  yTrue: Labels,
  scores: ArrayLike<number>,
  positive = 1,
): PrecisionRecallCurve {
  const { tps, fps, thresholds } = countsByThreshold(
    "precisionRecallCurve",
    positives(yTrue, positive),
    scores,
  );
  const totalP = tps.at(-1)!;
  if (totalP === 0) throw new Error("precisionRecallCurve: no positive example among the true labels");
  const precision = tps.map((tp, i) => (tp + fps[i]! === 0 ? 0 : tp / (tp + fps[i]!))).reverse();
  const recall = tps.map((tp) => tp / totalP).reverse();
  return { precision: [...precision, 1], recall: [...recall, 0], thresholds: [...thresholds].reverse() };
}

/** Average precision: Σ (R_n − R_{n−1}) P_n over the thresholds (no interpolation), as scikit-learn. */
export function averagePrecision(yTrue: Labels, scores: ArrayLike<number>, positive = 1): number {
  const { precision, recall } = precisionRecallCurve(yTrue, scores, positive);
  let ap = 0;
  for (let i = 0; i < recall.length - 1; i++) ap += (recall[i]! - recall[i + 1]!) * precision[i]!;
  return ap;
}
