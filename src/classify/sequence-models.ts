// The neural text classifiers' networks. Each maps token ids [batch, time] (0 = padding)
// to class logits [batch, classes]:
// - TextCnn: embedding → 1-D convolution (width 3) → ReLU → max over the non-padding positions → linear;
// - TextTransformer: embedding + learned positions with a classification token in front →
//   pre-norm encoder blocks with bidirectional self-attention (padding masked) → the
//   classification token's state → LayerNorm → linear;
// - GptClassifierNet: a GPT trained by infiniset (its blocks attend causally), mean of its
//   final hidden states over the non-padding positions → linear (transfer learning).
import type { Gpt } from "../models/gpt/gpt.js";
import { Conv1d } from "../nn/conv1d.js";
import { Embedding } from "../nn/embedding.js";
import { LayerNorm } from "../nn/layer-norm.js";
import { Linear } from "../nn/linear.js";
import { MLP } from "../nn/mlp.js";
import { Module } from "../nn/module.js";
import { ModuleList } from "../nn/module-list.js";
import { SeededRng } from "../random/seeded-rng.js";
import { arange } from "../tensor/creation.js";
import type { Tensor } from "../tensor/tensor.js";

export interface SequenceNet extends Module {
  /** ids [batch, time] int32; mask [batch, time] float32, 1 for real tokens and 0 for padding. */
  logits(ids: Tensor, mask: Tensor): Tensor;
}

export class TextCnn extends Module implements SequenceNet {
  readonly embed: Embedding;
  readonly conv: Conv1d;
  readonly head: Linear;

  constructor(vocab: number, classes: number, { embd = 64, filters = 128, seed = 0 } = {}) {
    super();
    const rng = new SeededRng(seed);
    this.embed = this.submodule("embed", new Embedding(vocab, embd, { rng }));
    this.conv = this.submodule("conv", new Conv1d(embd, filters, 3, { rng }));
    this.head = this.submodule("head", new Linear(filters, classes, { rng }));
  }

  logits(ids: Tensor, mask: Tensor): Tensor {
    return this.logitsOfEmbeddings(this.embed.forward(ids), mask);
  }

  /** The logits from the token embeddings [batch, time, embd]: what gradient saliency differentiates. */
  logitsOfEmbeddings(embedded: Tensor, mask: Tensor): Tensor {
    const features = this.conv.forward(embedded.mul(0.1)).relu();
    // ReLU outputs are ≥ 0, so zeroing padding positions leaves the max over real ones.
    return this.head.forward(features.mul(mask.unsqueeze(-1)).max(1));
  }
}

class EncoderBlock extends Module {
  readonly ln1: LayerNorm;
  readonly qkv: Linear;
  readonly proj: Linear;
  readonly ln2: LayerNorm;
  readonly mlp: MLP;

  constructor(
    readonly embd: number,
    readonly heads: number,
    rng: SeededRng,
  ) {
    super();
    this.ln1 = this.submodule("ln1", new LayerNorm(embd));
    this.qkv = this.submodule("qkv", new Linear(embd, 3 * embd, { rng }));
    this.proj = this.submodule("proj", new Linear(embd, embd, { rng }));
    this.ln2 = this.submodule("ln2", new LayerNorm(embd));
    this.mlp = this.submodule("mlp", new MLP(embd, { rng }));
  }

  /** x [B, T, E]; keyBias [B, 1, 1, T]: 0 for real keys, −1e9 for padding. */
  forward(x: Tensor, keyBias: Tensor): Tensor {
    const [batch, time] = x.shape as [number, number, number];
    const d = this.embd / this.heads;
    const qkv = this.qkv
      .forward(this.ln1.forward(x))
      .reshape([batch, time, 3, this.heads, d])
      .permute([2, 0, 3, 1, 4]);
    const pick = (i: number) => qkv.slice([i, 0, 0, 0, 0], [i + 1]).reshape([batch, this.heads, time, d]);
    const [q, k, v] = [pick(0), pick(1), pick(2)];
    const weights = q
      .matmul(k.transpose())
      .mul(1 / Math.sqrt(d))
      .add(keyBias)
      .softmax(-1);
    const joined = weights.matmul(v).permute([0, 2, 1, 3]).reshape([batch, time, this.embd]);
    const h = x.add(this.proj.forward(joined));
    return h.add(this.mlp.forward(this.ln2.forward(h)));
  }
}

export class TextTransformer extends Module implements SequenceNet {
  readonly embed: Embedding;
  readonly positions: Embedding;
  readonly blocks: ModuleList<EncoderBlock>;
  readonly lnF: LayerNorm;
  readonly head: Linear;

  constructor(
    vocab: number,
    classes: number,
    readonly maxTokens: number,
    { embd = 64, heads = 4, layers = 2, seed = 0 } = {},
  ) {
    super();
    if (embd % heads !== 0)
      throw new Error(`transformer: embedding ${embd} is not a multiple of ${heads} heads`);
    const rng = new SeededRng(seed);
    this.embed = this.submodule("embed", new Embedding(vocab, embd, { rng }));
    this.positions = this.submodule("positions", new Embedding(maxTokens, embd, { rng }));
    this.blocks = this.submodule(
      "blocks",
      new ModuleList(Array.from({ length: layers }, () => new EncoderBlock(embd, heads, rng))),
    );
    this.lnF = this.submodule("lnF", new LayerNorm(embd));
    this.head = this.submodule("head", new Linear(embd, classes, { rng }));
  }

  /** ids [B, T] must start with the classification token (WordVocabulary's CLS_ID). */
  logits(ids: Tensor, mask: Tensor): Tensor {
    const [batch, time] = ids.shape as [number, number];
    let x = this.embed
      .forward(ids)
      .mul(0.1)
      .add(this.positions.forward(arange(time, undefined, 1, { dtype: "int32" })).mul(0.1));
    const keyBias = mask.sub(1).mul(1e9).reshape([batch, 1, 1, time]);
    for (const block of this.blocks.items) x = block.forward(x, keyBias);
    const cls = x.slice([0, 0, 0], [undefined, 1, undefined]).reshape([batch, x.shape[2]!]);
    return this.head.forward(this.lnF.forward(cls));
  }
}

export class GptClassifierNet extends Module implements SequenceNet {
  readonly gpt: Gpt;
  readonly head: Linear;

  constructor(gpt: Gpt, classes: number, seed = 0) {
    super();
    this.gpt = this.submodule("gpt", gpt);
    this.head = this.submodule("head", new Linear(gpt.config.nEmbd, classes, { rng: new SeededRng(seed) }));
  }

  logits(ids: Tensor, mask: Tensor): Tensor {
    const gpt = this.gpt;
    const time = ids.shape[1]!;
    // The GPT's forward pass up to its final LayerNorm. Padding follows the text, so causal
    // attention keeps it out of the real positions; the mean leaves it out too.
    let x = gpt.drop.forward(
      gpt.wte.forward(ids).add(gpt.wpe.forward(arange(time, undefined, 1, { dtype: "int32" }))),
    );
    for (const block of gpt.blocks.items) x = block.forward(x);
    const hidden = gpt.lnF.forward(x);
    const m = mask.unsqueeze(-1);
    const mean = hidden.mul(m).sum(1).div(m.sum(1).maximum(1));
    return this.head.forward(mean);
  }
}
