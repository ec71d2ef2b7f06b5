import { arange } from "../tensor/creation.js";
import { where } from "../tensor/functions.js";
import type { Tensor } from "../tensor/tensor.js";
import type { AttentionCache } from "./attention-cache.js";
import { causalMask } from "./causal-mask.js";
import { checkSize } from "./check-size.js";
import { Dropout } from "./dropout.js";
import type { InitOptions } from "./init.js";
import { floatLinears, type LinearFactory, type LinearLayer } from "./linear-layer.js";
import { Module } from "./module.js";
import type { SeedStream } from "./seed-stream.js";

export interface MultiHeadAttentionOptions extends InitOptions {
  /** Biases in the projections (default true). */
  bias?: boolean;
  /** Dropout on the attention weights and on the output (default 0). */
  dropout?: number;
  /** Seeds for both dropouts (see `Dropout`). */
  seeds?: SeedStream;
  /**
   * Width of each head (default embd / nHead). Fewer heads of the same width than embd
   * allows is what removing heads from a trained model leaves.
   */
  headDim?: number;
  /** Makes the projections (default: float32 Linears). */
  linears?: LinearFactory;
  /**
   * Whether each position attends only to itself and earlier ones (default true, a
   * decoder's self-attention); false lets every position see every other (an encoder's).
   */
  causal?: boolean;
}

/**
 * Multi-head self-attention, GPT-2 style: one Linear makes queries, keys and values
 * ([embd] → [3·inner], split in that order, inner = nHead·headDim, normally embd), each
 * head attends with softmax(q·kᵀ/√headDim) over the positions up to its own (causal, the
 * default) or over all of them, and a Linear projects the joined heads ([inner]) back to [embd].
 * Sublayers: `qkv`, `proj`, `attnDropout`, `residDropout`.
 */
export class MultiHeadAttention extends Module {
  readonly qkv: LinearLayer;
  readonly proj: LinearLayer;
  readonly attnDropout: Dropout;
  readonly residDropout: Dropout;
  readonly headDim: number;
  /** nHead·headDim: the width of the queries, keys and values. */
  readonly inner: number;
  readonly causal: boolean;

  constructor(
    readonly embd: number,
    readonly nHead: number,
    options: MultiHeadAttentionOptions = {},
  ) {
    super();
    checkSize("MultiHeadAttention", "embd", embd);
    checkSize("MultiHeadAttention", "nHead", nHead);
    if (options.headDim === undefined && embd % nHead !== 0) {
      throw new Error(`MultiHeadAttention: embd ${embd} is not divisible by nHead ${nHead}`);
    }
    this.headDim = options.headDim ?? embd / nHead;
    checkSize("MultiHeadAttention", "headDim", this.headDim);
    this.inner = nHead * this.headDim;
    this.causal = options.causal ?? true;
    const linear = { bias: options.bias ?? true, rng: options.rng };
    const make = options.linears ?? floatLinears;
    this.qkv = this.submodule("qkv", make(embd, 3 * this.inner, linear));
    this.proj = this.submodule("proj", make(this.inner, embd, linear));
    const drop = { seeds: options.seeds };
    this.attnDropout = this.submodule("attnDropout", new Dropout(options.dropout ?? 0, drop));
    this.residDropout = this.submodule("residDropout", new Dropout(options.dropout ?? 0, drop));
  }

  /**
   * x [B, T, embd] → [B, T, embd]. With a cache, x holds the positions after the cached
   * ones: their projections are written into the cache and the queries attend to every
   * position up to their own. `keyBias` [B, 1, 1, keys], added to the scores, keeps
   * padding out of reach (0 for real keys, a large negative number for padding).
   */
  forward(x: Tensor, cache?: AttentionCache, keyBias?: Tensor): Tensor {
    if (x.rank !== 3 || x.shape[2] !== this.embd) {
      throw new Error(`MultiHeadAttention: expects [batch, time, ${this.embd}], got [${x.shape}]`);
    }
    const [batch, time] = x.shape as [number, number, number];
    const projected = this.qkv.forward(x);
    // Without a cache, keys are the T new positions; with one, all `capacity` cached rows.
    const { projections: seen, positions } = cache
      ? cache.append(projected)
      : { projections: projected, positions: arange(time) };
    // Part i (0 = queries, 1 = keys, 2 = values) of [B, T, 3·inner] as [B, heads, T, headDim].
    const heads = (rows: Tensor, i: number) =>
      rows
        .slice([0, 0, i * this.inner], [batch, rows.shape[1]!, (i + 1) * this.inner])
        .reshape([batch, rows.shape[1]!, this.nHead, this.headDim])
        .permute([0, 2, 1, 3]);
    const weights = this.attnDropout.forward(
      this.#attend(heads(projected, 0), heads(seen, 1), positions, seen.shape[1]!, keyBias),
    );
    const v = heads(seen, 2);
    const joined = weights.matmul(v).permute([0, 2, 1, 3]).reshape([batch, time, this.inner]);
    return this.residDropout.forward(this.proj.forward(joined));
  }

  /**
   * The attention weights for x [B, T, embd], without dropout: [B, heads, T, T], where row q
   * of a head's map is how much position q attends to each position (0 after q; each row
   * sums to 1). What `Gpt.attention` shows.
   */
  weights(x: Tensor): Tensor {
    const [batch, time] = x.shape as [number, number, number];
    const projected = this.qkv.forward(x);
    const heads = (i: number) =>
      projected
        .slice([0, 0, i * this.inner], [batch, time, (i + 1) * this.inner])
        .reshape([batch, time, this.nHead, this.headDim])
        .permute([0, 2, 1, 3]);
    return this.#attend(heads(0), heads(1), arange(time), time);
  }

  /** softmax(q·kᵀ/√headDim + keyBias) over the keys each query may see. */
  #attend(q: Tensor, k: Tensor, positions: Tensor, keys: number, keyBias?: Tensor): Tensor {
    const scaled = q.matmul(k.transpose()).mul(1 / Math.sqrt(this.headDim));
    const scores = keyBias ? scaled.add(keyBias) : scaled;
    if (!this.causal) return scores.softmax(-1);
    // Masked scores become −∞, so softmax gives them weight exactly 0.
    return where(causalMask(positions, keys), scores, Number.NEGATIVE_INFINITY).softmax(-1);
  }
}
