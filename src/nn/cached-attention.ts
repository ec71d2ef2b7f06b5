import { arange } from "../tensor/creation.js";
import { where } from "../tensor/functions.js";
import type { Tensor } from "../tensor/tensor.js";

/** Keys and values already in a cache, laid out as the products read them in place. */
export interface CachedKeysValues {
  /** [B, kvHeads, D, W]: each head's keys as columns, so queries · keys reads rows. */
  readonly keys: Tensor;
  /** [B, kvHeads, W, D] */
  readonly values: Tensor;
  /** bool, broadcast to [B, kvHeads, group·T, W]: the cached positions that hold keys. */
  readonly valid: Tensor;
}

/**
 * Causal softmax attention of a pass's queries over cached keys and values plus the pass's
 * own, without copying the cache: one softmax over both, computed in two parts (a shared
 * peak, each part's weights, the sums added). `queries` [B, kvHeads, group·T, D] (the query
 * heads that share a key head, together), own `keys` [B, kvHeads, D, T] and `values`
 * [B, kvHeads, T, D]; each query sees the pass's keys up to its own position. Returns
 * [B, kvHeads, group·T, D].
 */
export function attendCachedAndOwn(
  queries: Tensor,
  keys: Tensor,
  values: Tensor,
  cached: CachedKeysValues | undefined,
): Tensor {
  const [b, kvHeads, rows, headDim] = queries.shape as [number, number, number, number];
  const time = keys.shape[3]!;
  const group = rows / time;
  const scale = 1 / Math.sqrt(headDim);
  const causal = arange(time)
    .reshape([1, time])
    .lt(arange(time).reshape([time, 1]).add(1));
  const ownScores = where(
    causal,
    queries.matmul(keys).mul(scale).reshape([b, kvHeads, group, time, time]),
    Number.NEGATIVE_INFINITY,
  ).reshape([b, kvHeads, rows, time]);
  const cachedScores = cached
    ? where(cached.valid, queries.matmul(cached.keys).mul(scale), Number.NEGATIVE_INFINITY)
    : undefined;
  const peak = cachedScores
    ? ownScores.max(-1, true).maximum(cachedScores.max(-1, true))
    : ownScores.max(-1, true);
  const ownWeights = ownScores.sub(peak).exp();
  let total = ownWeights.sum(-1, true);
  let mixed = ownWeights.matmul(values);
  if (cached && cachedScores) {
    const weights = cachedScores.sub(peak).exp();
    total = total.add(weights.sum(-1, true));
    mixed = mixed.add(weights.matmul(cached.values));
  }
  return mixed.div(total);
}
