import { ones } from "../tensor/creation.js";
import { rmsNorm } from "../tensor/functions.js";
import type { Tensor } from "../tensor/tensor.js";
import { checkSize } from "./check-size.js";
import { Module } from "./module.js";

/** x / √(mean(x²) + eps) · weight over the last axis; weight starts at 1. */
export class RmsNorm extends Module {
  readonly weight: Tensor;
  readonly eps: number;

  constructor(
    readonly dim: number,
    options: { eps?: number } = {},
  ) {
    super();
    checkSize("RmsNorm", "dim", dim);
    this.eps = options.eps ?? 1e-6;
    this.weight = this.param("weight", ones([dim]));
  }

  forward(x: Tensor): Tensor {
    return rmsNorm(x, this.weight, this.eps);
  }
}
