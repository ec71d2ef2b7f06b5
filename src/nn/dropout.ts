import { dropout } from "../tensor/functions.js";
import type { Tensor } from "../tensor/tensor.js";
import { Module } from "./module.js";
import type { SeedStream } from "./seed-stream.js";

export interface DropoutOptions {
  /**
   * Where each call's mask seed comes from. Share one stream across a model and save its
   * state in checkpoints to make resumed runs exact. Default: the global `manualSeed` stream.
   */
  seeds?: SeedStream;
}

/**
 * Inverted dropout in training mode: zeroes each element with probability p and scales the
 * rest by 1/(1−p). Every call draws a new seed, so masks differ from step to step; in eval
 * mode (or with p = 0) it is the identity.
 */
export class Dropout extends Module {
  readonly seeds: SeedStream | undefined;

  constructor(
    readonly p: number,
    options: DropoutOptions = {},
  ) {
    super();
    if (!(p >= 0 && p < 1)) throw new Error(`Dropout: p must be in [0, 1), got ${p}`);
    this.seeds = options.seeds;
  }

  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    return dropout(x, this.p, { seed: this.seeds?.next() });
  }
}
