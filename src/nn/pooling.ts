import type { Pair, Tensor } from "../tensor/tensor.js";
import { Module } from "./module.js";

/** Max pooling over NCHW images (PyTorch's `nn.MaxPool2d`, floor mode); stride defaults to the kernel. */
export class MaxPool2d extends Module {
  constructor(
    readonly kernelSize: Pair,
    readonly options: { stride?: Pair; padding?: Pair; dilation?: Pair } = {},
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    return x.maxPool2d(this.kernelSize, this.options);
  }
}

/** Average pooling over NCHW images (PyTorch's `nn.AvgPool2d`, floor mode); stride defaults to the kernel. */
export class AvgPool2d extends Module {
  constructor(
    readonly kernelSize: Pair,
    readonly options: { stride?: Pair; padding?: Pair; countIncludePad?: boolean } = {},
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    return x.avgPool2d(this.kernelSize, this.options);
  }
}

/** Average pooling to a fixed output size over PyTorch's adaptive bins (`nn.AdaptiveAvgPool2d`). */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: Pair) {
    super();
  }

  forward(x: Tensor): Tensor {
    return x.adaptiveAvgPool2d(this.outputSize);
  }
}

/** Resizes NCHW images to a fixed size (PyTorch's `nn.Upsample` with `size`). */
export class Upsample extends Module {
  constructor(
    readonly size: Pair,
    readonly options: { mode?: "nearest" | "bilinear"; alignCorners?: boolean } = {},
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    return x.upsample2d(this.size, this.options);
  }
}
