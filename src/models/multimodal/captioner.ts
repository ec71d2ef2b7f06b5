import { CrossAttention } from "../../nn/cross-attention.js";
import { Embedding } from "../../nn/embedding.js";
import { normal } from "../../nn/init.js";
import { LayerNorm } from "../../nn/layer-norm.js";
import { Linear } from "../../nn/linear.js";
import { MLP } from "../../nn/mlp.js";
import { Module } from "../../nn/module.js";
import { ModuleList } from "../../nn/module-list.js";
import { MultiHeadAttention } from "../../nn/multi-head-attention.js";
import type { SeededRng } from "../../random/seeded-rng.js";
import { tensor } from "../../tensor/creation.js";
import { noGrad } from "../../tensor/functional.js";
import { crossEntropy } from "../../tensor/functions.js";
import { Tensor } from "../../tensor/tensor.js";
import { CaptionVocabulary } from "./caption-vocabulary.js";
import { ImageEncoder, type ImageEncoderConfig } from "./image-encoder.js";

export interface CaptionerConfig {
  encoder: ImageEncoderConfig;
  /** The caption words (the vocabulary adds padding, start and end). */
  words: string[];
  /** Tokens per caption including start and end. */
  maxLength: number;
  layers: number;
  heads: number;
  /** MLP width in the decoder blocks. */
  hidden: number;
}

/** A decoder block: causal self-attention, cross-attention to the image, MLP; each pre-norm with a residual. */
class DecoderBlock extends Module {
  readonly ln1: LayerNorm;
  readonly attn: MultiHeadAttention;
  readonly ln2: LayerNorm;
  readonly cross: CrossAttention;
  readonly ln3: LayerNorm;
  readonly mlp: MLP;

  constructor(embd: number, heads: number, hidden: number, rng?: SeededRng) {
    super();
    this.ln1 = this.submodule("ln1", new LayerNorm(embd));
    this.attn = this.submodule("attn", new MultiHeadAttention(embd, heads, { rng }));
    this.ln2 = this.submodule("ln2", new LayerNorm(embd));
    this.cross = this.submodule("cross", new CrossAttention(embd, heads, { rng }));
    this.ln3 = this.submodule("ln3", new LayerNorm(embd));
    this.mlp = this.submodule("mlp", new MLP(embd, { hidden, rng }));
  }

  forward(x: Tensor, memory: Tensor): Tensor {
    const h = x.add(this.attn.forward(this.ln1.forward(x)));
    const c = h.add(this.cross.forward(this.ln2.forward(h), this.cross.memoryProjections(memory)).output);
    return c.add(this.mlp.forward(this.ln3.forward(c)));
  }
}

/**
 * Caption ids with each word (not the start, end or padding) replaced by padding with
 * probability `rate`, drawn from `rng`. Training on these as the decoder's input keeps it
 * from predicting a word from the words before it alone (after "red", never "triangle",
 * when training scenes have no red triangles): a dropped word must be read from the image.
 */
export function dropWords(ids: Int32Array, rate: number, rng: SeededRng): Int32Array {
  return ids.map((id) => (id > CaptionVocabulary.EOS && rng.nextFloat() < rate ? CaptionVocabulary.PAD : id));
}

/**
 * An image captioner: a CNN encoder gives region tokens, and a Transformer decoder writes
 * the caption word by word, each block attending to the words so far (causal) and to the
 * regions (cross-attention). Trained on next-word cross-entropy; captions by greedy decoding.
 */
export class Captioner extends Module {
  readonly vocabulary: CaptionVocabulary;
  readonly encoder: ImageEncoder;
  readonly tokens: Embedding;
  readonly position: Tensor;
  readonly blocks: ModuleList<DecoderBlock>;
  readonly lnF: LayerNorm;
  readonly head: Linear;

  constructor(
    readonly config: CaptionerConfig,
    options: { rng?: SeededRng } = {},
  ) {
    super();
    const rng = options.rng;
    this.vocabulary = new CaptionVocabulary(config.words);
    this.encoder = this.submodule("encoder", new ImageEncoder(config.encoder, { rng }));
    const embd = this.encoder.embd;
    if (embd % config.heads !== 0)
      throw new Error(`captioner: width ${embd} is not divisible by ${config.heads} heads`);
    this.tokens = this.submodule("tokens", new Embedding(this.vocabulary.size, embd, { rng }));
    this.tokens.weight.assign(this.tokens.weight.mul(0.02));
    this.position = this.param("position", normal([config.maxLength, embd], 0.02, rng));
    this.blocks = this.submodule(
      "blocks",
      new ModuleList(
        Array.from({ length: config.layers }, () => new DecoderBlock(embd, config.heads, config.hidden, rng)),
      ),
    );
    this.lnF = this.submodule("lnF", new LayerNorm(embd));
    this.head = this.submodule("head", new Linear(embd, this.vocabulary.size, { rng }));
  }

  /** Next-word logits [B, T, vocabulary] for word ids [B, T] (T ≤ maxLength) given region tokens. */
  logits(memory: Tensor, ids: Tensor): Tensor {
    const t = ids.shape[1]!;
    let x = this.tokens.forward(ids).add(this.position.slice([0, 0], [t, undefined]));
    for (const block of this.blocks) x = block.forward(x, memory);
    return this.head.forward(this.lnF.forward(x));
  }

  /**
   * Mean next-word cross-entropy of captions (ids [B, maxLength], from `vocabulary.encode`)
   * of images. `inputs` (default `ids`) are the words the decoder reads, which may be the
   * captions with words dropped (`dropWords`); the targets are always the whole captions.
   */
  loss(images: Tensor, ids: Tensor, inputs: Tensor = ids): Tensor {
    const [b, n] = ids.shape as [number, number];
    const targets = ids.slice([0, 1], [b, n]);
    return crossEntropy(
      this.logits(this.encoder.forward(images), inputs.slice([0, 0], [b, n - 1])),
      targets,
      {
        ignoreIndex: CaptionVocabulary.PAD,
      },
    );
  }

  /**
   * Greedy captions of images [B, C, H, W]: the most likely word at each step until the end
   * word. Every step runs the decoder over all maxLength − 1 positions (the later ones are
   * padding that causal attention keeps out), so each step is the same compiled program.
   */
  caption(images: Tensor): string[] {
    const b = images.shape[0]!;
    const n = this.config.maxLength;
    return noGrad(() => {
      const memory = this.encoder.forward(images);
      Tensor.realize(memory);
      const ids = new Int32Array(b * (n - 1));
      for (let i = 0; i < b; i++) ids[i * (n - 1)] = CaptionVocabulary.BOS;
      const done = new Uint8Array(b);
      for (let step = 0; step < n - 2 && done.some((d) => d === 0); step++) {
        const logits = this.logits(memory, tensor(ids, [b, n - 1], { dtype: "int32" }));
        const next = logits
          .slice([0, step, 0], [b, step + 1, undefined])
          .argmax(-1)
          .dataSync();
        for (let i = 0; i < b; i++) {
          if (done[i]) continue;
          ids[i * (n - 1) + step + 1] = next[i]!;
          if (next[i] === CaptionVocabulary.EOS) done[i] = 1;
        }
      }
      return Array.from({ length: b }, (_, i) =>
        this.vocabulary.decode(ids.subarray(i * (n - 1) + 1, (i + 1) * (n - 1))),
      );
    });
  }
}
