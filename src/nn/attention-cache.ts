import { concat } from "../tensor/functions.js";
import type { Tensor } from "../tensor/tensor.js";

/**
 * The keys and values one attention layer has seen so far, [B, heads, time, headDim] each,
 * so generation feeds only the new token instead of the whole context. Attention appends to
 * it along time on every call that passes it.
 */
export class AttentionCache {
  keys: Tensor | undefined;
  values: Tensor | undefined;

  /** Number of positions cached. */
  get length(): number {
    return this.keys?.shape[2] ?? 0;
  }

  /** Appends new keys and values and returns the full ones (past followed by new). */
  append(keys: Tensor, values: Tensor): [Tensor, Tensor] {
    this.keys = this.keys ? concat([this.keys, keys], 2) : keys;
    this.values = this.values ? concat([this.values, values], 2) : values;
    return [this.keys, this.values];
  }

  /** The cached tensors, to realise together with a step's output. */
  tensors(): Tensor[] {
    return this.keys && this.values ? [this.keys, this.values] : [];
  }
}
