import { Conv2d } from "../../nn/conv2d.js";
import { normal } from "../../nn/init.js";
import { Module } from "../../nn/module.js";
import type { SeededRng } from "../../random/seeded-rng.js";
import type { Tensor } from "../../tensor/tensor.js";

export interface ImageEncoderConfig {
  channels: number;
  height: number;
  width: number;
  /** Output channels of each conv block (3×3, ReLU, 2×2 max pool); the last is the token width. */
  convChannels: number[];
  /** Learn a position embedding of the regions (default true; a detector's features go without). */
  positions?: boolean;
}

/**
 * A convolutional encoder that turns an image into a grid of region tokens: conv blocks
 * (conv 3×3 → ReLU → 2×2 max pool), then each cell of the last feature map is a token
 * [embd], with a learned position embedding added (`position` [cells, embd]), so attention
 * over the tokens knows where each region is.
 */
export class ImageEncoder extends Module {
  readonly convs: Conv2d[];
  readonly position: Tensor | undefined;
  readonly grid: [number, number];

  constructor(
    readonly config: ImageEncoderConfig,
    options: { rng?: SeededRng } = {},
  ) {
    super();
    let inChannels = config.channels;
    this.convs = config.convChannels.map((out, i) => {
      const conv = this.submodule(
        `conv${i}`,
        new Conv2d(inChannels, out, 3, { padding: 1, rng: options.rng }),
      );
      inChannels = out;
      return conv;
    });
    const blocks = config.convChannels.length;
    this.grid = [config.height >> blocks, config.width >> blocks];
    if (this.grid[0] < 1 || this.grid[1] < 1) {
      throw new Error(
        `ImageEncoder: ${blocks} blocks halve ${config.height}×${config.width} images to nothing`,
      );
    }
    this.position =
      config.positions === false
        ? undefined
        : this.param("position", normal([this.grid[0] * this.grid[1], this.embd], 0.02, options.rng));
  }

  get embd(): number {
    return this.config.convChannels[this.config.convChannels.length - 1]!;
  }

  /** Images [B, C, H, W] in [0, 1] → the last feature map [B, embd, H / 2^blocks, W / 2^blocks]. */
  features(images: Tensor): Tensor {
    const { channels, height, width } = this.config;
    if (
      images.rank !== 4 ||
      images.shape[1] !== channels ||
      images.shape[2] !== height ||
      images.shape[3] !== width
    ) {
      throw new Error(
        `image encoder: expects images [batch, ${channels}, ${height}, ${width}], got [${images.shape}]`,
      );
    }
    let h = images.sub(0.5).mul(2);
    for (const conv of this.convs) h = conv.forward(h).relu().maxPool2d(2);
    return h;
  }

  /** Images [B, C, H, W] in [0, 1] → region tokens [B, cells, embd] (with their positions). */
  forward(images: Tensor): Tensor {
    const [b, e] = [images.shape[0]!, this.embd];
    const tokens = this.features(images)
      .reshape([b, e, this.grid[0] * this.grid[1]])
      .transpose();
    return this.position ? tokens.add(this.position) : tokens;
  }
}
