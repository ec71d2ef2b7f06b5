import type { Tensor } from "../tensor/tensor.js";
import type { AttentionCache } from "./attention-cache.js";
import type { InitOptions } from "./init.js";
import { LayerNorm } from "./layer-norm.js";
import type { LinearFactory } from "./linear-layer.js";
import { MLP } from "./mlp.js";
import { Module } from "./module.js";
import { MultiHeadAttention } from "./multi-head-attention.js";
import type { SeedStream } from "./seed-stream.js";

export interface TransformerBlockOptions extends InitOptions {
  /** Biases in the Linears and LayerNorms (default true). */
  bias?: boolean;
  dropout?: number;
  seeds?: SeedStream;
  /** Width of each attention head (default embd / nHead; see MultiHeadAttention). */
  headDim?: number;
  /** Width of the MLP's hidden layer (default 4·embd). */
  mlpHidden?: number;
  /** Makes every Linear of the block (default: float32 Linears). */
  linears?: LinearFactory;
  /** Causal self-attention (default true); false for an encoder (see MultiHeadAttention). */
  causal?: boolean;
}

/**
 * A pre-norm Transformer block: x + attn(ln1(x)), then x + mlp(ln2(x)), with a GELU MLP
 * four times as wide as the embedding. Sublayers: `ln1`, `attn`, `ln2`, `mlp`.
 */
export class TransformerBlock extends Module {
  readonly ln1: LayerNorm;
  readonly attn: MultiHeadAttention;
  readonly ln2: LayerNorm;
  readonly mlp: MLP;

  constructor(
    readonly embd: number,
    readonly nHead: number,
    options: TransformerBlockOptions = {},
  ) {
    super();
    const bias = options.bias ?? true;
    this.ln1 = this.submodule("ln1", new LayerNorm(embd, { bias }));
    this.attn = this.submodule("attn", new MultiHeadAttention(embd, nHead, options));
    this.ln2 = this.submodule("ln2", new LayerNorm(embd, { bias }));
    const { mlpHidden, ...shared } = options;
    this.mlp = this.submodule(
      "mlp",
      new MLP(embd, mlpHidden === undefined ? shared : { ...shared, hidden: mlpHidden }),
    );
  }

  /**
   * x [B, T, embd] → [B, T, embd]; the cache and key bias, if any, are the attention's (see
   * MultiHeadAttention).
   */
  forward(x: Tensor, cache?: AttentionCache, keyBias?: Tensor): Tensor {
    const h = x.add(this.attn.forward(this.ln1.forward(x), cache, keyBias));
    return h.add(this.mlp.forward(this.ln2.forward(h)));
  }
}
