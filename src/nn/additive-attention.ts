import type { Tensor } from "../tensor/tensor.js";
import { checkSize } from "./check-size.js";
import { type InitOptions, uniform } from "./init.js";
import { Linear } from "./linear.js";
import { Module } from "./module.js";

/**
 * Additive (Bahdanau) attention: score_s = vᵀ·tanh(W_q·query + W_k·key_s + b), weights =
 * softmax over the source positions, context = Σ_s weight_s·value_s. The keys' projection
 * depends only on the source, so a decoder computes it once (`projectKeys`) and reuses it
 * at every step. Parameters: `query.weight` [units, queryDim], `key.weight`/`key.bias`
 * [units, keyDim]/[units], `v` [units].
 */
export class AdditiveAttention extends Module {
  readonly query: Linear;
  readonly key: Linear;
  readonly v: Tensor;

  constructor(
    readonly queryDim: number,
    readonly keyDim: number,
    readonly units: number,
    options: InitOptions = {},
  ) {
    super();
    checkSize("AdditiveAttention", "units", units);
    this.query = this.submodule("query", new Linear(queryDim, units, { bias: false, rng: options.rng }));
    this.key = this.submodule("key", new Linear(keyDim, units, { rng: options.rng }));
    const bound = 1 / Math.sqrt(units);
    this.v = this.param("v", uniform([units], -bound, bound, options.rng));
  }

  /** keys [B, S, keyDim] → [B, S, units]. */
  projectKeys(keys: Tensor): Tensor {
    return this.key.forward(keys);
  }

  /**
   * query [B, queryDim], projected keys [B, S, units], values [B, S, D] and keyBias [B, S]
   * (0 for real positions, a large negative number for padding) → context [B, D] and
   * weights [B, S].
   */
  forward(
    query: Tensor,
    projectedKeys: Tensor,
    values: Tensor,
    keyBias?: Tensor,
  ): { context: Tensor; weights: Tensor } {
    const [batch, source] = projectedKeys.shape as [number, number, number];
    const hidden = projectedKeys.add(this.query.forward(query).reshape([batch, 1, this.units])).tanh();
    const scores = hidden.matmul(this.v.reshape([this.units, 1])).reshape([batch, source]);
    const weights = (keyBias ? scores.add(keyBias) : scores).softmax(-1);
    const context = weights.reshape([batch, 1, source]).matmul(values).reshape([batch, values.shape[2]!]);
    return { context, weights };
  }
}
