import { noGrad, randn, Tensor, zeros } from "../../index.js";

/** A two-layer perceptron: inputs → tanh hidden layer → class logits. */
export interface TwoLayerMlp {
  w1: Tensor;
  b1: Tensor;
  w2: Tensor;
  b2: Tensor;
}

const parameters = (mlp: TwoLayerMlp): Tensor[] => [mlp.w1, mlp.b1, mlp.w2, mlp.b2];

/** Weights drawn from N(0, 1/fan-in), biases zero: tanh units start out of saturation. */
export function initTwoLayerMlp(
  inputs: number,
  hidden: number,
  classes: number,
  seeds: [number, number],
): TwoLayerMlp {
  const mlp: TwoLayerMlp = {
    w1: randn([inputs, hidden], { seed: seeds[0] }).mul(1 / Math.sqrt(inputs)),
    b1: zeros([hidden]),
    w2: randn([hidden, classes], { seed: seeds[1] }).mul(1 / Math.sqrt(hidden)),
    b2: zeros([classes]),
  };
  // All four in one program; marking them one by one would realise each in a program of its own.
  Tensor.realize(...parameters(mlp));
  for (const p of parameters(mlp)) p.requiresGrad = true;
  return mlp;
}

export function logits(mlp: TwoLayerMlp, x: Tensor): Tensor {
  return x.matmul(mlp.w1).add(mlp.b1).tanh().matmul(mlp.w2).add(mlp.b2);
}

/**
 * One step of plain gradient descent, p ← p − learningRate · p.grad, on the gradients
 * that `loss.backward()` left in `.grad`. The new values are computed together in one
 * program; `assign` then makes each parameter hold its new value and clears its `.grad`,
 * so the next backward starts from zero.
 */
export function gradientDescentStep(mlp: TwoLayerMlp, learningRate: number): void {
  const params = parameters(mlp);
  const updated = noGrad(() =>
    params.map((p) => {
      if (!p.grad)
        throw new Error("gradientDescentStep: a parameter has no gradient; call loss.backward() first");
      return p.sub(p.grad.mul(learningRate));
    }),
  );
  Tensor.realize(...updated);
  params.forEach((p, i) => {
    p.assign(updated[i]!);
  });
}
