// What the TF-IDF classifiers share: a linear map from sparse features to one score per
// class (or a single logit for two classes), stored as plain arrays.
import { tensor } from "../tensor/creation.js";
import type { Tensor } from "../tensor/tensor.js";
import { type SparseTensors, sparseTimes } from "./sparse-tensors.js";

export interface LinearWeights {
  /** [features, outputs], row-major. */
  weights: Float32Array;
  /** [outputs]. */
  bias: Float32Array;
  features: number;
  /** 1 for a binary logistic regression (the logit of class 1), else one per class. */
  outputs: number;
}

/** Scores [rows, outputs] of sparse rows under linear weights. */
export function linearScores(x: SparseTensors, w: LinearWeights): Tensor {
  const weights = tensor(w.weights, [w.features, w.outputs]);
  return sparseTimes(x, weights).add(tensor(w.bias, [w.outputs]));
}

/**
 * Class probabilities [rows][classes] from scores: a sigmoid for one output, else a
 * softmax, computed in float64 on the host so that confident scores (naive Bayes log
 * likelihoods differ by hundreds) keep their order instead of all rounding to 1.
 */
export function probabilitiesFromScores(scores: Tensor): number[][] {
  const [rows, outputs] = scores.shape as [number, number];
  const s = scores.dataSync();
  return Array.from({ length: rows }, (_, r) => {
    if (outputs === 1) {
      const p = 1 / (1 + Math.exp(-s[r]!));
      return [1 - p, p];
    }
    const row = Array.from(s.subarray(r * outputs, (r + 1) * outputs));
    const max = Math.max(...row);
    const exps = row.map((v) => Math.exp(v - max));
    const total = exps.reduce((a, b) => a + b, 0);
    return exps.map((e) => e / total);
  });
}
