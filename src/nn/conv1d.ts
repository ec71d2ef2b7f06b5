import type { SeededRng } from "../random/seeded-rng.js";
import { concat } from "../tensor/functions.js";
import type { Tensor } from "../tensor/tensor.js";
import { checkSize } from "./check-size.js";
import { linearDefault } from "./init.js";
import { Module } from "./module.js";

/**
 * A 1-D convolution over sequences [batch, time, channels] (channels last), "same" padding
 * and stride 1: out[b, t] = Σ_k x[b, t + k − ⌊width/2⌋] · W_k + bias. Built from existing
 * instructions, not a kernel of its own: the `width` shifted copies of the input are
 * concatenated on the channel axis ([batch, time, width·in]) and multiplied by one
 * [width·in, out] matrix, so the work is one matmul the compiler already makes fast.
 * Parameters: `weight` [out, width·in] (tap-major: columns k·in … k·in + in − 1 are tap k), `bias` [out].
 */
export class Conv1d extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly width: number,
    options: { rng?: SeededRng } = {},
  ) {
    super();
    checkSize("Conv1d", "inChannels", inChannels);
    checkSize("Conv1d", "outChannels", outChannels);
    checkSize("Conv1d", "width", width);
    const fanIn = inChannels * width;
    this.weight = this.param("weight", linearDefault([outChannels, fanIn], fanIn, options.rng));
    this.bias = this.param("bias", linearDefault([outChannels], fanIn, options.rng));
  }

  forward(x: Tensor): Tensor {
    if (x.rank !== 3 || x.shape[2] !== this.inChannels) {
      throw new Error(`Conv1d: expected [batch, time, ${this.inChannels}], got [${x.shape}]`);
    }
    const time = x.shape[1]!;
    const left = Math.floor(this.width / 2);
    const padded = x.pad([0, left, 0], [0, this.width - 1 - left, 0]);
    const taps = Array.from({ length: this.width }, (_, k) =>
      padded.slice([0, k, 0], [undefined, k + time, undefined]),
    );
    const stacked = this.width === 1 ? taps[0]! : concat(taps, 2);
    return stacked.matmul(this.weight.transpose()).add(this.bias);
  }
}
