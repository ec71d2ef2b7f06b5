import { parseQuantType, type QuantType, rowBytes } from "../quant/index.js";
import { adoptArray } from "../tensor/creation.js";
import { dequantizeRows, quantizedMatmul, quantizeRows } from "../tensor/quantized.js";
import type { Tensor } from "../tensor/tensor.js";
import { checkSize } from "./check-size.js";
import type { Embedding } from "./embedding.js";
import { Module } from "./module.js";

/**
 * An Embedding whose table is stored as ggml blocks of `type`, one row per id: a lookup
 * gathers the packed rows and decodes only those. As a tied output head (`unembed`) the
 * table is an [out, in] weight for `quantizedMatmul`, read in place. The table is a buffer
 * (saved, not trained).
 */
export class QuantizedEmbedding extends Module {
  readonly weight: Tensor;
  readonly type: QuantType;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    type: QuantType | string,
    weight?: Tensor,
  ) {
    super();
    checkSize("QuantizedEmbedding", "numEmbeddings", numEmbeddings);
    checkSize("QuantizedEmbedding", "embeddingDim", embeddingDim);
    this.type = parseQuantType(type);
    const want = [numEmbeddings, rowBytes(this.type, embeddingDim)];
    const table = weight ?? adoptArray(new Uint8Array(want[0]! * want[1]!), want);
    if (table.dtype !== "uint8" || table.shape.join(",") !== want.join(",")) {
      throw new Error(
        `QuantizedEmbedding: a ${this.type} table of ${numEmbeddings} × ${embeddingDim} is uint8 [${want}], got ${table.dtype} [${table.shape}]`,
      );
    }
    this.weight = this.buffer("weight", table);
  }

  /** An Embedding's table quantized to `type` (ggml's reference quantizer). */
  static fromEmbedding(embedding: Embedding, type: QuantType | string): QuantizedEmbedding {
    const { numEmbeddings, embeddingDim } = embedding;
    return new QuantizedEmbedding(numEmbeddings, embeddingDim, type, quantizeRows(embedding.weight, type));
  }

  /** The table's values as float32 [numEmbeddings, embeddingDim]. */
  dequantizedWeight(): Tensor {
    return dequantizeRows(this.weight, this.type);
  }

  /** int32 ids [...] → rows [..., embeddingDim]. */
  forward(ids: Tensor): Tensor {
    if (ids.dtype !== "int32") throw new Error(`QuantizedEmbedding: ids must be int32, got ${ids.dtype}`);
    const rows = this.weight.gather(ids.reshape([ids.size]), 0);
    return dequantizeRows(rows, this.type).reshape([...ids.shape, this.embeddingDim]);
  }

  /** x [..., embeddingDim] · tableᵀ → [..., numEmbeddings]: the table as a tied output head. */
  unembed(x: Tensor): Tensor {
    const rows = x.rank === 1 ? x.reshape([1, this.embeddingDim]) : x;
    const y = quantizedMatmul(rows, this.weight, this.type);
    return x.rank === 1 ? y.reshape([this.numEmbeddings]) : y;
  }
}
