import type { Tensor } from "../tensor/tensor.js";
import { Module } from "./module.js";

/** Merges axes startDim…endDim into one (PyTorch's `nn.Flatten`: by default all but the batch axis). */
export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    const r = x.rank;
    const start = this.startDim < 0 ? this.startDim + r : this.startDim;
    const end = this.endDim < 0 ? this.endDim + r : this.endDim;
    if (!(start >= 0 && start <= end && end < r)) {
      throw new Error(`Flatten: axes ${this.startDim}…${this.endDim} do not fit a tensor of rank ${r}`);
    }
    const merged = x.shape.slice(start, end + 1).reduce((a, b) => a * b, 1);
    return x.reshape([...x.shape.slice(0, start), merged, ...x.shape.slice(end + 1)]);
  }
}

/** max(x, 0) as a layer (PyTorch's `nn.ReLU`), for Sequential. */
export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return x.relu();
  }
}
