// Structured pruning: whole attention heads or MLP neurons are removed, and the model
// rebuilt with narrower layers — a genuinely smaller dense GPT that runs faster as it is.
// Every layer loses the same number (the config stays one shape for all layers).
//   heads    each head's importance is the calibration loss with that head silenced (its
//            columns of the output projection zeroed) minus the loss with it;
//   neurons  each neuron's is the first-order Taylor estimate of the loss change when it is
//            removed, (Σ g·w)² over its fc row, fc bias and proj column, averaged over
//            calibration batches (Molchanov et al., 2019).
// The least important go; fine-tuning afterwards lets the rest take over their work.
import { gptHeadDim, gptMlpHidden, validateGptConfig } from "../models/gpt/config.js";
import { Gpt } from "../models/gpt/gpt.js";
import type { Linear } from "../nn/linear.js";
import { adoptArray, tensor } from "../tensor/creation.js";
import { gradients, noGrad } from "../tensor/functional.js";
import type { Tensor } from "../tensor/tensor.js";

export type StructuredUnit = "heads" | "neurons";

/** Calibration batches: ids and next-token targets, int32 [n, T] each. */
export interface CalibrationBatch {
  ids: Tensor;
  targets: Tensor;
}

export interface StructuredPruneOptions {
  unit: StructuredUnit;
  /** The share of each layer's heads (or neurons) removed, in (0, 1). */
  fraction: number;
  calibration: readonly CalibrationBatch[];
}

export interface StructuredPruneResult {
  model: Gpt;
  /** Per layer, the indices kept (heads or neurons), ascending. */
  kept: number[][];
  /** Per layer, every unit's importance. */
  importance: Float64Array[];
}

const meanLoss = (model: Gpt, batches: readonly CalibrationBatch[]) =>
  noGrad(() => batches.reduce((sum, b) => sum + model.loss(b.ids, b.targets).item(), 0) / batches.length);

/** Per layer, the loss increase when each head is silenced. */
export function headImportance(model: Gpt, batches: readonly CalibrationBatch[]): Float64Array[] {
  const { nHead, nEmbd } = model.config;
  const headDim = gptHeadDim(model.config);
  const base = meanLoss(model, batches);
  return model.blocks.items.map((block) => {
    const proj = block.attn.proj as Linear;
    const scores = new Float64Array(nHead);
    for (let h = 0; h < nHead; h++) {
      const mask = new Float32Array(nEmbd * nHead * headDim).fill(1);
      for (let o = 0; o < nEmbd; o++)
        mask.fill(0, o * nHead * headDim + h * headDim, o * nHead * headDim + (h + 1) * headDim);
      const silenced = adoptArray(mask, proj.weight.shape);
      proj.weightTransform = (w) => w.mul(silenced);
      try {
        scores[h] = meanLoss(model, batches) - base;
      } finally {
        proj.weightTransform = undefined;
      }
    }
    return scores;
  });
}

/** Per layer, each MLP neuron's (Σ g·w)², averaged over the batches. */
export function neuronImportance(model: Gpt, batches: readonly CalibrationBatch[]): Float64Array[] {
  const hidden = gptMlpHidden(model.config);
  const { nEmbd } = model.config;
  const layers = model.blocks.items.map((b) => ({ fc: b.mlp.fc as Linear, proj: b.mlp.proj as Linear }));
  const params = layers.flatMap(({ fc, proj }) => [fc.weight, proj.weight, ...(fc.bias ? [fc.bias] : [])]);
  const scores = layers.map(() => new Float64Array(hidden));
  const wasTraining = model.training;
  model.eval();
  try {
    for (const batch of batches) {
      const grads = gradients(model.loss(batch.ids, batch.targets), params);
      let at = 0;
      layers.forEach(({ fc, proj }, l) => {
        const gFc = grads[at++]!.dataSync();
        const gProj = grads[at++]!.dataSync();
        const gBias = fc.bias ? grads[at++]!.dataSync() : undefined;
        const wFc = fc.weight.dataSync();
        const wProj = proj.weight.dataSync();
        const bias = fc.bias?.dataSync();
        for (let j = 0; j < hidden; j++) {
          let s = 0;
          for (let i = 0; i < nEmbd; i++) s += gFc[j * nEmbd + i]! * wFc[j * nEmbd + i]!;
          for (let o = 0; o < nEmbd; o++) s += gProj[o * hidden + j]! * wProj[o * hidden + j]!;
          if (gBias && bias) s += gBias[j]! * bias[j]!;
          scores[l]![j]! += (s * s) / batches.length;
        }
      });
    }
  } finally {
    model.train(wasTraining);
  }
  return scores;
}

/** The `keep` most important indices, ascending. */
function mostImportant(scores: Float64Array, keep: number): number[] {
  return Array.from(scores.keys())
    .sort((a, b) => scores[b]! - scores[a]!)
    .slice(0, keep)
    .sort((a, b) => a - b);
}

/** Rows `rows` of a row-major [.., width] matrix. */
function pickRows(values: ArrayLike<number>, width: number, rows: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => {
    for (let c = 0; c < width; c++) out[i * width + c] = values[r * width + c]!;
  });
  return out;
}

/** Columns `cols` of a row-major [rows, width] matrix. */
function pickColumns(
  values: ArrayLike<number>,
  rows: number,
  width: number,
  cols: readonly number[],
): Float32Array {
  const out = new Float32Array(rows * cols.length);
  for (let r = 0; r < rows; r++)
    cols.forEach((c, i) => {
      out[r * cols.length + i] = values[r * width + c]!;
    });
  return out;
}

/** How many of `count` units a fraction removes: at least one, never all. */
export function unitsRemoved(count: number, fraction: number): number {
  if (!(fraction > 0 && fraction < 1))
    throw new Error(`prune: the share removed must be in (0, 1), got ${fraction}`);
  return Math.min(count - 1, Math.max(1, Math.round(count * fraction)));
}

/** A new, narrower GPT holding `source`'s weights minus the least important heads or neurons. */
export function pruneStructured(source: Gpt, options: StructuredPruneOptions): StructuredPruneResult {
  const { config } = source;
  if (config.weightTypes)
    throw new Error("prune: the model is quantized; prune the float model, then quantize");
  const headDim = gptHeadDim(config);
  const hidden = gptMlpHidden(config);
  const { nEmbd, nHead } = config;
  const heads = options.unit === "heads";
  const count = heads ? nHead : hidden;
  const keep = count - unitsRemoved(count, options.fraction);
  const importance = (heads ? headImportance : neuronImportance)(source, options.calibration);
  const kept = importance.map((scores) => mostImportant(scores, keep));
  const smaller = validateGptConfig(
    heads ? { ...config, nHead: keep, headDim } : { ...config, mlpHidden: keep },
  );
  const state = new Map(source.stateDict());
  const set = (name: string, values: Float32Array, shape: number[]) => state.set(name, tensor(values, shape));
  source.blocks.items.forEach((block, l) => {
    const p = `blocks.${l}`;
    const units = kept[l]!;
    if (heads) {
      const inner = nHead * headDim;
      // Rows of the kept heads in each of the q, k and v parts of the joint projection.
      const rows = [0, 1, 2].flatMap((part) =>
        units.flatMap((h) => Array.from({ length: headDim }, (_, d) => part * inner + h * headDim + d)),
      );
      const columns = units.flatMap((h) => Array.from({ length: headDim }, (_, d) => h * headDim + d));
      const qkv = block.attn.qkv as Linear;
      set(`${p}.attn.qkv.weight`, pickRows(qkv.weight.dataSync(), nEmbd, rows), [rows.length, nEmbd]);
      if (qkv.bias) set(`${p}.attn.qkv.bias`, pickRows(qkv.bias.dataSync(), 1, rows), [rows.length]);
      const proj = block.attn.proj as Linear;
      set(`${p}.attn.proj.weight`, pickColumns(proj.weight.dataSync(), nEmbd, inner, columns), [
        nEmbd,
        columns.length,
      ]);
    } else {
      const fc = block.mlp.fc as Linear;
      set(`${p}.mlp.fc.weight`, pickRows(fc.weight.dataSync(), nEmbd, units), [units.length, nEmbd]);
      if (fc.bias) set(`${p}.mlp.fc.bias`, pickRows(fc.bias.dataSync(), 1, units), [units.length]);
      const proj = block.mlp.proj as Linear;
      set(`${p}.mlp.proj.weight`, pickColumns(proj.weight.dataSync(), nEmbd, hidden, units), [
        nEmbd,
        units.length,
      ]);
    }
  });
  const model = new Gpt(smaller);
  model.loadStateDict(state);
  model.train(source.training);
  return { model, kept, importance };
}
