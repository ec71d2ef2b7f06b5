import { AttentionCache } from "../../nn/attention-cache.js";
import type { Tensor } from "../../tensor/tensor.js";

/** One AttentionCache per Transformer block: everything a GPT needs to continue a sequence. */
export class KvCache {
  readonly layers: readonly AttentionCache[];

  /** @param capacity the most positions it holds: the model's blockSize. */
  constructor(nLayer: number, capacity: number) {
    this.layers = Array.from({ length: nLayer }, () => new AttentionCache(capacity));
  }

  /** Positions cached so far (the same in every layer). */
  get length(): number {
    return this.layers[0]?.length ?? 0;
  }

  /**
   * Every cached tensor. Realise them with a step's logits, in the same program: the next
   * step's graph then starts from their values instead of growing a chain of concats.
   */
  tensors(): Tensor[] {
    return this.layers.flatMap((layer) => layer.tensors());
  }
}
