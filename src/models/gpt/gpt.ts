import { Dropout } from "../../nn/dropout.js";
import { Embedding } from "../../nn/embedding.js";
import { LayerNorm } from "../../nn/layer-norm.js";
import { floatLinears, quantizedLinears } from "../../nn/linear-layer.js";
import { Module } from "../../nn/module.js";
import { ModuleList } from "../../nn/module-list.js";
import { QuantizedEmbedding } from "../../nn/quantized-embedding.js";
import { SeedStream } from "../../nn/seed-stream.js";
import { TransformerBlock } from "../../nn/transformer-block.js";
import { SeededRng } from "../../random/seeded-rng.js";
import { arange } from "../../tensor/creation.js";
import { crossEntropy } from "../../tensor/functions.js";
import type { Tensor } from "../../tensor/tensor.js";
import type { GenerateOptions } from "../../text/sampling.js";
import { type AttentionMaps, gptAttentionMaps } from "./attention-maps.js";
import { type GptConfig, gptHeadDim, gptMlpHidden, validateGptConfig } from "./config.js";
import { generateTokens } from "./generate.js";
import { initGpt2Weights } from "./gpt2-init.js";
import { KvCache } from "./kv-cache.js";

export interface GptOptions {
  /**
   * Seeds the initial weights and, through a generator derived from it, the dropout masks
   * (`dropoutSeeds`). Default 0: two models built with the same config and seed are equal.
   */
  seed?: number;
}

/**
 * A GPT-2-style decoder-only Transformer: token and learned position embeddings, pre-norm
 * blocks, a final LayerNorm, and an LM head that reuses the token embedding matrix (weight
 * tying), so `namedParameters()` lists that matrix once, as `wte.weight`.
 *
 * Parameter names: `wte.weight`, `wpe.weight`, `blocks.{i}.ln1|attn.qkv|attn.proj|ln2|mlp.fc|mlp.proj.*`,
 * `lnF.*`.
 *
 * A config with `weightTypes` builds the same model with QuantizedLinear and
 * QuantizedEmbedding layers holding zeros, for a compressed checkpoint's packed weights to
 * be loaded into; `headDim` and `mlpHidden` give the narrower shapes pruning leaves.
 */
export class Gpt extends Module {
  readonly config: GptConfig;
  readonly wte: Embedding | QuantizedEmbedding;
  readonly wpe: Embedding | QuantizedEmbedding;
  readonly drop: Dropout;
  readonly blocks: ModuleList<TransformerBlock>;
  readonly lnF: LayerNorm;
  /**
   * The stream every dropout layer of this model draws its mask seeds from. Save
   * `dropoutSeeds.state()` in a checkpoint and `setState` it on resume for identical masks.
   */
  readonly dropoutSeeds: SeedStream;

  constructor(config: GptConfig, options: GptOptions = {}) {
    super();
    this.config = validateGptConfig(config);
    const { vocabSize, blockSize, nLayer, nHead, nEmbd, dropout, bias } = this.config;
    const rng = new SeededRng(options.seed ?? 0);
    this.dropoutSeeds = new SeedStream(rng.nextUint32());
    const seeds = this.dropoutSeeds;
    const types = this.config.weightTypes;
    const table = (rows: number) =>
      types ? new QuantizedEmbedding(rows, nEmbd, types.embedding) : new Embedding(rows, nEmbd, { rng });
    this.wte = this.submodule("wte", table(vocabSize));
    this.wpe = this.submodule("wpe", table(blockSize));
    this.drop = this.submodule("drop", new Dropout(dropout, { seeds }));
    const shape = { headDim: gptHeadDim(this.config), mlpHidden: gptMlpHidden(this.config) };
    const linears = types ? quantizedLinears(types.linear) : floatLinears;
    const blocks = Array.from(
      { length: nLayer },
      () => new TransformerBlock(nEmbd, nHead, { bias, dropout, seeds, rng, linears, ...shape }),
    );
    this.blocks = this.submodule("blocks", new ModuleList(blocks));
    this.lnF = this.submodule("lnF", new LayerNorm(nEmbd, { bias }));
    initGpt2Weights(this, nLayer, rng);
  }

  /** An empty cache for incremental decoding with `forward(ids, cache)`. */
  createCache(): KvCache {
    return new KvCache(this.config.nLayer, this.config.blockSize);
  }

  /**
   * Next-token logits [B, T, vocab] for int32 ids [B, T]. With a cache, ids continue the
   * cached positions (their positions start at `cache.length`), and the cache grows by T.
   */
  forward(ids: Tensor, cache?: KvCache): Tensor {
    if (ids.dtype !== "int32" || ids.rank !== 2) {
      throw new Error(`Gpt.forward: ids must be int32 [batch, time], got ${ids.dtype} [${ids.shape}]`);
    }
    const time = ids.shape[1]!;
    const past = cache?.length ?? 0;
    if (past + time > this.config.blockSize) {
      throw new Error(
        `Gpt.forward: ${past + time} positions (${past} cached + ${time} new) exceed blockSize ${this.config.blockSize}`,
      );
    }
    // With a cache the positions are data, so every decoding step has the same graph.
    const positions = this.wpe.forward(cache ? cache.nextPositions(time) : arange(time));
    let x = this.drop.forward(this.wte.forward(ids).add(positions));
    this.blocks.items.forEach((block, i) => {
      x = block.forward(x, cache?.layers[i]);
    });
    return this.wte.unembed(this.lnF.forward(x));
  }

  /** Mean cross-entropy of the next-token predictions for ids [B, T] against targets [B, T]. */
  loss(ids: Tensor, targets: Tensor): Tensor {
    return crossEntropy(this.forward(ids), targets);
  }

  /**
   * Continues a prompt by sampling up to `maxTokens` tokens, with a KV cache, in eval mode
   * and without recording gradients; returns the new tokens. See `GenerateOptions`.
   */
  generate(promptIds: readonly number[], options: GenerateOptions): number[] {
    return generateTokens(this, promptIds, options);
  }

  /**
   * Where each position of `ids` attends, in every layer and head (eval mode, no
   * gradients): see `AttentionMaps`.
   */
  attention(ids: readonly number[]): AttentionMaps {
    return gptAttentionMaps(this, ids);
  }
}
