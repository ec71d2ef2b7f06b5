import { Conv1d } from "../../nn/conv1d.js";
import { Linear } from "../../nn/linear.js";
import { Module } from "../../nn/module.js";
import { ModuleList } from "../../nn/module-list.js";
import { SeededRng } from "../../random/seeded-rng.js";
import type { Tensor } from "../../tensor/tensor.js";

export interface SpeechCnnConfig {
  /** Feature bands in. */
  bins: number;
  /** Channels of each convolution (each followed by ReLU and max-pooling by 2 in time). */
  channels: number[];
  /** Convolution width in frames. */
  width: number;
  classes: number;
  seed: number;
}

/** Max over pairs of neighbouring frames: [B, T, C] → [B, ⌊T/2⌋, C]. */
export function poolTime(x: Tensor): Tensor {
  const [batch, time, channels] = x.shape as [number, number, number];
  const even = time - (time % 2);
  return x
    .slice([0, 0, 0], [batch, even, channels])
    .reshape([batch, even / 2, 2, channels])
    .max(2);
}

/** Convolutions over time (features as channels), each with ReLU and pooling: [B, T, bins] → [B, T/2^L, C]. */
export class ConvStack extends Module {
  readonly convs: ModuleList<Conv1d>;

  constructor(bins: number, channels: readonly number[], width: number, rng: SeededRng) {
    super();
    this.convs = this.submodule(
      "convs",
      new ModuleList(
        channels.map((out, i) => new Conv1d(i === 0 ? bins : channels[i - 1]!, out, width, { rng })),
      ),
    );
  }

  forward(x: Tensor): Tensor {
    for (const conv of this.convs.items) x = poolTime(conv.forward(x).relu());
    return x;
  }
}

/**
 * Isolated-word classifier: a convolution stack over log-mel frames, the maximum of each
 * channel over time (so where the word falls in the clip does not matter), a linear layer.
 */
export class SpeechCnn extends Module {
  readonly stack: ConvStack;
  readonly head: Linear;

  constructor(readonly config: SpeechCnnConfig) {
    super();
    const rng = new SeededRng(config.seed);
    this.stack = this.submodule("stack", new ConvStack(config.bins, config.channels, config.width, rng));
    this.head = this.submodule("head", new Linear(config.channels.at(-1)!, config.classes, { rng }));
  }

  /** features [B, T, bins] → logits [B, classes]. */
  logits(features: Tensor): Tensor {
    return this.head.forward(this.stack.forward(features).max(1));
  }
}
