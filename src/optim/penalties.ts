import { full } from "../tensor/creation.js";
import type { Tensor } from "../tensor/tensor.js";

/**
 * L1 and L2 penalties, in two forms that give the same update for plain gradient methods:
 *
 * - loss terms, added to the loss before differentiating: `l2Penalty(params, λ)` is
 *   `(λ/2)·Σ p²` (gradient λ·p) and `l1Penalty(params, λ)` is `λ·Σ |p|` (gradient λ·sign p);
 * - gradient terms, added to each gradient by the optimizer: the group options
 *   `weightDecay` (λ·p; for AdamW a decoupled decay of the weights instead) and `l1` (λ·sign p).
 *
 * For SGD and Adam, `l2Penalty(params, λ)` in the loss and `weightDecay: λ` in the
 * optimizer are the same thing; the gradient term is cheaper (no extra backward work).
 * For Adam the two differ from AdamW's decoupled decay, which bypasses the moments.
 */
export function l2Penalty(params: readonly Tensor[], strength: number): Tensor {
  checkStrength(strength, "l2Penalty");
  return sumOver(params, (p) => p.mul(p).sum()).mul(strength / 2);
}

export function l1Penalty(params: readonly Tensor[], strength: number): Tensor {
  checkStrength(strength, "l1Penalty");
  return sumOver(params, (p) => p.abs().sum()).mul(strength);
}

/** The gradient terms: `grad + l2·param + l1·sign(param)`; a zero strength adds nothing to the graph. */
export function addPenaltyGradients(
  grad: Tensor,
  param: Tensor,
  { l2, l1 }: { l2: number; l1: number },
): Tensor {
  let g = grad;
  if (l2 !== 0) g = g.add(param.mul(l2));
  if (l1 !== 0) g = g.add(sign(param).mul(l1));
  return g;
}

/** −1, 0 or 1: zero at zero, as the VJP of abs and PyTorch's sign are. */
function sign(x: Tensor): Tensor {
  return x.gt(0).cast("float32").sub(x.lt(0).cast("float32"));
}

function sumOver(params: readonly Tensor[], term: (p: Tensor) => Tensor): Tensor {
  const terms = params.map(term);
  return terms.length === 0 ? full([], 0) : terms.reduce((total, t) => total.add(t));
}

function checkStrength(strength: number, who: string): void {
  if (!Number.isFinite(strength) || strength < 0) {
    throw new Error(`${who}: the strength must be finite and ≥ 0, got ${strength}`);
  }
}
