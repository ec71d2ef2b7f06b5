import { embedding } from "../tensor/functions.js";
import type { Tensor } from "../tensor/tensor.js";
import { checkSize } from "./check-size.js";
import { type InitOptions, normal } from "./init.js";
import { Module } from "./module.js";

/** A lookup table: int32 ids [...] → rows [..., dim]. Rows start as N(0, 1), PyTorch's default. */
export class Embedding extends Module {
  readonly weight: Tensor;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    options: InitOptions = {},
  ) {
    super();
    checkSize("Embedding", "numEmbeddings", numEmbeddings);
    checkSize("Embedding", "embeddingDim", embeddingDim);
    this.weight = this.param("weight", normal([numEmbeddings, embeddingDim], 1, options.rng));
  }

  forward(ids: Tensor): Tensor {
    if (ids.dtype !== "int32") throw new Error(`Embedding: ids must be int32, got ${ids.dtype}`);
    return embedding(this.weight, ids);
  }

  /** x [..., embeddingDim] · tableᵀ → [..., numEmbeddings]: the table as a tied output head. */
  unembed(x: Tensor): Tensor {
    return x.matmul(this.weight.transpose());
  }
}
