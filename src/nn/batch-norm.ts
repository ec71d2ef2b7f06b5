import { tensor } from "../tensor/creation.js";
import { noGrad } from "../tensor/functional.js";
import { batchNorm } from "../tensor/functions.js";
import type { Tensor } from "../tensor/tensor.js";
import { checkSize } from "./check-size.js";
import { Module } from "./module.js";

export interface BatchNormOptions {
  eps?: number;
  /** Weight of the newest batch in the running averages (default 0.1, PyTorch's). */
  momentum?: number;
  /** Learn a scale and shift per channel (default true). */
  affine?: boolean;
}

/**
 * Batch normalisation over the channel axis of [batch, channels, ...] (PyTorch's
 * `nn.BatchNorm2d`, and `nn.BatchNorm1d` for [batch, channels] or [batch, channels, length]).
 * In training it normalises by the batch's mean and population variance, and stages the
 * running averages (`running_mean`, `running_var` with the unbiased variance,
 * `num_batches_tracked`) for the step to compute with it (see `Module.stage`); in evaluation
 * it uses the running averages. Names and layouts are PyTorch's.
 */
export class BatchNorm extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;
  readonly numBatchesTracked: Tensor;
  readonly eps: number;
  readonly momentum: number;

  constructor(
    readonly numFeatures: number,
    options: BatchNormOptions = {},
  ) {
    super();
    checkSize(this.constructor.name, "numFeatures", numFeatures);
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum ?? 0.1;
    const ones = () => tensor(new Float32Array(numFeatures).fill(1), [numFeatures]);
    const zeros = () => tensor(new Float32Array(numFeatures), [numFeatures]);
    // Without affine parameters the scale and shift are constant ones and zeros.
    const affine = options.affine ?? true;
    this.weight = affine ? this.param("weight", ones()) : ones();
    this.bias = affine ? this.param("bias", zeros()) : zeros();
    this.runningMean = this.buffer("running_mean", zeros());
    this.runningVar = this.buffer("running_var", ones());
    this.numBatchesTracked = this.buffer("num_batches_tracked", tensor([0], [], { dtype: "int32" }));
  }

  forward(x: Tensor): Tensor {
    if (x.rank < 2 || x.shape[1] !== this.numFeatures) {
      throw new Error(
        `${this.constructor.name}: expects [batch, ${this.numFeatures}, ...], got [${x.shape}]`,
      );
    }
    if (!this.training)
      return batchNorm(x, this.runningMean, this.runningVar, this.weight, this.bias, this.eps);
    const axes = [0, ...x.shape.slice(2).map((_, i) => i + 2)];
    const n = x.size / this.numFeatures;
    if (n < 2)
      throw new Error(
        `${this.constructor.name}: training needs more than one value per channel, got [${x.shape}]`,
      );
    this.commitStaged();
    const mean = x.mean(axes);
    const variance = x.variance(axes);
    const m = this.momentum;
    noGrad(() => {
      this.stage("running_mean", this.runningMean.mul(1 - m).add(mean.mul(m)));
      this.stage("running_var", this.runningVar.mul(1 - m).add(variance.mul((m * n) / (n - 1))));
      this.stage("num_batches_tracked", this.numBatchesTracked.add(1));
    });
    return batchNorm(x, mean, variance, this.weight, this.bias, this.eps);
  }
}

/** Batch norm over [batch, channels, height, width] (PyTorch's `nn.BatchNorm2d`). */
export class BatchNorm2d extends BatchNorm {
  override forward(x: Tensor): Tensor {
    if (x.rank !== 4)
      throw new Error(`BatchNorm2d: expects [batch, ${this.numFeatures}, height, width], got [${x.shape}]`);
    return super.forward(x);
  }
}

/** Batch norm over [batch, channels] or [batch, channels, length] (PyTorch's `nn.BatchNorm1d`). */
export class BatchNorm1d extends BatchNorm {
  override forward(x: Tensor): Tensor {
    if (x.rank !== 2 && x.rank !== 3) {
      throw new Error(
        `BatchNorm1d: expects [batch, ${this.numFeatures}] or [batch, ${this.numFeatures}, length], got [${x.shape}]`,
      );
    }
    return super.forward(x);
  }
}
