import { Embedding } from "../../nn/embedding.js";
import { normal } from "../../nn/init.js";
import { LayerNorm } from "../../nn/layer-norm.js";
import { Linear } from "../../nn/linear.js";
import { Module } from "../../nn/module.js";
import { ModuleList } from "../../nn/module-list.js";
import { TransformerBlock } from "../../nn/transformer-block.js";
import type { SeededRng } from "../../random/seeded-rng.js";
import { arange, tensor } from "../../tensor/creation.js";
import { crossEntropy } from "../../tensor/functions.js";
import type { Tensor } from "../../tensor/tensor.js";
import { CaptionVocabulary } from "./caption-vocabulary.js";
import { ImageEncoder, type ImageEncoderConfig } from "./image-encoder.js";

export interface RetrievalConfig {
  encoder: ImageEncoderConfig;
  words: string[];
  /** Tokens per caption including start and end. */
  maxLength: number;
  /** Width of the text encoder. */
  textWidth: number;
  layers: number;
  heads: number;
  /** Width of the shared embedding space. */
  dim: number;
  /**
   * Transformer blocks over the image's region tokens before they are averaged (default 0):
   * with a colour-stream encoder they bind each region's colour token to its shape token.
   */
  imageLayers?: number;
}

/**
 * Image–text retrieval, CLIP-style: an image encoder (CNN region tokens, through
 * `imageLayers` Transformer blocks, averaged) and a text encoder (a causal Transformer over
 * the caption, read at its end word) map into one space,
 * L2-normalised, trained with the symmetric contrastive loss: within a batch, each image's
 * own caption is the right one among all the batch's captions, and each caption's image
 * among all its images; similarities are scaled by a learned temperature.
 */
export class ImageTextRetrieval extends Module {
  readonly vocabulary: CaptionVocabulary;
  readonly image: ImageEncoder;
  readonly imageBlocks: ModuleList<TransformerBlock>;
  readonly imageProjection: Linear;
  readonly tokens: Embedding;
  readonly position: Tensor;
  readonly blocks: ModuleList<TransformerBlock>;
  readonly lnF: LayerNorm;
  readonly textProjection: Linear;
  /** log of the similarity scale (starts at log(1/0.07), as CLIP's). */
  readonly logitScale: Tensor;

  constructor(
    readonly config: RetrievalConfig,
    options: { rng?: SeededRng } = {},
  ) {
    super();
    const rng = options.rng;
    this.vocabulary = new CaptionVocabulary(config.words);
    this.image = this.submodule("image", new ImageEncoder(config.encoder, { rng }));
    this.imageBlocks = this.submodule(
      "imageBlocks",
      new ModuleList(
        Array.from(
          { length: config.imageLayers ?? 0 },
          () => new TransformerBlock(this.image.embd, config.heads, { rng, causal: false }),
        ),
      ),
    );
    this.imageProjection = this.submodule(
      "imageProjection",
      new Linear(this.image.embd, config.dim, { rng }),
    );
    this.tokens = this.submodule("tokens", new Embedding(this.vocabulary.size, config.textWidth, { rng }));
    this.tokens.weight.assign(this.tokens.weight.mul(0.02));
    this.position = this.param("position", normal([config.maxLength, config.textWidth], 0.02, rng));
    this.blocks = this.submodule(
      "blocks",
      new ModuleList(
        Array.from(
          { length: config.layers },
          () => new TransformerBlock(config.textWidth, config.heads, { rng }),
        ),
      ),
    );
    this.lnF = this.submodule("lnF", new LayerNorm(config.textWidth));
    this.textProjection = this.submodule("textProjection", new Linear(config.textWidth, config.dim, { rng }));
    this.logitScale = this.param("logitScale", tensor([Math.log(1 / 0.07)], [1]));
  }

  /** Unit-length embeddings [B, dim] of images [B, C, H, W]. */
  embedImages(images: Tensor): Tensor {
    let x = this.image.forward(images);
    for (const block of this.imageBlocks) x = block.forward(x);
    return normalise(this.imageProjection.forward(x.mean(1)));
  }

  /** Unit-length embeddings [B, dim] of captions (ids [B, maxLength] from `vocabulary.encode`). */
  embedTexts(ids: Tensor): Tensor {
    const [b, n] = ids.shape as [number, number];
    let x = this.tokens.forward(ids).add(this.position);
    for (const block of this.blocks) x = block.forward(x);
    // Read each caption at its end word: a one-hot over positions picks that row.
    const end = ids.eq(CaptionVocabulary.EOS).cast("float32").reshape([b, 1, n]);
    return normalise(
      this.textProjection.forward(this.lnF.forward(end.matmul(x).reshape([b, this.config.textWidth]))),
    );
  }

  /** Similarity logits [B images, B texts]: scaled cosine similarities. */
  similarities(images: Tensor, ids: Tensor): Tensor {
    return this.embedImages(images).matmul(this.embedTexts(ids).transpose()).mul(this.logitScale.exp());
  }

  /** The symmetric contrastive loss of a batch of matching images and captions. */
  loss(images: Tensor, ids: Tensor): Tensor {
    const logits = this.similarities(images, ids);
    const b = logits.shape[0]!;
    const targets = arange(b, undefined, 1, { dtype: "int32" });
    return crossEntropy(logits, targets).add(crossEntropy(logits.transpose(), targets)).mul(0.5);
  }
}

function normalise(x: Tensor): Tensor {
  return x.div(x.square().sum(-1, true).add(1e-12).sqrt());
}
