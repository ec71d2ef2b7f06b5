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

/** Class probabilities [rows][classes] from scores: a sigmoid for one output, else a softmax. */
export function probabilitiesFromScores(scores: Tensor): number[][] {
  const [rows, outputs] = scores.shape as [number, number];
  if (outputs === 1) {
    const p = scores.sigmoid().dataSync();
    return Array.from({ length: rows }, (_, r) => [1 - p[r]!, p[r]!]);
  }
  const p = scores.softmax(-1).dataSync();
  return Array.from({ length: rows }, (_, r) => Array.from(p.subarray(r * outputs, (r + 1) * outputs)));
}
