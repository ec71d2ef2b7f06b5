import * as isa from "../isa/index.js";
import { parseQuantType, type QuantType, quantize } from "../quant/index.js";
import { adoptArray } from "./creation.js";
import type { Tensor } from "./tensor.js";

/**
 * Quantized weights as tensors: a uint8 tensor [..., rows, rowBytes] of ggml blocks (the
 * bytes of a GGUF file) and its ggml type. Quantizing runs on the host with ggml's
 * reference quantizer; multiplying and decoding are instructions, run by every target.
 */

/** Float32 rows (last axis) encoded as `type`: uint8 [..., rows, rowBytes]. The values are computed if pending. */
export function quantizeRows(values: Tensor, type: QuantType | string): Tensor {
  const t = parseQuantType(type);
  if (values.dtype !== "float32") throw new Error(`quantizeRows: values are float32, got ${values.dtype}`);
  if (values.shape.length < 1) throw new Error("quantizeRows: values need at least one axis (a row)");
  const columns = values.shape[values.shape.length - 1]!;
  const bytes = quantize(t, Float32Array.from(values.dataSync()), columns);
  const rows = columns === 0 ? 0 : values.size / columns;
  return adoptArray(bytes, [...values.shape.slice(0, -1), rows === 0 ? 0 : bytes.length / rows]);
}

/** Packed rows of `type` decoded to float32 [..., rows, columns]. */
export function dequantizeRows(packed: Tensor, type: QuantType | string): Tensor {
  return packed.apply(isa.dequantize, { type: parseQuantType(type) });
}

/**
 * x [..., M, K] · Wᵀ for W packed [N, rowBytes] of `type` holding [N, K] row-major (a linear
 * layer's [out, in] weight, as GGUF files and `nn.Linear` store it): [..., M, N].
 * Differentiable in x. With `roundActivations`, x is first rounded as llama.cpp rounds
 * activations for the type (F16, BF16, Q8_0 or Q8_K blocks) and the products are integer
 * dot products where the target has them: llama.cpp's result, and faster.
 */
export function quantizedMatmul(
  x: Tensor,
  packed: Tensor,
  type: QuantType | string,
  options: { roundActivations?: boolean } = {},
): Tensor {
  return x.apply(isa.quantizedMatmul, packed, {
    type: parseQuantType(type),
    ...(options.roundActivations ? { roundActivations: true } : {}),
  });
}
