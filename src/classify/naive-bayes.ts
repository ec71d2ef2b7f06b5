// Multinomial naive Bayes over non-negative features (counts or TF-IDF), as scikit-learn's
// MultinomialNB: per class, log P(feature | class) from the smoothed feature totals, and
// log P(class) from class frequencies. The totals Xᵀ·Y and the scores X·log θ are sparse
// products on the sparseMatmul instruction.

import { tensor } from "../tensor/creation.js";
import { noGrad } from "../tensor/functional.js";
import type { LinearWeights } from "./linear-model.js";
import { type SparseTensors, sparseTransposeTimes } from "./sparse-tensors.js";

export interface NaiveBayesOptions {
  /** Additive (Laplace/Lidstone) smoothing (default 1). */
  alpha?: number;
}

/** Fits the weights: log θ [features, classes] and the log priors as the bias. */
export function fitNaiveBayes(
  x: SparseTensors,
  labels: readonly number[],
  classes: number,
  { alpha = 1 }: NaiveBayesOptions = {},
): LinearWeights {
  if (!(alpha > 0)) throw new Error(`naive Bayes: alpha must be > 0, got ${alpha}`);
  const onehot = new Float32Array(labels.length * classes);
  const counts = new Array<number>(classes).fill(0);
  labels.forEach((y, i) => {
    onehot[i * classes + y] = 1;
    counts[y]!++;
  });
  const logTheta = noGrad(() => {
    const totals = sparseTransposeTimes(x, tensor(onehot, [labels.length, classes])).add(alpha);
    return totals.log().sub(totals.sum(0, true).log());
  });
  return {
    weights: Float32Array.from(logTheta.dataSync()),
    bias: Float32Array.from(counts, (c) => Math.log(c / labels.length)),
    features: x.columns,
    outputs: classes,
  };
}
