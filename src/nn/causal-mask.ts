import { arange } from "../tensor/creation.js";
import type { Tensor } from "../tensor/tensor.js";

/**
 * Which keys each query may attend to, as bool [queries, keys]: the query at position p
 * sees keys 0…p. Without a cache the positions are `arange(T)` and the mask depends only on
 * sizes; with one they are data (`positionIds`), so every decoding step has the same graph.
 */
export function causalMask(queryPositions: Tensor, keys: number): Tensor {
  const [queries] = queryPositions.shape as [number];
  const keyPositions = arange(keys).reshape([1, keys]);
  return keyPositions.lt(queryPositions.reshape([queries, 1]).add(1));
}
