import { BatchNorm2d } from "../../nn/batch-norm.js";
import { Conv2d } from "../../nn/conv2d.js";
import { Dropout } from "../../nn/dropout.js";
import { Linear } from "../../nn/linear.js";
import { Module } from "../../nn/module.js";
import { MaxPool2d } from "../../nn/pooling.js";
import type { SeedStream } from "../../nn/seed-stream.js";
import { Sequential } from "../../nn/sequential.js";
import { Flatten, ReLU } from "../../nn/shape-layers.js";
import type { SeededRng } from "../../random/seeded-rng.js";
import { tensor } from "../../tensor/creation.js";
import type { Tensor } from "../../tensor/tensor.js";

/**
 * A convolutional image classifier: blocks of conv (3×3, "same" padding) → [batch norm] →
 * ReLU → 2×2 max pool, then a dense head (flatten → linear → ReLU → dropout → linear to the
 * classes). With the defaults it is the classic MNIST network: conv 32 → pool → conv 64 →
 * pool → dense 128 → 10. Inputs are images in [0, 1]; the model standardises them itself
 * with the training set's mean and standard deviation, so a checkpoint needs nothing else.
 */
export interface CnnConfig {
  channels: number;
  height: number;
  width: number;
  classes: number;
  /** Output channels of each conv block. */
  convChannels: number[];
  kernelSize: number;
  /** Width of the dense hidden layer. */
  hidden: number;
  dropout: number;
  batchNorm: boolean;
  /** Per-channel mean and standard deviation of the training images. */
  mean: number[];
  std: number[];
}

export const CNN_DEFAULTS = {
  convChannels: [32, 64],
  kernelSize: 3,
  hidden: 128,
  dropout: 0.25,
  batchNorm: false,
} as const;

export function validateCnnConfig(c: CnnConfig): void {
  const positive = (name: string, v: number) => {
    if (!(Number.isInteger(v) && v >= 1))
      throw new Error(`cnn: ${name} must be a positive integer, got ${v}`);
  };
  for (const [name, v] of [
    ["channels", c.channels],
    ["height", c.height],
    ["width", c.width],
    ["hidden", c.hidden],
    ["kernelSize", c.kernelSize],
  ] as const)
    positive(name, v);
  if (!(c.classes >= 2)) throw new Error(`cnn: needs at least 2 classes, got ${c.classes}`);
  if (c.convChannels.length === 0) throw new Error("cnn: needs at least one conv block");
  for (const v of c.convChannels) positive("convChannels", v);
  if (c.kernelSize % 2 !== 1)
    throw new Error(`cnn: kernelSize must be odd ("same" padding), got ${c.kernelSize}`);
  if (c.height >> c.convChannels.length < 1 || c.width >> c.convChannels.length < 1) {
    throw new Error(
      `cnn: ${c.convChannels.length} blocks halve ${c.height}×${c.width} images to nothing (use fewer blocks or larger images)`,
    );
  }
  if (!(c.dropout >= 0 && c.dropout < 1)) throw new Error(`cnn: dropout must be in [0, 1), got ${c.dropout}`);
  if (c.mean.length !== c.channels || c.std.length !== c.channels || c.std.some((s) => !(s > 0))) {
    throw new Error(`cnn: mean and std need ${c.channels} values each, std positive`);
  }
}

export class Cnn extends Module {
  readonly features: Sequential;
  readonly head: Sequential;
  readonly #mean: Tensor;
  readonly #std: Tensor;

  constructor(
    readonly config: CnnConfig,
    options: { rng?: SeededRng; seeds?: SeedStream } = {},
  ) {
    super();
    validateCnnConfig(config);
    const blocks: (Conv2d | BatchNorm2d | ReLU | MaxPool2d)[] = [];
    let inChannels = config.channels;
    for (const out of config.convChannels) {
      blocks.push(
        new Conv2d(inChannels, out, config.kernelSize, {
          padding: (config.kernelSize - 1) / 2,
          bias: !config.batchNorm,
          rng: options.rng,
        }),
      );
      if (config.batchNorm) blocks.push(new BatchNorm2d(out));
      blocks.push(new ReLU(), new MaxPool2d(2));
      inChannels = out;
    }
    this.features = this.submodule("features", new Sequential(...blocks));
    const blocksCount = config.convChannels.length;
    const flat = inChannels * (config.height >> blocksCount) * (config.width >> blocksCount);
    this.head = this.submodule(
      "head",
      new Sequential(
        new Flatten(),
        new Linear(flat, config.hidden, { rng: options.rng }),
        new ReLU(),
        new Dropout(config.dropout, { seeds: options.seeds }),
        new Linear(config.hidden, config.classes, { rng: options.rng }),
      ),
    );
    const perChannel = (v: number[]) => tensor(Float32Array.from(v), [config.channels, 1, 1]);
    this.#mean = perChannel(config.mean);
    this.#std = perChannel(config.std);
  }

  /** Class logits [batch, classes] of images [batch, channels, height, width] in [0, 1]. */
  forward(images: Tensor): Tensor {
    const { channels, height, width } = this.config;
    if (
      images.rank !== 4 ||
      images.shape[1] !== channels ||
      images.shape[2] !== height ||
      images.shape[3] !== width
    ) {
      throw new Error(`cnn: expects images [batch, ${channels}, ${height}, ${width}], got [${images.shape}]`);
    }
    return this.head.forward(this.features.forward(images.sub(this.#mean).div(this.#std)));
  }
}
