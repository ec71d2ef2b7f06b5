import * as isa from "../isa/index.js";
import { seedTensor } from "./creation.js";
import { Tensor, type TensorLike } from "./tensor.js";

/** Operations with several tensor operands, as free functions. */

const nodeOf = (x: TensorLike) => (x instanceof Tensor ? x.node : x);

/** cond ? a : b elementwise, broadcasting all three. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  return new Tensor(isa.where(cond.node, nodeOf(a), nodeOf(b)));
}

export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new Error("concat: needs at least one tensor");
  return new Tensor(isa.concat(...tensors.map((t) => t.node), { axis }));
}

/** Joins tensors of one shape along a new axis. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  return concat(
    tensors.map((t) => t.unsqueeze(axis)),
    axis,
  );
}

/** Mean cross-entropy of logits [..., C] against int32 class ids [...]; ids equal to ignoreIndex are skipped. */
export function crossEntropy(
  logits: Tensor,
  targets: Tensor,
  options: { ignoreIndex?: number; labelSmoothing?: number } = {},
): Tensor {
  return new Tensor(isa.crossEntropy(logits.node, targets.node, options));
}

/**
 * CTC loss per sequence, −log p(targets | logProbs) [batch]: log-probabilities [batch, time,
 * classes] (a logSoftmax), int32 targets [batch, maxLabels] and the lengths of each.
 */
export function ctcLoss(
  logProbs: Tensor,
  targets: Tensor,
  inputLengths: Tensor,
  targetLengths: Tensor,
  options: { blank?: number } = {},
): Tensor {
  return new Tensor(isa.ctcLoss(logProbs.node, targets.node, inputLengths.node, targetLengths.node, options));
}

/** Inverted dropout with probability p; the mask is reproducible from the seed. */
export function dropout(x: Tensor, p: number, options: { seed?: number } = {}): Tensor {
  if (p === 0) return x;
  return new Tensor(isa.dropout(x.node, seedTensor(options.seed, "dropout").node, { p }));
}

/** Rows of `table` [vocab, dim] at int32 `ids`. */
export function embedding(table: Tensor, ids: Tensor): Tensor {
  return new Tensor(isa.embedding(table.node, ids.node));
}

export function oneHot(ids: Tensor, depth: number): Tensor {
  return new Tensor(isa.oneHot(ids.node, { depth }));
}

export function layerNorm(x: Tensor, weight: Tensor, bias: Tensor, eps = 1e-5): Tensor {
  return new Tensor(isa.layerNorm(x.node, weight.node, bias.node, { eps }));
}

export function rmsNorm(x: Tensor, weight: Tensor, eps = 1e-6): Tensor {
  return new Tensor(isa.rmsNorm(x.node, weight.node, { eps }));
}

/**
 * Batch norm over axis 1 of x [N, C, ...] with per-channel statistics and affine
 * parameters [C] (nn.BatchNorm2d computes the batch's statistics in training).
 */
export function batchNorm(
  x: Tensor,
  mean: Tensor,
  variance: Tensor,
  weight: Tensor,
  bias: Tensor,
  eps = 1e-5,
): Tensor {
  return new Tensor(isa.batchNorm(x.node, mean.node, variance.node, weight.node, bias.node, { eps }));
}
