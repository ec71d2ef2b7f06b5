import type { SeededRng } from "../random/seeded-rng.js";
import { rand, randn } from "../tensor/creation.js";
import type { Tensor } from "../tensor/tensor.js";

/**
 * Parameter initializers. Each random tensor takes its seed from `rng` (one 32-bit draw per
 * tensor), so a model built from `new SeededRng(seed)` has the same weights on every run and
 * every target. Without an rng the seed comes from the global stream that `manualSeed` sets.
 */

/** Options every layer with random parameters accepts. */
export interface InitOptions {
  /** Where parameter seeds come from; default: the global `manualSeed` stream. */
  rng?: SeededRng;
}

const seedOf = (rng: SeededRng | undefined) => rng?.nextUint32();

/** U(low, high). */
export function uniform(shape: readonly number[], low: number, high: number, rng?: SeededRng): Tensor {
  return rand(shape, { seed: seedOf(rng) })
    .mul(high - low)
    .add(low);
}

/** N(0, std²). */
export function normal(shape: readonly number[], std: number, rng?: SeededRng): Tensor {
  return randn(shape, { seed: seedOf(rng) }).mul(std);
}

/**
 * PyTorch's default for Linear weights and biases: kaiming_uniform_(a=√5) works out to
 * U(−1/√fan_in, 1/√fan_in), and the bias uses the same bound.
 */
export function linearDefault(shape: readonly number[], fanIn: number, rng?: SeededRng): Tensor {
  const bound = 1 / Math.sqrt(fanIn);
  return uniform(shape, -bound, bound, rng);
}
