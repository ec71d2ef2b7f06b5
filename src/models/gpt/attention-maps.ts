import { arange, tensor } from "../../tensor/creation.js";
import { noGrad } from "../../tensor/functional.js";
import { concat } from "../../tensor/functions.js";
import type { Gpt } from "./gpt.js";

/**
 * Where each position of a sequence looked, in every layer and head: `map(layer, head)` is
 * a length × length matrix whose row q holds the weights position q gave to positions
 * 0..q (they sum to 1; later positions get 0).
 */
export class AttentionMaps {
  constructor(
    readonly layers: number,
    readonly heads: number,
    readonly length: number,
    /** [layers, heads, length, length], row-major. */
    readonly weights: Float32Array,
  ) {}

  /** One head's map, row-major [length, length] (a view of `weights`). */
  map(layer: number, head: number): Float32Array {
    if (!(layer >= 0 && layer < this.layers && head >= 0 && head < this.heads)) {
      throw new Error(
        `attention map (${layer}, ${head}) is outside ${this.layers} layers × ${this.heads} heads`,
      );
    }
    const size = this.length * this.length;
    const at = (layer * this.heads + head) * size;
    return this.weights.subarray(at, at + size);
  }
}

/** The loop behind `Gpt.attention`: one pass in eval mode, every layer's weights read in one program. */
export function gptAttentionMaps(model: Gpt, ids: readonly number[]): AttentionMaps {
  const { nLayer, nHead, blockSize, vocabSize } = model.config;
  if (ids.length === 0 || ids.length > blockSize) {
    throw new Error(`Gpt.attention: needs 1 to ${blockSize} tokens (the block size), got ${ids.length}`);
  }
  for (const id of ids) {
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize)
      throw new Error(`Gpt.attention: token id ${id} is outside the vocabulary [0, ${vocabSize})`);
  }
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      const time = ids.length;
      let x = model.wte
        .forward(tensor(ids, [1, time], { dtype: "int32" }))
        .add(model.wpe.forward(arange(time)));
      const maps = model.blocks.items.map((block) => {
        const weights = block.attn.weights(block.ln1.forward(x));
        x = block.forward(x);
        return weights;
      });
      const weights = Float32Array.from(concat(maps, 0).dataSync());
      return new AttentionMaps(nLayer, nHead, time, weights);
    });
  } finally {
    model.train(wasTraining);
  }
}
