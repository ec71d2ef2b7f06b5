import { GRU } from "../../nn/gru.js";
import { Linear } from "../../nn/linear.js";
import { Module } from "../../nn/module.js";
import { SeededRng } from "../../random/seeded-rng.js";
import type { Tensor } from "../../tensor/tensor.js";
import { ConvStack } from "./digit-cnn.js";

export interface CtcRecognizerConfig {
  bins: number;
  channels: number[];
  width: number;
  /** A GRU over the convolutions' output, of this width; 0 for none (convolutions only). */
  hidden: number;
  /** Output classes including the blank, which is class 0. */
  classes: number;
  seed: number;
}

/**
 * A sequence recogniser for CTC: convolutions with pooling over log-mel frames, optionally
 * a GRU, and a linear layer to log-probabilities over blank + labels at every output frame.
 */
export class CtcRecognizer extends Module {
  readonly stack: ConvStack;
  readonly rnn: GRU | undefined;
  readonly head: Linear;

  constructor(readonly config: CtcRecognizerConfig) {
    super();
    const rng = new SeededRng(config.seed);
    this.stack = this.submodule("stack", new ConvStack(config.bins, config.channels, config.width, rng));
    const width = config.channels.at(-1)!;
    this.rnn = config.hidden > 0 ? this.submodule("rnn", new GRU(width, config.hidden, { rng })) : undefined;
    this.head = this.submodule(
      "head",
      new Linear(config.hidden > 0 ? config.hidden : width, config.classes, { rng }),
    );
  }

  /** Output frames for `frames` input frames (each pooling halves them). */
  outputFrames(frames: number): number {
    let t = frames;
    for (let i = 0; i < this.config.channels.length; i++) t = Math.floor(t / 2);
    return t;
  }

  /** features [B, T, bins] → log-probabilities [B, T', classes]. */
  logProbs(features: Tensor): Tensor {
    const x = this.stack.forward(features);
    return this.head.forward(this.rnn ? this.rnn.forward(x).output : x).logSoftmax(-1);
  }
}
