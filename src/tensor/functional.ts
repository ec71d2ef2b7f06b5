import { buildGradients } from "../autodiff/backward.js";
import { withGradMode } from "../ir/grad-mode.js";
import { Node } from "../ir/node.js";
import { attachBuffer } from "../runtime/memory.js";
import { realize } from "../runtime/realize.js";
import { Tensor } from "./tensor.js";

/**
 * Functional autograd, as in JAX: `grad(f)` is a function that returns the gradient of
 * the scalar f with respect to its tensor arguments. Gradients are built with grad mode
 * on, so `grad(grad(f))` works wherever the VJP rules are themselves differentiable.
 */

type TensorFn = (...args: Tensor[]) => Tensor;

/** A leaf that gradients can be taken with respect to: the argument itself if it already is one. */
function asDifferentiable(x: Tensor): Tensor {
  if (!(x instanceof Tensor)) throw new Error("grad: arguments must be tensors");
  if (x.requiresGrad) return x;
  if (x.dtype !== "float32") throw new Error(`grad: arguments must be float32, got ${x.dtype}`);
  realize([x.node]);
  const leaf = Node.leaf(x.shape, x.dtype);
  attachBuffer(leaf, x.node.buffer!);
  leaf.requiresGrad = true;
  return new Tensor(leaf);
}

/** The value of f and its gradients with respect to every argument. */
export function valueAndGrad(f: TensorFn): (...args: Tensor[]) => [Tensor, Tensor[]] {
  return (...args) => {
    const inputs = args.map(asDifferentiable);
    const value = withGradMode(true, () => f(...inputs));
    if (!(value instanceof Tensor) || value.size !== 1) {
      throw new Error(`grad: f must return a one-element tensor, got shape [${value?.shape}]`);
    }
    const grads = withGradMode(true, () =>
      buildGradients(
        value.node,
        inputs.map((t) => t.node),
      ),
    );
    return [value, grads.map((g) => new Tensor(g))];
  };
}

/** Gradient with respect to the first argument (or all of them, with `{ all: true }` via valueAndGrad). */
export function grad(f: TensorFn): (...args: Tensor[]) => Tensor {
  const vg = valueAndGrad(f);
  return (...args) => vg(...args)[1][0]!;
}

/**
 * Gradients of a scalar with respect to the given tensors, as pending tensors: nothing is
 * computed until they are read or realised, so an optimizer can build its update on them
 * and the whole training step runs as one program. Nothing is accumulated into `.grad`.
 */
export function gradients(loss: Tensor, wrt: readonly Tensor[]): Tensor[] {
  if (loss.size !== 1)
    throw new Error(`gradients: the loss must have one element, got shape [${loss.shape}]`);
  const grads = withGradMode(false, () =>
    buildGradients(
      loss.node,
      wrt.map((t) => t.node),
    ),
  );
  return grads.map((g) => new Tensor(g));
}

/** Runs fn without recording gradients: for inference, and for updates to parameters. */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}
