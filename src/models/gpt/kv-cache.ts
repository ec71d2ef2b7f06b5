import { AttentionCache } from "../../nn/attention-cache.js";
import type { Tensor } from "../../tensor/tensor.js";

/** One AttentionCache per Transformer block: everything a GPT needs to continue a sequence. */
export class KvCache {
  readonly layers: readonly AttentionCache[];

  /** @param capacity the most positions it holds: the model's blockSize. */
  constructor(nLayer: number, capacity: number);
  constructor(layers: readonly AttentionCache[]);
  constructor(layers: number | readonly AttentionCache[], capacity = 1) {
    this.layers =
      typeof layers === "number"
        ? Array.from({ length: layers }, () => new AttentionCache(capacity))
        : layers;
  }

  /**
   * Layers over given buffers whose next rows go at `positions` (data): what a compiled
   * decoding step is traced over (see `AttentionCache.over`).
   */
  static over(projections: readonly Tensor[], positions: Tensor): KvCache {
    return new KvCache(projections.map((p) => AttentionCache.over(p, positions)));
  }

  /** The positions of the next `time` tokens: int32 [time], data. */
  nextPositions(time: number): Tensor {
    return this.layers[0]!.nextPositions(time);
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
