// Quantization-aware training: the forward pass uses the weights as int8 or int4 would
// store them (rounded to a grid, and back), the backward pass treats that rounding as the
// identity (the straight-through estimator), so the float weights learn values that lose
// little when they are quantized for real. The grids are those `infiniset quantize` writes
// by default: int8 with one scale per output channel, |w|max ↦ 127; int4 with one scale per
// block of 32, the block's signed extreme ↦ −8 (ggml's Q4_0 choice), codes in [−8, 7].
import { where } from "../tensor/functions.js";
import type { Tensor } from "../tensor/tensor.js";
import { Linear } from "./linear.js";
import type { Module } from "./module.js";

export type FakeQuantBits = 8 | 4;

const MAGIC = 1.5 * 2 ** 23;

/** Round to the nearest integer, ties to even (exact for |y| < 2²²). */
function roundToInteger(y: Tensor): Tensor {
  return y.add(MAGIC).sub(MAGIC);
}

/**
 * w [out, in] on the grid of `bits` and back, with the gradient of the identity. int4 needs
 * `in` to be a multiple of 32.
 */
export function fakeQuantize(w: Tensor, bits: FakeQuantBits): Tensor {
  if (w.rank !== 2) throw new Error(`fakeQuantize: expects a weight [out, in], got [${w.shape}]`);
  const [rows, cols] = w.shape as [number, number];
  if (bits !== 8 && bits !== 4) throw new Error(`fakeQuantize: bits must be 8 or 4, got ${bits}`);
  if (bits === 4 && cols % 32 !== 0) {
    throw new Error(`fakeQuantize: int4 blocks hold 32 weights; rows of ${cols} are not whole blocks`);
  }
  const groups = bits === 8 ? w.reshape([rows, 1, cols]) : w.reshape([rows, cols / 32, 32]);
  const detached = groups.detach();
  const largest = detached.max(-1, true);
  const smallest = detached.min(-1, true);
  // The signed extreme maps onto the most negative code: −127 (symmetric) or −8.
  const extreme = where(smallest.neg().gt(largest), smallest, largest);
  const qmin = bits === 8 ? -127 : -8;
  const qmax = bits === 8 ? 127 : 7;
  const scale = extreme.div(qmin);
  const safe = where(scale.eq(0), 1, scale);
  const codes = roundToInteger(detached.div(safe)).maximum(qmin).minimum(qmax);
  const rounded = codes.mul(scale).reshape([rows, cols]);
  return w.add(rounded.sub(w.detach()));
}

/** Makes every Linear of `model` train through fakeQuantize (or, with undefined, stop). */
export function setFakeQuantization(model: Module, bits: FakeQuantBits | undefined): void {
  for (const [, m] of model.namedModules()) {
    if (m instanceof Linear)
      m.weightTransform = bits === undefined ? undefined : (w) => fakeQuantize(w, bits);
  }
}
