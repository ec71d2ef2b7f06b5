import { topoSort } from "../ir/graph.js";
import type { Node } from "../ir/node.js";
import type { Tensor } from "../tensor/tensor.js";

/**
 * The parameters a loss depends on through a path gradients can flow along. The others
 * would get all-zero gradients from `gradients()`; the optimizer skips them instead, as
 * PyTorch skips parameters whose `.grad` is None (no update, no weight decay, no state).
 */
export function paramsReached(loss: Tensor, params: readonly Tensor[]): Tensor[] {
  const reached = new Set<Node>(topoSort([loss.node], (n) => !n.requiresGrad).filter((n) => n.requiresGrad));
  return params.filter((p) => reached.has(p.node));
}
