import { parseQuantType, type QuantType, rowBytes } from "../quant/index.js";
import { adoptArray, zeros } from "../tensor/creation.js";
import { dequantizeRows, quantizedMatmul, quantizeRows } from "../tensor/quantized.js";
import type { Tensor } from "../tensor/tensor.js";
import { checkSize } from "./check-size.js";
import type { Linear } from "./linear.js";
import { Module } from "./module.js";

export interface QuantizedLinearOptions {
  /** The packed weight: uint8 [out, rowBytes] of ggml blocks, [out, in] row-major (a GGUF file's layout). */
  weight: Tensor;
  /** A float32 bias [out], trainable; none when absent. */
  bias?: Tensor;
}

/**
 * y = x·Wᵀ + b with W stored as ggml blocks of `type` (Q8_0, Q4_K, F16, …): a Linear whose
 * weight takes a fraction of the memory and is read as it is by the targets' kernels. The
 * weight is a buffer (in the state dict, not trained); the bias stays a float32 parameter,
 * and gradients flow to x and the bias.
 */
export class QuantizedLinear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | undefined;
  readonly type: QuantType;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    type: QuantType | string,
    options: QuantizedLinearOptions,
  ) {
    super();
    checkSize("QuantizedLinear", "inFeatures", inFeatures);
    checkSize("QuantizedLinear", "outFeatures", outFeatures);
    this.type = parseQuantType(type);
    const want = [outFeatures, rowBytes(this.type, inFeatures)];
    const { weight, bias } = options;
    if (weight.dtype !== "uint8" || weight.shape.join(",") !== want.join(",")) {
      throw new Error(
        `QuantizedLinear: a ${this.type} weight for ${inFeatures} → ${outFeatures} is uint8 [${want}], got ${weight.dtype} [${weight.shape}]`,
      );
    }
    if (bias && (bias.dtype !== "float32" || bias.shape.join(",") !== `${outFeatures}`)) {
      throw new Error(
        `QuantizedLinear: the bias is float32 [${outFeatures}], got ${bias.dtype} [${bias.shape}]`,
      );
    }
    this.weight = this.buffer("weight", weight);
    this.bias = bias ? this.param("bias", bias.detach()) : undefined;
  }

  /**
   * A layer of the given shape whose weight bytes and bias are zeros: the place a checkpoint's
   * packed weights are loaded into (`loadStateDict`).
   */
  static zeros(
    inFeatures: number,
    outFeatures: number,
    type: QuantType | string,
    options: { bias?: boolean } = {},
  ): QuantizedLinear {
    const bytes = rowBytes(parseQuantType(type), inFeatures);
    return new QuantizedLinear(inFeatures, outFeatures, type, {
      weight: adoptArray(new Uint8Array(outFeatures * bytes), [outFeatures, bytes]),
      ...((options.bias ?? true) ? { bias: zeros([outFeatures]) } : {}),
    });
  }

  /** A Linear's weight quantized to `type` (ggml's reference quantizer), its bias kept as is. */
  static fromLinear(linear: Linear, type: QuantType | string): QuantizedLinear {
    return new QuantizedLinear(linear.inFeatures, linear.outFeatures, type, {
      weight: quantizeRows(linear.weight, type),
      ...(linear.bias ? { bias: linear.bias } : {}),
    });
  }

  /** The weight's values as float32 [out, in]. */
  dequantizedWeight(): Tensor {
    return dequantizeRows(this.weight, this.type);
  }

  forward(x: Tensor): Tensor {
    if (x.shape.at(-1) !== this.inFeatures) {
      throw new Error(`QuantizedLinear: expects inputs [..., ${this.inFeatures}], got [${x.shape}]`);
    }
    // quantizedMatmul takes rows [..., M, K]: a vector is one row.
    const rows = x.shape.length === 1 ? x.reshape([1, this.inFeatures]) : x;
    let y = quantizedMatmul(rows, this.weight, this.type);
    if (x.shape.length === 1) y = y.reshape([this.outFeatures]);
    return this.bias ? y.add(this.bias) : y;
  }
}
