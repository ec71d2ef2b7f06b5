/**
 * Quantized tensor values: ggml's tensor types as block codecs, bit-exact with ggml's
 * layouts and reference quantizers. The instruction set's `dequantize` and
 * `quantizedMatmul` use these as their reference semantics.
 */

export {
  type ActivationFormat,
  activationBlock,
  activationFormat,
  quantizeActivationBlock,
  roundActivations,
} from "./activations.js";
export type { BlockCodec } from "./block-codec.js";
export {
  codecOf,
  dequantize,
  isQuantType,
  parseQuantType,
  QUANT_TYPES,
  type QuantType,
  quantize,
  rowBytes,
  rowColumns,
} from "./codecs.js";
export { bf16Bits, bf16Value, f16Bits, f16Value, roundToF16 } from "./half.js";
