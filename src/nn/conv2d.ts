import type { ConvOptions, Pair, Tensor } from "../tensor/tensor.js";
import { checkSize } from "./check-size.js";
import { type InitOptions, linearDefault } from "./init.js";
import { Module } from "./module.js";

export interface Conv2dOptions extends InitOptions, ConvOptions {
  /** Whether to add a learned bias per output channel (default true). */
  bias?: boolean;
}

const pair = (v: Pair): [number, number] => (typeof v === "number" ? [v, v] : [v[0], v[1]]);

function checkInput(layer: string, x: Tensor, channels: number): void {
  if (x.rank !== 4 || x.shape[1] !== channels) {
    throw new Error(`${layer}: expects images [batch, ${channels}, height, width], got [${x.shape}]`);
  }
}

/** Checks a convolution layer's sizes; returns the kernel size as a pair. */
function checkSizes(
  layer: string,
  inChannels: number,
  outChannels: number,
  kernelSize: Pair,
  groups: number,
) {
  checkSize(layer, "inChannels", inChannels);
  checkSize(layer, "outChannels", outChannels);
  const kernel = pair(kernelSize);
  for (const k of kernel) checkSize(layer, "kernelSize", k);
  checkSize(layer, "groups", groups);
  if (inChannels % groups !== 0 || outChannels % groups !== 0) {
    throw new Error(
      `${layer}: inChannels (${inChannels}) and outChannels (${outChannels}) must be divisible by groups (${groups})`,
    );
  }
  return kernel;
}

/**
 * A 2-D convolution over NCHW images, PyTorch's `nn.Conv2d`: weight [out, in/groups, kh, kw]
 * and bias [out], both starting as U(−1/√fan_in, 1/√fan_in) with fan_in = in/groups·kh·kw,
 * so a PyTorch state dict loads as it is.
 */
export class Conv2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | undefined;
  readonly kernelSize: [number, number];

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: Pair,
    readonly options: Conv2dOptions = {},
  ) {
    super();
    const groups = options.groups ?? 1;
    this.kernelSize = checkSizes("Conv2d", inChannels, outChannels, kernelSize, groups);
    const fanIn = (inChannels / groups) * this.kernelSize[0] * this.kernelSize[1];
    this.weight = this.param(
      "weight",
      linearDefault([outChannels, inChannels / groups, ...this.kernelSize], fanIn, options.rng),
    );
    this.bias =
      (options.bias ?? true)
        ? this.param("bias", linearDefault([outChannels], fanIn, options.rng))
        : undefined;
  }

  forward(x: Tensor): Tensor {
    checkInput("Conv2d", x, this.inChannels);
    const { stride, padding, dilation, groups } = this.options;
    const y = x.conv2d(this.weight, { stride, padding, dilation, groups });
    return this.bias ? y.add(this.bias.reshape([this.outChannels, 1, 1])) : y;
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
export class ConvTranspose2d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | undefined;
  readonly kernelSize: [number, number];

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: Pair,
    readonly options: ConvTranspose2dOptions = {},
  ) {
    super();
    const groups = options.groups ?? 1;
    this.kernelSize = checkSizes("ConvTranspose2d", inChannels, outChannels, kernelSize, groups);
    const fanIn = (outChannels / groups) * this.kernelSize[0] * this.kernelSize[1];
    this.weight = this.param(
      "weight",
      linearDefault([inChannels, outChannels / groups, ...this.kernelSize], fanIn, options.rng),
    );
    this.bias =
      (options.bias ?? true)
        ? this.param("bias", linearDefault([outChannels], fanIn, options.rng))
        : undefined;
  }

  forward(x: Tensor): Tensor {
    checkInput("ConvTranspose2d", x, this.inChannels);
    const { stride, padding, dilation, groups, outputPadding } = this.options;
    const y = x.convTranspose2d(this.weight, { stride, padding, dilation, groups, outputPadding });
    return this.bias ? y.add(this.bias.reshape([this.outChannels, 1, 1])) : y;
  }
}
