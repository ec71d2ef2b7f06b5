// Values kept where a target keeps them, as a model's weights are: a bench then times the
// computation reading them in place, not a copy from another target's memory at every call.
import { type Target, Tensor, tensor, withTarget } from "../../dist/src/index.js";

/** `value` computed on `target` (multiplied by an input 1, so that nothing folds it away). */
export function residentOn(target: Target, value: Tensor): Tensor {
  return withTarget(target, () => {
    const copy = value.mul(tensor([1]));
    Tensor.realize(copy);
    return copy;
  });
}
