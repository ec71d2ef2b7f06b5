import type { ConvOptions, Pair, Tensor } from "../tensor/tensor.js";
import { checkSize } from "./check-size.js";
import { type InitOptions, linearDefault } from "./init.js";
import { Module } from "./module.js";

export interface Conv2dOptions extends InitOptions, ConvOptions {
  /** Whether to add a learned bias per output channel (default true). */
  bias?: boolean;
}

const pair = (v: Pair): [number, number] => (typeof v === "number" ? [v, v] : [v[0], v[1]]);

/**
 * What Conv2d and ConvTranspose2d share: sizes checked, a weight [first, second, kh, kw]
 * ([out, in/groups, …] for a convolution, [in, out/groups, …] transposed) and a bias [out],
 * both U(−1/√fan_in, 1/√fan_in) with PyTorch's fan_in = second·kh·kw.
 */
abstract class ConvLayer extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | undefined;
  readonly kernelSize: [number, number];

  constructor(
    readonly layer: "Conv2d" | "ConvTranspose2d",
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: Pair,
    options: Conv2dOptions,
  ) {
    super();
    const groups = options.groups ?? 1;
    checkSize(layer, "inChannels", inChannels);
    checkSize(layer, "outChannels", outChannels);
    this.kernelSize = pair(kernelSize);
    for (const k of this.kernelSize) checkSize(layer, "kernelSize", k);
    checkSize(layer, "groups", groups);
    if (inChannels % groups !== 0 || outChannels % groups !== 0) {
      throw new Error(
        `${layer}: inChannels (${inChannels}) and outChannels (${outChannels}) must be divisible by groups (${groups})`,
      );
    }
    const [first, second] =
      layer === "Conv2d" ? [outChannels, inChannels / groups] : [inChannels, outChannels / groups];
    const fanIn = second * this.kernelSize[0] * this.kernelSize[1];
    this.weight = this.param(
      "weight",
      linearDefault([first, second, ...this.kernelSize], fanIn, options.rng),
    );
    this.bias =
      (options.bias ?? true)
        ? this.param("bias", linearDefault([outChannels], fanIn, options.rng))
        : undefined;
  }

  /** Throws unless x is [batch, inChannels, height, width]. */
  protected checkInput(x: Tensor): void {
    if (x.rank !== 4 || x.shape[1] !== this.inChannels) {
      throw new Error(
        `${this.layer}: expects images [batch, ${this.inChannels}, height, width], got [${x.shape}]`,
      );
    }
  }

  /** y plus the bias of each output channel, if the layer has one. */
  protected addBias(y: Tensor): Tensor {
    return this.bias ? y.add(this.bias.reshape([this.outChannels, 1, 1])) : y;
  }
}

/**
 * A 2-D convolution over NCHW images, PyTorch's `nn.Conv2d`: weight [out, in/groups, kh, kw]
 * and bias [out], both starting as U(−1/√fan_in, 1/√fan_in) with fan_in = in/groups·kh·kw,
 * so a PyTorch state dict loads as it is.
 */
export class Conv2d extends ConvLayer {
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: Pair,
    readonly options: Conv2dOptions = {},
  ) {
    super("Conv2d", inChannels, outChannels, kernelSize, options);
  }

  forward(x: Tensor): Tensor {
    this.checkInput(x);
    const { stride, padding, dilation, groups } = this.options;
    return this.addBias(x.conv2d(this.weight, { stride, padding, dilation, groups }));
  }
}

export interface ConvTranspose2dOptions extends Conv2dOptions {
  /** Extra rows and columns on one side of the output (smaller than the stride). */
  outputPadding?: Pair;
}

/**
 * A transposed 2-D convolution (PyTorch's `nn.ConvTranspose2d`): weight [in, out/groups, kh, kw],
 * bias [out], both U(−1/√fan_in, 1/√fan_in) with PyTorch's fan_in = out/groups·kh·kw.
 */
export class ConvTranspose2d extends ConvLayer {
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: Pair,
    readonly options: ConvTranspose2dOptions = {},
  ) {
    super("ConvTranspose2d", inChannels, outChannels, kernelSize, options);
  }

  forward(x: Tensor): Tensor {
    this.checkInput(x);
    const { stride, padding, dilation, groups, outputPadding } = this.options;
    return this.addBias(x.convTranspose2d(this.weight, { stride, padding, dilation, groups, outputPadding }));
  }
}
