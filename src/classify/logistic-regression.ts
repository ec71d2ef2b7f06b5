// L2-regularised logistic regression over sparse features, the objective scikit-learn's
// LogisticRegression minimises: Σ log-loss + ‖W‖² / (2C), the bias not penalised. Two
// classes use one logit (sigmoid), more use one per class (softmax). The objective and its
// gradient are one compiled program over the sparseMatmul instruction; L-BFGS steps on them.

import { type LbfgsResult, minimizeLbfgs } from "../optim/lbfgs.js";
import { tensor, zeros } from "../tensor/creation.js";
import { valueAndGrad } from "../tensor/functional.js";
import { concat, crossEntropy } from "../tensor/functions.js";
import type { Tensor } from "../tensor/tensor.js";
import type { LinearWeights } from "./linear-model.js";
import { type SparseTensors, sparseTimes } from "./sparse-tensors.js";

export interface LogisticRegressionOptions {
  /** Inverse regularisation strength (default 1, as scikit-learn). */
  C?: number;
  /** L-BFGS iterations at most (default 1000). */
  maxIterations?: number;
  /** Stop when the largest gradient component is at most this (default 1e-4). */
  tolerance?: number;
}

export interface LogisticRegressionFit {
  weights: LinearWeights;
  optimizer: Omit<LbfgsResult, "x">;
}

export function fitLogisticRegression(
  x: SparseTensors,
  labels: readonly number[],
  classes: number,
  { C = 1, maxIterations = 1000, tolerance = 1e-4 }: LogisticRegressionOptions = {},
): LogisticRegressionFit {
  if (!(C > 0)) throw new Error(`logistic regression: C must be > 0, got ${C}`);
  const outputs = classes === 2 ? 1 : classes;
  const n = labels.length;
  const features = x.columns;
  const targets =
    outputs === 1 ? tensor(Float32Array.from(labels), [n, 1]) : tensor(Int32Array.from(labels), [n]);
  const objective = valueAndGrad((w: Tensor, b: Tensor) => {
    const z = sparseTimes(x, w).add(b);
    // Binary: log(1 + e^z) − y·z, with log(1 + e^z) as logsumexp(0, z): no exp overflows,
    // and the gradient at z = 0 is ½ (max(z, 0) + log(1 + e^−|z|) would give 0 there).
    const dataLoss =
      outputs === 1
        ? concat([zeros([n, 1]), z], 1)
            .logsumexp(1)
            .sum()
            .sub(z.mul(targets).sum())
        : crossEntropy(z, targets).mul(n);
    return dataLoss.add(
      w
        .square()
        .sum()
        .mul(0.5 / C),
    );
  });
  const size = features * outputs;
  const result = minimizeLbfgs(
    (flat) => {
      const [value, [gw, gb]] = objective(
        tensor(Float32Array.from(flat.subarray(0, size)), [features, outputs]),
        tensor(Float32Array.from(flat.subarray(size)), [outputs]),
      );
      const gradient = new Float64Array(flat.length);
      gradient.set(gw!.dataSync(), 0);
      gradient.set(gb!.dataSync(), size);
      return { value: value.item(), gradient };
    },
    new Float64Array(size + outputs),
    { maxIterations, gradientTolerance: tolerance },
  );
  const { x: solution, ...optimizer } = result;
  return {
    weights: {
      weights: Float32Array.from(solution.subarray(0, size)),
      bias: Float32Array.from(solution.subarray(size)),
      features,
      outputs,
    },
    optimizer,
  };
}
