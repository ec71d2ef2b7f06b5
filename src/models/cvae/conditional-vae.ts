import { Embedding } from "../../nn/embedding.js";
import { Linear } from "../../nn/linear.js";
import { Module } from "../../nn/module.js";
import type { SeededRng } from "../../random/seeded-rng.js";
import { randn, tensor } from "../../tensor/creation.js";
import { noGrad } from "../../tensor/functional.js";
import { concat } from "../../tensor/functions.js";
import type { Tensor } from "../../tensor/tensor.js";

/**
 * A conditional variational autoencoder of one-channel images (Kingma et al. 2014, Sohn et
 * al. 2015). The condition is a word (an id into `words`) looked up in a learned embedding
 * and given to both halves: the encoder maps image + word to a Gaussian posterior over
 * `latent` dimensions, the decoder maps a latent draw + word to per-pixel Bernoulli logits.
 * Training minimises the negative ELBO: the pixels' binary cross-entropy plus `beta` times
 * the KL divergence from the standard normal prior. Drawing a word samples z from the prior
 * (optionally narrowed by a temperature) and decodes it; the image is the pixels'
 * probabilities, in [0, 1].
 */
export interface ConditionalVaeConfig {
  height: number;
  width: number;
  /** The condition vocabulary (for MNIST, the digits' names; index = class). */
  words: string[];
  /** Width of the word embedding. */
  embd: number;
  /** Width of the two hidden layers of the encoder and of the decoder. */
  hidden: number;
  latent: number;
  /** Weight of the KL term. */
  beta: number;
}

export const CONDITIONAL_VAE_DEFAULTS = { embd: 16, hidden: 512, latent: 16, beta: 1 } as const;

export function validateConditionalVaeConfig(c: ConditionalVaeConfig): void {
  for (const [name, v] of [
    ["height", c.height],
    ["width", c.width],
    ["embd", c.embd],
    ["hidden", c.hidden],
    ["latent", c.latent],
  ] as const) {
    if (!(Number.isInteger(v) && v >= 1))
      throw new Error(`cvae: ${name} must be a positive integer, got ${v}`);
  }
  if (c.words.length < 2) throw new Error(`cvae: needs at least 2 condition words, got ${c.words.length}`);
  if (!(c.beta > 0)) throw new Error(`cvae: beta must be positive, got ${c.beta}`);
}

/** Negative ELBO of a batch and its two parts, each a mean per image (nats). */
export interface VaeLoss {
  loss: Tensor;
  reconstruction: Tensor;
  kl: Tensor;
}

export class ConditionalVae extends Module {
  readonly condition: Embedding;
  readonly encoder1: Linear;
  readonly encoder2: Linear;
  /** To the posterior's mean and log-variance, side by side. */
  readonly posterior: Linear;
  readonly decoder1: Linear;
  readonly decoder2: Linear;
  readonly pixels: Linear;

  constructor(
    readonly config: ConditionalVaeConfig,
    options: { rng?: SeededRng } = {},
  ) {
    super();
    validateConditionalVaeConfig(config);
    const { embd, hidden, latent } = config;
    const rng = options.rng;
    const size = config.height * config.width;
    this.condition = this.submodule("condition", new Embedding(config.words.length, embd, { rng }));
    this.encoder1 = this.submodule("encoder1", new Linear(size + embd, hidden, { rng }));
    this.encoder2 = this.submodule("encoder2", new Linear(hidden, hidden, { rng }));
    this.posterior = this.submodule("posterior", new Linear(hidden, 2 * latent, { rng }));
    this.decoder1 = this.submodule("decoder1", new Linear(latent + embd, hidden, { rng }));
    this.decoder2 = this.submodule("decoder2", new Linear(hidden, hidden, { rng }));
    this.pixels = this.submodule("pixels", new Linear(hidden, size, { rng }));
  }

  #conditionOf(ids: Int32Array): Tensor {
    for (const id of ids) {
      if (!(id >= 0 && id < this.config.words.length))
        throw new Error(`cvae: condition id ${id} is outside 0…${this.config.words.length - 1}`);
    }
    return this.condition.forward(tensor(ids, [ids.length], { dtype: "int32" }));
  }

  /** Pixel logits [B, height·width] of latents z [B, latent] under conditions e [B, embd]. */
  #decode(z: Tensor, e: Tensor): Tensor {
    const h = this.decoder2.forward(this.decoder1.forward(concat([z, e], 1)).relu()).relu();
    return this.pixels.forward(h);
  }

  /**
   * The negative ELBO of images [B, 1, height, width] in [0, 1] with condition ids; the
   * reparameterisation noise is N(0, 1) drawn from `noiseSeed`.
   */
  loss(images: Tensor, ids: Int32Array, noiseSeed: number): VaeLoss {
    const { height, width, latent, beta } = this.config;
    const b = ids.length;
    if (
      images.rank !== 4 ||
      images.shape[0] !== b ||
      images.shape[1] !== 1 ||
      images.shape[2] !== height ||
      images.shape[3] !== width
    ) {
      throw new Error(`cvae: expects images [${b}, 1, ${height}, ${width}], got [${images.shape}]`);
    }
    const x = images.reshape([b, height * width]);
    const e = this.#conditionOf(ids);
    const h = this.encoder2.forward(this.encoder1.forward(concat([x, e], 1)).relu()).relu();
    const stats = this.posterior.forward(h);
    const mu = stats.slice([0, 0], [b, latent]);
    const logVar = stats.slice([0, latent], [b, 2 * latent]);
    const z = mu.add(
      logVar
        .mul(0.5)
        .exp()
        .mul(randn([b, latent], { seed: noiseSeed })),
    );
    const logits = this.#decode(z, e);
    // Binary cross-entropy with logits, stably: max(l, 0) − x·l + log(1 + e^(−|l|)).
    const bce = logits.relu().sub(x.mul(logits)).add(logits.abs().neg().exp().add(1).log());
    const reconstruction = bce.sum(-1).mean();
    const kl = mu.square().add(logVar.exp()).sub(logVar).sub(1).sum(-1).mul(0.5).mean();
    return { loss: reconstruction.add(kl.mul(beta)), reconstruction, kl };
  }

  /**
   * Images [ids.length, 1, height, width] in [0, 1] drawn for condition ids: z ~ N(0, τ²) from
   * `seed`, decoded to the pixels' probabilities.
   */
  sample(ids: Int32Array, seed: number, temperature = 1): Tensor {
    const { height, width, latent } = this.config;
    return noGrad(() => {
      const z = randn([ids.length, latent], { seed }).mul(temperature);
      return this.#decode(z, this.#conditionOf(ids)).sigmoid().reshape([ids.length, 1, height, width]);
    });
  }
}
