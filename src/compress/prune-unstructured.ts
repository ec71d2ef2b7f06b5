// Unstructured magnitude pruning: the smallest weights of the Linear layers are set to
// zero — the smallest of each matrix (layer-wise) or of all of them together (global) —
// and held at zero while the network fine-tunes. Gradually (Zhu & Gupta, 2017), sparsity
// rises on a cubic schedule s_t = s (1 − (1 − t/T)³) over the first part of fine-tuning,
// pruning a little at a time so the rest can adapt, then fine-tuning goes on at s.
// Embeddings, biases and norms are kept whole. The result is a dense model with zeros:
// smaller once compressed, or quantized, not faster as it is.
import type { Gpt } from "../models/gpt/gpt.js";
import { Linear } from "../nn/linear.js";
import { adoptArray } from "../tensor/creation.js";
import type { Tensor } from "../tensor/tensor.js";
import type { TrainingCallback } from "../train/callbacks.js";
import type { FitResult } from "../train/fit.js";
import type { CompressionSource } from "./compressed-checkpoint.js";
import { finetuneGpt } from "./finetune.js";

export type PruneScope = "layer" | "global";

export interface UnstructuredPruneOptions {
  /** The share of Linear weights set to zero, in [0, 1). */
  sparsity: number;
  scope: PruneScope;
  /** Fine-tuning steps after (or while) pruning; 0: prune only. */
  finetuneIters: number;
  /** Raise sparsity step by step over the first `rampShare` of fine-tuning (default), or prune at once. */
  schedule?: "gradual" | "oneshot";
  /** The share of fine-tuning the gradual schedule takes (default 0.5). */
  rampShare?: number;
  /** Masks are recomputed every this many steps of the ramp (default: about 10 times over it). */
  pruneEvery?: number;
  lr?: number;
  callbacks?: readonly TrainingCallback[];
}

/** The Linear layers pruning acts on, by name. */
export function prunableLinears(model: Gpt): [string, Linear][] {
  return model.namedModules().filter((entry): entry is [string, Linear] => entry[1] instanceof Linear);
}

/**
 * Masks (1 keep, 0 pruned) that remove the `sparsity` share of the smallest |w|, per matrix
 * or over all of them. Ties at the threshold are pruned in order, so the count is exact.
 */
export function magnitudeMasks(
  weights: readonly Float32Array[],
  sparsity: number,
  scope: PruneScope,
): Uint8Array[] {
  if (!(sparsity >= 0 && sparsity < 1)) throw new Error(`prune: sparsity must be in [0, 1), got ${sparsity}`);
  const masks = weights.map((w) => new Uint8Array(w.length).fill(1));
  const groups = scope === "layer" ? weights.map((_, i) => [i]) : [weights.map((_, i) => i)];
  for (const group of groups) {
    const magnitudes = new Float32Array(group.reduce((n, layer) => n + weights[layer]!.length, 0));
    let at = 0;
    for (const layer of group) for (const v of weights[layer]!) magnitudes[at++] = Math.abs(v);
    let pruned = Math.round(sparsity * magnitudes.length);
    if (pruned === 0) continue;
    const threshold = magnitudes.slice().sort()[pruned - 1]!;
    // Everything below the threshold goes, then weights at it in order until the count is met.
    for (const layer of group) {
      weights[layer]!.forEach((v, i) => {
        if (Math.abs(v) < threshold) {
          masks[layer]![i] = 0;
          pruned--;
        }
      });
    }
    for (const layer of group) {
      weights[layer]!.forEach((v, i) => {
        if (pruned > 0 && Math.abs(v) === threshold) {
          masks[layer]![i] = 0;
          pruned--;
        }
      });
    }
  }
  return masks;
}

/** The cubic ramp: sparsity after `step` of `rampSteps`. */
export function gradualSparsity(final: number, step: number, rampSteps: number): number {
  if (rampSteps <= 0 || step >= rampSteps) return final;
  return final * (1 - (1 - step / rampSteps) ** 3);
}

/** The share of zeros among the Linear weights. */
export function linearSparsity(model: Gpt): number {
  let zeros = 0;
  let total = 0;
  for (const [, linear] of prunableLinears(model)) {
    for (const v of linear.weight.dataSync()) if (v === 0) zeros++;
    total += linear.weight.size;
  }
  return total === 0 ? 0 : zeros / total;
}

export interface UnstructuredPruneResult {
  sparsity: number;
  finetune?: FitResult;
}

/** Prunes `model` in place (and fine-tunes it on the source's data). */
export function pruneUnstructured(
  model: Gpt,
  source: CompressionSource,
  options: UnstructuredPruneOptions,
): UnstructuredPruneResult {
  const linears = prunableLinears(model).map(([, linear]) => linear);
  const masks = new Map<Linear, Tensor>();
  const prune = (sparsity: number) => {
    // Weights pruned earlier are zeroed first, so they stay among the smallest and masks only grow.
    const weights = linears.map((l) => {
      const mask = masks.get(l);
      return Float32Array.from((mask ? l.weight.mul(mask) : l.weight).dataSync());
    });
    magnitudeMasks(weights, sparsity, options.scope).forEach((mask, i) => {
      const linear = linears[i]!;
      masks.set(linear, adoptArray(Float32Array.from(mask), linear.weight.shape));
    });
    for (const linear of linears) linear.weight.assign(linear.weight.mul(masks.get(linear)!));
  };
  const iterations = options.finetuneIters;
  const gradual = (options.schedule ?? "gradual") === "gradual" && iterations > 0;
  const rampSteps = gradual ? Math.max(1, Math.floor(iterations * (options.rampShare ?? 0.5))) : 0;
  const pruneEvery = options.pruneEvery ?? Math.max(1, Math.ceil(rampSteps / 10));
  prune(gradual ? gradualSparsity(options.sparsity, 0, rampSteps) : options.sparsity);
  if (iterations === 0) return { sparsity: linearSparsity(model) };
  // While training, the forward pass sees weight ⊙ mask: pruned weights get no gradient
  // and contribute nothing, whatever the optimizer does to them.
  for (const linear of linears) linear.weightTransform = (w) => w.mul(masks.get(linear)!);
  const schedule: TrainingCallback = {
    onStep: ({ iter }) => {
      if (gradual && iter <= rampSteps && iter % pruneEvery === 0)
        prune(gradualSparsity(options.sparsity, iter, rampSteps));
    },
  };
  try {
    const finetune = finetuneGpt(model, source, {
      iterations,
      ...(options.lr === undefined ? {} : { lr: options.lr }),
      callbacks: [schedule, ...(options.callbacks ?? [])],
    });
    for (const linear of linears) linear.weight.assign(linear.weight.mul(masks.get(linear)!));
    return { sparsity: linearSparsity(model), finetune };
  } finally {
    for (const linear of linears) linear.weightTransform = undefined;
  }
}
