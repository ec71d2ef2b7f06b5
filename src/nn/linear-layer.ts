import type { QuantType } from "../quant/index.js";
import type { SeededRng } from "../random/seeded-rng.js";
import { Linear } from "./linear.js";
import { QuantizedLinear } from "./quantized-linear.js";

/** A layer computing x·Wᵀ + b: float weights (trainable) or ggml blocks (loaded, read in place). */
export type LinearLayer = Linear | QuantizedLinear;

/**
 * Makes the linear layers of a composite layer (attention, MLP), so that one architecture
 * is built with float weights to train or with quantized ones to load.
 */
export type LinearFactory = (
  inFeatures: number,
  outFeatures: number,
  options: { bias: boolean; rng?: SeededRng | undefined },
) => LinearLayer;

/** Float32 Linears, initialised from the rng. */
export const floatLinears: LinearFactory = (inFeatures, outFeatures, options) =>
  new Linear(inFeatures, outFeatures, options);

/** QuantizedLinears of `type` holding zeros, for a state dict of packed weights to be loaded into. */
export function quantizedLinears(type: QuantType): LinearFactory {
  return (inFeatures, outFeatures, { bias }) =>
    QuantizedLinear.zeros(inFeatures, outFeatures, type, { bias });
}
