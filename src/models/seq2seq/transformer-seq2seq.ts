// The Transformer encoder–decoder (Vaswani et al.) with pre-norm blocks, learned
// positions and a head tied to the target embedding. The encoder's blocks are the
// project's TransformerBlock with bidirectional attention; each decoder block adds
// cross-attention to the encoder's output between its causal self-attention and its MLP.
import { AttentionCache } from "../../nn/attention-cache.js";
import { CrossAttention } from "../../nn/cross-attention.js";
import { Embedding } from "../../nn/embedding.js";
import { LayerNorm } from "../../nn/layer-norm.js";
import { MLP } from "../../nn/mlp.js";
import { Module } from "../../nn/module.js";
import { ModuleList } from "../../nn/module-list.js";
import { MultiHeadAttention } from "../../nn/multi-head-attention.js";
import { positionIds } from "../../nn/position-ids.js";
import { SeedStream } from "../../nn/seed-stream.js";
import { TransformerBlock } from "../../nn/transformer-block.js";
import { SeededRng } from "../../random/seeded-rng.js";
import { arange, tensor } from "../../tensor/creation.js";
import { noGrad } from "../../tensor/functional.js";
import { Tensor } from "../../tensor/tensor.js";
import { initGpt2Weights } from "../gpt/gpt2-init.js";
import { type DecoderState, repeatRows, type Seq2SeqModel } from "./seq2seq-model.js";
import type { Seq2SeqBatch } from "./vocabulary.js";

export interface TransformerSeq2SeqConfig {
  architecture: "transformer";
  sourceVocab: number;
  targetVocab: number;
  /** One embedding table for both sides (needs equal vocabularies: a shared tokenizer). */
  sharedEmbeddings: boolean;
  embd: number;
  heads: number;
  encoderLayers: number;
  decoderLayers: number;
  maxSourceLength: number;
  maxTargetLength: number;
  dropout: number;
  seed: number;
}

/** Causal self-attention, cross-attention, MLP; each pre-norm with a residual. */
export class DecoderBlock extends Module {
  readonly ln1: LayerNorm;
  readonly attn: MultiHeadAttention;
  readonly ln2: LayerNorm;
  readonly cross: CrossAttention;
  readonly ln3: LayerNorm;
  readonly mlp: MLP;

  constructor(embd: number, heads: number, options: { rng: SeededRng; dropout: number; seeds: SeedStream }) {
    super();
    this.ln1 = this.submodule("ln1", new LayerNorm(embd));
    this.attn = this.submodule("attn", new MultiHeadAttention(embd, heads, options));
    this.ln2 = this.submodule("ln2", new LayerNorm(embd));
    this.cross = this.submodule("cross", new CrossAttention(embd, heads, options));
    this.ln3 = this.submodule("ln3", new LayerNorm(embd));
    this.mlp = this.submodule("mlp", new MLP(embd, options));
  }

  /** y [B, T, E]; memoryKv from `cross.memoryProjections`; returns the new y and the cross-attention weights. */
  forward(
    y: Tensor,
    memoryKv: Tensor,
    sourceBias: Tensor,
    cache?: AttentionCache,
  ): { y: Tensor; weights: Tensor } {
    const h = y.add(this.attn.forward(this.ln1.forward(y), cache));
    const { output, weights } = this.cross.forward(this.ln2.forward(h), memoryKv, sourceBias);
    const c = h.add(output);
    return { y: c.add(this.mlp.forward(this.ln3.forward(c))), weights };
  }
}

export class TransformerSeq2Seq extends Module implements Seq2SeqModel {
  readonly sourceEmbed: Embedding;
  readonly targetEmbed: Embedding;
  readonly sourcePositions: Embedding;
  readonly targetPositions: Embedding;
  readonly encoder: ModuleList<TransformerBlock>;
  readonly lnEncoder: LayerNorm;
  readonly decoder: ModuleList<DecoderBlock>;
  readonly lnF: LayerNorm;
  readonly dropoutSeeds: SeedStream;

  constructor(readonly config: TransformerSeq2SeqConfig) {
    super();
    const { embd, heads, dropout, seed } = config;
    if (config.sharedEmbeddings && config.sourceVocab !== config.targetVocab) {
      throw new Error(
        `TransformerSeq2Seq: shared embeddings need one vocabulary, got ${config.sourceVocab} and ${config.targetVocab}`,
      );
    }
    const rng = new SeededRng(seed);
    this.dropoutSeeds = new SeedStream(seed + 1);
    const options = { rng, dropout, seeds: this.dropoutSeeds };
    this.targetEmbed = this.submodule("targetEmbed", new Embedding(config.targetVocab, embd, { rng }));
    this.sourceEmbed = config.sharedEmbeddings
      ? this.targetEmbed
      : this.submodule("sourceEmbed", new Embedding(config.sourceVocab, embd, { rng }));
    this.sourcePositions = this.submodule(
      "sourcePositions",
      new Embedding(config.maxSourceLength, embd, { rng }),
    );
    this.targetPositions = this.submodule(
      "targetPositions",
      new Embedding(config.maxTargetLength, embd, { rng }),
    );
    this.encoder = this.submodule(
      "encoder",
      new ModuleList(
        Array.from(
          { length: config.encoderLayers },
          () => new TransformerBlock(embd, heads, { ...options, causal: false }),
        ),
      ),
    );
    this.lnEncoder = this.submodule("lnEncoder", new LayerNorm(embd));
    this.decoder = this.submodule(
      "decoder",
      new ModuleList(
        Array.from({ length: config.decoderLayers }, () => new DecoderBlock(embd, heads, options)),
      ),
    );
    this.lnF = this.submodule("lnF", new LayerNorm(embd));
    initGpt2Weights(this, config.encoderLayers + config.decoderLayers, rng);
  }

  get sourceVocab(): number {
    return this.config.sourceVocab;
  }
  get targetVocab(): number {
    return this.config.targetVocab;
  }
  get maxSourceLength(): number {
    return this.config.maxSourceLength;
  }
  get maxTargetLength(): number {
    return this.config.maxTargetLength;
  }

  /** source int32 [B, S], bias [B, S] → the encoder's output [B, S, E]. */
  encode(source: Tensor, sourceBias: Tensor): Tensor {
    const [batch, length] = source.shape as [number, number];
    this.#checkLength(length, this.config.maxSourceLength, "source");
    let x = this.sourceEmbed
      .forward(source)
      .add(this.sourcePositions.forward(arange(length, undefined, 1, { dtype: "int32" })));
    const keyBias = sourceBias.reshape([batch, 1, 1, length]);
    for (const block of this.encoder.items) x = block.forward(x, undefined, keyBias);
    return this.lnEncoder.forward(x);
  }

  /** The decoder over target ids [B, T] at `positions`: logits [B, T, V] and the last block's cross-attention [B, heads, T, S]. */
  decode(
    targetIn: Tensor,
    positions: Tensor,
    memoryKv: readonly Tensor[],
    keyBias: Tensor,
    caches?: readonly AttentionCache[],
  ): { logits: Tensor; weights: Tensor } {
    let y = this.targetEmbed.forward(targetIn).add(this.targetPositions.forward(positions));
    let weights: Tensor | undefined;
    this.decoder.items.forEach((block, layer) => {
      ({ y, weights } = block.forward(y, memoryKv[layer]!, keyBias, caches?.[layer]));
    });
    return { logits: this.targetEmbed.unembed(this.lnF.forward(y)), weights: weights! };
  }

  logits(batch: Seq2SeqBatch): Tensor {
    const [rows, length] = batch.source.shape as [number, number];
    const time = batch.targetIn.shape[1]!;
    this.#checkLength(time, this.config.maxTargetLength, "target");
    const memory = this.encode(batch.source, batch.sourceBias);
    const memoryKv = this.decoder.items.map((block) => block.cross.memoryProjections(memory));
    const keyBias = batch.sourceBias.reshape([rows, 1, 1, length]);
    return this.decode(batch.targetIn, arange(time, undefined, 1, { dtype: "int32" }), memoryKv, keyBias)
      .logits;
  }

  startDecoding(source: Tensor, sourceBias: Tensor, beams: number): DecoderState {
    return new TransformerDecoderState(this, source, sourceBias, beams);
  }

  #checkLength(length: number, max: number, side: string): void {
    if (length > max) throw new Error(`TransformerSeq2Seq: a ${side} of ${length} positions; at most ${max}`);
  }
}

/** Keys and values of the source computed once; a KV cache per decoder layer. */
class TransformerDecoderState implements DecoderState {
  readonly rows: number;
  readonly #memoryKv: Tensor[];
  readonly #keyBias: Tensor;
  readonly #caches: AttentionCache[];
  readonly #sourceLength: number;

  constructor(
    private readonly model: TransformerSeq2Seq,
    source: Tensor,
    sourceBias: Tensor,
    beams: number,
  ) {
    const [batch, length] = source.shape as [number, number];
    this.rows = batch * beams;
    this.#sourceLength = length;
    const repeat = tensor(repeatRows(batch, beams), [this.rows], { dtype: "int32" });
    ({ memoryKv: this.#memoryKv, keyBias: this.#keyBias } = noGrad(() => {
      const memory = model.encode(source, sourceBias).gather(repeat, 0);
      const memoryKv = model.decoder.items.map((block) => block.cross.memoryProjections(memory));
      const keyBias = sourceBias.gather(repeat, 0).reshape([this.rows, 1, 1, length]);
      Tensor.realize(...memoryKv, keyBias);
      return { memoryKv, keyBias };
    }));
    this.#caches = model.decoder.items.map(() => new AttentionCache(model.maxTargetLength));
  }

  step(tokens: Int32Array): { logProbs: Float32Array; attention: Float32Array } {
    const position = this.#caches[0]!.length;
    return noGrad(() => {
      const ids = tensor(tokens, [this.rows, 1], { dtype: "int32" });
      const { logits, weights } = this.model.decode(
        ids,
        positionIds(position, 1),
        this.#memoryKv,
        this.#keyBias,
        this.#caches,
      );
      const logProbs = logits.reshape([this.rows, this.model.targetVocab]).logSoftmax(-1);
      // The heads' weights averaged: one alignment row per decoded token.
      const attention = weights.mean(1).reshape([this.rows, this.#sourceLength]);
      Tensor.realize(logProbs, attention, ...this.#caches.flatMap((cache) => cache.tensors()));
      return { logProbs: toFloat32(logProbs), attention: toFloat32(attention) };
    });
  }

  selectRows(parents: Int32Array): void {
    const rows = tensor(parents, [this.rows], { dtype: "int32" });
    for (const cache of this.#caches) cache.selectRows(rows);
  }
}

export function toFloat32(t: Tensor): Float32Array {
  const values = t.dataSync();
  return values instanceof Float32Array ? values : Float32Array.from(values);
}
