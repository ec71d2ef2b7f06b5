import { f, nearestInt } from "./block-codec.js";
import type { QuantType } from "./codecs.js";
import { bf16Bits, bf16Value, roundToF16 } from "./half.js";

/**
 * ggml's CPU backend does not multiply weights of a packed type by float32 activations: it
 * first converts the activations to the type's partner format (its `vec_dot_type`) and
 * takes the dot products in that format. F16 weights meet F16 activations, BF16 weights
 * BF16 ones, the 32-value block types Q8_0 blocks (one binary16 scale, int8 quants), the
 * K types Q8_K blocks (256 values, one float32 scale). This is the rounding, value for
 * value, that `quantizedMatmul` applies to x when its `roundActivations` attribute is set:
 * the instruction's reference semantics, so that targets' integer kernels are checked
 * against it.
 *
 * The quantizers are the x86 SIMD ones llama.cpp runs (scale 127/amax, quants rounded to
 * nearest even), computed in float32 step by step. (Q4_1 and Q5_1 pair with Q8_1, which
 * has Q8_0's quants and scale and also stores d·Σq rounded to binary16 for the offset
 * term; here that term uses the exact sum, a difference far below the quants' rounding.)
 */
export type ActivationFormat = "F32" | "F16" | "BF16" | "Q8_0" | "Q8_K";

/** The format activations are rounded to for weights of `type`. */
export function activationFormat(type: QuantType): ActivationFormat {
  switch (type) {
    case "F32":
    case "F16":
    case "BF16":
      return type;
    case "Q4_K":
    case "Q5_K":
    case "Q6_K":
      return "Q8_K";
    default:
      return "Q8_0";
  }
}

/** Values per block of a quantized activation format (1 for the float ones). */
export function activationBlock(format: ActivationFormat): number {
  return format === "Q8_0" ? 32 : format === "Q8_K" ? 256 : 1;
}

/**
 * One block of `n` values at x[at …] as ggml quantizes activations: the quants
 * q = nearest(x · 127/amax) into `quants` (when given), the scale returned: binary16 for
 * Q8_0 (d = amax/127 stored as F16), float32 1/(127/amax) for Q8_K; 0 for a block of zeros.
 */
export function quantizeActivationBlock(
  format: "Q8_0" | "Q8_K",
  x: ArrayLike<number>,
  at: number,
  n: number,
  quants?: Int8Array | Int16Array | number[],
  quantsAt = 0,
): number {
  let amax = 0;
  for (let i = 0; i < n; i++) amax = Math.max(amax, Math.abs(x[at + i]!));
  const scale = amax === 0 ? 0 : f(127 / amax);
  if (quants) for (let i = 0; i < n; i++) quants[quantsAt + i] = nearestInt(f(x[at + i]! * scale));
  if (amax === 0) return 0;
  return format === "Q8_0" ? roundToF16(f(amax / 127)) : f(1 / scale);
}

/** Rows of `columns` values (float32, in any float array) rounded for weights of `type`, into `out`. */
export function roundActivations<T extends Float32Array | Float64Array>(
  type: QuantType,
  x: ArrayLike<number>,
  columns: number,
  out: T,
): T {
  const format = activationFormat(type);
  const n = activationBlock(format);
  if (format === "F32") {
    for (let i = 0; i < out.length; i++) out[i] = x[i]!;
  } else if (format === "F16") {
    for (let i = 0; i < out.length; i++) out[i] = roundToF16(x[i]!);
  } else if (format === "BF16") {
    for (let i = 0; i < out.length; i++) out[i] = bf16Value(bf16Bits(x[i]!));
  } else {
    if (columns % n !== 0)
      throw new Error(`${format} activations need rows of a multiple of ${n}, got ${columns}`);
    const quants = new Int16Array(n);
    for (let at = 0; at < out.length; at += n) {
      const d = quantizeActivationBlock(format, x, at, n, quants);
      for (let i = 0; i < n; i++) out[at + i] = f(quants[i]! * d);
    }
  }
  return out;
}
