// Metrics of predicted probabilities: log loss, the calibration (reliability) curve and
// the expected calibration error, with scikit-learn's binning.
import { checkSameLength, type Labels } from "./labels.js";

/** Probabilities are clipped to [ε, 1 − ε] so that a confident mistake costs much, not infinity. */
const LOG_LOSS_EPSILON = 1e-15;

/**
 * Mean negative log-likelihood of the true labels. `probabilities` holds, per example, the
 * probability of class 1 (a number: two classes) or of every class (a row, renormalised).
 */
export function logLoss(
  yTrue: Labels,
  probabilities: ArrayLike<number> | readonly ArrayLike<number>[],
): number {
  checkSameLength("logLoss", yTrue, probabilities);
  const clip = (p: number) => Math.min(1 - LOG_LOSS_EPSILON, Math.max(LOG_LOSS_EPSILON, p));
  let total = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const y = yTrue[i]!;
    const p = (probabilities as ArrayLike<number | ArrayLike<number>>)[i]!;
    if (typeof p === "number") {
      if (y !== 0 && y !== 1) throw new Error(`logLoss: label ${y} with a single probability per example`);
      total -= Math.log(y === 1 ? clip(p) : 1 - clip(p));
      continue;
    }
    let sum = 0;
    for (let c = 0; c < p.length; c++) sum += clip(p[c]!);
    if (!(y >= 0 && y < p.length))
      throw new Error(`logLoss: label ${y} with ${p.length} class probabilities`);
    total -= Math.log(clip(p[y]!) / sum);
  }
  return total / yTrue.length;
}

export interface CalibrationBins {
  /** Fraction of positives in each non-empty bin. */
  probTrue: number[];
  /** Mean predicted probability in each non-empty bin. */
  probPred: number[];
  /** Examples in each non-empty bin. */
  counts: number[];
}

/**
 * Linear-interpolated quantile of sorted values, as NumPy's default method computes it
 * (from the nearer end, so a bin edge falls on the same side of a tied value).
 */
function quantile(sorted: readonly number[], q: number): number {
  const position = q * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.min(low + 1, sorted.length - 1);
  const t = position - low;
  const a = sorted[low]!;
  const b = sorted[high]!;
  return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
}

/**
 * Binned reliability of probabilities of the positive class: "uniform" bins split [0, 1]
 * evenly, "quantile" bins hold about as many examples each. Bins are closed on the right
 * (the first also holds 0); empty bins are left out.
 */
export function calibrationCurve(
  yTrue: Labels,
  probabilities: ArrayLike<number>,
  { bins = 5, strategy = "uniform" }: { bins?: number; strategy?: "uniform" | "quantile" } = {},
): CalibrationBins {
  checkSameLength("calibrationCurve", yTrue, probabilities);
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`calibrationCurve: bins must be ≥ 1, got ${bins}`);
  const probs = Array.from(probabilities);
  for (const p of probs) {
    if (!(p >= 0 && p <= 1)) throw new Error(`calibrationCurve: probabilities must lie in [0, 1], got ${p}`);
  }
  const sorted = strategy === "quantile" ? [...probs].sort((a, b) => a - b) : [];
  const edges = Array.from({ length: bins + 1 }, (_, i) =>
    strategy === "uniform" ? i * (1 / bins) : quantile(sorted, (i * (1 / bins) * 100) / 100),
  );
  const interior = edges.slice(1, -1);
  const sums = new Array<number>(bins).fill(0);
  const trues = new Array<number>(bins).fill(0);
  const totals = new Array<number>(bins).fill(0);
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i]!;
    let bin = 0;
    while (bin < interior.length && interior[bin]! < p) bin++;
    sums[bin]! += p;
    trues[bin]! += yTrue[i] === 1 ? 1 : 0;
    totals[bin]!++;
  }
  const out: CalibrationBins = { probTrue: [], probPred: [], counts: [] };
  for (let b = 0; b < bins; b++) {
    if (totals[b] === 0) continue;
    out.probTrue.push(trues[b]! / totals[b]!);
    out.probPred.push(sums[b]! / totals[b]!);
    out.counts.push(totals[b]!);
  }
  return out;
}

/**
 * Expected calibration error: over equal-width bins of the positive-class probability, the
 * mean of |fraction positive − mean probability| weighted by each bin's share of examples.
 */
export function expectedCalibrationError(yTrue: Labels, probabilities: ArrayLike<number>, bins = 10): number {
  const curve = calibrationCurve(yTrue, probabilities, { bins });
  let ece = 0;
  for (let b = 0; b < curve.counts.length; b++) {
    ece += (curve.counts[b]! / yTrue.length) * Math.abs(curve.probTrue[b]! - curve.probPred[b]!);
  }
  return ece;
}

/** Perplexity from a mean negative log-likelihood in nats per token: exp(nll). */
export function perplexity(meanNegativeLogLikelihood: number): number {
  return Math.exp(meanNegativeLogLikelihood);
}
