import type { Tensor } from "../tensor/tensor.js";
import type { AdamOptions } from "./adam-options.js";
import type { UpdateInput, UpdateOutput } from "./optimizer.js";
import { addPenaltyGradients } from "./penalties.js";

/**
 * The per-step numbers of Adam's update, computed on the host in float64 as PyTorch
 * computes them in Python: the step size `lr / (1 − β₁ᵗ)`, `√(1 − β₂ᵗ)`, and for the
 * decoupled form the weight factor `1 − lr·weightDecay`.
 */
export function adamStepScalars(
  o: AdamOptions,
  lr: number,
  step: number,
  decoupled: boolean,
): Record<string, number> {
  const [b1, b2] = o.betas;
  const scalars: Record<string, number> = {
    stepSize: lr / (1 - b1 ** step),
    biasCorrection2Sqrt: Math.sqrt(1 - b2 ** step),
  };
  if (decoupled && o.weightDecay !== 0) scalars.weightFactor = 1 - lr * o.weightDecay;
  return scalars;
}

/**
 * Adam and AdamW as in `torch.optim.Adam` / `AdamW` (without amsgrad):
 *
 *     Adam:  g ← grad + weightDecay·p          AdamW:  p ← p·(1 − lr·weightDecay)
 *     (both) g ← g + l1·sign(p)
 *     m ← β₁·m + (1 − β₁)·g
 *     v ← β₂·v + (1 − β₂)·g²
 *     p ← p − (lr / (1 − β₁ᵗ))·m / (√v / √(1 − β₂ᵗ) + ε)
 *
 * t is the parameter's update count, from 1.
 */
export function adamUpdate(
  { param, grad, state, options: o, scalars: s }: UpdateInput<AdamOptions>,
  decoupled: boolean,
): UpdateOutput {
  const [b1, b2] = o.betas;
  const g = addPenaltyGradients(grad, param, { l2: decoupled ? 0 : o.weightDecay, l1: o.l1 });
  const decayed = s.weightFactor ? param.mul(s.weightFactor) : param;
  const expAvg = state.expAvg!.mul(b1).add(g.mul(1 - b1));
  const expAvgSq = state.expAvgSq!.mul(b2).add(g.mul(1 - b2).mul(g));
  const denominator = expAvgSq.sqrt().div(s.biasCorrection2Sqrt!).add(o.eps);
  const next: Tensor = decayed.sub(expAvg.mul(s.stepSize!).div(denominator));
  return { param: next, state: { expAvg, expAvgSq } };
}
