import { Conv2d } from "../../nn/conv2d.js";
import { normal } from "../../nn/init.js";
import { Module } from "../../nn/module.js";
import type { SeededRng } from "../../random/seeded-rng.js";
import { concat } from "../../tensor/functions.js";
import type { Tensor } from "../../tensor/tensor.js";

export interface ImageEncoderConfig {
  channels: number;
  height: number;
  width: number;
  /** Output channels of each conv block (3×3, ReLU, 2×2 max pool); the last is the token width. */
  convChannels: number[];
  /** Learn a position embedding of the regions (default true; a detector's features go without). */
  positions?: boolean;
  /**
   * Read shape and colour apart (default false: one stream over RGB). The shape stream's
   * conv blocks see only where the image is lit (a colour-free occupancy channel), the
   * colour stream's blocks are 1×1 (each pixel's colour, never its neighbours'), and each
   * region gives two tokens, its shape token and its colour token: a shape's token is the
   * same in every colour, so a shape seen in training only in other colours is still read.
   */
  colourStream?: boolean;
}

/** A pixel is lit when its brightest channel reaches this: any coverage of any shape colour. */
const LIT = 0.03;

/**
 * A convolutional encoder that turns an image into a grid of region tokens: conv blocks
 * (conv 3×3 → ReLU → 2×2 max pool), then each cell of the last feature map is a token
 * [embd], with a learned position embedding added (`position` [cells, embd]), so attention
 * over the tokens knows where each region is. With `colourStream`, a second stream of 1×1
 * blocks reads colour, and its cells follow the shape stream's as tokens of their own
 * (same positions, plus a learned `colourType` embedding that marks them as colour).
 */
export class ImageEncoder extends Module {
  readonly convs: Conv2d[];
  /** The colour stream's 1×1 conv blocks (with `colourStream`; empty without). */
  readonly colourConvs: Conv2d[];
  readonly colourType: Tensor | undefined;
  readonly position: Tensor | undefined;
  readonly grid: [number, number];

  constructor(
    readonly config: ImageEncoderConfig,
    options: { rng?: SeededRng } = {},
  ) {
    super();
    const blocks = (name: string, inChannels: number, kernel: number) =>
      config.convChannels.map((out, i) => {
        const conv = this.submodule(
          `${name}${i}`,
          new Conv2d(inChannels, out, kernel, { padding: kernel >> 1, rng: options.rng }),
        );
        inChannels = out;
        return conv;
      });
    const colour = config.colourStream === true;
    this.convs = blocks("conv", colour ? 1 : config.channels, 3);
    this.colourConvs = colour ? blocks("colourConv", config.channels, 1) : [];
    const depth = config.convChannels.length;
    this.grid = [config.height >> depth, config.width >> depth];
    if (this.grid[0] < 1 || this.grid[1] < 1) {
      throw new Error(
        `ImageEncoder: ${depth} blocks halve ${config.height}×${config.width} images to nothing`,
      );
    }
    this.position =
      config.positions === false
        ? undefined
        : this.param("position", normal([this.grid[0] * this.grid[1], this.embd], 0.02, options.rng));
    this.colourType = colour
      ? this.param("colourType", normal([1, this.embd], 0.02, options.rng))
      : undefined;
  }

  get embd(): number {
    return this.config.convChannels[this.config.convChannels.length - 1]!;
  }

  /**
   * Images [B, C, H, W] in [0, 1] → the last feature map of each stream, [B, embd,
   * H / 2^blocks, W / 2^blocks]: the one stream's, or the shape stream's and the colour stream's.
   */
  featureMaps(images: Tensor): Tensor[] {
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
    const run = (convs: readonly Conv2d[], input: Tensor) => {
      let h = input.sub(0.5).mul(2);
      for (const conv of convs) h = conv.forward(h).relu().maxPool2d(2);
      return h;
    };
    if (this.colourConvs.length === 0) return [run(this.convs, images)];
    const lit = images.max(1, true).gt(LIT).cast("float32");
    return [run(this.convs, lit), run(this.colourConvs, images)];
  }

  /** The last feature map of a one-stream encoder (a detector's backbone). */
  features(images: Tensor): Tensor {
    if (this.colourConvs.length > 0)
      throw new Error("image encoder: a colour-stream encoder gives two feature maps (featureMaps)");
    return this.featureMaps(images)[0]!;
  }

  /**
   * Images [B, C, H, W] in [0, 1] → region tokens [B, cells, embd] with their positions;
   * with `colourStream`, [B, 2 × cells, embd]: the shape tokens, then the colour tokens.
   */
  forward(images: Tensor): Tensor {
    const [b, e] = [images.shape[0]!, this.embd];
    const tokens = this.featureMaps(images).map((map, i) => {
      const cells = map.reshape([b, e, this.grid[0] * this.grid[1]]).transpose();
      const placed = this.position ? cells.add(this.position) : cells;
      return i === 1 ? placed.add(this.colourType!) : placed;
    });
    return tokens.length === 1 ? tokens[0]! : concat(tokens, 1);
  }
}
