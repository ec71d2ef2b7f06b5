import { ones, zeros } from "../tensor/creation.js";
import { layerNorm } from "../tensor/functions.js";
import type { Tensor } from "../tensor/tensor.js";
import { checkSize } from "./check-size.js";
import { Module } from "./module.js";

export interface LayerNormOptions {
  /** Added to the variance (default 1e-5, as PyTorch). */
  eps?: number;
  /** Whether to learn a shift (default true); without one the shift is a constant 0. */
  bias?: boolean;
}

/** (x − mean) / √(var + eps) · weight + bias over the last axis; weight starts at 1, bias at 0. */
export class LayerNorm extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | undefined;
  readonly eps: number;

  constructor(
    readonly dim: number,
    options: LayerNormOptions = {},
  ) {
    super();
    checkSize("LayerNorm", "dim", dim);
    this.eps = options.eps ?? 1e-5;
    this.weight = this.param("weight", ones([dim]));
    this.bias = (options.bias ?? true) ? this.param("bias", zeros([dim])) : undefined;
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.weight, this.bias ?? zeros([this.dim]), this.eps);
  }
}
