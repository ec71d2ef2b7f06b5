import { noGrad, randn, realize, type Tensor, zeros } from "../../index.js";

/** A two-layer perceptron: inputs → tanh hidden layer → class logits. */
export interface TwoLayerMlp {
  w1: Tensor;
  b1: Tensor;
  w2: Tensor;
  b2: Tensor;
}

const parameters = (mlp: TwoLayerMlp): Tensor[] => [mlp.w1, mlp.b1, mlp.w2, mlp.b2];

/** Weights drawn from N(0, 1/fan-in), biases zero: tanh units start out of saturation. */
export function initTwoLayerMlp(inputs: number, hidden: number, classes: number, seeds: [number, number]) {
  const mlp: TwoLayerMlp = {
    w1: randn([inputs, hidden], { seed: seeds[0] }).mul(1 / Math.sqrt(inputs)),
    b1: zeros([hidden]),
    w2: randn([hidden, classes], { seed: seeds[1] }).mul(1 / Math.sqrt(hidden)),
    b2: zeros([classes]),
  };
  return asLeaves(mlp);
}

export function logits(mlp: TwoLayerMlp, x: Tensor): Tensor {
  return x.matmul(mlp.w1).add(mlp.b1).tanh().matmul(mlp.w2).add(mlp.b2);
}

/**
 * One step of plain gradient descent on the gradients that `loss.backward()` left in
 * `.grad`. Tensors are immutable values, so the step makes new parameters and frees the
 * old ones (with their gradients) rather than updating in place.
 */
export function gradientDescentStep(mlp: TwoLayerMlp, learningRate: number): TwoLayerMlp {
  const next = noGrad(
    (): TwoLayerMlp => ({
      w1: descend(mlp.w1, learningRate),
      b1: descend(mlp.b1, learningRate),
      w2: descend(mlp.w2, learningRate),
      b2: descend(mlp.b2, learningRate),
    }),
  );
  asLeaves(next);
  // Only now: the new values are computed from the old ones.
  for (const p of parameters(mlp)) p.dispose();
  return next;
}

function descend(p: Tensor, learningRate: number): Tensor {
  if (!p.grad)
    throw new Error("gradientDescentStep: a parameter has no gradient; call loss.backward() first");
  return p.sub(p.grad.mul(learningRate));
}

/**
 * Makes every parameter a leaf that gradients flow to. All four are computed in one
 * program first; marking them one by one would realise each in a program of its own.
 */
function asLeaves(mlp: TwoLayerMlp): TwoLayerMlp {
  realize(parameters(mlp).map((p) => p.node));
  for (const p of parameters(mlp)) p.requiresGrad = true;
  return mlp;
}
