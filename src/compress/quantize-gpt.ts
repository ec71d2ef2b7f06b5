// Post-training quantization of a trained GPT: every Linear weight and both embedding
// tables to packed int8 or int4 blocks (ggml's Q8_0 / Q4_0), biases and norms kept in
// float32. Layers are quantized in the order the model runs them, and each one's
// calibration statistics are measured with the layers before it already quantized, so a
// layer's scales and GPTQ's compensation also absorb the errors that reach its inputs.
import { type GptConfig, gptHeadDim, gptMlpHidden, validateGptConfig } from "../models/gpt/config.js";
import { Gpt } from "../models/gpt/gpt.js";
import type { Embedding } from "../nn/embedding.js";
import type { Linear } from "../nn/linear.js";
import { adoptArray, tensor } from "../tensor/creation.js";
import type { Tensor } from "../tensor/tensor.js";
import { GROUP, gridOfBits, type IntegerGrid } from "./integer-grids.js";
import { inputMoment } from "./layer-inputs.js";
import { type Granularity, quantizeMatrix } from "./quantize-matrix.js";
import type { ScaleMethod } from "./scale-search.js";

export type QuantizeMethod = ScaleMethod | "gptq";
export const QUANTIZE_METHODS: readonly QuantizeMethod[] = ["minmax", "percentile", "mse", "gptq"];

export interface QuantizeGptOptions {
  /** Bits of the Linear weights: 8 (Q8_0 blocks) or 4 (Q4_0 blocks). */
  bits: 8 | 4;
  /**
   * How scales are chosen (see scale-search.ts); gptq: error-compensating rounding with
   * mse-searched scales. mse and gptq need `calibration`.
   */
  method: QuantizeMethod;
  /** percentile's quantile of |w| (default 0.999). */
  percentile?: number;
  /** One scale per output channel, or per block of 32 (default: channel for 8 bits, block for 4). */
  granularity?: Granularity;
  /** Bits of the embedding tables (default 8: they are a small part of the model and feed every layer). */
  embeddingBits?: 8 | 4;
  /** Sample token blocks, int32 [n, T], that calibration runs the model on. */
  calibration?: Tensor;
  /** Blocks per calibration pass (default 8). */
  calibrationBatch?: number;
  /** Called after each weight matrix. */
  onLayer?: (layer: QuantizedLayerReport, index: number, count: number) => void;
}

export interface QuantizedLayerReport {
  /** The weight's name in the state dict. */
  name: string;
  shape: [number, number];
  type: string;
  /**
   * The error the quantized weight puts on the layer's output, relative to the output:
   * tr(ΔW H ΔWᵀ) / tr(W H Wᵀ) with H the calibration inputs' second moment, or without
   * calibration the plain ‖ΔW‖² / ‖W‖².
   */
  relativeError: number;
}

export interface QuantizedGpt {
  model: Gpt;
  layers: QuantizedLayerReport[];
}

interface Step {
  name: string;
  grid: IntegerGrid;
  /** The float layer whose weight is replaced by its quantized values once done. */
  weight: Tensor;
  /** Calibrated layers: where their inputs are observed. */
  observe?: { target: object; method: string };
}

export function quantizeGpt(source: Gpt, options: QuantizeGptOptions): QuantizedGpt {
  const { method } = options;
  if (!QUANTIZE_METHODS.includes(method)) {
    throw new Error(`quantize: unknown method "${method}" (known: ${QUANTIZE_METHODS.join(", ")})`);
  }
  if (source.config.weightTypes) throw new Error("quantize: the model is quantized already");
  const calibrated = method === "mse" || method === "gptq";
  if (calibrated && !options.calibration)
    throw new Error(`quantize: method ${method} needs calibration data`);
  const { nEmbd, nHead } = source.config;
  const widths = {
    "embedding width": nEmbd,
    "attention width": nHead * gptHeadDim(source.config),
    "MLP width": gptMlpHidden(source.config),
  };
  for (const [what, width] of Object.entries(widths)) {
    if (width % GROUP !== 0) {
      throw new Error(
        `quantize: int8 and int4 blocks hold ${GROUP} weights, and this GPT's ${what} ${width} is not a multiple of ${GROUP}`,
      );
    }
  }
  const grid = gridOfBits(options.bits);
  const embeddingGrid = gridOfBits(options.embeddingBits ?? 8);
  const granularity = options.granularity ?? (options.bits === 8 ? "channel" : "block");

  // A working copy whose weights become their quantized values as the layers are done.
  const work = new Gpt(source.config);
  work.loadStateDict(source.stateDict());
  work.eval();
  const linear = (name: string, layer: Linear): Step => ({
    name: `${name}.weight`,
    grid,
    weight: layer.weight,
    observe: { target: layer, method: "forward" },
  });
  const table = (name: string, layer: Embedding): Step => ({
    name: `${name}.weight`,
    grid: embeddingGrid,
    weight: layer.weight,
  });
  // Embeddings first: every later layer's inputs come through them.
  const steps: Step[] = [table("wte", work.wte as Embedding), table("wpe", work.wpe as Embedding)];
  work.blocks.items.forEach((block, i) => {
    const p = `blocks.${i}`;
    steps.push(
      linear(`${p}.attn.qkv`, block.attn.qkv as Linear),
      linear(`${p}.attn.proj`, block.attn.proj as Linear),
      linear(`${p}.mlp.fc`, block.mlp.fc as Linear),
      linear(`${p}.mlp.proj`, block.mlp.proj as Linear),
    );
  });

  const packed = new Map<string, Tensor>();
  const layers: QuantizedLayerReport[] = [];
  steps.forEach((step, index) => {
    const [rows, cols] = step.weight.shape as [number, number];
    const moment =
      calibrated && step.observe
        ? inputMoment(
            step.observe.target,
            step.observe.method,
            cols,
            options.calibration!,
            options.calibrationBatch ?? 8,
            (ids) => work.forward(ids),
          )
        : undefined;
    const weights = Float32Array.from(step.weight.dataSync());
    const result = quantizeMatrix(weights, rows, cols, {
      grid: step.grid,
      // Tables are quantized per block of each row: a row is one token's (or position's) vector.
      granularity: step.observe ? granularity : "block",
      scales: {
        method: method === "gptq" ? "mse" : method,
        ...(options.percentile === undefined ? {} : { percentile: options.percentile }),
      },
      ...(moment ? { inputMoment: moment } : {}),
      gptq: method === "gptq" && moment !== undefined,
    });
    packed.set(step.name, adoptArray(result.packed, [rows, result.rowBytes]));
    const report: QuantizedLayerReport = {
      name: step.name,
      shape: [rows, cols],
      type: step.grid.type,
      relativeError: outputError(weights, result.values, rows, cols, moment),
    };
    layers.push(report);
    step.weight.assign(tensor(result.values, [rows, cols]));
    options.onLayer?.(report, index, steps.length);
  });

  const config: GptConfig = validateGptConfig({
    ...source.config,
    weightTypes: { linear: grid.type, embedding: embeddingGrid.type },
  });
  const model = new Gpt(config);
  const state = new Map(work.stateDict());
  for (const [name, value] of packed) state.set(name, value);
  model.loadStateDict(state);
  model.eval();
  return { model, layers };
}

/** tr(ΔW H ΔWᵀ) / tr(W H Wᵀ), or ‖ΔW‖² / ‖W‖² without H. */
function outputError(
  w: Float32Array,
  q: Float32Array,
  rows: number,
  cols: number,
  h: Float64Array | undefined,
): number {
  let error = 0;
  let total = 0;
  const delta = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < cols; i++) delta[i] = w[r * cols + i]! - q[r * cols + i]!;
    if (!h) {
      for (let i = 0; i < cols; i++) {
        error += delta[i]! ** 2;
        total += w[r * cols + i]! ** 2;
      }
      continue;
    }
    for (let i = 0; i < cols; i++) {
      let hd = 0;
      let hw = 0;
      for (let k = 0; k < cols; k++) {
        hd += h[i * cols + k]! * delta[k]!;
        hw += h[i * cols + k]! * w[r * cols + k]!;
      }
      error += delta[i]! * hd;
      total += w[r * cols + i]! * hw;
    }
  }
  return total === 0 ? 0 : error / total;
}
