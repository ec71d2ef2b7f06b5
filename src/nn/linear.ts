import type { Tensor } from "../tensor/tensor.js";
import { checkSize } from "./check-size.js";
import { type InitOptions, linearDefault } from "./init.js";
import { Module } from "./module.js";

export interface LinearOptions extends InitOptions {
  /** Whether to add a learned bias (default true). */
  bias?: boolean;
}

/**
 * y = x·Wᵀ + b over the last axis of x. The weight is stored as [out, in], PyTorch's layout,
 * so state dicts line up with PyTorch's; weight and bias start as U(−1/√in, 1/√in).
 */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | undefined;
  /**
   * When set, forward multiplies by weightTransform(weight) instead of the weight: how a
   * pruning mask or quantization-aware training's fake quantization acts on the float
   * weight while it trains (gradients reach the weight through the transform).
   */
  weightTransform: ((weight: Tensor) => Tensor) | undefined;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    super();
    checkSize("Linear", "inFeatures", inFeatures);
    checkSize("Linear", "outFeatures", outFeatures);
    this.weight = this.param("weight", linearDefault([outFeatures, inFeatures], inFeatures, options.rng));
    this.bias =
      (options.bias ?? true)
        ? this.param("bias", linearDefault([outFeatures], inFeatures, options.rng))
        : undefined;
  }

  forward(x: Tensor): Tensor {
    if (x.shape.at(-1) !== this.inFeatures) {
      throw new Error(`Linear: expects inputs [..., ${this.inFeatures}], got [${x.shape}]`);
    }
    const weight = this.weightTransform ? this.weightTransform(this.weight) : this.weight;
    const y = x.matmul(weight.transpose());
    return this.bias ? y.add(this.bias) : y;
  }
}
