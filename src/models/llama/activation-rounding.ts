// llama.cpp does not multiply a non-float32 weight by float32 activations: on the CPU it
// first converts the activations to the weight type's partner format (ggml's vec_dot_type)
// and takes the dot product in that format. F16 weights meet F16 activations, BF16 weights
// BF16 ones, Q8_0/Q4_0/Q5_0 weights activations quantized to Q8_0 (blocks of 32, one f16
// scale), Q4_1/Q5_1 Q8_1 (the same values, plus a block sum), the K-quants Q8_K (blocks of
// 256, one float32 scale). Rounding the activations the same way before a float32 matmul
// with the dequantized weights gives the values llama.cpp computes; without it infiniset
// computes more exactly, and the two differ by that rounding (see the agreement bench).
//
// The roundings are written with float32 arithmetic that compiles like any other:
// Veltkamp's split c − (c − x), c = x·(2^s + 1), keeps the top 24 − s significant bits
// (11 for f16, 8 for bf16), and (y + 1.5·2^23) − 1.5·2^23 rounds y to the nearest integer,
// ties to even, as the SIMD quantizers do. (The codecs' reference quantizer rounds ties
// away from zero; exact ties do not occur in practice.)
import type { GgmlType } from "../../formats/gguf/ggml-types.js";
import { full } from "../../tensor/creation.js";
import { where } from "../../tensor/functions.js";
import type { Tensor } from "../../tensor/tensor.js";

export type ActivationFormat = "f32" | "f16" | "bf16" | "q8_0" | "q8_K";

/** The format llama.cpp converts activations to before a dot product with `type`. */
export function activationFormatOf(type: GgmlType): ActivationFormat {
  switch (type.name) {
    case "F16":
      return "f16";
    case "BF16":
      return "bf16";
    case "Q8_0":
    case "Q4_0":
    case "Q5_0":
    case "Q4_1":
    case "Q5_1":
      return "q8_0";
    case "Q4_K":
    case "Q5_K":
    case "Q6_K":
      return "q8_K";
    default:
      return "f32";
  }
}

function keepBits(x: Tensor, dropped: number): Tensor {
  const c = x.mul(2 ** dropped + 1);
  return c.sub(c.sub(x));
}

/** Rounding to f16: 11 significant bits, and below 2^−14 (subnormal) a multiple of 2^−24. */
function toF16(x: Tensor): Tensor {
  // 0.75 has an ulp of 2^−24 in float32, so adding and subtracting it rounds to that step.
  const subnormal = x.add(0.75).sub(0.75);
  return where(x.abs().lt(2 ** -14), subnormal, keepBits(x, 13));
}

function roundToEven(y: Tensor): Tensor {
  const magic = 1.5 * 2 ** 23;
  return y.add(magic).sub(magic);
}

/** x [..., K] rounded as llama.cpp rounds activations for weights of `format`. */
export function roundActivations(x: Tensor, format: ActivationFormat): Tensor {
  switch (format) {
    case "f32":
      return x;
    case "f16":
      return toF16(x);
    case "bf16":
      return keepBits(x, 16);
    default: {
      const block = format === "q8_0" ? 32 : 256;
      const shape = x.shape;
      const k = shape.at(-1)!;
      if (k % block !== 0) return x;
      const blocks = x.reshape([...shape.slice(0, -1), k / block, block]);
      const amax = blocks.abs().max(-1, true);
      const empty = amax.eq(0);
      // The SIMD quantizers scale by 127/amax; Q8_0 stores amax/127 as f16, Q8_K keeps
      // 1/(127/amax) in float32.
      const scale = where(empty, 0, full(amax.shape, 127).div(amax));
      const quants = roundToEven(blocks.mul(scale));
      const values =
        format === "q8_0" ? quants.mul(toF16(amax.div(127))) : quants.mul(where(empty, 0, scale.recip()));
      return values.reshape(shape);
    }
  }
}
