import { arange } from "../tensor/creation.js";
import type { Tensor } from "../tensor/tensor.js";

/**
 * Which keys each query may attend to, as bool [queries, past + queries]: query i sits at
 * position past + i and sees keys 0…past + i. It depends only on sizes, so it is built from
 * `arange` and a comparison (constants the compiler can fold), never from host data.
 */
export function causalMask(queries: number, past = 0): Tensor {
  const keys = arange(past + queries).reshape([1, past + queries]);
  const firstUnseen = arange(past + 1, past + queries + 1).reshape([queries, 1]);
  return keys.lt(firstUnseen);
}
