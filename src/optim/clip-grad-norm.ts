import { realize } from "../runtime/realize.js";
import { full } from "../tensor/creation.js";
import type { Tensor } from "../tensor/tensor.js";

/** The 2-norm of all the tensors' elements together, as a pending scalar. */
export function globalNorm(tensors: readonly Tensor[]): Tensor {
  const squares = tensors.map((t) => t.mul(t).sum());
  return squares.length === 0 ? full([], 0) : squares.reduce((total, s) => total.add(s)).sqrt();
}

/**
 * Scales gradients so that their global norm is at most `maxNorm`, lazily: nothing is
 * computed, so the clip becomes part of the training step's program. The factor is
 * PyTorch's `clip_grad_norm_`: `min(1, maxNorm / (norm + 1e-6))`, so gradients below the
 * limit are multiplied by exactly 1 and keep their values. `norm` is the norm before clipping.
 */
export function clipByGlobalNorm(
  grads: readonly Tensor[],
  maxNorm: number,
): { grads: Tensor[]; norm: Tensor } {
  checkMaxNorm(maxNorm, "clipByGlobalNorm");
  const norm = globalNorm(grads);
  const factor = full([], maxNorm).div(norm.add(1e-6)).minimum(1);
  return { grads: grads.map((g) => g.mul(factor)), norm };
}

/**
 * The classic form, for gradients filled in by `loss.backward()`: clips every parameter's
 * `.grad` in place (in one program) and returns the norm before clipping. Parameters
 * without a gradient are skipped.
 */
export function clipGradNorm(params: readonly Tensor[], maxNorm: number): number {
  checkMaxNorm(maxNorm, "clipGradNorm");
  const withGrad = params.filter((p) => p.grad !== undefined);
  const { grads, norm } = clipByGlobalNorm(
    withGrad.map((p) => p.grad!),
    maxNorm,
  );
  realize([norm.node, ...grads.map((g) => g.node)]);
  withGrad.forEach((p, i) => {
    p.grad = grads[i]!;
  });
  return norm.item();
}

export function checkMaxNorm(maxNorm: number, who: string): void {
  if (!(maxNorm > 0) || !Number.isFinite(maxNorm)) {
    throw new Error(`${who}: maxNorm must be a finite number above 0, got ${maxNorm}`);
  }
}
