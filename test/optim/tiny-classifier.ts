import { crossEntropy, type Tensor, tensor } from "../../src/index.js";

/**
 * A linear classifier on 3 features and 2 classes, with a fresh batch every step: the
 * smallest training step that has a matmul, a bias, a loss and changing inputs.
 */
export function tinyClassifier(): { weight: Tensor; bias: Tensor } {
  return {
    weight: tensor(
      [
        [0.1, -0.2],
        [0.3, 0.05],
        [-0.15, 0.2],
      ],
      { requiresGrad: true },
    ),
    bias: tensor([0.01, -0.02], { requiresGrad: true }),
  };
}

/** The loss on batch `step` (inputs differ per step; the graph's structure does not). */
export function classifierLoss({ weight, bias }: { weight: Tensor; bias: Tensor }, step: number): Tensor {
  const x = tensor(
    Array.from({ length: 12 }, (_, i) => Math.sin(1.7 * i + step)),
    [4, 3],
  );
  const labels = tensor([step % 2, 1, 0, (step + 1) % 2], { dtype: "int32" });
  return crossEntropy(x.matmul(weight).add(bias), labels);
}
